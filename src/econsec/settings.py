"""Configuration through ``ECONSEC_`` environment variables.

``ECONSEC_DB`` is a SQLAlchemy URL or a plain file path; the default is the SQLite file
``~/.local/share/econsec/econsec.db`` (``$XDG_DATA_HOME`` is honoured).
``ECONSEC_HOME_COUNTRY``: the home country of analyses and pages (default ``JPN``).
``ECONSEC_BUSY_TIMEOUT``: seconds a write waits for another writer's lock (default 30,
more than 0 and at most 3600); after that it fails with :class:`econsec.errors.BusyError`.
``ECONSEC_LEVEL3_BODIES``: ``1``/``true`` lets cleared readers see the bodies of level-3
(designated) shared items; otherwise only their metadata and tear-line summaries are shown
(default off).
``ECONSEC_SESSION_HOURS`` (default 8) and ``ECONSEC_SESSION_IDLE_MINUTES`` (default 30):
a signed-in session ends this long after sign-in, or after this long without a request.
Limits of the web server on costly requests (docs/deployment.md):
``ECONSEC_COMPUTE_SECONDS`` (default 60): wall-clock budget of one synchronous computation
(an IO shock, an EU CRM assessment, the complexity of an uploaded matrix); past it the
request is answered 503 and the client's slot stays taken until the computation ends.
``ECONSEC_EXPENSIVE_PER_CLIENT`` (default 2) and ``ECONSEC_EXPENSIVE_AT_ONCE`` (default 4):
such computations at once per client address and per server process (more: 429 with
``Retry-After``). ``ECONSEC_COMPLEXITY_MAX_CELLS`` (default 400000): countries × products
of an uploaded export matrix. ``ECONSEC_JOB_SECONDS`` (default 600): wall time of one
scenario run, after which it is stopped.

Read with the standard library (every command reads them: no settings framework is
imported for three variables). Variable names are matched without regard to case.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from econsec.errors import ValidationError

PREFIX = "ECONSEC_"
MAX_BUSY_TIMEOUT = 3600.0


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "econsec" / "econsec.db"


def default_token_file() -> Path:
    """``$ECONSEC_TOKEN_FILE``, else ``$XDG_STATE_HOME/econsec/api-token``
    (``~/.local/state/econsec/api-token``): the server's token for scripts; the audit key and
    head anchors live in the same folder unless ``ECONSEC_AUDIT_DIR`` says otherwise."""
    explicit = os.environ.get("ECONSEC_TOKEN_FILE")
    if explicit:
        return Path(explicit).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "econsec" / "api-token"


def env(name: str) -> str | None:
    """The value of ``ECONSEC_<name>`` (any case), or None."""
    wanted = (PREFIX + name).upper()
    if wanted in os.environ:
        return os.environ[wanted]
    for key, value in os.environ.items():
        if key.upper() == wanted:
            return value
    return None


def _busy_timeout() -> float:
    raw = env("BUSY_TIMEOUT")
    return 30.0 if raw is None or not raw.strip() else _seconds(raw)


def _seconds(raw: str | float) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0 < value <= MAX_BUSY_TIMEOUT):
        raise ValidationError(
            "ECONSEC_BUSY_TIMEOUT must be a number of seconds more than 0 and at most "
            "%(max)s, got '%(value)s'", params={"max": f"{MAX_BUSY_TIMEOUT:g}", "value": raw})
    return value


def _flag(name: str) -> bool:
    raw = (env(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ValidationError("ECONSEC_%(name)s must be 1/true/yes/on or 0/false/no/off, got "
                          "'%(value)s'", params={"name": name, "value": raw})


def _positive(name: str, default: float, most: float) -> float:
    raw = env(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0 < value <= most):
        raise ValidationError("ECONSEC_%(name)s must be a number more than 0 and at most "
                              "%(max)s, got '%(value)s'",
                              params={"name": name, "max": f"{most:g}", "value": raw})
    return value


def _whole(name: str, default: int, most: int) -> int:
    """A whole number from 1 to ``most`` (``ECONSEC_<name>``; ``default`` when unset)."""
    raw = env(name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip()
    if not (text.isdigit() and 1 <= int(text) <= most):
        raise ValidationError("ECONSEC_%(name)s must be a whole number from 1 to %(max)s, got "
                              "'%(value)s'", params={"name": name, "max": most, "value": raw})
    return int(text)


@dataclass
class Settings:
    """The settings: from the environment unless given as arguments."""

    db: str | None = field(default_factory=lambda: env("DB") or None)
    home_country: str = field(default_factory=lambda: env("HOME_COUNTRY") or "JPN")
    #: Seconds a write waits for another writer before giving up with BusyError.
    busy_timeout: float = field(default_factory=_busy_timeout)

    #: Show the bodies of level-3 shared items to cleared readers (off by default).
    level3_bodies: bool = field(default_factory=lambda: _flag("LEVEL3_BODIES"))
    #: Absolute and idle lifetime of a signed-in session.
    session_hours: float = field(default_factory=lambda: _positive("SESSION_HOURS", 8.0, 720))
    session_idle_minutes: float = field(
        default_factory=lambda: _positive("SESSION_IDLE_MINUTES", 30.0, 24 * 60))

    #: Wall-clock seconds of one synchronous costly computation of the web server.
    compute_seconds: float = field(
        default_factory=lambda: _positive("COMPUTE_SECONDS", 60.0, 3600))
    #: Costly computations running at once per client address, and per server process.
    expensive_per_client: int = field(
        default_factory=lambda: _whole("EXPENSIVE_PER_CLIENT", 2, 1000))
    expensive_at_once: int = field(default_factory=lambda: _whole("EXPENSIVE_AT_ONCE", 4, 1000))
    #: Largest countries × products of an export matrix uploaded to the web server.
    complexity_max_cells: int = field(
        default_factory=lambda: _whole("COMPLEXITY_MAX_CELLS", 400_000, 100_000_000))
    #: Wall-clock seconds of one scenario run of the web server.
    job_seconds: float = field(default_factory=lambda: _positive("JOB_SECONDS", 600.0, 86400))

    def __post_init__(self) -> None:
        self.busy_timeout = _seconds(self.busy_timeout)

    def database_url(self, override: str | None = None) -> str:
        """The database URL: ``override`` (``--db``), else ``ECONSEC_DB``, else the default file."""
        return to_database_url(override or self.db or str(default_db_path()))


def to_database_url(value: str) -> str:
    """Turn a plain path into a ``sqlite:///`` URL; leave URLs as they are."""
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())
