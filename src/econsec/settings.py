"""Configuration through pydantic-settings: ``ECONSEC_`` environment variables.

``ECONSEC_DB`` is a SQLAlchemy URL or a plain file path; the default is the SQLite file
``~/.local/share/econsec/econsec.db`` (``$XDG_DATA_HOME`` is honoured).
``ECONSEC_BUSY_TIMEOUT``: seconds a write waits for another writer's lock (default 30);
after that it fails with :class:`econsec.errors.BusyError`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "econsec" / "econsec.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECONSEC_", extra="ignore")

    db: str | None = None
    home_country: str = "JPN"
    #: Seconds a write waits for another writer before giving up with BusyError.
    busy_timeout: float = Field(default=30.0, gt=0, le=3600)

    def database_url(self, override: str | None = None) -> str:
        """The database URL: ``override`` (``--db``), else ``ECONSEC_DB``, else the default file."""
        return to_database_url(override or self.db or str(default_db_path()))


def to_database_url(value: str) -> str:
    """Turn a plain path into a ``sqlite:///`` URL; leave URLs as they are."""
    if "://" in value:
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())
