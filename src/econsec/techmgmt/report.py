"""The self-contained HTML summary of a transfer case (``econsec tech case export``).

One file, inline CSS, no scripts or network: the case, the technology and its source, the
prior-report decision with its reasons, and the dated history. Text goes through the
translation layer (``lang`` ``en`` or ``ja``); the other language's names are shown too.
"""

from __future__ import annotations

from pathlib import Path

from econsec.i18n.templating import translated_environment
from econsec.techmgmt.cases import CHANNEL_LABELS, STATUS_LABELS, Decision, TransferCase
from econsec.techmgmt.groups import GROUP_A_AS_OF, GROUP_A_SOURCE, GroupStatus
from econsec.techmgmt.registry import Registry


def render_case_html(case: TransferCase, decision: Decision, registry: Registry,
                     group: GroupStatus, lang: str = "en") -> str:
    """The HTML text of the case summary in ``lang``."""
    env = translated_environment("econsec.techmgmt", lang)
    tech = registry.resolve(case.technology_id)
    designation = registry.find(case.technology_id, case.decision_date)
    return env.get_template("tech_case_report.html.j2").render(
        case=case, decision=decision, tech=tech,
        source=designation.source if designation else None,
        list_key=designation.list.key if designation else None,
        group=group, group_as_of=GROUP_A_AS_OF, group_source=GROUP_A_SOURCE,
        channel_label=CHANNEL_LABELS[case.channel], status_labels=STATUS_LABELS)


def write_case_html(path: Path, case: TransferCase, decision: Decision, registry: Registry,
                    group: GroupStatus, lang: str = "en") -> Path:
    """Write :func:`render_case_html` to ``path`` (folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_case_html(case, decision, registry, group, lang), encoding="utf-8")
    return path
