"""Users' data centres in the ``facilities`` table (no table of their own).

A data-centre list is stored under the source key ``datacentres:<file name>``; its rows get
the facility id ``dc:<id>``. Importing a file of the same name again replaces its rows (all
or nothing); an id another list already holds is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, delete, insert, select

from econsec.datasets.datacentres import DataCentre
from econsec.errors import ValidationError
from econsec.i18n.terms import N_
from econsec.kb.models import FACILITIES, SOURCES
from econsec.kb.rows import source_row
from econsec.kb.write import upsert
from econsec.records import Source

PREFIX = "datacentres:"
ID_PREFIX = "dc:"
CAPACITY_UNIT = "MW"



def replace_datacentres(engine: Engine, source: Source, rows: Sequence[DataCentre]) -> int:
    """Store ``rows`` under ``source`` (its key must start with ``datacentres:``), replacing
    what that source held; returns the number of rows stored."""
    if not source.key.startswith(PREFIX):
        raise ValidationError(N_("a data-centre source key starts with 'datacentres:'"))
    ids = [ID_PREFIX + r.id for r in rows]
    with engine.begin() as conn:
        taken = conn.execute(select(FACILITIES.c.id, FACILITIES.c.source_key).where(
            FACILITIES.c.id.in_(ids), FACILITIES.c.source_key != source.key)).first()
        if taken is not None:
            raise ValidationError(N_("data centre %(id)s is already stored from %(source)s"),
                                  params={"id": taken[0].removeprefix(ID_PREFIX),
                                          "source": taken[1]})
        upsert(conn, SOURCES, "key", [source_row(source)])
        conn.execute(delete(FACILITIES).where(FACILITIES.c.source_key == source.key))
        if rows:
            conn.execute(insert(FACILITIES), [
                {"id": ID_PREFIX + r.id, "firm_id": None, "name": r.name, "iso3": r.iso3,
                 "location": r.location, "latitude": r.latitude, "longitude": r.longitude,
                 "item_id": None, "capacity": r.capacity_mw, "capacity_unit": CAPACITY_UNIT,
                 "source_key": source.key} for r in rows])
    return len(rows)


def stored_datacentres(engine: Engine) -> list[tuple[str, DataCentre]]:
    """``(source key, data centre)`` of every stored data-centre list, by id."""
    stmt = select(FACILITIES).where(FACILITIES.c.source_key.like(PREFIX + "%")) \
        .order_by(FACILITIES.c.id)
    with engine.connect() as conn:
        found = list(conn.execute(stmt).mappings())
    return [(r["source_key"], DataCentre(
        r["id"].removeprefix(ID_PREFIX), r["name"], r["iso3"], r["latitude"], r["longitude"],
        r["capacity"], r["location"])) for r in found]
