"""``/api/v1/health`` and ``/api/v1/sources``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from econsec import __version__
from econsec.analyses.data_sources import data_sources
from econsec.analyses.models import DataSetList
from econsec.analyses.provenance import source_infos
from econsec.screening.sources import list_sources
from econsec.web.api.common import State, cached_json, read_cache
from econsec.web.api.models import Health, Sources

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=Health, summary="Health and knowledge-base counts")
async def health(state: State) -> Response:
    """``ok`` with the version, the database kind (``sqlite`` or ``postgresql``; never its
    URL or path), the data version (bumped by every import) and the row counts of the
    knowledge base."""
    version = read_cache(state).version

    def compute() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "database": _backend(state.database_url),
                "data_version": version, "counts": state.store.counts()}

    return await cached_json(state, ("health",), compute)


def _backend(url: str) -> str:
    """The database kind of a SQLAlchemy URL (``postgresql+psycopg://…`` -> postgresql)."""
    return url.split(":", 1)[0].split("+", 1)[0].lower() or "unknown"


@router.get("/sources", response_model=Sources, summary="Data sets in the knowledge base")
async def sources(state: State) -> Response:
    """Every source (publisher, title, year, licence, URL, file hash), sorted by key."""
    return await cached_json(state, ("sources",),
                             lambda: Sources(sources=source_infos(state.store.sources())))


@router.get("/sources/catalogue", response_model=DataSetList,
            summary="Every data set with licence, bundled files and release flags")
async def sources_catalogue(state: State) -> Response:
    """What ``econsec sources --format json`` prints: every data set of the knowledge base,
    the bundled files (MANIFEST.csv) and the screening lists, with publisher, year, licence,
    files (path, bytes, SHA-256, rows), files missing from the manifest and what to confirm
    before a release (FLAG notes of PROVENANCE.txt, a licence to verify)."""
    return await cached_json(state, ("sources_catalogue",),
                             lambda: data_sources(state.store, lists=list_sources()))
