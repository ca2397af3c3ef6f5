"""Trade-secret loss estimate (econsec.techmgmt.secret_loss): the arithmetic against an
independent calculation, the market against the bundled BACI parquet and the ICIO table,
the IO ripple against the Leontief and Ghosh systems solved with numpy, bad input, the
CLI, the API and the page in both languages."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from econsec.datasets._csv import data_dir
from econsec.documents import read_yaml
from econsec.errors import DataFormatError, UnknownNameError, ValidationError
from econsec.io_models.icio import load_icio_2022
from econsec.io_models.static import StaticModel
from econsec.techmgmt.secret_loss import (
    SecretLossInput,
    bundled_assumptions,
    estimate,
    parse_assumptions,
)
from test_bad_input_techmgmt import _cli, _refused
from web_server import LiveServer, live_server, post

JAPANESE_INDUSTRY_C24B = "非鉄金属製造業"


@pytest.fixture(scope="module")
def model() -> StaticModel:
    return StaticModel(load_icio_2022())


@pytest.fixture(scope="module")
def titanium(model: StaticModel) -> dict:
    given = SecretLossInput(share_lost=0.12, years=6, technology="sponge-titanium",
                            margin=0.2, discount_rate=0.05, ramp_years=2.5, growth=0.03)
    return estimate(given, model).as_dict()


def baci_exports(exporter: str, hs6: str) -> float:
    """Exports in million USD straight from the bundled parquet file."""
    table = pq.read_table(data_dir() / "trade/baci_hs17_critical_materials_2024.parquet")
    mask = pc.and_(pc.equal(table["exporter"], exporter), pc.equal(table["hs6"], hs6))
    return float(pc.sum(table.filter(mask)["value_kusd"]).as_py()) / 1000.0


def test_market_is_japans_baci_exports_of_the_hs_line(titanium: dict) -> None:
    expected = baci_exports("JPN", "810820")
    assert expected > 100  # Japan exports hundreds of millions of USD of titanium sponge
    market = titanium["market"]
    assert market["basis"] == "baci_exports" and market["year"] == 2024
    assert market["value"] == pytest.approx(expected, rel=1e-12)
    assert [line["hs6"] for line in market["lines"]] == ["810820"]
    assert {s["key"] for s in titanium["sources"]} >= {"cepii-baci-hs17-2024",
                                                       "oecd-icio-2022"}


def test_yearly_arithmetic_matches_an_independent_calculation(titanium: dict) -> None:
    m = baci_exports("JPN", "810820")
    sales = profit = pv = 0.0
    for t, row in enumerate(titanium["years"], 1):
        share = 0.12 * min(1.0, t / 2.5)
        lost = m * 1.03 ** (t - 1) * share
        assert row["lost_sales"] == pytest.approx(lost, rel=1e-12)
        assert row["lost_profit"] == pytest.approx(0.2 * lost, rel=1e-12)
        assert row["present_value"] == pytest.approx(0.2 * lost / 1.05 ** t, rel=1e-12)
        sales, profit, pv = sales + lost, profit + 0.2 * lost, pv + 0.2 * lost / 1.05 ** t
    assert len(titanium["years"]) == 6
    totals = titanium["totals"]
    assert totals["lost_sales"] == pytest.approx(sales, rel=1e-12)
    assert totals["lost_profit"] == pytest.approx(profit, rel=1e-12)
    assert totals["present_value"] == pytest.approx(pv, rel=1e-12)
    shown = {a["name"]: a for a in titanium["assumptions"]}
    assert shown["margin"]["value"] == 0.2 and shown["margin"]["given"]
    assert shown["ramp_years"]["basis_en"] == "given by the user"


def test_defaults_are_used_and_stated(model: StaticModel) -> None:
    doc = estimate(SecretLossInput(share_lost=0.1, years=2, technology="sponge-titanium"),
                   model).as_dict()
    defaults = bundled_assumptions().defaults
    shown = {a["name"]: a for a in doc["assumptions"]}
    assert shown["margin"]["value"] == defaults.margin.value == 0.15
    assert shown["discount_rate"]["value"] == 0.04 and "MLIT" in shown["discount_rate"][
        "basis_en"]
    assert not shown["margin"]["given"] and "国土交通省" in shown["discount_rate"]["basis_ja"]
    # ramp of 3 years: the first year loses a third of the share
    assert doc["years"][0]["lost_share"] == pytest.approx(0.1 / 3)


def test_ripple_matches_the_leontief_and_ghosh_systems(titanium: dict,
                                                       model: StaticModel) -> None:
    mrio = model.mrio
    Z = np.asarray(mrio.Z, dtype=float)
    x = Z.sum(axis=1) + np.asarray(mrio.Y, dtype=float).sum(axis=1)
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    j = mrio.index("JPN", "C24B")
    cut = titanium["totals"]["lost_sales"]
    shock = np.zeros(mrio.n)
    shock[j] = cut
    eye = np.eye(mrio.n)
    upstream = np.linalg.solve(eye - Z * inv[None, :], shock)       # (I − A) Δx = Δy
    downstream = np.linalg.solve((eye - Z * inv[:, None]).T, shock)  # Δx'(I − B) = Δv'
    va_share = np.divide(np.asarray(mrio.va), x, out=np.zeros_like(x), where=x != 0)
    home = np.array([r == "JPN" for r, _ in mrio.labels])
    for key, expected in (("leontief", upstream), ("ghosh", downstream)):
        r = titanium["ripple"][key]
        assert r["direct"] == pytest.approx(cut)
        assert r["total"] == pytest.approx(expected.sum(), rel=1e-6)
        assert r["indirect"] == pytest.approx(expected.sum() - cut, rel=1e-6)
        assert r["home_output_loss"] == pytest.approx(expected[home].sum(), rel=1e-6)
        assert r["home_value_added_loss"] == pytest.approx(
            (va_share * expected)[home].sum(), rel=1e-6)
        top = np.argsort(-expected)[:5]
        assert [(t["region"], t["sector"]) for t in r["top"][:5]] == [
            mrio.labels[i] for i in top]
        assert r["top"][0]["output_loss"] == pytest.approx(expected[top[0]], rel=1e-6)
    assert titanium["ripple"]["leontief"]["top"][0]["sector"] == "C24B"
    multiplier = upstream.sum() / cut
    assert titanium["years"][2]["upstream_output_loss"] == pytest.approx(
        titanium["years"][2]["lost_sales"] * multiplier, rel=1e-6)


def test_industry_market_is_icio_output_times_segment_share(model: StaticModel) -> None:
    mrio = model.mrio
    j = mrio.index("JPN", "C26")
    output = float(np.asarray(mrio.Z).sum(axis=1)[j] + np.asarray(mrio.Y).sum(axis=1)[j])
    doc = estimate(SecretLossInput(share_lost=0.2, years=1, industry="JPN/C26",
                                   segment_share=0.05, ramp_years=0), model).as_dict()
    assert doc["market"]["basis"] == "icio_output" and doc["market"]["year"] == 2022
    assert doc["market"]["value"] == pytest.approx(output * 0.05, rel=1e-9)
    assert doc["years"][0]["lost_sales"] == pytest.approx(output * 0.05 * 0.2, rel=1e-9)
    assert doc["subject"]["industry_ja"].startswith("コンピュータ")
    given = estimate(SecretLossInput(share_lost=0.5, years=2, technology="electron-microscopes",
                                     market_size=400.0, ramp_years=0), model).as_dict()
    assert given["market"]["basis"] == "user"
    assert given["totals"]["lost_sales"] == pytest.approx(400.0)


@pytest.mark.parametrize(("changes", "column", "needle"), [
    ({"share_lost": -0.1}, "share_lost", "more than 0 and at most 1"),
    ({"share_lost": 1.5}, "share_lost", "(got 1.5)"),
    ({"share_lost": 0.0}, "share_lost", "more than 0"),
    ({"years": 0}, "years", "whole number from 1 to 30"),
    ({"years": 31}, "years", "whole number from 1 to 30"),
    ({"margin": 2.0}, "margin", "operating margin"),
    ({"discount_rate": -0.01}, "discount_rate", "between 0 and 1"),
    ({"technology": None}, "technology", "either a technology or an industry"),
    ({"industry": "JPN/C26"}, "technology", "not both"),
    ({"technology": "multilayer-ceramic-capacitors"}, "segment_share", "no HS line"),
    ({"technology": None, "industry": "JPN/C99"}, "industry", "unknown ICIO industry"),
    ({"technology": None, "industry": "XXX/C26"}, "industry", "unknown ICIO region"),
    ({"technology": None, "industry": "JPN/C26", "share_lost": 1.0}, "share_lost",
     "exceed the final demand"),
])
def test_bad_input_is_refused_naming_the_field(model: StaticModel, changes: dict,
                                               column: str, needle: str) -> None:
    values = {"share_lost": 0.1, "years": 5, "technology": "sponge-titanium", **changes}
    with pytest.raises(ValidationError) as info:
        estimate(SecretLossInput(**values), model)
    assert info.value.location.column == column
    assert needle in str(info.value)
    assert info.value.translate("ja") != str(info.value)  # the page shows it in Japanese


def test_unknown_technology_suggests(model: StaticModel) -> None:
    with pytest.raises(UnknownNameError) as info:
        estimate(SecretLossInput(share_lost=0.1, years=5, technology="titanium spong"), model)
    assert "sponge-titanium" in info.value.suggestions


def test_assumptions_file_errors_name_the_line() -> None:
    text = (data_dir() / "techmgmt/secret_loss_assumptions.yaml").read_text(encoding="utf-8")
    bad = text.replace("{id: saw-baw-filters, industry: C26}",
                       "{id: saw-baw-filters, industry: C99}")
    data, lines = read_yaml(bad, file="a.yaml")
    with pytest.raises(DataFormatError) as info:
        parse_assumptions(data, lines, "a.yaml")
    line = bad.splitlines().index("  - {id: saw-baw-filters, industry: C99}") + 1
    assert info.value.location.line == line and "C99" in str(info.value)
    unknown = text.replace("  margin:\n", "  margins:\n", 1)
    data, lines = read_yaml(unknown, file="b.yaml")
    with pytest.raises(DataFormatError) as info:
        parse_assumptions(data, lines, "b.yaml")
    assert info.value.location.line == unknown.splitlines().index("defaults:") + 1
    assert "unknown key 'margins' in defaults; did you mean 'margin'?" in str(info.value)
    data, lines = read_yaml(text, file="c.yaml")
    first = text.splitlines().index("  - {id: multilayer-ceramic-capacitors, industry: C26}") + 1
    with pytest.raises(DataFormatError,
                       match=f"line {first}: unknown technology 'multilayer-ceramic"):
        parse_assumptions(data, lines, "c.yaml", known_technologies={"other"})


# ----------------------------------------------------------------------------- CLI


def test_cli_table_and_refusals(tmp_path: Path, titanium: dict) -> None:
    db = str(tmp_path / "kb.db")
    code, out, err = _cli("tech", "secret-loss", "--technology", "sponge-titanium",
                          "--share-lost", "0.12", "--years", "6", "--margin", "0.2",
                          "--discount-rate", "0.05", "--ramp-years", "2.5", "--growth",
                          "0.03", "--db", db)
    assert code == 0, err
    totals = titanium["totals"]
    assert (f"Total lost sales {totals['lost_sales']:,.1f}, lost profit "
            f"{totals['lost_profit']:,.1f}, present value {totals['present_value']:,.1f}"
            in " ".join(out.split())), out
    assert "Upstream (Leontief" in out and "Sources:" in out and "BACI" in out
    for args, option, needle in (
            (["--share-lost", "-0.1", "--years", "5"], "--share-lost", "more than 0"),
            (["--share-lost", "0.1", "--years", "0"], "--years", "whole number"),
            (["--share-lost", "0.1", "--years", "5", "--technology", "spongy"], "", "spongy"),
    ):
        if "--technology" not in args:
            args = [*args, "--technology", "sponge-titanium"]
        code, _out, err = _cli("tech", "secret-loss", *args, "--db", db)
        _refused(code, err, option, needle)


# ----------------------------------------------------------------------------- web


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("secret-loss") / "econsec.db"
    shutil.copy(built_db, db)
    with live_server(db) as live:
        yield live


def test_api_secret_loss(server: LiveServer, titanium: dict) -> None:
    api = server.url + "/api/v1/tech/secret-loss"
    body = {"technology": "sponge-titanium", "share_lost": 0.12, "years": 6, "margin": 0.2,
            "discount_rate": 0.05, "ramp_years": 2.5, "growth": 0.03}
    answer = post(api, json=body, timeout=60)
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert doc["totals"] == pytest.approx(titanium["totals"])
    assert doc["ripple"]["ghosh"]["total"] == pytest.approx(
        titanium["ripple"]["ghosh"]["total"])
    for change, status in (({"share_lost": 1.5}, 422), ({"years": 0}, 422),
                           ({"technology": "nothing-like-it"}, 404),
                           ({"colour": "red"}, 422)):
        refused = post(api, json={**body, **change}, timeout=30)
        assert refused.status_code == status, (change, refused.text)
    assert "share of the market lost" in post(api, json={**body, "share_lost": -1},
                                              timeout=30).json()["detail"]
    assert httpx.post(api, json=body, timeout=30).status_code in (401, 403)


def test_secret_loss_page_in_both_languages(server: LiveServer) -> None:
    form = httpx.get(server.url + "/tech/secret-loss?lang=ja", timeout=30)
    assert form.status_code == 200 and "営業秘密の流出による経済的損失額の評価" in form.text
    assert 'href="/tech/secret-loss"' in httpx.get(server.url + "/tech?lang=en").text
    data = {"technology": "sponge-titanium", "share_lost": "0.1", "years": "5",
            "industry": ""}
    ja = post(server.url + "/tech/secret-loss?lang=ja", data=data, timeout=60)
    assert ja.status_code == 200, ja.text
    assert "失われる利益の現在価値" in ja.text and JAPANESE_INDUSTRY_C24B in ja.text
    assert 'data-spec="fig-loss"' in ja.text and "CEPII" in ja.text
    en = post(server.url + "/tech/secret-loss?lang=en", data=data, timeout=60)
    assert "Present value of the lost profit" in en.text and "Titanium sponge" in en.text
    bad = post(server.url + "/tech/secret-loss?lang=ja", data={**data, "years": "0"},
               timeout=30)
    assert bad.status_code == 422 and "1 から 30 までの整数" in bad.text
