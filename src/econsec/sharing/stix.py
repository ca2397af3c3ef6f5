"""Shared items as STIX 2.1 objects (the ``stix2`` library): what ``econsec items export
--format stix``, ``GET /api/v1/items/export?format=stix`` and the TAXII server hand out.

Pure: it converts :class:`~econsec.sharing.models.ItemView` values, which the item store
has already filtered (the gates) and trimmed (a level-3 body withheld while the deployment
keeps level-3 bodies off: ``body`` is None there and the report carries the tear-line
summary only). Nothing here reads the database.

Each item becomes a ``report``:

- ``id`` ``report--<item's public id>``, ``created`` the item's creation time, ``modified`` its last
  regrade (or its creation), ``published`` its creation time;
- ``name`` the title, ``description`` the summary and, when the reader gets it, the body;
- ``created_by_ref`` an ``identity`` (``organization``) of the originator's organisation,
  also the report's ``object_refs`` (STIX needs at least one);
- ``object_marking_refs``: the item's TLP 2.0 marking (the ``marking-definition`` objects
  OASIS published with the TLP 2.0 extension ``extension-definition--60a3c5c5-…``) and, for
  levels 2 and 3, a ``statement`` marking naming the level;
- the econsec marking as top-level properties (``x_econsec_level``,
  ``x_econsec_compartments``, ``x_econsec_caveats``, …) declared by the econsec
  ``extension-definition`` (:data:`ECONSEC_EXTENSION_ID`, a toplevel-property-extension),
  so that a bundle parses with ``stix2.parse(..., allow_custom=False)``;
- knowledge-base links (``commodity:lithium``) as ``external_references`` of source
  ``econsec``.

Identifiers other than the reports' are fixed (UUIDv5 in :data:`NAMESPACE`), so a bundle
exported twice holds the same objects and a TAXII client sees one version of each.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from stix2.utils import format_datetime  # type: ignore[import-untyped]
from stix2.v21 import (  # type: ignore[import-untyped]
    Bundle,
    ExtensionDefinition,
    Identity,
    MarkingDefinition,
    Report,
    StatementMarking,
)

from econsec.sharing.models import ItemView

#: The namespace of econsec's fixed STIX identifiers (UUIDv5).
NAMESPACE = uuid.UUID("6f1d8c53-2a47-4e0b-9a41-3c5e0d7b9f21")

#: When econsec's fixed objects (its identity, extension, level statements, organisation
#: identities) were first defined: their ``created`` and ``modified``.
FIXED_CREATED = "2026-12-02T00:00:00.000Z"

#: The TLP 2.0 extension of STIX 2.1 (OASIS CTI TC, cti-stix-common-objects,
#: extension-definition-specifications/tlp-2.0).
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#: The ``created`` time of the TLP 2.0 marking definitions as published.
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
#: TLP 2.0 label (as items store it) -> the published marking-definition id.
TLP2_MARKING_IDS: dict[str, str] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def _fixed_id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, key)}"


#: econsec itself (``identity_class`` system): the creator of the extension and markings.
ECONSEC_IDENTITY_ID = _fixed_id("identity", "econsec")
#: The econsec extension: the item marking as top-level properties of a report.
ECONSEC_EXTENSION_ID = _fixed_id("extension-definition", "econsec-item-marking")

#: The properties the econsec extension adds to a report.
ECONSEC_PROPERTIES: tuple[str, ...] = (
    "x_econsec_kind", "x_econsec_level", "x_econsec_compartments", "x_econsec_caveats",
    "x_econsec_distribution", "x_econsec_originator", "x_econsec_designated_until",
    "x_econsec_review_on", "x_econsec_body_withheld", "x_econsec_regrades",
)

_EXTENSION_SCHEMA = (
    "Top-level properties of a report exported by econsec (the council portal's shared "
    "items). x_econsec_kind: report, alert or analysis. x_econsec_level: 1 public, 2 council "
    "(not public), 3 designated information under the 2024 act on important economic "
    "security information. x_econsec_compartments: list of compartment names; a reader "
    "needs all of them. x_econsec_caveats: handling caveats (text). x_econsec_distribution: "
    "object with all_members (boolean), groups, organisations and users (lists of names). "
    "x_econsec_originator: the user name of the originator. x_econsec_designated_until, "
    "x_econsec_review_on: dates (YYYY-MM-DD) or absent. x_econsec_body_withheld: true when "
    "the body of a level-3 item was withheld and the description holds the tear-line "
    "summary only. x_econsec_regrades: list of objects with from_level, to_level, reason, "
    "by and at (UTC ISO 8601)."
)

#: The statement of each level (levels 2 and 3 get a statement marking).
LEVEL_STATEMENTS: dict[int, str] = {
    2: "econsec level 2 (機密性2): council information, not public; only for the "
       "distribution the item names",
    3: "econsec level 3: designated information (重要経済安保情報); only for cleared staff "
       "of the distribution the item names",
}


def tlp_marking(tlp: str) -> MarkingDefinition:
    """The TLP 2.0 ``marking-definition`` of label ``tlp`` (``clear`` … ``red``) as OASIS
    published it; ``ValueError`` for another label."""
    try:
        marking_id = TLP2_MARKING_IDS[tlp]
    except KeyError:
        raise ValueError(f"unknown TLP 2.0 label '{tlp}'; known: "
                         f"{', '.join(TLP2_MARKING_IDS)}") from None
    return MarkingDefinition(
        id=marking_id, created=TLP2_CREATED, name=f"TLP:{tlp.upper()}",
        extensions={TLP2_EXTENSION_ID: {"extension_type": "property-extension",
                                        "tlp_2_0": tlp}})


def level_marking(level: int) -> MarkingDefinition:
    """The ``statement`` marking of level 2 or 3."""
    return MarkingDefinition(
        id=_fixed_id("marking-definition", f"level:{level}"), created=FIXED_CREATED,
        created_by_ref=ECONSEC_IDENTITY_ID, name=f"econsec level {level}",
        definition_type="statement",
        definition=StatementMarking(statement=LEVEL_STATEMENTS[level]))


def econsec_identity() -> Identity:
    """econsec as a system identity."""
    return Identity(id=ECONSEC_IDENTITY_ID, created=FIXED_CREATED, modified=FIXED_CREATED,
                    name="econsec", identity_class="system",
                    description="econsec council portal (shared-item export)")


def econsec_extension() -> ExtensionDefinition:
    """The extension that declares the ``x_econsec_*`` properties of reports."""
    return ExtensionDefinition(
        id=ECONSEC_EXTENSION_ID, created=FIXED_CREATED, modified=FIXED_CREATED,
        created_by_ref=ECONSEC_IDENTITY_ID, name="econsec item marking",
        description="The level, compartments, caveats and distribution of an econsec "
                    "shared item.",
        schema=_EXTENSION_SCHEMA, version="1.0",
        extension_types=["toplevel-property-extension"],
        extension_properties=list(ECONSEC_PROPERTIES))


def org_identity_id(org: str) -> str:
    """The fixed id of the ``identity`` of organisation ``org`` (by name)."""
    return _fixed_id("identity", f"org:{org}")


def org_identity(org: str) -> Identity:
    """The originator organisation ``org`` as an ``organization`` identity."""
    return Identity(id=org_identity_id(org), created=FIXED_CREATED, modified=FIXED_CREATED,
                    name=org, identity_class="organization",
                    created_by_ref=ECONSEC_IDENTITY_ID)


def report_id(item: ItemView) -> str:
    """The STIX id of an item's report: ``report--<item's public id>``."""
    return f"report--{uuid.UUID(item.id)}"


def parse_time(text: str) -> datetime:
    """A stored UTC ISO 8601 time as an aware datetime (naive text is taken as UTC)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def item_modified(item: ItemView) -> datetime:
    """When the item last changed: its latest regrade, else its creation."""
    times = [parse_time(item.created_at), *(parse_time(r.at) for r in item.regrades)]
    return max(times)


