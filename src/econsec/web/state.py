"""What every request needs: the knowledge base, the job runner, the settings.

Held on ``app.state.econsec`` by :func:`econsec.web.app.create_app`; routers get it through
the :func:`get_state` dependency (never through a module-level global).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request


@dataclass
class WebState:
    """The store (``econsec.kb.store.Store``), the database URL and shared services."""

    store: Any
    database_url: str
    max_upload_bytes: int = 20 * 1024 * 1024
    services: dict[str, Any] = field(default_factory=dict)


def get_state(request: Request) -> WebState:
    """FastAPI dependency: the application's :class:`WebState`."""
    return request.app.state.econsec
