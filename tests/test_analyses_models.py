"""The analyses' typed core: they read through the ``KnowledgeBase`` protocol, return the
result models of :mod:`econsec.analyses.models`, and the API, the CLI's ``--format json``
and the report give those models' one schema."""

from __future__ import annotations

import ast
import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from conftest import run_cli
from econsec.analyses import models
from econsec.analyses.country_profile import country_profile
from econsec.analyses.dependence import dependence_table
from econsec.analyses.eu_crm import assess_eu_crm_file, screening_matrix
from econsec.analyses.shares import commodity_shares
from econsec.datasets.eu_crm import EuCrmInputs
from econsec.errors import Location, UnknownCountryError
from econsec.jsonable import jsonable
from econsec.kb.protocol import KnowledgeBase
from econsec.kb.store import Store, open_store
from web_server import LiveServer, live_server

ANALYSES = Path(__file__).resolve().parents[1] / "src" / "econsec" / "analyses"


@pytest.fixture(scope="module")
def store(built_db: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{built_db}")
    yield s
    s.close()


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("models") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api/v1", timeout=120) as c:
        yield c


# --------------------------------------------------------------------------- typed signatures


def _parameters() -> Iterator[tuple[str, str, ast.arg]]:
    for path in sorted(ANALYSES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                a = node.args
                for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs):
                    yield path.name, node.name, arg


def test_no_analysis_parameter_is_typed_any() -> None:
    """Every parameter of every analysis has a real type (33 mentioned ``Any``, 18 were
    bare ``Any``, the knowledge base among them)."""
    loose = [f"{file}:{func}({arg.arg}: {ast.unparse(arg.annotation)})"
             for file, func, arg in _parameters()
             if arg.annotation is not None and "Any" in ast.unparse(arg.annotation)]
    assert not loose, loose


def test_the_knowledge_base_is_typed_by_its_protocol() -> None:
    """A parameter named ``kb`` or ``store`` is a ``KnowledgeBase``."""
    untyped = [f"{file}:{func}({arg.arg})" for file, func, arg in _parameters()
               if arg.arg in ("kb", "store")
               and (arg.annotation is None or ast.unparse(arg.annotation) != "KnowledgeBase")]
    assert not untyped, untyped


def test_the_store_is_a_knowledge_base(store: Store) -> None:
    assert isinstance(store, KnowledgeBase)


# --------------------------------------------------------------------------- through the kb


class AliasKnowledgeBase:
    """The store seen through another reader: one more country spelling, and only some EU
    CRM materials. An analysis that read bundled files itself would not see either."""

    def __init__(self, store: Store, materials: set[str]) -> None:
        self._store = store
        self._materials = materials

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def resolve_country(self, name: str, *, location: Location | None = None) -> str:
        if name.strip().casefold() == "nippon-koku":
            return "JPN"
        return self._store.resolve_country(name, location=location)

    def eu_crm_inputs(self) -> EuCrmInputs:
        eu = self._store.eu_crm_inputs()
        keep = self._materials
        return dataclasses.replace(
            eu,
            global_supply={k: v for k, v in eu.global_supply.items() if k[0] in keep},
            eu_sourcing={k: v for k, v in eu.eu_sourcing.items() if k[0] in keep},
            end_uses={k: v for k, v in eu.end_uses.items() if k in keep},
        )


def test_countries_are_resolved_by_the_knowledge_base(store: Store) -> None:
    kb: Any = AliasKnowledgeBase(store, set())
    with pytest.raises(UnknownCountryError):
        store.resolve_country("Nippon-koku")
    assert dependence_table(kb, "Nippon-koku").home == "JPN"
    profile = country_profile(kb, "Nippon-koku", home="Nippon-koku")
    assert profile.iso3 == "JPN" and profile.is_home


def test_eu_crm_inputs_are_read_from_the_knowledge_base(store: Store, tmp_path: Path) -> None:
    kb: Any = AliasKnowledgeBase(store, {"Gallium", "Cobalt"})
    matrix = screening_matrix(kb)
    assert sorted(p.material for p in matrix.points) == ["Cobalt", "Gallium"]
    assert len(screening_matrix(store).points) > 50
    # an input file's countries are resolved by the knowledge base too
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"materials": [{
        "material": "Gallium",
        "stages": {"P": {"global_supply": [{"country": "Nippon-koku", "share": 1.0}],
                         "eu_sourcing": [{"country": "DEU", "share": 1.0}],
                         "import_reliance": 0.9, "eol_rir": 0.0, "si_sr": 1.0}},
        "end_uses": [{"sector": "C26", "share": 1.0, "value_added": 1000}],
        "si_ei": 1.0}]}), encoding="utf-8")
    result = assess_eu_crm_file(kb, path, name="in.json")
    assert result.input == "in.json" and result.results[0].material == "Gallium"


