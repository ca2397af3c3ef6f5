"""Japan's export-control country groups, as dated data.

Group A (グループA) is the list of Appended Table 3 (別表第三) of the Export Trade Control
Order (輸出貿易管理令): 27 countries as of 2024 (South Korea re-added 2023-07-21). The
members come from econsec's curated ``data/curated/country_groups.csv`` (group
``jp-export-group-a``, with the source on every row); this module gives them a date and a
source and answers "is this country in Group A". Every other country is "non-Group-A"
(Groups B-D are not distinguished here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from econsec.datasets.countries import country, load_groups, resolve_country

GROUP_A = "jp-export-group-a"

#: The date the bundled membership is stated for, and its source.
GROUP_A_AS_OF = date(2024, 1, 1)
GROUP_A_SOURCE = {
    "title": "Export Trade Control Order (輸出貿易管理令), Appended Table 3 (別表第三)",
    "publisher": "Government of Japan / METI",
    "url": "https://www.meti.go.jp/policy/anpo/",
    "note": "Membership as of 2024; South Korea re-added with effect from 2023-07-21.",
}


@dataclass(frozen=True)
class GroupStatus:
    """A country's export-control group as seen from Japan."""

    iso3: str
    name_en: str
    name_ja: str
    group_a: bool

    @property
    def label(self) -> str:
        return "Group A" if self.group_a else "non-Group-A"

    def as_dict(self) -> dict[str, Any]:
        return {"iso3": self.iso3, "name_en": self.name_en, "name_ja": self.name_ja,
                "group_a": self.group_a, "group": self.label,
                "as_of": GROUP_A_AS_OF.isoformat(), "source": GROUP_A_SOURCE}


@cache
def group_a_members() -> frozenset[str]:
    """ISO alpha-3 codes of Group A (from ``curated/country_groups.csv``)."""
    return frozenset(iso3 for iso3, groups in load_groups().items() if GROUP_A in groups)


def group_status(name: str) -> GroupStatus:
    """The Group A status of a country given by code or name (any spelling econsec knows);
    an unknown country raises :class:`~econsec.errors.UnknownCountryError` with suggestions."""
    iso3 = resolve_country(name)
    c = country(iso3)
    return GroupStatus(iso3, c.name_en, c.name_ja, iso3 in group_a_members())
