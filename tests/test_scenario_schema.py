"""Scenario files: the issue's example is accepted; every kind of bad input gives a clear,
located econsec error (exit status 2 in the CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from econsec.errors import DataFormatError, NotFoundError, UnknownNameError, ValidationError
from econsec.io_models import events as ev
from econsec.io_models.loaders import load_mrio
from econsec.scenarios import catalogue
from econsec.scenarios.ensemble import draw_parameters, ensemble_scenarios
from econsec.scenarios.runner import prepare
from econsec.scenarios.schema import (
    ario_params,
    build_events,
    build_mitigations,
    load_scenario,
    parse_scenario,
)

ISSUE_YAML = """\
name: reg2 mining outage
mrio: pymrio:test            # or a folder pymrio can load, or bundled:bea-2023
horizon_days: 365
model: {type: ario}          # parameters default to BoARIO's ARIOPsiModel
events:
  - {type: capacity_loss, region: reg2, sector: mining, share: 0.5, start_day: 5, duration_days: 30, recovery_days: 30}
  - {type: capital_destroyed, region: reg1, sector: manufactoring, share_of_capital: 0.1, start_day: 5, recovery_days: 90}
  - {type: export_restriction, region: reg3, sector: mining, to: [reg1, reg2], share: 0.8, start_day: 10, duration_days: 120}
"""  # noqa: E501

FULL_YAML = """\
name: everything
mrio: pymrio:test
horizon_days: 200
model:
  type: ario
  psi_param: 0.9
  alpha_max: 1.5
  order_type: noalt
events:
  - {type: capacity_loss, region: reg2, sector: mining, share: 0.5, start_day: 5}
  - type: chokepoint_closure
    route: strait
    flows:
      - {origin: reg3, destination: reg1, sector: mining}
      - {origin: reg3, destination: reg2}
    share: 0.6
    start_day: 3
    duration_days: 40
    recovery_days: 10
  - {type: demand_change, region: reg1, sector: food, share: -0.1, start_day: 0,
     duration_days: 30, by: reg2}
mitigations:
  - {type: stockpile_release, region: reg1, sector: mining, origin: reg3, days_of_use: 20,
     start_day: 4, daily_share: 0.5, label: reserve}
  - {type: diversify_supplier, sector: mining, origin: reg3, alternative: reg4, region: reg1,
     share: 0.5, start_day: 10, ramp_days: 30}
  - {type: substitute, region: reg1, sector: mining, share: 0.4}
  - {type: recycle, region: reg1, sector: mining, share: 0.1, start_day: 20, ramp_days: 60}
compare_mitigations: true
variants:
  - {name: reserve and recycling, mitigations: [reserve, 3]}
ensemble:
  runs: 8
  seed: 3
  parameters:
    model.psi_param: {dist: uniform, low: 0.7, high: 0.9}
    events[0].share: {dist: triangular, low: 0.3, mode: 0.5, high: 0.7}
    events[1].share: {dist: normal, mean: 0.6, sd: 0.3, clip: [0.05, 1.0]}
    mitigations[0].days_of_use: {dist: choice, values: [10, 20, 40], weights: [1, 2, 1]}
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(**changes: object) -> dict:
    """The issue's scenario as data, with ``path=value`` changes (``events__0__share``)."""
    data = yaml.safe_load(ISSUE_YAML)
    for key, value in changes.items():
        parts = key.split("__")
        target = data
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        target[parts[-1]] = value
    return data


def test_issue_example_is_accepted(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, ISSUE_YAML))
    assert scenario.name == "reg2 mining outage"
    assert scenario.horizon_days == 365 and scenario.mrio == "pymrio:test"
    assert build_events(scenario) == [
        ev.CapacityLoss(region="reg2", sector="mining", share=0.5, start_day=5,
                        duration_days=30, recovery_days=30),
        ev.CapitalDestroyed(region="reg1", sector="manufactoring", share_of_capital=0.1,
                            start_day=5, recovery_days=90),
        ev.ExportRestriction(region="reg3", sector="mining", share=0.8, start_day=10,
                             duration_days=120, to=["reg1", "reg2"], recovery_days=0),
    ]
    assert scenario.variant_plan() == [("no measures", ())]
    params = ario_params(scenario)  # BoARIO's ARIOPsiModel defaults
    assert (params.order_type, params.alpha_max, params.alpha_tau, params.main_inv_dur,
            params.psi, params.inventory_restoration_tau) == ("alt", 1.25, 365, 90, 0.8, 60)
    prepare(scenario)  # every name exists in pymrio's test system


