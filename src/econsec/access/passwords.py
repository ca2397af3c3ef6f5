"""Passwords: argon2id hashes (argon2-cffi), a length policy, rehashing when the cost
parameters change. A password is never logged, stored or shown; only its hash is kept.

Cost: argon2-cffi's RFC 9106 *low-memory* profile (argon2id, t=3, m=64 MiB, p=4; about
0.15 s a hash here). ``ECONSEC_PASSWORD_HASH_COST=test`` selects a cheap profile (t=1,
m=1 MiB, p=1) for test suites that create many accounts; never set it on a server. A
stored hash made with other parameters than the current profile's is replaced on the next
successful sign-in (:func:`needs_rehash`).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

from econsec.errors import ValidationError
from econsec.i18n.terms import N_
from econsec.settings import env

MIN_LENGTH = 12
#: Longer input is refused (hashing cost grows with the input).
MAX_LENGTH = 1024

TOO_SHORT = N_("a password needs at least %(min)s characters")
TOO_LONG = N_("a password may have at most %(max)s characters")
BLANK = N_("a password cannot be only spaces")

PROFILES = {
    "rfc9106-low-memory": RFC_9106_LOW_MEMORY,
}
"""Named cost profiles (``ECONSEC_PASSWORD_HASH_COST``); ``test`` is added below."""


@cache
def _hasher(profile: str) -> PasswordHasher:
    if profile == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, hash_len=32,
                              salt_len=16, type=Type.ID)
    return PasswordHasher.from_parameters(PROFILES[profile])


def profile_name() -> str:
    """The configured cost profile (``ECONSEC_PASSWORD_HASH_COST``, default RFC 9106
    low-memory)."""
    raw = (env("PASSWORD_HASH_COST") or "").strip().lower() or "rfc9106-low-memory"
    if raw not in PROFILES and raw != "test":
        raise ValidationError("ECONSEC_PASSWORD_HASH_COST must be rfc9106-low-memory or test, "
                              "got '%(value)s'", params={"value": raw})
    return raw


def hasher() -> PasswordHasher:
    """The argon2id hasher of the configured profile."""
    return _hasher(profile_name())


def check_policy(password: str) -> None:
    """Raise :class:`ValidationError` when ``password`` is too short, too long or blank
    (the message never contains the password)."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(TOO_SHORT, params={"min": MIN_LENGTH})
    if len(password) > MAX_LENGTH:
        raise ValidationError(TOO_LONG, params={"max": MAX_LENGTH})
    if not password.strip():
        raise ValidationError(BLANK)


def hash_password(password: str) -> str:
    """The argon2id hash (``$argon2id$…``) of a password that meets the policy."""
    check_policy(password)
    return hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches the stored hash (constant work whatever the result;
    a malformed stored hash never matches)."""
    try:
        return hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """The stored hash was made with other parameters than the current profile's."""
    try:
        return hasher().check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


@cache
def _dummy(profile: str) -> str:
    return _hasher(profile).hash("econsec-dummy-password-for-timing")


def burn_time(password: str) -> None:
    """Verify ``password`` against a dummy hash of the current profile: an unknown user
    takes as long to refuse as a known one."""
    verify_password(_dummy(profile_name()), password)
