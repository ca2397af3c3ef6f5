"""``GET /api/v1/audit`` (the audit log, newest first, filtered) and
``GET /api/v1/audit/verify`` (the check of the whole chain): auditors only
(``audit_read``; 403 otherwise, itself audited). Never cached."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from econsec.access.actions import Action
from econsec.access.actor import Actor
from econsec.audit.log import VerifyResult
from econsec.web.api.common import State, problem_responses
from econsec.web.auth import require
from econsec.web.council import AuditPage, audit_log, audit_page

router = APIRouter(tags=["audit"])

Auditor = Annotated[Actor, require(Action.AUDIT_READ)]


@router.get("/audit", response_model=AuditPage, summary="The audit log",
            responses=problem_responses(401, 403, 422))
def list_audit(
    state: State, _auditor: Auditor,
    actor: Annotated[str | None, Query(max_length=200, description="Only this actor")] = None,
    action: Annotated[str | None, Query(max_length=40, description="Only this action")] = None,
    outcome: Annotated[Literal["ok", "denied", "failed"] | None,
                       Query(description="Only this outcome")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> AuditPage:
    """Records newest first, filtered by actor, action and outcome, with the total."""
    return audit_page(state, actor=actor, action=action, outcome=outcome, limit=limit,
                      offset=offset)


@router.get("/audit/verify", response_model=VerifyResult, summary="Check the audit chain",
            responses=problem_responses(401, 403))
def verify_audit(state: State, _auditor: Auditor) -> VerifyResult:
    """Check every record's hash, link and MAC and the head anchor kept outside the
    database: ``ok`` false names the first broken record and why."""
    return audit_log(state).verify()
