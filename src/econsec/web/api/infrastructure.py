"""``/api/v1/infrastructure``: Indo-Pacific trusted AI infrastructure (cable graph from the
optional non-commercial pack, electricity, data centres, launches; contribution potential).

Every answer carries ``pack`` (loaded or not, its licence CC BY-NC-SA 3.0 and how to load it)
and ``sources``. The analysis is computed once per data version and parameters and shared
with the ``/infrastructure`` page (:func:`econsec.web.infrastructure.infrastructure_result`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.infrastructure.models import (
    CountryInfraResult,
    InfrastructureResult,
    PackStatus,
)
from econsec.web.api.common import State, cached_json, problem_responses
from econsec.web.auth import require
from econsec.web.common import json_response, read_cache, receive_upload, upload_on_disk
from econsec.web.infrastructure import infrastructure_result, without_folder
from econsec.web.state import run_import

router = APIRouter(prefix="/infrastructure", tags=["infrastructure"])

Region = Annotated[str, Query(max_length=40, description="Region (indo-pacific)")]
Home = Annotated[str | None, Query(min_length=2, max_length=100,
                                   description="Home country (ISO alpha-3 or name; default: "
                                   "the server's home country)")]
Planned = Annotated[bool, Query(description="Count cables planned at the time of the data "
                                "(late 2022)")]


@router.get("", response_model=InfrastructureResult,
            summary="Cable graph, single points of failure, straits, contribution potential",
            responses=problem_responses(404, 422))
async def get_infrastructure(state: State, region: Region = "indo-pacific",
                             home: Home = None, include_planned: Planned = True) -> Response:
    """The region's countries with their cables and landing stations, the fewest cables and
    stations whose loss cuts each off from the home country (with one such set), landing-
    station concentration (HHI), the share of cables with a Japanese supplier, electricity
    (Ember), launches (JSR), users' data centres and the contribution-potential score with
    its weighted terms; the home country's stations and single points of failure; strait
    corridors. Without the cable pack the network parts are null and ``pack`` says how to
    load it."""
    home_iso3 = await run_in_threadpool(state.store.resolve_country,
                                        home or state.home_country)
    return await cached_json(
        state, ("infrastructure_json", region, home_iso3, include_planned),
        lambda: infrastructure_result(state, region, home_iso3, include_planned))


@router.get("/pack", response_model=PackStatus, summary="The optional cable pack's status",
            responses=problem_responses(422))
async def get_pack(state: State) -> Response:
    """Whether the submarine-cable pack is loaded, its licence (CC BY-NC-SA 3.0,
    non-commercial, share-alike) and hash, or how to load it (the server's folder is not
    shown)."""
    from econsec.infrastructure.service import loaded_pack

    return await cached_json(state, ("infrastructure_pack",),
                             lambda: without_folder(loaded_pack(state.store)[1]))


@router.get("/countries/{country}", response_model=CountryInfraResult,
            summary="One country's infrastructure figures and score",
            responses=problem_responses(404, 422))
async def get_country(country: str, state: State, home: Home = None,
                      include_planned: Planned = True) -> Response:
    """One country (ISO code or name; any country, in the region or not) with the same
    figures as a row of ``/infrastructure``, the pack status, weights and sources."""
    iso3, home_iso3 = await run_in_threadpool(
        lambda: (state.store.resolve_country(country),
                 state.store.resolve_country(home or state.home_country)))

    def compute() -> CountryInfraResult:
        from econsec.errors import ValidationError

        result = infrastructure_result(state, "indo-pacific", home_iso3, include_planned)
        found = [c for c in result.countries if c.iso3 == iso3]
        if not found and iso3 != home_iso3:
            result = infrastructure_result(state, "indo-pacific", home_iso3, include_planned,
                                           (iso3,))
            found = [c for c in result.countries if c.iso3 == iso3]
        if not found:
            raise ValidationError("%(country)s is the home country; choose another one",
                                  params={"country": iso3})
        return CountryInfraResult(home=home_iso3, country=found[0], pack=result.pack,
                                  weights=result.weights, sources=result.sources)

    return await cached_json(state, ("infrastructure_country", iso3, home_iso3,
                                     include_planned), compute)


_CSV_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "data-centre CSV (docs/infrastructure.md)"}},
        }}},
    }
}


class DataCentreImport(BaseModel):
    """What a data-centre import stored."""

    file: str
    source_key: str
    rows: int


@router.post("/datacentres", dependencies=[require(Action.IMPORT)],
             response_model=DataCentreImport, summary="Import data centres from a CSV file",
             openapi_extra=_CSV_UPLOAD, responses=problem_responses(413, 422, 503))
async def import_datacentres(request: Request, state: State) -> Response:
    """Store the data centres of a CSV file in the template's columns (``econsec infra
    datacentres template``), all or nothing, as ``econsec infra datacentres import``: every
    bad row is refused with its line and column; the same file name again replaces its
    rows."""
    from econsec.datasets.datacentres import read_datacentres
    from econsec.kb.facilities import PREFIX, replace_datacentres
    from econsec.records import Source

    upload = await receive_upload(request, state.max_upload_bytes)

    def store() -> dict[str, Any]:
        with upload_on_disk(upload, state.max_upload_bytes) as path:
            rows = read_datacentres(path)
        source = Source(PREFIX + upload.name, "user", f"Data centres: {upload.name}",
                        dt.date.today().year, "user data", "", upload.name,
                        hashlib.sha256(upload.data).hexdigest())
        count = replace_datacentres(state.store.engine, source, rows)
        read_cache(state).invalidate()
        return {"file": upload.name, "source_key": source.key, "rows": count}

    return json_response(await run_import(state, upload.size, store))
