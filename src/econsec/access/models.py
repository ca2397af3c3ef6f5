"""What :class:`econsec.access.accounts.Accounts` returns: sign-in results and the
listings of users, organisations and working groups (never a password hash or a TOTP
secret)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class LoginResult(BaseModel):
    """The outcome of a password check. ``reason`` is a message id (the audit log keeps it;
    pages translate it); ``needs_totp``: the password was right and a TOTP code is still
    to be given (:meth:`Accounts.verify_totp`)."""

    ok: bool
    user_id: int | None = None
    needs_totp: bool = False
    reason: str = ""


class UserInfo(BaseModel):
    id: int
    name: str
    display_name: str
    org: str
    roles: list[str]
    clearance_level: int | None
    compartments: list[str]
    clearance_issued: date | None
    clearance_expires: date | None
    clearance_suspended: bool
    groups: list[str]
    expires: date | None
    suspended: bool
    totp: bool
    locked_until: str | None
    created_at: str


class OrgInfo(BaseModel):
    id: int
    name: str
    title: str
    kind: str
    certified_until: date | None
    contract_until: date | None
    users: int
    created_at: str


class GroupInfo(BaseModel):
    id: int
    name: str
    title: str
    members: list[str]
    created_at: str