def test_json_file_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps(yaml.safe_load(ISSUE_YAML), indent=1), "s.json")
    assert build_events(load_scenario(path)) == build_events(
        load_scenario(write(tmp_path, ISSUE_YAML)))


def test_every_event_mitigation_and_ensemble_key(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, FULL_YAML))
    params = ario_params(scenario)
    assert (params.psi, params.alpha_max, params.order_type) == (0.9, 1.5, "noalt")
    events = build_events(scenario)
    assert events[1] == ev.ChokepointClosure(
        route="strait", flows=[ev.Flow(origin="reg3", destination="reg1", sector="mining"),
                               ev.Flow(origin="reg3", destination="reg2")],
        share=0.6, start_day=3, duration_days=40, recovery_days=10)
    assert events[2] == ev.DemandChange(region="reg1", sector="food", share=-0.1, start_day=0,
                                        duration_days=30, by=["reg2"])
    assert build_mitigations(scenario) == [
        ev.StockpileRelease(region="reg1", sector="mining", days_of_use=20, start_day=4,
                            origin="reg3", daily_share=0.5, label="reserve"),
        ev.DiversifySupplier(sector="mining", origin="reg3", alternative="reg4", share=0.5,
                             start_day=10, ramp_days=30, region="reg1",
                             max_capacity_increase=0.1),
        ev.Substitute(region="reg1", sector="mining", share=0.4, start_day=0),
        ev.Recycle(region="reg1", sector="mining", share=0.1, start_day=20, ramp_days=60),
    ]
    plan = scenario.variant_plan()
    assert [name for name, _ in plan] == [
        "all measures", "no measures", "only reserve", "only diversify_supplier mining reg3->reg4",
        "only substitute reg1/mining", "only recycle reg1/mining", "reserve and recycling"]
    assert plan[0][1] == (0, 1, 2, 3) and plan[1][1] == () and plan[-1][1] == (0, 3)
    prepare(scenario)


def test_ensemble_draws_are_reproducible_and_valid(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, FULL_YAML))
    spec = scenario.ensemble
    first, second = draw_parameters(spec, 8, 3), draw_parameters(spec, 8, 3)
    assert first == second and first != draw_parameters(spec, 8, 4)
    for values in first:
        assert 0.7 <= values["model.psi_param"] <= 0.9
        assert 0.3 <= values["events[0].share"] <= 0.7
        assert 0.05 <= values["events[1].share"] <= 1.0
        assert values["mitigations[0].days_of_use"] in (10, 20, 40)
    # a parameter's draws do not depend on which other parameters are varied
    only_psi = spec.model_copy(update={"parameters": {
        "model.psi_param": spec.parameters["model.psi_param"]}})
    assert [v["model.psi_param"] for v in draw_parameters(only_psi, 8, 3)] == [
        v["model.psi_param"] for v in first]
    draws, concrete = ensemble_scenarios(scenario, 8, 3)
    assert [ario_params(s).psi for s in concrete] == [d["model.psi_param"] for d in draws]
    assert [s.events[0].share for s in concrete] == [d["events[0].share"] for d in draws]


def expect(exc_type: type[Exception], data: dict | str, *fragments: str,
           column: str | None = None, line: int | None = None, tmp_path: Path | None = None,
           ) -> Exception:
    with pytest.raises(exc_type) as info:
        if isinstance(data, str):
            assert tmp_path is not None
            load_scenario(write(tmp_path, data))
        else:
            parse_scenario(data, file="scenario.yaml")
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    if column is not None:
        assert info.value.location.column == column, info.value.location
    if line is not None:
        assert info.value.location.line == line, info.value.location
    return info.value


