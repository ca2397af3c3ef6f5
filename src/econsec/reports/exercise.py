"""The after-action report of a tabletop exercise as a self-contained HTML page (no script,
inline styles) and as PDF (WeasyPrint renders the same HTML; Japanese text needs a CJK font
such as Noto Sans CJK installed, as the Debian package fonts-noto-cjk provides)."""

from __future__ import annotations

from typing import Any

from econsec.i18n.units import unit_text
from econsec.reports.render import render


def render_report(data: dict[str, Any], lang: str) -> str:
    """The report's HTML in ``lang`` (``en`` or ``ja``); ``data``:
    :func:`econsec.exercises.report.report_data`."""
    return render("exercise_report.html.j2", lang, r=data,
                  pick=lambda texts: _pick(texts, lang),
                  unit=lambda value: unit_text(value, lang))


def _pick(texts: Any, lang: str) -> str:
    if not texts:
        return ""
    if isinstance(texts, dict):
        return str(texts.get(lang) or texts.get("en") or "")
    return str(texts)


def report_pdf(html: str) -> bytes:
    """The report's HTML as PDF (A4)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf = HTML(string=html).write_pdf()
    return bytes(pdf or b"")
