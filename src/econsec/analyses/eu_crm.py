"""EU CRM assessments: of a user's input file, and a screening of the bundled EU 2023 data.

The screening places every material of the EU 2023 study (Grohol & Veeh 2023, Appendices 6
and 7) in the SR × EI matrix with the bundled global-supply and EU-sourcing shares, the
trade factors ``t``, the end-use shares and sector value added, and WGI 2022. The
study's import reliance, end-of-life recycling input rate and substitution indices are not
in the bundled tables, so the screening assumes no end-of-life recycling and no
substitution (EoL-RIR = 0, SI_SR = SI_EI = 1) and, per stage, the import reliance that
maximises SR: SR is linear in IR, ``SR ∝ HHI_EU + IR/2 · (HHI_GS − HHI_EU)``, so IR = 1
where HHI_GS ≥ HHI_EU and IR = 0 otherwise. The result is an upper bound of the score
with the study's real factors. For the published method with those factors use
``econsec assess eu-crm --input FILE``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from econsec.analyses.eu_crm_input import (
    CountryShareModel,
    EndUseModel,
    EuCrmInputFile,
    MaterialModel,
    StageModel,
    read_eu_crm_input,
)
from econsec.analyses.governance import MISSING_WGI, scaled_wgi
from econsec.analyses.models import (
    EuCrmAssessment,
    ExcludedMaterial,
    MaterialResult,
    MatrixPoint,
    MethodRef,
    ScreeningAssumptions,
    ScreeningMatrix,
)
from econsec.datasets.eu_crm import SOURCE_KEY, EuCrmInputs, SupplyShare
from econsec.errors import NotFoundError, UnknownNameError, ValidationError
from econsec.indicators.concentration import governance_weighted_hhi
from econsec.indicators.criticality import criticality_matrix
from econsec.indicators.eu_crm import (
    EI_THRESHOLD,
    SR_THRESHOLD,
    CountryShare,
    EndUse,
    MaterialInput,
    StageInputs,
    assess_material,
    assess_materials,
)
from econsec.kb.protocol import KnowledgeBase
from econsec.suggest import close_matches

SCREENING_NOTE_EN = (
    "Screening of the EU CRM 2023 materials with the bundled supply shares, trade factors, "
    "end uses and WGI 2022, assuming no end-of-life recycling and no substitution "
    "(EoL-RIR = 0, SI = 1) and, per stage, the import reliance (0 or 1) that maximises SR: "
    "an upper bound of the scores with the study's real factors. Thresholds SR 1.0 and EI 2.8."
)
SCREENING_NOTE_JA = (
    "EU重要原材料2023の対象原材料を、同梱の供給シェア・貿易係数・最終用途・WGI 2022で"
    "スクリーニングしたもの。リサイクル投入率0、代替可能性なし（EoL-RIR=0、SI=1）とし、"
    "輸入依存度は段階ごとにSRが最大となる値（0または1）を仮定しているため、実際の係数による"
    "値の上限にあたる。閾値はSR 1.0、EI 2.8。"
)


def assess_eu_crm_file(kb: KnowledgeBase, path: Path, *, name: str | None = None
                       ) -> EuCrmAssessment:
    """SR, EI and criticality of the materials in a user's EU CRM input file (JSON);
    ``name`` is what the result calls the input (default: ``path``)."""
    wgi = scaled_wgi(kb)
    inputs = read_eu_crm_input(path, wgi_scaled_default=wgi, resolve_country=kb.resolve_country,
                               eu_members=set(kb.group_members("EU27")))
    results = assess_materials(inputs)
    return EuCrmAssessment(
        input=str(path) if name is None else name,
        sr_threshold=SR_THRESHOLD,
        ei_threshold=EI_THRESHOLD,
        results=[
            MaterialResult(
                material=r.material, sr=r.sr, sr_stage=r.sr_stage,
                sr_by_stage=dict(r.sr_by_stage), ei=r.ei, critical=r.critical,
                method=MethodRef(**r.method.to_dict()))
            for r in results
        ],
        wgi_source="wgi-2023 (World Bank WGI 2023 update, latest year) unless given in input",
    )


def _shares(rows: list[SupplyShare]) -> list[CountryShare]:
    merged: dict[str, CountryShare] = {}
    for r in rows:
        if r.iso3 is None:
            continue  # "Other" / aggregates: many small suppliers, left out of the HHI
        prev = merged.get(r.iso3)
        share = r.share + (prev.share if prev else 0.0)
        merged[r.iso3] = CountryShare(r.iso3, share, r.t)
    return list(merged.values())


def _worst_import_reliance(
    gs: list[CountryShare], eus: list[CountryShare], wgi: dict[str, float]
) -> float:
    """The IR in {0, 1} that maximises SR (SR is linear in IR): 1 iff HHI_GS ≥ HHI_EU."""

    def weighted(shares: list[CountryShare]) -> float:
        return governance_weighted_hhi(
            {c.country: c.share for c in shares},
            {c.country: wgi.get(c.country, MISSING_WGI) for c in shares},
            {c.country: c.t for c in shares},
        )

    try:
        return 1.0 if weighted(gs) >= weighted(eus) else 0.0
    except ValidationError:  # inconsistent shares: the assessment rejects them with the reason
        return 1.0


#: Stage codes of the EU method, for notes.
STAGE_NAMES = {"E": "extraction", "P": "processing"}
EU_SOURCING_FALLBACK_NOTE = (
    "stage {stage} ({name}): the EU CRM 2023 tables give no EU sourcing shares, so "
    "eu_sourcing repeats global_supply (the method's fallback where EU sourcing is unknown: "
    "HHI_EU = HHI_GS, and import reliance then does not change SR); replace it with the "
    "material's EU sourcing where you know it"
)


def screening_inputs(
    eu: EuCrmInputs, wgi: dict[str, float], notes: dict[str, list[str]] | None = None
) -> tuple[list[MaterialInput], set[str]]:
    """MaterialInputs for every EU 2023 material with supply shares and end uses.

    Where a stage has global supply shares but no EU sourcing shares, global supply stands
    in for EU sourcing (the method's fallback); ``notes`` (material → texts), when given,
    receives a note saying so, and the loaders' warnings about the material."""
    imputed: set[str] = set()
    inputs = []
    for material in eu.materials():
        end_uses = eu.end_uses.get(material)
        stages = {}
        material_notes = list(eu.warnings_for(material))
        for stage in ("E", "P"):
            gs = _shares(eu.global_supply.get((material, stage), []))
            if not gs:
                continue
            eus = _shares(eu.eu_sourcing.get((material, stage), []))
            if not eus:
                eus = gs
                material_notes.append(EU_SOURCING_FALLBACK_NOTE.format(
                    stage=stage, name=STAGE_NAMES[stage]))
            ir = _worst_import_reliance(gs, eus, wgi)
            stages[stage] = StageInputs(gs, eus, import_reliance=ir, eol_rir=0.0, si_sr=1.0)
        uses = tuple(
            EndUse(u.nace, u.share, u.value_added_meur)
            for u in (end_uses or [])
            if u.value_added_meur is not None
        )
        if not stages or not uses:
            continue
        countries = {s.country for st in stages.values()
                     for s in (*st.global_supply, *st.eu_sourcing)}
        material_wgi = {}
        for c in countries:
            if c not in wgi:
                imputed.add(c)
            material_wgi[c] = wgi.get(c, MISSING_WGI)
        inputs.append(MaterialInput(material, stages, uses, si_ei=1.0, wgi_scaled=material_wgi))
        if notes is not None and material_notes:
            notes[material] = material_notes
    return inputs, imputed


def screening_matrix(kb: KnowledgeBase) -> ScreeningMatrix:
    """The SR × EI matrix of the EU 2023 materials under the screening assumptions."""
    inputs, imputed = screening_inputs(kb.eu_crm_inputs(), scaled_wgi(kb))
    names_ja = kb.eu_crm_names_ja()
    results, excluded = [], []
    for material in inputs:
        try:
            results.append(assess_material(material))
        except ValidationError as exc:  # e.g. end-use shares adding up to more than 100 %
            excluded.append(ExcludedMaterial(material=material.material, reason=str(exc)))
    matrix = criticality_matrix([(r.material, r.sr, r.ei) for r in results])
    by_material = {r.material: r for r in results}
    points = [
        MatrixPoint(material=p.item, material_ja=names_ja.get(p.item, p.item),
                    sr=p.sr, ei=p.ei, quadrant=p.quadrant.value,
                    critical=p.quadrant.value == "critical",
                    sr_stage=by_material[p.item].sr_stage)
        for p in matrix.points
    ]
    points.sort(key=lambda p: (-p.critical, -p.sr * p.ei))
    return ScreeningMatrix(
        sr_threshold=matrix.sr_threshold,
        ei_threshold=matrix.ei_threshold,
        assumptions=ScreeningAssumptions(
            import_reliance="0 or 1 per stage, whichever maximises SR",
            eol_rir=0.0, si_sr=1.0, si_ei=1.0, missing_wgi_scaled=MISSING_WGI),
        wgi_imputed=sorted(imputed),
        excluded=excluded,
        note_en=SCREENING_NOTE_EN,
        note_ja=SCREENING_NOTE_JA,
        points=points,
        sources=[SOURCE_KEY, "wgi-2023"],
    )


TEMPLATE_NOTE = (
    "Filled from the bundled EU CRM 2023 tables. import_reliance, eol_rir, si_sr and si_ei "
    "are screening values (IR 0 or 1 per stage, whichever maximises SR; EoL-RIR 0; SI 1), "
    "not the study's: replace them with the material's factsheet values. Each material's "
    "notes say where its data were completed or look doubtful."
)


def eu_crm_template(kb: KnowledgeBase, materials: list[str]) -> EuCrmInputFile:
    """An ``assess eu-crm`` input file for ``materials``, filled from the bundled EU 2023 data.

    Global supply and EU sourcing shares with ``t`` per stage and the end uses with sector
    value added come from the EU CRM 2023 study; ``wgi_scaled`` from WGI 2022. Import
    reliance, end-of-life recycling input rate and the substitution indices are not in the
    bundled tables: they are set to the screening values (IR 0 or 1, whichever maximises SR;
    EoL-RIR 0; SI 1) and must
    be replaced with the study's factsheet values for a faithful assessment. ``notes`` (top
    level and per material) say so, and name a stage whose EU sourcing repeats global supply
    (the method's fallback), rows read once because the table repeats them, and end uses
    whose value added is not that of their sector. ``assess eu-crm`` reads the notes and
    ignores them. The result is the input file's own model (:class:`EuCrmInputFile`).
    """
    eu = kb.eu_crm_inputs()
    known = {m.lower(): m for m in eu.materials()}
    wgi = scaled_wgi(kb)
    material_notes: dict[str, list[str]] = {}
    inputs, _ = screening_inputs(eu, wgi, material_notes)
    by_name = {m.material: m for m in inputs}
    out_materials = []
    countries: set[str] = set()
    for name in materials:
        material = known.get(name.strip().lower())
        if material is None:
            raise UnknownNameError(name, close_matches(name, eu.materials()),
                                   kind="EU CRM material")
        if material not in by_name:
            raise NotFoundError(
                f"the bundled EU CRM 2023 tables lack the supply shares or the end uses of "
                f"{material}: write its input by hand (docs/eu-crm.md)"
            )
        m = by_name[material]
        stages = {}
        for stage, st in m.stages.items():
            stages[stage] = StageModel(
                global_supply=_share_models(st.global_supply),
                eu_sourcing=_share_models(st.eu_sourcing),
                import_reliance=st.import_reliance, eol_rir=st.eol_rir, si_sr=st.si_sr,
            )
            countries |= {c.country for c in (*stages[stage].global_supply,
                                              *stages[stage].eu_sourcing)}
        out_materials.append(MaterialModel(
            material=material,
            stages=stages,  # type: ignore[arg-type]  # keys are the method's "E" and "P"
            end_uses=[EndUseModel(sector=u.sector, share=u.share, value_added=u.value_added)
                      for u in m.end_uses],
            si_ei=m.si_ei,
            notes=material_notes.get(material, []),
        ))
    return EuCrmInputFile(
        notes=[TEMPLATE_NOTE],
        materials=out_materials,
        wgi_scaled={c: round(wgi.get(c, MISSING_WGI), 4) for c in sorted(countries)},
    )


def _share_models(shares: Sequence[CountryShare] | Mapping[str, float]
                  ) -> list[CountryShareModel]:
    rows = ([CountryShare(k, v) for k, v in shares.items()] if isinstance(shares, Mapping)
            else shares)
    return [CountryShareModel(country=c.country, share=round(c.share, 6), t=c.t) for c in rows]
