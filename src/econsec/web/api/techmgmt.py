"""``/api/v1/tech``: designated technologies, prior-report cases, the leakage self-check, the
trade-secret loss estimate and the economic-security governance self-assessment.

JSON shapes match ``econsec tech … --format json``. Errors are problem details: an unknown
technology or country is a 404 with suggestions, an invalid status move a 422 naming the
allowed moves, a date outside the accepted window (:mod:`econsec.techmgmt.cases`) a 422
whose ``column`` names the member; a case id that cannot exist (2^63 or more) is a 404
like any unknown case. Nothing is stored when a request fails.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.techmgmt.conduct import assess, bundled_conduct
from econsec.techmgmt.selfcheck import bundled_questionnaire, score
from econsec.techmgmt.store import TechStore
from econsec.web.api.common import State, json_response, problem_responses
from econsec.web.auth import acting_name, current_actor, org_scope, require
from econsec.web.techmgmt_service import secret_loss_document

router = APIRouter(prefix="/tech", tags=["technology management"])


class CaseIn(BaseModel):
    """A new transfer case."""

    model_config = ConfigDict(extra="forbid")

    technology: Annotated[str, Field(max_length=200, description="Technology id or name")]
    counterparty: Annotated[str, Field(min_length=1, max_length=500)]
    country: Annotated[str, Field(max_length=200, description="ISO alpha-3 code or name")]
    channel: Literal["subsidiary", "joint-venture", "contract-manufacturing", "licensing"]
    decision_date: date
    note: Annotated[str, Field(max_length=5000)] = ""
    actor: Annotated[str, Field(max_length=200, description=(
        "Who creates the case (single-user local mode only; with user accounts the "
        "signed-in user is recorded and another name is refused)"))] = ""


class MoveIn(BaseModel):
    """A status move with its dated note."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["reported", "in_dialogue", "licence_required", "closed"]
    note: Annotated[str, Field(min_length=1, max_length=5000)]
    on: date | None = None
    actor: Annotated[str, Field(max_length=200, description=(
        "Who moves the case (single-user local mode only; with user accounts the "
        "signed-in user is recorded and another name is refused)"))] = ""


class AnswersIn(BaseModel):
    """Self-check answers: question id -> yes | partly | no | n/a."""

    model_config = ConfigDict(extra="forbid")

    answers: Annotated[dict[Annotated[str, Field(max_length=40)],
                            Literal["yes", "partly", "no", "n/a"]], Field(max_length=500)]


class SecretLossIn(BaseModel):
    """A trade-secret loss estimate: a technology or an industry, the leak's share and years;
    omitted assumptions take their stated defaults."""

    model_config = ConfigDict(extra="forbid")

    technology: Annotated[str | None, Field(max_length=200, description=(
        "Designated technology id or name"))] = None
    industry: Annotated[str | None, Field(max_length=40, description=(
        "Instead of a technology: an ICIO industry such as JPN/C26"))] = None
    share_lost: Annotated[float, Field(description="Market share lost at full catch-up "
                                       "(0 < s ≤ 1)")]
    years: Annotated[int, Field(description="Years counted (1-30)")]
    margin: float | None = None
    discount_rate: float | None = None
    ramp_years: float | None = None
    growth: float | None = None
    market_size: Annotated[float | None, Field(description="Million USD a year")] = None
    segment_share: float | None = None


def case_document(tech: TechStore, case: Any) -> dict[str, Any]:
    """The case with its prior-report decision (as ``econsec tech case show --format json``)."""
    return {**case.as_dict(), "prior_report": tech.assess(case).as_dict()}


@router.get("/technologies", summary="Designated technologies",
            responses=problem_responses(422))
def technologies(state: State, as_of: Annotated[date | None, Query(
        description="What was designated on this date (default: the newest list)")] = None
                 ) -> Response:
    """The technologies whose transfer abroad needs a prior report, with dates and sources."""
    registry = TechStore(state.store).registry()
    found = registry.designated(as_of)
    header = registry.current_list(as_of).as_dict() if found else None
    return json_response({"as_of": as_of.isoformat() if as_of else None, "list": header,
                          "technologies": [d.as_dict() for d in found]})