def stix_time(value: datetime) -> str:
    """A STIX timestamp (UTC, milliseconds, ``Z``)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") \
        + f"{value.microsecond // 1000:03d}Z"


def _description(item: ItemView) -> str:
    parts = [item.summary.strip()]
    if item.body:
        parts.append(item.body.strip())
    return "\n\n".join(part for part in parts if part)


def item_report(item: ItemView) -> Report:
    """The ``report`` of one item (see the module's description)."""
    markings = [TLP2_MARKING_IDS[item.tlp]]
    if item.level >= 2:
        markings.append(level_marking(item.level).id)
    created = parse_time(item.created_at)
    properties: dict[str, Any] = {
        "x_econsec_kind": item.kind,
        "x_econsec_level": item.level,
        "x_econsec_distribution": {
            "all_members": item.to_all_members, "groups": list(item.groups),
            "organisations": list(item.orgs), "users": list(item.users)},
        "x_econsec_originator": item.originator,
        "x_econsec_body_withheld": item.body_withheld,
    }
    if item.compartments:
        properties["x_econsec_compartments"] = list(item.compartments)
    if item.caveats:
        properties["x_econsec_caveats"] = item.caveats
    if item.designated_until is not None:
        properties["x_econsec_designated_until"] = item.designated_until.isoformat()
    if item.review_on is not None:
        properties["x_econsec_review_on"] = item.review_on.isoformat()
    if item.regrades:
        properties["x_econsec_regrades"] = [
            {"from_level": r.from_level, "to_level": r.to_level, "reason": r.reason,
             "by": r.by, "at": r.at} for r in item.regrades]
    optional: dict[str, Any] = {}
    description = _description(item)
    if description:
        optional["description"] = description
    if item.links:
        optional["external_references"] = [
            {"source_name": "econsec", "external_id": link} for link in item.links]
    org = org_identity_id(item.originator_org)
    return Report(
        id=report_id(item), created=stix_time(created),
        modified=stix_time(item_modified(item)), published=stix_time(created),
        name=item.title, report_types=["threat-report"], labels=[item.kind],
        object_refs=[org], created_by_ref=org, object_marking_refs=markings,
        extensions={ECONSEC_EXTENSION_ID: {"extension_type": "toplevel-property-extension"}},
        allow_custom=True, **optional, **properties)


@dataclass(frozen=True)
class StixEntry:
    """One object of a collection with when it was added (TAXII's ``date_added``: the
    report's last change; a supporting object's first use by a report of the collection)."""

    obj: Any
    date_added: datetime

    @property
    def id(self) -> str:
        return str(self.obj["id"])

    @property
    def type(self) -> str:
        return str(self.obj["type"])

    @property
    def version(self) -> str:
        """The object's ``modified`` (or ``created`` for objects without it)."""
        return str(format_datetime(self.obj.get("modified") or self.obj["created"]))

    def as_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.obj.serialize())
        return document