@pytest.mark.parametrize(("changes", "fragments", "column"), [
    ({"events__0__share": 1.5}, ["share 1.5 is above 100 %"], "events[0].share"),
    ({"events__2__share": 80}, ["share 80 is above 100 %", "0.5 = 50 %"], "events[2].share"),
    ({"events__0__share": -0.2}, ["share -0.2 is negative"], "events[0].share"),
    ({"events__1__share_of_capital": 1.01}, ["above 100 %"], "events[1].share_of_capital"),
    ({"horizon_days": 0}, ["horizon_days must be at least 1 day (got 0)"], "horizon_days"),
    ({"events__1__start_day": 365}, ["start_day 365 is beyond the horizon of 365 days"],
     "events[1].start_day"),
    ({"events__0__start_day": -1}, ["must be at least 0 (got -1)"],
     "events[0].start_day"),
    ({"events__0__duration_days": 0}, ["must be at least 1 (got 0)"],
     "events[0].duration_days"),
    ({"events__0__shar": 0.5}, ["unknown key 'shar' in events[0]", "did you mean 'share'?",
                                "allowed keys: type, label, region, sector, share, start_day"],
     "events[0].shar"),
    ({"horizon": 10}, ["unknown key 'horizon' in the top level", "horizon_days"], "horizon"),
    ({"events__2__type": "export_ban"}, ["unknown event type 'export_ban'",
                                         "export_restriction"], "events[2].type"),
    ({"events__0__share": "half"}, ["must be a number (got 'half')"], "events[0].share"),
    ({"mitigations": [{"type": "stockpile", "region": "reg1"}]},
     ["unknown mitigation type 'stockpile'", "did you mean 'stockpile_release'?"],
     "mitigations[0].type"),
    ({"mitigations": [{"type": "recycle", "region": "reg1", "sector": "mining",
                       "start_day": 3}]},
     ["missing required key 'share'"], "mitigations[0].share"),
    ({"model": {"type": "ario", "psi_parm": 0.9}},
     ["unknown model parameter 'psi_parm'", "did you mean", "allowed: order_type, "
      "alpha_base, alpha_max"], "model.psi_parm"),
    ({"model": {"type": "ario", "order_type": "fast"}},
     ["order_type must be 'alt' or 'noalt'"], "model.order_type"),
    ({"model": {"type": "ario", "psi_param": 1.2}}, ["psi must be at most 1 (got 1.2)"],
     "model.psi_param"),
    ({"model": {"type": "ario", "alpha_tau": 0}}, ["alpha_tau must be above 0"],
     "model.alpha_tau"),
    ({"events__2__duration_days": 400}, ["start_day 10 + duration_days 400 runs past the "
                                         "horizon of 365 days"], "events[2].duration_days"),
    ({"events__2__to": ["reg1"], "events__2__share": 0}, ["share 0 does nothing"],
     "events[2].share"),
    ({"mitigations": [{"type": "diversify_supplier", "sector": "mining", "origin": "reg3",
                       "alternative": "reg3", "share": 0.5, "start_day": 1,
                       "ramp_days": 5}]},
     ["alternative 'reg3' is the origin itself"], "mitigations[0]"),
    ({"model": {"type": "cge"}}, ["'ario'"], "model.type"),
    ({"ensemble": {"runs": 5, "parameters": {"events[7].share": {
        "dist": "uniform", "low": 0.1, "high": 0.2}}}},
     ["'events[7].share': the scenario has 3 events"],
     "ensemble.parameters['events[7].share']"),
    ({"ensemble": {"parameters": {"events[0].region": {
        "dist": "uniform", "low": 0.1, "high": 0.2}}}},
     ["no numeric field 'region'", "numeric fields: share, start_day"], None),
    ({"ensemble": {"parameters": {"model.psi": {"dist": "uniform", "low": 0.9,
                                                "high": 0.7}}}},
     ["low 0.9 is above high 0.7"], None),
    ({"ensemble": {"parameters": {"model.psi": {"dist": "beta", "a": 1}}}},
     ["unknown distribution 'beta'", "uniform, normal, triangular, choice"], None),
    ({"ensemble": {"parameters": {"model.order_type": {"dist": "choice", "values": [1]}}}},
     ["non-numeric model parameter 'order_type'"], None),
    ({"variants": [{"name": "x", "mitigations": [2]}]}, ["no mitigation 2"],
     "variants[0].mitigations[0]"),
])
def test_bad_values(changes: dict, fragments: list[str], column: str | None) -> None:
    # malformed (unknown or missing key, wrong type, unknown tag) or not allowed (a value)
    malformed = fragments[0].startswith(MALFORMED)
    expect(DataFormatError if malformed else ValidationError, edited(**changes), *fragments,
           column=column)


MALFORMED = ("unknown key", "unknown event type", "unknown mitigation type", "must be a number",
             "missing required key", "'ario'", "unknown distribution")


