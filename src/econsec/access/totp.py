"""Time-based one-time passwords (RFC 6238; pyotp): 30-second steps, six digits, SHA-1 as
authenticator apps expect, one step of clock drift either way. A code is accepted at most
once: the caller keeps the last step used and passes it back (:func:`matching_step`).
Pure: no storage here."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DIGITS = 6
#: Steps of clock drift accepted either way.
WINDOW = 1
ISSUER = "econsec"


def new_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, name: str) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads (as a QR code or text)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=name, issuer_name=ISSUER)


def step_of(at: datetime) -> int:
    """The RFC 6238 time step of ``at`` (timezone-aware)."""
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """The code of ``secret`` for time step ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, at: datetime, *, last_step: int | None) -> int | None:
    """The time step within the window around ``at`` whose code is ``code`` and that is
    later than ``last_step`` (the step of the last code accepted); None when there is none
    (wrong, stale or replayed code)."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    now = step_of(at)
    found: int | None = None
    for step in range(now - WINDOW, now + WINDOW + 1):
        # every candidate is compared (constant work), the latest match wins
        if hmac.compare_digest(code_at(secret, step), code) and (
                last_step is None or step > last_step):
            found = step
    return found
