"""Each scenario event and mitigation is defined once (econsec.io_models.events): the file
reader validates into those models, the simulator consumes them, their ranges are checked
when they are built, and region/sector names are found by their type."""

from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from econsec.errors import UnknownNameError, ValidationError
from econsec.io_models import events as ev
from econsec.io_models.ario import simulate
from econsec.io_models.loaders import load_mrio
from econsec.scenarios import schema
from econsec.scenarios.schema import build_events, build_mitigations, check_names, parse_scenario

pytest.importorskip("pymrio")

SCENARIO = {
    "name": "names everywhere", "mrio": "pymrio:test", "horizon_days": 60,
    "events": [
        {"type": "export_restriction", "region": "reg3", "sector": "mining",
         "to": ["reg1", "reg2"], "share": 0.5, "start_day": 1, "duration_days": 5},
        {"type": "chokepoint_closure", "route": "strait", "share": 0.5, "start_day": 1,
         "duration_days": 5, "flows": [{"origin": "reg3", "destination": "reg1"},
                                       {"origin": "reg4", "destination": "reg2",
                                        "sector": "food"}]},
        {"type": "demand_change", "region": "reg1", "sector": "food", "share": -0.1,
         "start_day": 0, "duration_days": 5, "by": "reg2"},
    ],
    "mitigations": [
        {"type": "stockpile_release", "region": "reg1", "sector": "mining", "origin": "reg3",
         "days_of_use": 5, "start_day": 2},
        {"type": "diversify_supplier", "sector": "mining", "origin": "reg3",
         "alternative": "reg5", "share": 0.5, "start_day": 2, "ramp_days": 3},
    ],
}

EVENT_MODELS = typing.get_args(typing.get_args(ev.Event)[0])
MITIGATION_MODELS = typing.get_args(typing.get_args(ev.Mitigation)[0])


@pytest.fixture(scope="module")
def mrio():
    return load_mrio("pymrio:test")


def test_the_file_reader_validates_into_the_simulator_models() -> None:
    scenario = parse_scenario(SCENARIO)
    assert [type(e) for e in scenario.events] == [
        ev.ExportRestriction, ev.ChokepointClosure, ev.DemandChange]
    assert [type(m) for m in scenario.mitigations] == [
        ev.StockpileRelease, ev.DiversifySupplier]
    # the simulator takes the very objects the file was read into (no second record type)
    assert all(a is b for a, b in zip(build_events(scenario), scenario.events, strict=True))
    assert build_mitigations(scenario, [1])[0] is scenario.mitigations[1]
    assert scenario.events[2].by == ["reg2"]  # one name accepted where a list is expected


def test_schema_defines_no_event_of_its_own() -> None:
    own = [name for name, obj in vars(schema).items()
           if isinstance(obj, type) and issubclass(obj, BaseModel)
           and obj.__module__ == schema.__name__ and "type" in obj.model_fields
           and obj is not schema.ModelSpec]
    assert own == []
    assert not any(hasattr(cls, "to_record") for cls in (*EVENT_MODELS, *MITIGATION_MODELS))


def test_unions_are_told_apart_by_type() -> None:
    tags = [cls.model_fields["type"].default for cls in EVENT_MODELS]
    assert tags == ["capacity_loss", "capital_destroyed", "export_restriction",
                    "chokepoint_closure", "demand_change"]
    built = TypeAdapter(ev.Event).validate_python(
        {"type": "capacity_loss", "region": "reg1", "sector": "food", "share": 0.2,
         "start_day": 3})
    assert built == ev.CapacityLoss(region="reg1", sector="food", share=0.2, start_day=3)
    with pytest.raises(PydanticValidationError, match=r"does not match any of the expected tags"):
        TypeAdapter(ev.Event).validate_python({"type": "recycle", "region": "reg1"})


