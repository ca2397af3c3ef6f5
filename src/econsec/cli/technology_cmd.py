"""``econsec assess technology``: a country's technology profile (NSF NCSES tables).

Imports only typer and light econsec modules at start-up; the analysis inside the command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from econsec.cli.console import out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit

if TYPE_CHECKING:
    from econsec.analyses.technology_models import TechnologyProfile
    from econsec.kb.protocol import KnowledgeBase


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def technology_result(doc: TechnologyProfile) -> Result:
    """The CLI form of :func:`econsec.analyses.technology.technology_profile`: one row per
    field and indicator; the lens flags and thresholds as notes."""
    rows = []
    for f in doc.fields:
        for c in f.indicators:
            rows.append({
                "field": f.field, "indicator": c.indicator, "table": ", ".join(c.tables),
                "year": c.year, "value": None if c.value is None else round(c.value, 1),
                "share": c.share,
                "rank": f"{c.rank} / {c.countries_ranked}" if c.rank else "-",
                "change": c.trend.change if c.trend else None,
                "since": c.trend.start_year if c.trend else None,
                "cagr": c.trend.cagr if c.trend else None,
            })
    th = doc.lenses.thresholds
    advantage = [r.field for r in doc.lenses.rows if r.domestic_advantage]
    disruptive = [r.field for r in doc.lenses.rows if r.disruptive_innovation]
    notes = [
        f"Domestic advantage (share >= {_pct(th.advantage_share)}, or rank <= "
        f"{th.advantage_rank} with share >= {_pct(th.advantage_rank_min_share)}): "
        f"{', '.join(advantage) or 'none'}.",
        f"Disruptive innovation (share up >= {th.share_growth * 100:.1f} points over "
        f"{th.window} years): {', '.join(disruptive) or 'none'}.",
        "Change: share points over the window (from 'since' to 'year'); CAGR of the count.",
        *doc.notes,
        "Sources: " + "; ".join(f"{s.title} ({s.year})" for s in doc.sources),
    ]
    return Result(doc, rows, ["field", "indicator", "table", "year", "value", "share", "rank",
                              "change", "since", "cagr"],
                  title=f"Technology profile of {doc.name_en} ({doc.iso3})", notes=notes,
                  percent=("share", "change", "cagr"))


def assess_technology(
    country: Annotated[str | None, typer.Option(
        help="Country, ISO alpha-3 or name (default: ECONSEC_HOME_COUNTRY, JPN).")] = None,
    window: Annotated[int, typer.Option(
        help="Trend window in years (share change and CAGR).", min=1, max=30)] = 5,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """A country's technology profile: per field, world share, rank and trend of USPTO
    patents, PCT applications, S&E articles and top-1 % cited articles (NSF NCSES), and the
    fields the domestic-advantage and disruptive-innovation lenses flag."""
    from econsec.analyses.technology import technology_profile
    from econsec.cli.app import _open_store, _settings

    doc = technology_profile(_open_store(db), country or _settings().home_country,
                             window=window)
    emit(technology_result(doc), fmt, out)


def with_technology_lenses(result: Result, kb: KnowledgeBase, iso3: str) -> Result:
    """``result`` (``econsec assess country``'s table) with two more fact rows: the fields
    the country's technology lenses flag, with the thresholds (the JSON document stays the
    country profile; ``econsec assess technology`` gives the whole technology JSON)."""
    from econsec.analyses.technology import technology_profile

    doc = technology_profile(kb, iso3)
    th = doc.lenses.thresholds
    advantage = ", ".join(r.field for r in doc.lenses.rows if r.domestic_advantage) or "none"
    disruptive = ", ".join(r.field for r in doc.lenses.rows if r.disruptive_innovation) or "none"
    rows = [*result.rows,
            {"fact": f"technology: domestic advantage (share >= {_pct(th.advantage_share)} or "
                     f"rank <= {th.advantage_rank} with >= {_pct(th.advantage_rank_min_share)})",
             "value": advantage},
            {"fact": f"technology: disruptive innovation (share up >= "
                     f"{th.share_growth * 100:.1f} points in {th.window} years)",
             "value": disruptive}]
    notes = [*result.notes, "Technology lenses: NSF NCSES Science & Engineering Indicators "
             f"(econsec assess technology --country {iso3} for every figure)."]
    return Result(result.document, rows, result.columns, title=result.title, notes=notes,
                  percent=result.percent)
