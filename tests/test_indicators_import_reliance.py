"""USGS net import reliance."""

from __future__ import annotations

import pytest

from econsec.errors import ValidationError
from econsec.indicators.import_reliance import net_import_reliance


def test_hand_computed() -> None:
    # consumption = 40 + 80 − 20 = 100; NIR = (80 − 20) / 100 = 0.6
    r = net_import_reliance(imports=80.0, exports=20.0, production=40.0)
    assert r.nir == pytest.approx(0.6)
    assert r.apparent_consumption == pytest.approx(100.0)
    assert r.usgs_notation == "60"
    assert not r.net_exporter


def test_stock_change() -> None:
    # stocks built up by 10: consumption = 40 + 80 − 20 − 10 = 90; NIR = (60 − 10) / 90
    r = net_import_reliance(80.0, 20.0, 40.0, stock_change=10.0)
    assert r.apparent_consumption == pytest.approx(90.0)
    assert r.nir == pytest.approx(50.0 / 90.0)
    # stock release of 10 adds to supply: consumption 110, NIR = 70 / 110
    r = net_import_reliance(80.0, 20.0, 40.0, stock_change=-10.0)
    assert r.nir == pytest.approx(70.0 / 110.0)


def test_net_exporter_is_negative_and_printed_e() -> None:
    # consumption = 100 + 10 − 50 = 60; NIR = −40 / 60
    r = net_import_reliance(imports=10.0, exports=50.0, production=100.0)
    assert r.nir == pytest.approx(-40.0 / 60.0)
    assert r.net_exporter
    assert r.usgs_notation == "E"
    assert r.to_dict()["usgs_notation"] == "E"


def test_errors() -> None:
    with pytest.raises(ValidationError, match="undefined"):
        net_import_reliance(0.0, 0.0, 0.0)
    with pytest.raises(ValidationError) as info:
        net_import_reliance(float("nan"), 0.0, 1.0)
    assert info.value.location.column == "imports"
    with pytest.raises(ValidationError):
        net_import_reliance(1.0, -1.0, 1.0)
