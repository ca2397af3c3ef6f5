"""Reader of EU CRM input files: the documented example, overrides, and readable errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from econsec.analyses.eu_crm_input import read_eu_crm_input
from econsec.errors import DataFormatError, UnknownCountryError, ValidationError
from econsec.indicators.eu_crm import assess_materials

EXAMPLE = {
    "materials": [
        {
            "material": "Gallium",
            "stages": {
                "P": {
                    "global_supply": [
                        {"country": "CHN", "share": 0.938, "t": 1.0},
                        {"country": "Japan", "share": 0.03},
                    ],
                    "eu_sourcing": [{"country": "DEU", "share": 0.3, "t": 0.8}],
                    "import_reliance": 0.98,
                    "eol_rir": 0.0,
                    "si_sr": 0.95,
                }
            },
            "end_uses": [{"sector": "C26", "share": 0.7, "value_added": 76000}],
            "si_ei": 0.9,
        }
    ],
    "wgi_scaled": {"CHN": 6.3, "DEU": 2.1},
}

NAMES = {"JAPAN": "JPN", "GERMANY": "DEU", "CHINA": "CHN"}


def resolve(name: str) -> str:
    """Trivial resolver: three upper-case letters, or a few names."""
    if len(name) == 3 and name.isalpha() and name.isupper():
        return name
    if name.upper() in NAMES:
        return NAMES[name.upper()]
    raise UnknownCountryError(name, ["Japan"] if name.startswith("Jap") else [])


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def read(path: Path, default: dict[str, float] | None = None):
    return read_eu_crm_input(
        path,
        wgi_scaled_default=default if default is not None else {"JPN": 1.2, "CHN": 9.9},
        resolve_country=resolve,
    )


def test_reads_example_and_assesses(tmp_path: Path) -> None:
    (m,) = read(write(tmp_path, EXAMPLE))
    assert m.material == "Gallium"
    stage = m.stages["P"]
    assert [c.country for c in stage.global_supply] == ["CHN", "JPN"]
    assert stage.global_supply[1].t == 1.0  # default
    assert m.wgi_scaled == {"CHN": 6.3, "JPN": 1.2, "DEU": 2.1}  # file overrides default CHN
    (a,) = assess_materials([m])
    # HHI_GS = 0.938² · 6.3 + 0.03² · 1.2 = 0.879844 · 6.3 + 0.0009 · 1.2
    #        = 5.5430172 + 0.00108 = 5.5440972
    # HHI_EU = 0.3² · 2.1 · 0.8 = 0.1512
    # SR = [5.5440972 · 0.98/2 + 0.1512 · (1 − 0.98/2)] · (1 − 0) · 0.95
    #    = [2.716607628 + 0.077112] · 0.95 = 2.793719628 · 0.95 = 2.6540336466
    assert a.sr == pytest.approx(2.6540336466)
    assert a.sr_by_stage == {"E": None, "P": a.sr}
    # EI = 0.7 · 76,000 / 204,200 · 10 · 0.9 = 478,800 / 204,200
    assert a.ei == pytest.approx(478_800 / 204_200)
    assert a.critical is False  # EI 2.34 < 2.8


def mutated(change) -> dict:
    data = copy.deepcopy(EXAMPLE)
    change(data)
    return data


def stage_p(data: dict) -> dict:
    return data["materials"][0]["stages"]["P"]


@pytest.mark.parametrize(
    ("change", "error", "column", "words"),
    [
        (
            lambda d: stage_p(d)["global_supply"][0].update(share=93.8),
            ValidationError,
            "materials[0].stages.P.global_supply[0].share",
            "fractions",
        ),
        (
            lambda d: stage_p(d)["global_supply"][0].update(share=-0.1),
            ValidationError,
            "materials[0].stages.P.global_supply[0].share",
            "at least 0",
        ),
        (
            lambda d: stage_p(d)["global_supply"][1].update(shares=0.1),
            DataFormatError,
            "materials[0].stages.P.global_supply[1].shares",
            "unknown key 'shares' in materials[0].stages.P.global_supply[1]; did you mean 'share'? "
            "(allowed keys: country, share, t)",
        ),
        (
            lambda d: d["materials"][0].pop("si_ei"),
            DataFormatError,
            "materials[0].si_ei",
            "required",
        ),
        (
            lambda d: d["materials"][0]["stages"].update(X={}),
            DataFormatError,
            "materials[0].stages.X",
            "unknown key 'X' in materials[0].stages (allowed: 'E' or 'P')",
        ),
        (
            lambda d: stage_p(d).update(eol_rir="lots"),
            DataFormatError,
            "materials[0].stages.P.eol_rir",
            "must be a number",
        ),
        (
            lambda d: stage_p(d)["global_supply"].append({"country": "USA", "share": 0.1}),
            ValidationError,
            "materials[0].stages.P.global_supply[2].country",
            "no scaled WGI value for country 'USA'",
        ),
        (
            lambda d: stage_p(d)["global_supply"].append({"country": "China", "share": 0.01}),
            ValidationError,
            "materials[0].stages.P.global_supply[2].country",
            "listed twice",
        ),
        (
            lambda d: stage_p(d)["global_supply"][1].update(share=0.2),
            ValidationError,
            "materials[0].stages.P.global_supply",
            "add up to 1.138",
        ),
        (
            lambda d: d["materials"][0]["end_uses"].append(
                {"sector": "C27", "share": 0.5, "value_added": 1}
            ),
            ValidationError,
            "materials[0].end_uses",
            "add up",
        ),
        (
            lambda d: d["wgi_scaled"].update(USA=12),
            ValidationError,
            "wgi_scaled.USA",
            "at most 10",
        ),
        (lambda d: d.update(remarks="x"), DataFormatError, "remarks", "unknown key 'remarks'"),
        (lambda d: d.update(notes="x"), DataFormatError, "notes", "list"),
        (lambda d: d.update(materials=[]), DataFormatError, "materials", "must not be empty"),
    ],
)
def test_errors_name_file_and_json_path(tmp_path, change, error, column, words) -> None:
    path = write(tmp_path, mutated(change))
    with pytest.raises(error) as info:
        read(path)
    assert type(info.value) is error
    assert info.value.location.file == str(path)
    assert info.value.location.column == column
    assert words in info.value.message
    assert "pydantic" not in str(info.value)
    assert "errors.pydantic.dev" not in str(info.value)


def test_unknown_country_carries_location_and_suggestions(tmp_path: Path) -> None:
    path = write(tmp_path, mutated(lambda d: stage_p(d)["global_supply"][1].update(country="Japn")))
    with pytest.raises(UnknownCountryError) as info:
        read(path)
    assert info.value.location.column == "materials[0].stages.P.global_supply[1].country"
    assert info.value.suggestions == ("Japan",)


def test_nan_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(EXAMPLE).replace('"eol_rir": 0.0', '"eol_rir": NaN'))
    with pytest.raises(ValidationError, match="finite") as info:
        read(path)
    assert info.value.location.column == "materials[0].stages.P.eol_rir"


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="cannot read"):
        read(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"materials": [\n  {"material": "Ga",,}\n]}')
    with pytest.raises(DataFormatError, match="malformed JSON") as info:
        read(bad)
    assert info.value.location.line == 2
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"materials": "Türkiye"}'.encode("cp1252"))
    with pytest.raises(DataFormatError, match="UTF-8"):
        read(latin)
    top = write(tmp_path, [1, 2])
    with pytest.raises(DataFormatError, match="object"):
        read(top)


def test_missing_from_both_wgi_tables(tmp_path: Path) -> None:
    data = mutated(lambda d: d.update(wgi_scaled={}))
    with pytest.raises(ValidationError, match="'DEU'"):
        read(write(tmp_path, data), default={"CHN": 6.0, "JPN": 1.0})


def test_example_in_docs_reads(tmp_path: Path) -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "eu-crm.md"
    text = doc.read_text(encoding="utf-8")
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "doc.json"
    path.write_text(block, encoding="utf-8")
    materials = read(path, default={"JPN": 1.2, "GBR": 1.5})
    (a,) = assess_materials(materials)
    assert a.material == "Gallium"
    assert a.sr_by_stage["E"] is None
    assert a.sr > 1.0


def test_t_defaults_to_eu_factor_for_member_states(tmp_path) -> None:
    import json

    from econsec.analyses.eu_crm_input import read_eu_crm_input

    path = tmp_path / "t.json"
    path.write_text(json.dumps({"materials": [{
        "material": "X",
        "stages": {"P": {"global_supply": [{"country": "CHN", "share": 0.9}],
                         "eu_sourcing": [{"country": "DEU", "share": 0.3},
                                         {"country": "CHN", "share": 0.6}],
                         "import_reliance": 0.5, "eol_rir": 0.0, "si_sr": 1.0}},
        "end_uses": [{"sector": "C26", "share": 1.0, "value_added": 1000}], "si_ei": 1.0}],
        "wgi_scaled": {"CHN": 6.3, "DEU": 2.1}}))
    (material,) = read_eu_crm_input(path, wgi_scaled_default={}, resolve_country=str.upper,
                                    eu_members={"DEU", "FRA"})
    eu = {c.country: c.t for c in material.stages["P"].eu_sourcing}
    assert eu == {"DEU": 0.8, "CHN": 1.0}