def test_errors_carry_the_file_and_line(tmp_path: Path) -> None:
    bad = ISSUE_YAML.replace("share: 0.8", "share: 1.8")
    error = expect(ValidationError, bad, "above 100 %", column="events[2].share", line=8,
                   tmp_path=tmp_path)
    assert error.location.file.endswith("scenario.yaml")
    assert "line 8" in str(error) and "column 'events[2].share'" in str(error)
    expect(ValidationError, ISSUE_YAML.replace("horizon_days: 365", "horizon_days: 0"),
           "at least 1 day", column="horizon_days", line=3, tmp_path=tmp_path)
    expect(DataFormatError, ISSUE_YAML + "colour: red\n", "unknown key 'colour'",
           column="colour", line=9, tmp_path=tmp_path)


def test_malformed_yaml_gives_line_and_column(tmp_path: Path) -> None:
    bad = ISSUE_YAML.replace("to: [reg1, reg2]", "to: [reg1, reg2")
    error = expect(DataFormatError, bad, "malformed YAML", "column", tmp_path=tmp_path)
    assert error.location.line == 8
    error = expect(DataFormatError, "name: x\n  mrio: y\n horizon_days: 3\n",
                   "malformed YAML", tmp_path=tmp_path)
    assert error.location.line is not None
    expect(DataFormatError, ISSUE_YAML + "name: again\n", "key 'name' appears twice",
           line=9, tmp_path=tmp_path)
    expect(DataFormatError, "- just\n- a list\n", "a scenario is a mapping",
           tmp_path=tmp_path)
    path = write(tmp_path, '{"name": "x", "mrio": }', "bad.json")
    with pytest.raises(DataFormatError, match="malformed JSON") as info:
        load_scenario(path)
    assert info.value.location.line == 1


@pytest.mark.parametrize(("old", "new", "fragments", "column", "line"), [
    ("region: reg3, sector: mining", "region: reg3, sector: minig",
     ["unknown sector 'minig'; did you mean: mining?"], "events[2].sector", 8),
    ("region: reg2, sector: mining", "region: reg22, sector: mining",
     ["unknown region 'reg22'", "did you mean: reg2"], "events[0].region", 6),
    ("to: [reg1, reg2]", "to: [reg1, Reg7]", ["unknown region 'Reg7'"], "events[2].to[1]", 8),
    ("sector: manufactoring", "sector: manufacturing",
     ["unknown sector 'manufacturing'; did you mean: manufactoring?"], "events[1].sector", 7),
])
def test_unknown_names_are_checked_against_the_mrio(
        tmp_path: Path, old: str, new: str, fragments: list[str], column: str,
        line: int) -> None:
    scenario = load_scenario(write(tmp_path, ISSUE_YAML.replace(old, new)))
    with pytest.raises(UnknownNameError) as info:
        prepare(scenario, load_mrio("pymrio:test"))
    for fragment in fragments:
        assert fragment in str(info.value)
    assert info.value.location.column == column
    assert info.value.location.line == line


def test_drawn_values_outside_a_range_are_reported(tmp_path: Path) -> None:
    data = edited(ensemble={"runs": 20, "seed": 1, "parameters": {
        "events[0].share": {"dist": "normal", "mean": 0.9, "sd": 0.5}}})
    scenario = parse_scenario(data)
    with pytest.raises(ValidationError, match=r"a drawn value is not allowed.*above 100 %"):
        ensemble_scenarios(scenario, 20, 1)


def test_unknown_mitigation_label_in_variants() -> None:
    data = edited(mitigations=[{"type": "substitute", "region": "reg1", "sector": "mining",
                                "share": 0.5, "label": "switch"}],
                  variants=[{"name": "v", "mitigations": ["swtich"]}])
    expect(UnknownNameError, data, "unknown mitigation 'swtich'; did you mean: switch?",
           column="variants[0].mitigations[0]")


def test_worked_scenarios_resolve_and_validate() -> None:
    worked = catalogue.worked_scenarios()
    names = {w["name"] for w in worked}
    assert {"bea-primary-metals", "pymrio-test-mining-outage"} <= names
    for item in worked:
        assert item["description"] and item["title"]
        path = catalogue.resolve_scenario(item["ref"])
        assert path == catalogue.resolve_scenario(item["name"])
        prepare(load_scenario(path))
    with pytest.raises(NotFoundError, match="did you mean: bea-primary-metals"):
        catalogue.resolve_scenario("worked:bea-primary-metal")
    with pytest.raises(NotFoundError, match="not found"):
        catalogue.resolve_scenario("no/such/file.yaml")
