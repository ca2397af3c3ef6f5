"""``/regions`` (country list), ``/regions/partners`` (who could replace a supplier) and
``/regions/{iso3}`` (a country seen from the home country: five perspectives, the sea-lane map
and the score bars), on the results the API serves (:mod:`econsec.web.regions_results`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from econsec.errors import EconsecError, NotFoundError, UnknownNameError, ValidationError
from econsec.i18n import Translator, translator
from econsec.i18n.collation import sorted_by_name
from econsec.i18n.terms import N_
from econsec.regions.sea_lanes import sea_lanes
from econsec.web.i18n import request_language
from econsec.web.pages.common import bilingual, home_choices, home_query, plain, render
from econsec.web.regions_results import partners_document, region_document
from econsec.web.state import WebState, get_state

router = APIRouter(include_in_schema=False)
State = Annotated[WebState, Depends(get_state)]

PERSPECTIVES = (
    ("technology", N_("Technology cooperation")),
    ("materials", N_("Raw materials")),
    ("supply_chains", N_("Supply chains and sea lanes")),
    ("market", N_("Market creation")),
    ("information", N_("Information sharing")),
)
BAND_LABELS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
BAND_COLOURS = {"high": "#2e7d32", "medium": "#e0a100", "low": "#c62828", None: "#999999"}
RELATION_LABELS = {
    "partner-strong": N_("partner strong, home weak"),
    "home-strong": N_("home strong, partner weak"),
    "both-strong": N_("both strong"),
    "neither": N_("neither strong"),
    "no-data": N_("no data"),
}
INDICATOR_LABELS = {"uspto": N_("USPTO patents"), "articles": N_("articles"),
                    "pct": N_("PCT applications")}
GROUP_LABELS = {"g7": N_("G7"), "quad": N_("Quad"), "eu27": N_("EU (27)"), "oecd": N_("OECD"),
                "jp-export-group-a": N_("Japan export control Group A")}
EXPORT_STATUS = {"member": N_("member"), "not-member": N_("not a member"),
                 "issuer": N_("home country (the list is Japan's own)")}
SIZE_LABELS = {"Large": N_("Large"), "Medium": N_("Medium"), "Small": N_("Small"),
               "Very Small": N_("Very small"), "unknown": N_("size unknown")}
DEFAULT_HS = "284610,284690,280530"


def score_figure(doc: dict[str, Any], t: Translator) -> dict[str, Any]:
    """Horizontal bars of the five scores, coloured by band, with the band thresholds."""
    labels, values, colours, texts = [], [], [], []
    for key, label in reversed(PERSPECTIVES):
        s = doc[key]["score"]
        labels.append(t.gettext(label))
        values.append(s["value"] if s["value"] is not None else 0)
        colours.append(BAND_COLOURS[s["band"]])
        texts.append(t.gettext(BAND_LABELS[s["band"]]) if s["band"] else t.gettext("no data"))
    shapes = [{"type": "line", "x0": b["min_score"], "x1": b["min_score"], "yref": "paper",
               "y0": 0, "y1": 1, "line": {"dash": "dot", "color": "#666", "width": 1}}
              for b in doc["bands"] if b["min_score"] > 0]
    return {"data": [{"type": "bar", "orientation": "h", "y": labels, "x": values,
                      "text": texts, "textposition": "auto", "marker": {"color": colours},
                      "hovertemplate": "%{y}: %{x:.1f} (%{text})<extra></extra>"}],
            "layout": {"height": 260, "margin": {"l": 10, "r": 20, "t": 10, "b": 40},
                       "xaxis": {"range": [0, 100], "title": {"text": t.gettext("Score (0-100)")}},
                       "yaxis": {"automargin": True}, "shapes": shapes}}


def sea_map(doc: dict[str, Any], lang: str, t: Translator) -> dict[str, Any]:
    """The typical routes (lines through the chokepoints), the chokepoints on them (marker
    size by the share of the partner's trade passing) and the partner's large and medium
    ports, on the local Natural Earth outlines."""
    sc = doc["supply_chains"]
    regions = {r["id"]: r for r in sc["regions"]}
    cps = {c["id"]: c for c in sc["chokepoints"]}
    lats: list[float | None] = []
    lons: list[float | None] = []
    seen: set[tuple[str, str, str | None]] = set()
    for route in sc["routes"]:
        for leg in route["legs"]:
            key = (leg["from_region"], leg["to_region"], leg["chokepoint"])
            if key in seen:
                continue
            seen.add(key)
            a, b = regions[leg["from_region"]], regions[leg["to_region"]]
            points = [(a["lat"], a["lon"])]
            if leg["chokepoint"] in cps:
                c = cps[leg["chokepoint"]]
                points.append((c["lat"], c["lon"]))
            points.append((b["lat"], b["lon"]))
            for lat, lon in points:
                lats.append(lat)
                lons.append(lon)
            lats.append(None)
            lons.append(None)
    ports = [p for p in sc["ports"] if p["harbor_size"] in ("Large", "Medium")]
    data: list[dict[str, Any]] = [
        {"type": "scattergeo", "mode": "lines", "lat": lats, "lon": lons,
         "line": {"width": 2, "color": "#0b5cad"}, "name": t.gettext("Typical sea routes"),
         "hoverinfo": "skip"},
        {"type": "scattergeo", "mode": "markers",
         "lat": [r["lat"] for r in sc["regions"]], "lon": [r["lon"] for r in sc["regions"]],
         "text": [bilingual(r, lang) for r in sc["regions"]],
         "marker": {"size": 6, "color": "#5aa0e0"}, "name": t.gettext("Sea regions"),
         "hovertemplate": "%{text}<extra></extra>"},
        {"type": "scattergeo", "mode": "markers",
         "lat": [c["lat"] for c in sc["chokepoints"]],
         "lon": [c["lon"] for c in sc["chokepoints"]],
         "text": [f"{bilingual(c, lang)}: {t.percent(c['route_share'])}"
                  for c in sc["chokepoints"]],
         "marker": {"size": [8 + 14 * c["route_share"] for c in sc["chokepoints"]],
                    "color": "#c62828", "symbol": "diamond"},
         "name": t.gettext("Chokepoints"), "hovertemplate": "%{text}<extra></extra>"},
    ]
    if ports:
        data.append({"type": "scattergeo", "mode": "markers",
                     "lat": [p["lat"] for p in ports], "lon": [p["lon"] for p in ports],
                     "text": [f"{p['name']} ({t.gettext(SIZE_LABELS[p['harbor_size']])})"
                              for p in ports],
                     "marker": {"size": 6, "color": "#2e7d32"},
                     "name": t.gettext("Large and medium ports"),
                     "hovertemplate": "%{text}<extra></extra>"})
    geo: dict[str, Any] = {"showframe": False, "showcoastlines": True, "showcountries": True,
                           "countrycolor": "#bbb", "showland": True, "landcolor": "#f2f2f2",
                           "lataxis": {"range": [-58, 84]}, "resolution": 110,
                           "projection": {"type": "natural earth"}}
    known_lats = [x for x in lats if x is not None] + [p["lat"] for p in ports]
    known_lons = [x for x in lons if x is not None] + [p["lon"] for p in ports]
    if known_lons and max(known_lons) - min(known_lons) <= 200:  # zoom unless it spans the globe
        geo["lataxis"] = {"range": [max(-80, min(known_lats) - 10), min(85, max(known_lats) + 10)]}
        geo["lonaxis"] = {"range": [max(-180, min(known_lons) - 15),
                                    min(180, max(known_lons) + 15)]}
        geo["projection"] = {"type": "mercator"}
    return {"data": data,
            "layout": {"height": 420, "margin": {"l": 0, "r": 0, "t": 6, "b": 0},
                       "legend": {"orientation": "h", "y": -0.02}, "geo": geo}}


def ranking_figure(doc: dict[str, Any], lang: str, t: Translator) -> dict[str, Any]:
    rows = doc["rows"][::-1]
    return {"data": [
        {"type": "bar", "orientation": "h", "name": t.gettext("Score (0-100)"),
         "y": [bilingual(r, lang) for r in rows], "x": [r["score"] for r in rows],
         "marker": {"color": "#0b5cad"},
         "hovertemplate": "%{y}: %{x:.1f}<extra></extra>"}],
        "layout": {"height": 120 + 28 * len(rows), "margin": {"l": 10, "r": 20, "t": 10,
                                                              "b": 40},
                   "xaxis": {"range": [0, 100], "title": {"text": t.gettext("Score (0-100)")}},
                   "yaxis": {"automargin": True}}}


def _status(exc: EconsecError) -> int:
    """404 for an unknown name or record, 422 for any other refusal."""
    return 404 if isinstance(exc, (UnknownNameError, NotFoundError)) else 422


def _home(state: WebState, home: str | None) -> str:
    return state.store.resolve_country(home_query(state, home))


def _not_found(request: Request, exc: EconsecError, lang: str, t: Translator,
               status: int = 404) -> Response:
    return render(request, "not_found.html.j2", status_code=status,
                  title=t.gettext("Not found"), message=exc.translate(lang, located=False),
                  back=("/regions", t.gettext("Regions")), charts=False)


@router.get("/regions", response_class=HTMLResponse)
def regions(request: Request, state: State,
            home: Annotated[str | None, Query(max_length=60)] = None) -> Response:
    lang = request_language(request)
    t = translator(lang)
    sea = sea_lanes()
    try:
        home_iso3 = _home(state, home)
    except EconsecError as exc:
        return _not_found(request, exc, lang, t)
    rows = sorted_by_name((c for c in state.store.countries() if c.iso3 != home_iso3), lang,
                          lambda c: bilingual(c, lang))
    ports = {c.iso3: len(sea.ports(c.iso3)) for c in rows}
    return render(request, "regions.html.j2", title=t.gettext("Regions"), rows=rows,
                  ports=ports, home=state.store.country(home_iso3),
                  home_choices=home_choices(state, home_iso3),
                  group_labels=GROUP_LABELS, charts=False)


@router.get("/regions/partners", response_class=HTMLResponse)
def partners(request: Request, state: State,
             hs: Annotated[str | None, Query(max_length=200)] = None,
             item: Annotated[str | None, Query(max_length=100)] = None,
             replace: Annotated[str, Query(max_length=100)] = "CHN",
             home: Annotated[str | None, Query(max_length=60)] = None,
             year: Annotated[str | None, Query(max_length=8)] = None,
             top: Annotated[int, Query(ge=1, le=200)] = 10) -> Response:
    lang = request_language(request)
    t = translator(lang)
    item = (item or "").strip() or None
    hs_text = (hs if hs is not None else ("" if item else DEFAULT_HS)).strip()
    form = {"hs": hs_text, "item": item or "", "replace": replace, "year": year or "",
            "top": top}
    error = None
    doc = None
    status = 200
    try:
        home_iso3 = _home(state, home)
        form["home"] = home_iso3
        year_value: int | None = None
        if year and year.strip():
            if not year.strip().isdigit():
                raise ValidationError("year '%(year)s' is not a number",
                                      params={"year": year})
            year_value = int(year.strip())
        replaced = state.store.resolve_country(replace)
        codes = [c.strip() for c in hs_text.split(",") if c.strip()] if hs_text else None
        doc = plain(partners_document(state, replace=replaced, hs=codes,
                                      item=item if not codes else None, home=home_iso3,
                                      year=year_value, top=top))
    except EconsecError as exc:
        error = exc.translate(lang, located=False)
        status = _status(exc)
        form.setdefault("home", state.home_country)
    items = sorted({p.item_id for p in state.store.commodity_products()})
    return render(request, "region_partners.html.j2", status_code=status,
                  title=t.gettext("Who could replace a supplier"), doc=doc, form=form,
                  error=error, items=items,
                  home_choices=home_choices(state, str(form["home"])),
                  figure=ranking_figure(doc, lang, t) if doc and doc["rows"] else None)


@router.get("/regions/{iso3}", response_class=HTMLResponse)
def region(request: Request, state: State, iso3: str,
           home: Annotated[str | None, Query(max_length=60)] = None) -> Response:
    lang = request_language(request)
    t = translator(lang)
    try:
        home_iso3 = _home(state, home)
        found = state.store.resolve_country(iso3)
        if found != iso3:
            suffix = f"?home={home_iso3}" if home else ""
            return RedirectResponse(f"/regions/{found}{suffix}", status_code=307)
        doc = plain(region_document(state, found, home_iso3))
    except EconsecError as exc:
        return _not_found(request, exc, lang, t, status=_status(exc))
    return render(request, "region.html.j2", title=bilingual(doc, lang), doc=doc,
                  perspectives=PERSPECTIVES, band_labels=BAND_LABELS,
                  relation_labels=RELATION_LABELS, indicator_labels=INDICATOR_LABELS,
                  group_labels=GROUP_LABELS, export_status=EXPORT_STATUS,
                  size_labels=SIZE_LABELS, home_choices=home_choices(state, home_iso3),
                  score_figure=score_figure(doc, t), map_figure=sea_map(doc, lang, t),
                  regions={r["id"]: r for r in doc["supply_chains"]["regions"]})
