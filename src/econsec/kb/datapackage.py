"""The whole knowledge base as a Frictionless tabular data package (CSV + JSON).

Spec: https://specs.frictionlessdata.io/data-package/
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Engine, Float, Integer, Table, select

from econsec.kb.models import metadata
from econsec.records import Source
from econsec.textsafe import csv_cell

EXPORT_ORDER = (
    "sources",
    "countries",
    "country_groups",
    "items",
    "item_hs_codes",
    "observations",
    "trade_flows",
    "input_edges",
    "governance_scores",
    "country_risk",
    "firms",
    "routes",
    "facilities",
    "supply_edges",
)
"""Tables in the order a data package lists them (referenced tables first)."""

NATURAL_KEYS: dict[str, list[str]] = {
    "sources": ["key"],
    "countries": ["iso3"],
    "country_groups": ["group_name", "iso3"],
    "items": ["id"],
    "item_hs_codes": ["item_id", "hs_code", "hs_version"],
    "firms": ["id"],
    "routes": ["id"],
    "facilities": ["id"],
}


def export_datapackage(engine: Engine, folder: Path, sources: list[Source]) -> Path:
    """Write the whole knowledge base as a Frictionless tabular data package.

    One UTF-8 CSV per table (``<table>.csv``, header row, empty cell = null, booleans
    ``true``/``false``; a text cell starting with ``= + - @``, tab or CR gets a leading
    apostrophe so that spreadsheets show it as text, and the import removes it) and
    ``datapackage.json`` with each resource's
    ``schema.fields`` (types), ``primaryKey`` and ``foreignKeys``, plus the package's
    ``sources`` and ``licenses``. Fact tables carry the store's row ``id`` as primary
    key; it is not kept on import. Returns the path of ``datapackage.json``.
    ``sources`` (the stored sources) give the package's sources and licences.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    with engine.connect() as conn:
        for name in EXPORT_ORDER:
            table = metadata.tables[name]
            columns = [c for c in table.columns]
            order = [table.c[k] for k in NATURAL_KEYS.get(name, ["id"])]
            with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow([c.name for c in columns])
                for row in conn.execute(select(*columns).order_by(*order)):
                    writer.writerow([csv_cell(_cell(v)) for v in row])
            resources.append(_resource(table))
    licences = sorted({s.licence for s in sources if s.licence})
    package = {
        "profile": "tabular-data-package",
        "name": "econsec-knowledge-base",
        "title": "econsec knowledge base",
        "description": "Value-chain knowledge base exported by econsec "
        "(schema revision 0001). Every fact row names its source in source_key.",
        "licenses": [_licence(lic) for lic in licences],
        "sources": [
            {k: v for k, v in (("title", f"{s.title} ({s.publisher}, {s.year})"),
                               ("path", s.url)) if v}
            for s in sources
        ],
        "econsec": {"schema_revision": "0001"},
        "resources": resources,
    }
    target = folder / "datapackage.json"
    target.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return target


_LICENCE_IDS = {
    "cc by 4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc-by-4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "cc0 1.0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "public domain": ("other-pd", ""),
}


def _licence(text: str) -> dict[str, str]:
    known = _LICENCE_IDS.get(text.strip().casefold())
    if known:
        name, path = known
        return {k: v for k, v in (("name", name), ("path", path), ("title", text)) if v}
    slug = re.sub(r"[^a-z0-9.]+", "-", text.casefold()).strip("-") or "unspecified"
    return {"name": slug, "title": text}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _field_type(column: Any) -> str:
    if isinstance(column.type, Boolean):
        return "boolean"
    if isinstance(column.type, Integer):
        return "integer"
    if isinstance(column.type, Float):
        return "number"
    return "string"


def _resource(table: Table) -> dict[str, Any]:
    fields = []
    for column in table.columns:
        entry: dict[str, Any] = {"name": column.name, "type": _field_type(column)}
        if column.doc:
            entry["description"] = column.doc
        if not column.nullable and _field_type(column) != "string":
            entry["constraints"] = {"required": True}
        fields.append(entry)
    foreign = [
        {
            "fields": [e.parent.name for e in fk.elements],
            "reference": {
                "resource": fk.referred_table.name,
                "fields": [e.column.name for e in fk.elements],
            },
        }
        for fk in sorted(table.foreign_key_constraints, key=lambda f: list(f.column_keys))
    ]
    schema: dict[str, Any] = {
        "fields": fields,
        "primaryKey": NATURAL_KEYS.get(table.name, ["id"]),
        "missingValues": [""],
    }
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }
