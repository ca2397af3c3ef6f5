"""Units of measure in the reader's language, composed from a glossary of parts.

A stored unit is a base unit, optionally followed by ``", "`` and the basis it is counted
on (``metric tons, lithium content``; ``thousand metric dry tons, calcined equivalent``).
The base, the basis and, for ``<substance> content``, the substance are translated one by
one (Japanese in ``analyses.po``); a part the glossary does not know (a unit a user
imported) is shown as stored.
"""

from __future__ import annotations

from econsec.i18n import translator


def N_(message: str) -> str:
    """Mark ``message`` for extraction (the catalogue test checks its Japanese)."""
    return message


BASES = frozenset({
    N_("kilograms"), N_("metric tons"), N_("thousand metric tons"),
    N_("million metric tons"), N_("thousand metric dry tons"), N_("million cubic meters"),
    N_("thousand carats"), N_("million carats"), N_("percent"),
    N_("share of import value"),
})
#: Bases of count other than ``<substance> content``.
BASES_OF_COUNT = frozenset({
    N_("arsenic trioxide or equivalent"),
    N_("boron minerals (form as reported by country)"),
    N_("calcined equivalent"),
    N_("gross weight"),
    N_("potassium oxide (K2O) equivalent"),
    N_("rare-earth-oxide equivalent"),
    N_("silicon content of ferrosilicon and silicon metal combined"),
    N_("talc and pyrophyllite (form as reported by country)"),
    N_("usable ore"),
})
SUBSTANCES = frozenset({
    N_("antimony"), N_("beryllium"), N_("bromine"), N_("cobalt"), N_("gold"), N_("iron"),
    N_("lead"), N_("lithium"), N_("manganese"), N_("mercury"), N_("molybdenum"),
    N_("nickel"), N_("niobium"), N_("nitrogen"), N_("palladium"), N_("platinum"),
    N_("recoverable copper"), N_("rhenium"), N_("selenium"), N_("silicon"), N_("silver"),
    N_("strontium"), N_("sulfur"), N_("tantalum"), N_("tellurium"), N_("tin"),
    N_("tungsten"), N_("vanadium"), N_("zinc"),
})
#: Money units of the trade data and the input-output tables (translated whole).
MONEY = frozenset({N_("thousand USD"), N_("million USD"), N_("M USD"),
                   N_("Million USD (current)")})
CONTENT = N_("%(substance)s content")
WITH_BASIS = N_("%(unit)s, %(basis)s")


def unit_text(unit: str | None, lang: str) -> str:
    """``unit`` in ``lang`` (``""`` for none); a unit whose base is not in the glossary as
    stored, a basis outside it as stored."""
    if not unit:
        return ""
    if lang == "en":
        return unit
    gettext = translator(lang).gettext
    if unit in MONEY:
        return gettext(unit)
    base, _, basis = unit.partition(", ")
    if base not in BASES:
        return unit
    shown = gettext(base)
    if not basis:
        return shown
    if basis in BASES_OF_COUNT:
        basis_shown = gettext(basis)
    elif basis.endswith(" content"):
        substance = basis.removesuffix(" content")
        basis_shown = gettext(CONTENT) % {
            "substance": gettext(substance) if substance in SUBSTANCES else substance}
    else:
        basis_shown = basis
    return gettext(WITH_BASIS) % {"unit": shown, "basis": basis_shown}
