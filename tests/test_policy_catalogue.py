"""The 3P measure catalogue: the bundled file validates and covers the issue's list; bad
catalogues are refused with the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from econsec.errors import DataFormatError, NotFoundError, UnknownNameError, ValidationError
from econsec.io_models import events
from econsec.policy.catalogue import PILLARS, bundled_catalogue_path, load_catalogue

BUNDLED = bundled_catalogue_path().read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "measures.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_bundled_catalogue_covers_the_three_pillars() -> None:
    cat = load_catalogue()
    assert cat.version
    by = cat.by_pillar()
    assert set(by) == set(PILLARS) and all(by.values())
    ids = set(cat.ids())
    # the list, each present
    for wanted in ("stockpile-release", "recycling", "equity-offtake", "rd-platform",
                   "public-procurement", "technology-management", "export-control",
                   "investment-screening", "trade-secret-protection", "joint-development",
                   "standards", "streamlined-export-procedures", "diversification-agreement"):
        assert wanted in ids
    mitigation_types = {m.model_fields["type"].default for m in
                        (events.StockpileRelease, events.DiversifySupplier, events.Substitute,
                         events.Recycle)}
    for m in cat.measures:
        assert m.names["ja"] and m.names["en"] and m.summary["ja"]
        if m.scenario is None:
            assert m.not_simulated is not None
        elif m.scenario.type not in ("shorten_events", "lower_event_share"):
            assert m.scenario.type in mitigation_types
        for p in m.parameters:
            assert p.min <= p.default <= p.max


def test_lookup_and_for_finding() -> None:
    cat = load_catalogue()
    assert cat.get("stockpile-release").pillar == "promotion"
    with pytest.raises(UnknownNameError) as err:
        cat.get("stockpile-relase")
    assert "stockpile-release" in str(err.value)
    leak = cat.for_finding("technology_leakage")
    assert leak and all("technology_leakage" in m.addresses for m in leak)
    with pytest.raises(ValidationError, match="outside"):
        cat.get("stockpile-release").values({"days": -3})
    with pytest.raises(UnknownNameError):
        cat.get("stockpile-release").values({"dayz": 3})


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    text = BUNDLED.replace("    pillar: protection\n",
                           "    pillar: protection\n    colour: red\n", 1)
    with pytest.raises(DataFormatError) as err:
        load_catalogue(_write(tmp_path, text))
    assert err.value.location.line == _line_of(text, "colour: red")
    assert "unknown key 'colour'" in str(err.value)
    assert str(tmp_path / "measures.yaml") in str(err.value)


def test_missing_japanese_name_is_refused(tmp_path: Path) -> None:
    old = "names: {en: Recycling and secondary supply, ja: リサイクル・二次供給の拡大}"
    text = BUNDLED.replace(old, "names: {en: Recycling and secondary supply}")
    with pytest.raises(ValidationError) as err:
        load_catalogue(_write(tmp_path, text))
    assert "Japanese" in str(err.value) and ".names" in str(err.value)
    assert err.value.location.line == _line_of(text, "names: {en: Recycling and secondary")


def test_negative_time_and_duplicates_and_version(tmp_path: Path) -> None:
    text = BUNDLED.replace("time_to_effect_days: 730", "time_to_effect_days: -1", 1)
    with pytest.raises(ValidationError) as err:
        load_catalogue(_write(tmp_path, text))
    assert "time_to_effect_days" in str(err.value)
    assert err.value.location.line == _line_of(text, "time_to_effect_days: -1")
    text = BUNDLED.replace("id: recycling", "id: stockpile-release", 1)
    with pytest.raises(ValidationError, match="used twice"):
        load_catalogue(_write(tmp_path, text))
    text = BUNDLED.replace('version: "2026.1"\n', "", 1)
    with pytest.raises(DataFormatError, match="version"):
        load_catalogue(_write(tmp_path, text))
    with pytest.raises(NotFoundError):
        load_catalogue(tmp_path / "none.yaml")
