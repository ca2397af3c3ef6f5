"""Perspective (5), information sharing: like-minded groups both countries belong to,
Japan's export-control Group A and agreements recorded in the knowledge base.

Score = Σ weights of the groups that count (:data:`GROUP_WEIGHTS`, summing to 100): a group
counts when the partner is a member and so is the home country; Japan's Group A counts when
the partner is on it (the home country is Japan, the list's issuer, or a member).
"""

from __future__ import annotations

from econsec.analyses.country_profile import EXPORT_CONTROL_GROUP, EXPORT_CONTROL_ISSUER
from econsec.errors import NotFoundError
from econsec.i18n.terms import N_
from econsec.kb.protocol import KnowledgeBase
from econsec.regions.models import GroupRow, InformationPerspective
from econsec.regions.scoring import score

#: group → (weight, English name, Japanese name)
GROUP_WEIGHTS: dict[str, tuple[float, str, str]] = {
    "g7": (25.0, "G7", "G7"),
    "quad": (20.0, "Quad", "クアッド（日米豪印）"),
    EXPORT_CONTROL_GROUP: (25.0, "Japan export control Group A", "輸出管理グループA"),
    "oecd": (15.0, "OECD", "OECD"),
    "eu27": (15.0, "EU (27)", "EU（27か国）"),
}
FORMULA = N_("Σ weights of the groups both belong to (G7 25, Quad 20, Group A 25, OECD 15, EU 15)")
#: No agreements table exists in the knowledge base yet: the list stays empty and says so.
AGREEMENTS_NOTE = "no agreements are recorded in the knowledge base"


def information_perspective(kb: KnowledgeBase, partner: str, home: str
                            ) -> InformationPerspective:
    rows = []
    total = 0.0
    for group, (weight, en, ja) in GROUP_WEIGHTS.items():
        try:
            members = set(kb.group_members(group))
        except NotFoundError:
            members = set()
        pm, hm = partner in members, home in members
        if group == EXPORT_CONTROL_GROUP:
            counts = pm and (hm or home == EXPORT_CONTROL_ISSUER)
        else:
            counts = pm and hm
        total += weight if counts else 0.0
        rows.append(GroupRow(group=group, name_en=en, name_ja=ja, weight=weight,
                             partner_member=pm, home_member=hm, counts=counts))
    group_a = next(r for r in rows if r.group == EXPORT_CONTROL_GROUP)
    status = ("issuer" if partner == EXPORT_CONTROL_ISSUER else
              "member" if group_a.partner_member else "not-member")
    return InformationPerspective(
        score=score(total, FORMULA, {"weights_counted": total}), groups=rows,
        export_control_status=status, agreements=[], source="econsec-curated")
