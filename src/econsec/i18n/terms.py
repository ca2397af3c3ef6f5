"""Domain terms that reach users as data values (a measure, a basis, a quadrant).

Templates translate them with ``_(value)``; listing them here with ``N_`` lets Babel's
extractor find them, so the catalogue test checks their Japanese translations too.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it here."""
    return message


MEASURES = (
    N_("production"),
    N_("refinery"),
    N_("capacity"),
    N_("reserves"),
    N_("imports"),
    N_("exports"),
    N_("consumption"),
    N_("net_import_reliance"),
    N_("import_share"),
)
BASES = (N_("world-total"), N_("reported"))
QUADRANTS = (
    N_("critical"),
    N_("high supply risk"),
    N_("high economic importance"),
    N_("low"),
)

#: Why a shares result uses the reported sum instead of the published world total.
NO_WORLD_TOTAL = N_("no published world total for this series: shares of the reported sum")
WORLD_TOTAL_BELOW_REPORTED = N_(
    "the published world total is below the sum of the reported countries: shares of the "
    "reported sum"
)