def test_names_are_found_by_their_type() -> None:
    found = ev.names_in(parse_scenario(SCENARIO))
    assert found == [
        (("events", 0, "region"), "region", "reg3"),
        (("events", 0, "sector"), "sector", "mining"),
        (("events", 0, "to", 0), "region", "reg1"),
        (("events", 0, "to", 1), "region", "reg2"),
        (("events", 1, "flows", 0, "origin"), "region", "reg3"),
        (("events", 1, "flows", 0, "destination"), "region", "reg1"),
        (("events", 1, "flows", 1, "origin"), "region", "reg4"),
        (("events", 1, "flows", 1, "destination"), "region", "reg2"),
        (("events", 1, "flows", 1, "sector"), "sector", "food"),
        (("events", 2, "region"), "region", "reg1"),
        (("events", 2, "sector"), "sector", "food"),
        (("events", 2, "by", 0), "region", "reg2"),
        (("mitigations", 0, "region"), "region", "reg1"),
        (("mitigations", 0, "sector"), "sector", "mining"),
        (("mitigations", 0, "origin"), "region", "reg3"),
        (("mitigations", 1, "sector"), "sector", "mining"),
        (("mitigations", 1, "origin"), "region", "reg3"),
        (("mitigations", 1, "alternative"), "region", "reg5"),
    ]


@pytest.mark.parametrize("cls", [*EVENT_MODELS, *MITIGATION_MODELS, ev.Flow],
                         ids=lambda c: c.__name__)
def test_every_region_and_sector_field_is_marked(cls: type[BaseModel]) -> None:
    """A field that holds a region or sector name carries the marker, so a new field named
    like one cannot escape the name check."""
    regions = {"region", "origin", "alternative", "destination", "to", "by"}
    for name, field in cls.model_fields.items():
        kinds = _markers(field.annotation) | {m.kind for m in field.metadata
                                              if isinstance(m, ev.NameOf)}
        expected = {"region"} if name in regions else {"sector"} if name == "sector" else set()
        assert kinds == expected, (cls.__name__, name)


def _markers(annotation: object) -> set[str]:
    """Kinds of the name markers anywhere inside ``annotation``."""
    found = set()
    if typing.get_origin(annotation) is typing.Annotated:
        found |= {m.kind for m in typing.get_args(annotation)[1:] if isinstance(m, ev.NameOf)}
    for arg in typing.get_args(annotation):
        found |= _markers(arg)
    return found


def test_unknown_name_deep_in_a_flow_is_located() -> None:
    data = {**SCENARIO, "events": [{**SCENARIO["events"][1], "flows": [
        {"origin": "reg3", "destination": "reg1"}, {"origin": "reg4", "destination": "reg99"}]}]}
    with pytest.raises(UnknownNameError) as info:
        check_names(parse_scenario(data, file="s.yaml"), ["reg1", "reg3", "reg4"], ["food"])
    assert info.value.location.column == "events[0].flows[1].destination"
    assert "reg99" in info.value.message


def test_one_horizon_rule_for_files_and_python(mrio) -> None:
    data = {**SCENARIO, "horizon_days": 30, "events": [
        {"type": "capacity_loss", "region": "reg1", "sector": "food", "share": 0.2,
         "start_day": 20, "duration_days": 15}], "mitigations": []}
    with pytest.raises(ValidationError) as from_file:
        parse_scenario(data)
    event = ev.CapacityLoss(region="reg1", sector="food", share=0.2, start_day=20,
                            duration_days=15)
    with pytest.raises(ValidationError) as from_python:
        simulate(mrio, [event], horizon_days=30)
    rule = "start_day 20 + duration_days 15 runs past the horizon of 30 days"
    assert from_file.value.message == rule
    assert from_python.value.message == f"events[0] (capacity_loss reg1/food): {rule}"
    assert from_file.value.location.column == "events[0].duration_days"


def test_models_survive_a_dump_and_a_validation() -> None:
    """Ensembles re-validate dumped scenarios: every model reads back what it wrote."""
    scenario = parse_scenario(SCENARIO)
    again = schema.Scenario.model_validate(scenario.model_dump(exclude_none=True))
    assert again.events == scenario.events and again.mitigations == scenario.mitigations


def test_a_mitigation_among_the_events_is_refused_by_name(mrio) -> None:
    stock = ev.StockpileRelease(region="reg1", sector="mining", days_of_use=5, start_day=1)
    with pytest.raises(ValidationError, match=r"events\[0\]: unknown event type "
                                              r"StockpileRelease"):
        simulate(mrio, [stock], horizon_days=10)
    with pytest.raises(ValidationError, match=r"mitigations\[0\]: unknown mitigation type dict"):
        simulate(mrio, [], [{"type": "recycle"}], horizon_days=10)