# --------------------------------------------------------------------------- one schema


#: API path → the analysis model its response is.
RESPONSES: dict[str, type[BaseModel]] = {
    "/commodities/gallium": models.CommodityProfile,
    "/commodities/kaolin/shares": models.Shares,
    "/countries/CHN?home=JPN": models.CountryProfile,
    "/countries/JPN": models.CountryProfile,
    "/assessments/dependence?country=USA": models.DependenceTable,
    "/assessments/lenses": models.LensTable,
    "/assessments/eu-crm/screening": models.ScreeningMatrix,
}


@pytest.mark.parametrize("path", list(RESPONSES))
def test_api_responses_are_the_analysis_models(client: httpx.Client, path: str) -> None:
    """Every member of the response is in the model, with its type (no extra members)."""
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    document = r.json()
    model = RESPONSES[path].model_validate(document)
    assert jsonable(model) == document


def test_openapi_documents_every_member(client: httpx.Client) -> None:
    """The schema names the analyses' models down to their rows (they were open objects)."""
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def ref(path: str) -> str:
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        return str(content["application/json"]["schema"]["$ref"]).rsplit("/", 1)[-1]

    assert ref("/api/v1/assessments/dependence") == "DependenceTable"
    assert schemas["DependenceTable"]["properties"]["rows"]["items"]["$ref"].endswith(
        "/DependenceRow")
    assert {"home_share", "outside_share", "hhi", "method", "home_share_by_year",
            "top_import_source"} <= set(schemas["DependenceRow"]["properties"])
    assert ref("/api/v1/commodities/{commodity}/shares") == "Shares"
    assert schemas["Shares"]["properties"]["shares"]["items"]["$ref"].endswith("/ShareRow")
    assert schemas["Shares"]["properties"]["sources"]["items"]["$ref"].endswith("/SourceInfo")
    assert ref("/api/v1/countries/{country}") == "CountryProfile"
    assert schemas["CountryProfile"]["properties"]["produces"]["items"]["$ref"].endswith(
        "/ProducedCommodity")
    assert ref("/api/v1/assessments/eu-crm/screening") == "ScreeningMatrix"
    assert schemas["ScreeningMatrix"]["properties"]["points"]["items"]["$ref"].endswith(
        "/MatrixPoint")
    assert ref("/api/v1/assessments/lenses") == "LensTable"
    assert ref("/api/v1/commodities/{commodity}") == "CommodityProfile"
    page = schemas[ref("/api/v1/commodities")]
    assert page["properties"]["items"]["items"]["$ref"].endswith("/CommodityListItem")


def test_cli_api_and_analysis_give_one_document(built_db: Path, store: Store,
                                                client: httpx.Client) -> None:
    """``--format json``, the API and the model's dump are the same document."""
    cli = json.loads(run_cli("shares", "kaolin", "--format", "json", db=built_db).stdout)
    api = client.get("/commodities/kaolin/shares").json()
    assert cli == api == jsonable(commodity_shares(store, "kaolin"))
    cli = json.loads(run_cli("assess", "dependence", "--country", "USA", "--format", "json",
                             db=built_db).stdout)
    assert cli == client.get("/assessments/dependence?country=USA").json()
    models.DependenceTable.model_validate(cli)
    cli = json.loads(run_cli("assess", "country", "CHN", "--format", "json",
                             db=built_db).stdout)
    assert cli == client.get("/countries/CHN").json()
