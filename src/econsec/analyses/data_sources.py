"""Every data set econsec uses, with its licence, edition, bundled files and release flags
(``econsec sources``, ``GET /api/v1/sources/catalogue``).

Read from one place each:

- the source records of the knowledge base (``kb.sources()``: the bundled ones that
  ``econsec init`` loads from :mod:`econsec.datasets.sources`, and any a user imported),
  plus a bundled source not (yet) in the knowledge base;
- the bundled screening lists (given by the caller, from
  :func:`econsec.screening.sources.list_sources`: they go to the screening index, not the
  knowledge base);
- ``data/MANIFEST.csv``: every bundled file is attached to the source whose ``file`` is
  that file or a folder above it (the longest such match), else to the source of its
  family in :data:`FILE_FAMILIES` (files of the same data release kept next to the one
  the source names);
- the ``FLAG`` paragraphs of the ``PROVENANCE.txt`` of each source's folder (what to
  confirm before a release), and a licence that says "verify".

A new data set appears as soon as its source record (and MANIFEST rows) land.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from typing import Literal

from econsec.analyses.models import DataSetFile, DataSetInfo, DataSetList
from econsec.datasets.manifest import ManifestFile
from econsec.kb.protocol import KnowledgeBase
from econsec.records import Source

#: Bundled files whose source record names another file or folder of the same release:
#: (glob relative to the data folder, source key). The first matching glob wins.
FILE_FAMILIES: tuple[tuple[str, str], ...] = (
    ("usgs_mcs2025/world_data/*", "usgs-mcs-2025-world"),
    ("usgs_mcs2025/industry_trends/*", "usgs-mcs-2025-salient"),
    ("usgs_mcs2024/industry_trends/*", "usgs-mcs-2024-salient"),
    ("usgs_mcs2023/industry_trends/*", "usgs-mcs-2023-salient"),
    ("usgs_mcs_derived/mcs2025_salient_*", "usgs-mcs-2025-salient"),
    ("usgs_mcs_derived/mcs2025_world_*", "usgs-mcs-2025-world"),
    ("usgs_mcs_derived/usgs_mcs2025_*", "usgs-mcs-2025-world"),
    ("usgs_mcs_derived/usgs_mcs_2023_2024_*", "usgs-mcs-2024-world"),
    ("governance/wgi/*", "wgi-2023"),
    ("us_trade/*", "us-import-shares-2020-2023"),
    ("classifications/hs/*", "hs-2022"),
    ("trade/country_codes_baci.csv", "cepii-baci-hs92-crm"),
    ("trade/product_codes_hs92_*", "cepii-baci-hs92-crm"),
    ("trade/critical_codes.json", "cepii-baci-hs17-2024"),
    ("technology/ncses_sei/*", "nsf-ncses-sei-2024"),
    ("maritime/sea_*", "econsec-sea-lanes"),
)
Kind = Literal["bundled", "imported", "screening list"]
#: A licence text asking for this is a release flag too.
VERIFY_WORDS = ("verify", "confirm")


def _owner(path: str, by_file: dict[str, str]) -> str | None:
    best = None
    for file, key in by_file.items():
        if file and (path == file or path.startswith(file.rstrip("/") + "/")) and (
                best is None or len(file) > len(best[0])):
            best = (file, key)
    if best is not None:
        return best[1]
    return next((key for pattern, key in FILE_FAMILIES if fnmatch.fnmatch(path, pattern)),
                None)


def assign_files(files: Iterable[ManifestFile], sources: Sequence[Source],
                 extra: dict[str, list[str]] | None = None
                 ) -> tuple[dict[str, list[ManifestFile]], list[ManifestFile]]:
    """MANIFEST files by source key, and the files no source claims. ``extra`` gives more
    keys a file belongs to (``{path: [key, …]}``: a screening list's file)."""
    by_file = {s.file: s.key for s in sources if s.file}
    keys = {s.key for s in sources}
    out: dict[str, list[ManifestFile]] = {}
    orphans = []
    for f in files:
        owners = list((extra or {}).get(f.path, []))
        owner = _owner(f.path, by_file)
        if owner is not None and owner in keys:
            owners.append(owner)
        if not owners:
            orphans.append(f)
        for key in dict.fromkeys(owners):
            out.setdefault(key, []).append(f)
    return out, orphans


def _concerning(flags: list[str], own: list[str], names: set[str]) -> list[str]:
    """The flags that concern a source owning the files ``own``: a flag naming bundled
    files (by file name) concerns only the sources of those files; others concern every
    source of the folder."""
    mine = {p.rsplit("/", 1)[-1] for p in own}
    out = []
    for flag in flags:
        named = {n for n in names if n in flag}
        if not named or named & mine:
            out.append(flag)
    return out


def _unlisted(file: str, listed: set[str]) -> list[str]:
    """Files at or under ``file`` (relative to the data folder) missing from the manifest
    (PROVENANCE.txt and README.md excepted)."""
    from econsec.datasets._csv import data_dir

    if not file:
        return []
    base = data_dir()
    target = base / file
    found = [target] if target.is_file() else sorted(p for p in target.rglob("*") if p.is_file())
    names = (p.relative_to(base).as_posix() for p in found
             if p.name not in ("PROVENANCE.txt", "README.md") and "__pycache__" not in p.parts)
    return [n for n in names if n not in listed]


def data_sources(kb: KnowledgeBase, manifest: Sequence[ManifestFile] | None = None,
                 *, lists: tuple[Sequence[Source], dict[str, list[str]]] = ((), {}),
                 flags: dict[str, list[str]] | None = None) -> DataSetList:
    """Every data set of the knowledge base, the bundled files and the screening lists.

    ``lists``: the screening lists as source records and the list names of each file
    (:func:`econsec.screening.sources.list_sources`; the presenters pass them: analyses
    do not read the screening package). ``manifest`` defaults to the bundled MANIFEST.csv;
    ``flags`` (source key → release flags) to the FLAG paragraphs of each bundled source's
    PROVENANCE.txt."""
    from econsec.datasets import sources as bundled
    from econsec.datasets.manifest import bundled_manifest, provenance_flags

    stored = {s.key: s for s in kb.sources()}
    shipped = {s.key: s for s in bundled.sources()}
    list_sources, list_files = lists
    kinds = {s.key for s in list_sources}
    everything: dict[str, Source] = {**shipped, **stored}
    for s in list_sources:
        everything.setdefault(s.key, s)
    files = list(bundled_manifest() if manifest is None else manifest)
    assigned, orphans = assign_files(files, list(everything.values()), list_files)
    names = {f.path.rsplit("/", 1)[-1] for f in files}
    rows = []
    for key in sorted(everything):
        src = everything[key]
        if flags is not None:
            notes = list(flags.get(key, []))
        else:
            notes = provenance_flags(src.file) if key in shipped or key in kinds else []
            notes = _concerning(notes, [f.path for f in assigned.get(key, [])], names)
        if any(w in src.licence.casefold() for w in VERIFY_WORDS):
            notes.append(src.licence)
        mine = assigned.get(key, [])
        kind: Kind = "screening list" if key in kinds else (
            "bundled" if key in shipped else "imported")
        rows.append(DataSetInfo(
            key=key, kind=kind, publisher=src.publisher, title=src.title, year=src.year,
            licence=src.licence, url=src.url, citation=src.citation, file=src.file,
            sha256=src.sha256, in_knowledge_base=key in stored,
            files=[DataSetFile(path=f.path, bytes=f.bytes, sha256=f.sha256, rows=f.rows)
                   for f in mine],
            bytes=sum(f.bytes for f in mine),
            unlisted_files=_unlisted(src.file, {f.path for f in files})
            if key in shipped or key in kinds else [],
            release_flags=list(dict.fromkeys(notes)),
        ))
    return DataSetList(sources=rows, unassigned_files=[f.path for f in orphans],
                       manifest_files=len(files))
