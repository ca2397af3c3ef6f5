"""Rules of the product-trade reads of the store: HS codes, editions, descriptions.

* :func:`normalise_code`: ``"2846.90"`` = ``"284690"``.
* :func:`choose_versions`: which HS edition answers for each year when a code has flows in
  several (the longest series; another edition only for the years it lacks).
* :func:`describe`: descriptions and stage of a code of an edition, from the bundled
  catalogue (HS 1992 and HS 2017 codes with flows), the HS 2022 nomenclature for HS22 codes,
  else an empty description (a code a user imported).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from econsec.errors import ValidationError
from econsec.records import HS_VERSIONS, ProductInfo


def normalise_code(code: str) -> str:
    """``code`` without dots and spaces (``"2846.90"`` → ``"284690"``)."""
    return str(code).replace(".", "").replace(" ", "").strip()


def check_version(version: str) -> str:
    """``version`` upper-cased (``hs17`` → ``HS17``); refuses an unknown edition."""
    wanted = str(version).strip().upper()
    if wanted not in HS_VERSIONS:
        raise ValidationError("unknown HS version '%(version)s' (known: %(known)s)",
                              params={"version": version, "known": ", ".join(HS_VERSIONS)})
    return wanted


def choose_versions(spans: Mapping[str, set[int]], wanted: str | None,
                    code: str) -> dict[int, str]:
    """Year → the HS edition whose flows answer for it.

    ``wanted``: that edition's years only. Otherwise each year goes to the edition with
    flows in that year that covers the most years overall (the series), ties to the newer
    edition; so a code of BACI's HS 1992 series stays HS92 in 2024 although the HS 2017
    extract has it too, and a 2024-only HS 2017 line answers as HS17.
    """
    if wanted is not None:
        version = check_version(wanted)
        return dict.fromkeys(sorted(spans.get(version, ())), version)
    rank = {v: (len(years), HS_VERSIONS.index(v) if v in HS_VERSIONS else -1)
            for v, years in spans.items()}
    out: dict[int, str] = {}
    for version in sorted(spans, key=lambda v: rank[v], reverse=True):
        for year in spans[version]:
            out.setdefault(year, version)
    return dict(sorted(out.items()))


def main_version(spans: Mapping[str, set[int]]) -> str | None:
    """The edition answering for most years (ties: the newer), None without flows."""
    chosen = choose_versions(spans, None, "")
    if not chosen:
        return None
    counts: dict[str, int] = {}
    for version in chosen.values():
        counts[version] = counts.get(version, 0) + 1
    return max(counts, key=lambda v: (counts[v], HS_VERSIONS.index(v)
                                      if v in HS_VERSIONS else -1))


def known_product(code: str, version: str | None = None) -> str | None:
    """The edition in which the bundled descriptions know ``code`` (``version`` if it does;
    without ``version`` the newest), None if none does."""
    from econsec.datasets.baci import product_catalogue
    from econsec.datasets.hs import hs_codes

    versions = [v for (c, v) in product_catalogue() if c == code]
    if len(code) == 6 and code in hs_codes():
        versions.append("HS22")
    if version is not None:
        return version if version in versions else None
    return max(versions, key=HS_VERSIONS.index) if versions else None


def describe(code: str, version: str) -> ProductInfo:
    """Descriptions and stage of ``code`` in edition ``version`` (see the module)."""
    from econsec.datasets.baci import product_catalogue
    from econsec.datasets.hs import hs_codes

    found = product_catalogue().get((code, version))
    if found is not None:
        return found
    if version == "HS22" and code in hs_codes():
        return ProductInfo(code, version, hs_codes()[code].description)
    return ProductInfo(code, version, "")


def product_suggestions(code: str, stored: Iterable[tuple[str, str]], limit: int = 3
                        ) -> list[str]:
    """Up to ``limit`` known codes like ``code`` (by digits, then by description words),
    as ``"284690 (HS92: Compounds … of rare-earth metals …)"``."""
    from econsec.datasets.baci import product_catalogue
    from econsec.suggest import close_matches

    choices: dict[str, str] = {}
    pairs = set(product_catalogue()) | set(stored)
    for c, v in sorted(pairs):
        text = describe(c, v).description_en
        label = f"{c} ({v}{': ' + text[:60] if text else ''})"
        choices.setdefault(c, label)
        if text:
            choices.setdefault(text, label)
    wanted = normalise_code(code)
    by_prefix = [label for c, label in choices.items()
                 if c.isdigit() and wanted.isdigit() and wanted[:4] and c.startswith(wanted[:4])]
    found = list(dict.fromkeys(by_prefix))[:limit]
    if len(found) < limit:
        found += [m for m in close_matches(code, choices, limit) if m not in found]
    return found[:limit]
