"""The bundled screening lists as source records (for ``econsec sources``): they go to the
screening index, not the knowledge base, but are data sets with a publisher, an edition and
a licence like the others."""

from __future__ import annotations

from econsec.records import Source


def list_sources() -> tuple[list[Source], dict[str, list[str]]]:
    """One :class:`Source` per bundled list (key = the list's name, year = its edition's,
    file = its path under the data folder) and the list names of each file."""
    from econsec.screening.bundled import BUNDLED

    sources: list[Source] = []
    files: dict[str, list[str]] = {}
    for item in BUNDLED.values():
        path = f"screening/{item.file}"
        year = int(item.edition[:4]) if item.edition[:4].isdigit() else 0
        sources.append(Source(item.name, item.publisher, item.title, year, item.licence,
                              item.source_url, path, "",
                              f"{item.title}, edition {item.edition}"))
        files.setdefault(path, []).append(item.name)
    return sources, files
