"""Configuration through ``ECONSEC_`` environment variables.

``ECONSEC_DB`` is a SQLAlchemy URL or a plain file path; the default is the SQLite file
``~/.local/share/econsec/econsec.db`` (``$XDG_DATA_HOME`` is honoured).
``ECONSEC_HOME_COUNTRY``: the home country of analyses and pages (default ``JPN``).
``ECONSEC_BUSY_TIMEOUT``: seconds a write waits for another writer's lock (default 30,
more than 0 and at most 3600); after that it fails with :class:`econsec.errors.BusyError`.

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


@dataclass
class Settings:
    """The settings: from the environment unless given as arguments."""

    db: str | None = field(default_factory=lambda: env("DB") or None)
    home_country: str = field(default_factory=lambda: env("HOME_COUNTRY") or "JPN")
    #: Seconds a write waits for another writer before giving up with BusyError.
    busy_timeout: float = field(default_factory=_busy_timeout)

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
