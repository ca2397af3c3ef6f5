"""The analysis results the pages and the JSON API both show, computed once per data
version in the app's read cache (:func:`econsec.web.common.read_cache`): every commodity's
profile (shared by every home country), a home country's dependence table and its report
(the overview). Call from a worker thread (a cold result is computed, or waited for).
"""

from __future__ import annotations

from typing import Any

from econsec.analyses.country_profile import all_commodity_profiles
from econsec.analyses.dependence import dependence_table
from econsec.analyses.models import CommodityProfile, DependenceTable
from econsec.analyses.report_data import report_data
from econsec.io_models.net_trade import icio_net_trade
from econsec.web.common import read_cache
from econsec.web.state import WebState


def commodity_profiles(state: WebState) -> list[CommodityProfile]:
    """Every commodity's profile: they do not depend on the home country."""
    found: list[CommodityProfile] = read_cache(state).get(
        ("all_commodity_profiles",), lambda: all_commodity_profiles(state.store))
    return found


def home_dependence(state: WebState, home: str) -> DependenceTable:
    """The dependence table of ``home`` (ISO alpha-3)."""
    found: DependenceTable = read_cache(state).get(
        ("dependence_table", home),
        lambda: dependence_table(state.store, home, profiles=commodity_profiles(state),
                                 net_trade=icio_net_trade))
    return found


def home_report(state: WebState, home: str) -> Any:
    """:func:`~econsec.analyses.report_data.report_data` for ``home`` (the overview), on the
    shared commodity profiles."""
    return read_cache(state).get(
        ("report_data", home),
        lambda: report_data(state.store, home=home, profiles=commodity_profiles(state),
                            net_trade=icio_net_trade))