def collection_entries(items: Iterable[ItemView]) -> list[StixEntry]:
    """The reports of ``items`` with the objects they refer to (organisation identities,
    markings, econsec's identity and extension), each once, ordered by date added then
    id (the order TAXII pages in)."""
    entries: dict[str, StixEntry] = {}

    def add(obj: Any, added: datetime) -> None:
        found = entries.get(obj["id"])
        if found is None or added < found.date_added:
            entries[obj["id"]] = StixEntry(obj, added)

    for item in items:
        added = item_modified(item)
        add(item_report(item), added)
        add(org_identity(item.originator_org), added)
        add(tlp_marking(item.tlp), added)
        if item.level >= 2:
            add(level_marking(item.level), added)
        add(econsec_identity(), added)
        add(econsec_extension(), added)
    return sorted(entries.values(), key=lambda entry: (entry.date_added, entry.id))


def items_bundle(items: Sequence[ItemView]) -> Bundle:
    """A STIX 2.1 bundle of ``items`` with the objects their reports refer to."""
    return Bundle(objects=[entry.obj for entry in collection_entries(items)],
                  allow_custom=True)


def bundle_json(items: Sequence[ItemView], *, pretty: bool = False) -> str:
    """:func:`items_bundle` as JSON text."""
    return str(items_bundle(items).serialize(pretty=pretty))
