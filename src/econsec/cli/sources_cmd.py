"""``econsec sources``: every data set econsec uses, with publisher, edition year, licence,
bundled files and what to confirm before a release
(:func:`econsec.analyses.data_sources.data_sources`).

Output (``--format``): ``table`` one row per data set (files and total size, flags
counted, then each flag as a note); ``json`` the whole list with every file (path, bytes,
SHA-256, rows) and the flags in full; ``csv`` the table's rows with the flags joined.
"""

from __future__ import annotations

from typing import Any

from econsec.cli.console import out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit

COLUMNS = ["key", "kind", "publisher", "year", "licence", "files", "megabytes",
           "release_flags"]


def sources(
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """List every data set (knowledge base, bundled files, screening lists) with publisher,
    year, licence, bundled files and the flags to confirm before a release."""
    from econsec.analyses.data_sources import data_sources
    from econsec.cli.app import _open_store
    from econsec.screening.sources import list_sources

    result = data_sources(_open_store(db), lists=list_sources())
    emit(sources_result(result, fmt), fmt, out)


def sources_result(result: Any, fmt: OutputFormat) -> Result:
    """The table/CSV rows and notes of a :class:`~econsec.analyses.models.DataSetList`."""
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for s in result.sources:
        flags = s.release_flags
        rows.append({
            "key": s.key, "kind": s.kind, "publisher": s.publisher, "year": s.year,
            "licence": s.licence, "files": len(s.files),
            "megabytes": round(s.bytes / 1e6, 2),
            "release_flags": " | ".join(flags) if fmt is OutputFormat.CSV else len(flags),
        })
        notes.extend(f"{s.key}: confirm before release: {f}" for f in flags)
        if s.unlisted_files:
            notes.append(f"{s.key}: bundled files missing from MANIFEST.csv: "
                         + ", ".join(s.unlisted_files))
    if result.unassigned_files:
        notes.append("MANIFEST files no source claims: " + ", ".join(result.unassigned_files))
    return Result(result, rows, COLUMNS, title=f"{len(rows)} data sets, "
                  f"{result.manifest_files} bundled files in MANIFEST.csv", notes=notes)
