"""Reader of EU CRM assessment input files (``econsec assess eu-crm --input FILE``).

The file is JSON (see ``docs/eu-crm.md`` for the full format)::

    {"materials": [{"material": "Gallium",
                    "stages": {"P": {"global_supply": [{"country": "CHN", "share": 0.938}],
                                     "eu_sourcing": [{"country": "DEU", "share": 0.3, "t": 0.8}],
                                     "import_reliance": 0.98, "eol_rir": 0.0, "si_sr": 0.95}},
                    "end_uses": [{"sector": "C26", "share": 0.7, "value_added": 76000}],
                    "si_ei": 0.9}],
     "wgi_scaled": {"CHN": 6.3, "DEU": 2.1}}

Countries are ISO 3166 alpha-3 codes or names, resolved by the injected
``resolve_country`` (which raises :class:`~econsec.errors.UnknownCountryError`);
``t`` defaults to 0.8 for EU member states (the EC method's factor for EU sourcing) and to
1.0 for other countries; shares are fractions in [0, 1] (a list may add up to 1.02,
since published shares are rounded); the file's ``wgi_scaled`` (0-10) overrides
``wgi_scaled_default``; a country in neither is an error.

Every problem raises :class:`~econsec.errors.DataFormatError` (malformed: not
JSON, wrong type, missing or unknown field) or
:class:`~econsec.errors.ValidationError` (well-formed but not allowed: a share
above 1, a country without WGI) with ``Location(file=path,
column="materials[0].stages.P.global_supply[2].share")``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Annotated, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from econsec.documents import LineMap, read_document, validation_error
from econsec.errors import (
    DataFormatError,
    Location,
    UnknownCountryError,
    ValidationError,
)
from econsec.indicators.common import SHARE_SUM_TOLERANCE
from econsec.indicators.eu_crm import (
    CountryShare,
    EndUse,
    MaterialAssessment,
    MaterialInput,
    StageInputs,
    assess_materials,
)

__all__ = [
    "EuCrmInputFile",
    "MaterialAssessment",
    "MaterialInput",
    "assess_materials",
    "read_eu_crm_input",
]

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class CountryShareModel(_Model):
    """A country's share (fraction) and trade-related factor t (default: 0.8 for EU
    members, 1.0 otherwise)."""

    country: Annotated[str, Field(min_length=1)]
    share: Fraction
    t: Annotated[float, Field(ge=0.0, le=10.0)] | None = None


class StageModel(_Model):
    """Supply-risk inputs of one stage (E = extraction, P = processing)."""

    global_supply: Annotated[list[CountryShareModel], Field(min_length=1)]
    eu_sourcing: Annotated[list[CountryShareModel], Field(min_length=1)]
    import_reliance: Fraction
    eol_rir: Fraction
    si_sr: Fraction


class EndUseModel(_Model):
    """An end use: NACE sector code, share of use, sector value added (million EUR)."""

    sector: Annotated[str, Field(min_length=1)]
    share: Fraction
    value_added: Annotated[float, Field(ge=0.0)]


class MaterialModel(_Model):
    """One material to assess."""

    material: Annotated[str, Field(min_length=1)]
    stages: Annotated[dict[Literal["E", "P"], StageModel], Field(min_length=1)]
    end_uses: Annotated[list[EndUseModel], Field(min_length=1)]
    si_ei: Fraction
    notes: list[str] = Field(default_factory=list)


class EuCrmInputFile(_Model):
    """The whole input file."""

    notes: list[str] = Field(default_factory=list)
    materials: Annotated[list[MaterialModel], Field(min_length=1)]
    wgi_scaled: dict[str, Annotated[float, Field(ge=0.0, le=10.0)]] = Field(default_factory=dict)


# --------------------------------------------------------------------------- reader


def _load_json(path: Path) -> tuple[object, LineMap]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(
            f"cannot read the file: {exc.strerror or exc}", location=Location(file=str(path))
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8",
            location=Location(file=str(path)),
        ) from None
    return read_document(text, file=str(path), json_format=True)


#: Trade-related factor of EU member states in the EC 2017 methodology.
EU_TRADE_FACTOR = 0.8


def read_eu_crm_input(
    path: Path,
    *,
    wgi_scaled_default: Mapping[str, float],
    resolve_country: Callable[[str], str],
    eu_members: Collection[str] = (),
) -> list[MaterialInput]:
    """Read and check an EU CRM input file; return one :class:`MaterialInput` per material.

    Parameters
    ----------
    path : Path
        JSON file (format in the module docstring and ``docs/eu-crm.md``).
    wgi_scaled_default : mapping of str to float
        Scaled WGI (0-10, 10 = worst) per ISO alpha-3 code, e.g. from the bundled WGI
        table through :func:`econsec.indicators.eu_crm.wgi_scaled`. The file's own
        ``wgi_scaled`` entries override it.
    resolve_country : callable
        Maps a code or name to an ISO alpha-3 code; raises
        :class:`~econsec.errors.UnknownCountryError` for an unknown one.
    eu_members : collection of str
        ISO alpha-3 codes of the EU member states: a share without ``t`` gets 0.8 for
        them and 1.0 for any other country (EC 2017 methodology).

    Returns
    -------
    list of MaterialInput
        Countries resolved to alpha-3; each material's ``wgi_scaled`` holds the
        scaled WGI of the countries it names.

    Raises
    ------
    DataFormatError
        Unreadable file, not JSON, wrong types, missing or unknown fields.
    ValidationError
        Out-of-range values, shares adding up to more than 1.02, a country listed
        twice in one list, a country without a WGI value.
    UnknownCountryError
        A country the resolver does not know (with the file and JSON path).

    All errors carry ``Location(file=str(path), column=<JSON path>)``.
    """
    data, lines = _load_json(path)
    try:
        parsed = EuCrmInputFile.model_validate(data)
    except pydantic.ValidationError as exc:
        raise validation_error(exc, EuCrmInputFile, file=str(path), lines=lines) from None

    file = str(path)

    def where(column: str) -> Location:
        return Location(file=file, column=column)

    def resolve(name: str, column: str) -> str:
        try:
            return resolve_country(name)
        except UnknownCountryError as exc:
            raise UnknownCountryError(exc.name, exc.suggestions, location=where(column)) from None

    wgi: dict[str, float] = {}
    for code, value in wgi_scaled_default.items():
        wgi[code] = float(value)
    seen_in_file: dict[str, str] = {}
    for name, value in parsed.wgi_scaled.items():
        column = f"wgi_scaled.{name}"
        code = resolve(name, column)
        if code in seen_in_file:
            raise ValidationError(
                f"country '{code}' has two WGI values (as '{seen_in_file[code]}' and '{name}')",
                location=where(column),
            )
        seen_in_file[code] = name
        wgi[code] = value

    materials: list[MaterialInput] = []
    for m_index, material in enumerate(parsed.materials):
        m_path = f"materials[{m_index}]"
        used: dict[str, float] = {}
        stages: dict[str, StageInputs] = {}
        for stage_name, stage in material.stages.items():
            s_path = f"{m_path}.stages.{stage_name}"
            lists: dict[str, list[CountryShare]] = {}
            for list_name in ("global_supply", "eu_sourcing"):
                l_path = f"{s_path}.{list_name}"
                records: list[CountryShare] = []
                seen: dict[str, int] = {}
                for i, entry in enumerate(getattr(stage, list_name)):
                    column = f"{l_path}[{i}].country"
                    code = resolve(entry.country, column)
                    if code in seen:
                        raise ValidationError(
                            f"country '{code}' is listed twice (also at {l_path}[{seen[code]}])",
                            location=where(column),
                        )
                    seen[code] = i
                    if code not in wgi:
                        raise ValidationError(
                            f"no scaled WGI value for country '{code}'; add it to "
                            '"wgi_scaled" in the file',
                            location=where(column),
                        )
                    used[code] = wgi[code]
                    t = entry.t if entry.t is not None else (
                        EU_TRADE_FACTOR if code in eu_members else 1.0)
                    records.append(CountryShare(code, entry.share, t))
                _check_sum([r.share for r in records], where(l_path))
                lists[list_name] = records
            stages[stage_name] = StageInputs(
                global_supply=tuple(lists["global_supply"]),
                eu_sourcing=tuple(lists["eu_sourcing"]),
                import_reliance=stage.import_reliance,
                eol_rir=stage.eol_rir,
                si_sr=stage.si_sr,
            )
        end_uses = tuple(EndUse(u.sector, u.share, u.value_added) for u in material.end_uses)
        _check_sum([u.share for u in end_uses], where(f"{m_path}.end_uses"))
        materials.append(
            MaterialInput(
                material=material.material,
                stages={k: stages[k] for k in ("E", "P") if k in stages},
                end_uses=end_uses,
                si_ei=material.si_ei,
                wgi_scaled=used,
            )
        )
    return materials


def _check_sum(shares: list[float], location: Location) -> None:
    total = math.fsum(shares)
    if total > 1.0 + SHARE_SUM_TOLERANCE:
        raise ValidationError(
            f"shares add up to {total:.4g}, more than 1 (up to {1 + SHARE_SUM_TOLERANCE:g} is "
            "accepted because published shares are rounded)",
            location=location,
        )