@router.get("/cases", summary="List transfer cases")
def list_cases(state: State, actor: Actor = Depends(current_actor)) -> Response:
    """Every case of the signed-in user's organisation (single-user mode: every case),
    newest first (without history)."""
    rows = [c.as_dict() for c in TechStore(state.store).cases(org_id=org_scope(actor))]
    for r in rows:
        r.pop("history")
    return json_response({"cases": rows})


@router.post("/cases", status_code=201, summary="Create a transfer case",
             responses=problem_responses(404, 422))
def create_case(body: CaseIn, state: State,
                actor: Actor = require(Action.TRANSFER_CASE)) -> Response:
    """Create a case in status ``draft`` for the signed-in user's organisation; the answer
    includes the prior-report decision."""
    tech = TechStore(state.store)
    case = tech.create_case(technology=body.technology, counterparty=body.counterparty,
                            country=body.country, channel=body.channel,
                            decision_date=body.decision_date,
                            actor=acting_name(actor, body.actor), note=body.note,
                            org_id=None if actor.local else actor.org_id)
    return json_response(case_document(tech, case), status_code=201,
                         headers={"Location": f"/api/v1/tech/cases/{case.id}"})


@router.get("/cases/{case_id}", summary="A transfer case", responses=problem_responses(404))
def get_case(case_id: int, state: State, actor: Actor = Depends(current_actor)) -> Response:
    """The case, its prior-report decision and its dated history (another organisation's
    case is 404, like a missing one)."""
    tech = TechStore(state.store)
    return json_response(case_document(tech, tech.case(case_id, org_id=org_scope(actor))))


@router.post("/cases/{case_id}/move", summary="Move a case to a new status",
             responses=problem_responses(404, 422))
def move_case(case_id: int, body: MoveIn, state: State,
              actor: Actor = require(Action.TRANSFER_CASE)) -> Response:
    """Apply a status move (refused with 422 when the workflow does not allow it; another
    organisation's case is 404)."""
    tech = TechStore(state.store)
    case = tech.move_case(case_id, body.status, note=body.note, on=body.on,
                          actor=acting_name(actor, body.actor), org_id=org_scope(actor))
    return json_response(case_document(tech, case))


@router.get("/selfcheck", summary="The leakage self-check questionnaire")
def questionnaire() -> Response:
    """Areas and questions (en/ja, weights, recommended actions) and the guidance cited."""
    return json_response(bundled_questionnaire().model_dump(mode="json"))


@router.post("/selfcheck", dependencies=[require(Action.ANALYSE)],
             summary="Score self-check answers", responses=problem_responses(422))
def selfcheck(body: AnswersIn) -> Response:
    """Scores per area (0-100), overall score and the prioritised actions."""
    qn = bundled_questionnaire()
    return json_response({"guidance": qn.guidance.model_dump(),
                          **score(body.answers, qn).as_dict()})


@router.post("/secret-loss", dependencies=[require(Action.ANALYSE)],
             summary="Trade-secret loss estimate", responses=problem_responses(404, 422))
async def secret_loss(body: SecretLossIn, state: State) -> Response:
    """Lost share × market × margin over the years (discounted, with the competitor's
    catch-up) and the upstream (Leontief) and downstream (Ghosh) ripple of the lost output
    through the bundled OECD ICIO 2022 table; every assumption with its basis, sources."""
    doc = await run_in_threadpool(secret_loss_document, state, body.model_dump())
    return json_response(doc)


@router.get("/conduct", summary="The governance self-assessment questionnaire")
def conduct_questionnaire() -> Response:
    """Areas, questions (en/ja, weights, actions, the guidance each follows), the 3P
    measures of each area and the sources cited."""
    return json_response(bundled_conduct().model_dump(mode="json"))


@router.post("/conduct-check", dependencies=[require(Action.ANALYSE)],
             summary="Score governance self-assessment answers",
             responses=problem_responses(422))
def conduct_check(body: AnswersIn) -> Response:
    """Overall score, and per area its score, gap, priority (thresholds stated), the
    actions ordered by gap and the recommended measures of the 3P catalogue."""
    return json_response(assess(body.answers).as_dict())
