"""What every request needs: the knowledge base, the job runner, the settings.

Held on ``app.state.econsec`` by :func:`econsec.web.app.create_app`; routers get it through
the :func:`get_state` dependency (never through a module-level global).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from econsec.web.security import HostPolicy, new_token

MB = 1024 * 1024


@dataclass
class WebState:
    """The store (``econsec.kb.store.Store``), the database URL, shared services and the
    request limits and checks of :mod:`econsec.web.security`."""

    store: Any
    database_url: str
    #: Limit of a ``multipart/form-data`` upload (data files, entity lists).
    max_upload_bytes: int = 50 * MB
    #: Limit of any other request body (JSON, YAML, form fields).
    max_body_bytes: int = 1 * MB
    services: dict[str, Any] = field(default_factory=dict)
    #: The token state-changing requests must carry (header ``X-CSRF-Token`` or form field
    #: ``csrf_token``); pages show it in ``<meta name="csrf-token">``.
    csrf_token: str = field(default_factory=new_token)
    #: The ``Host`` values the server answers.
    host_policy: HostPolicy = field(default_factory=HostPolicy)


def get_state(request: Request) -> WebState:
    """FastAPI dependency: the application's :class:`WebState`."""
    return request.app.state.econsec
