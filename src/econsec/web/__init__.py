"""The web platform: a JSON API under ``/api/v1`` and bilingual server-rendered pages.

``create_app()`` in :mod:`econsec.web.app` builds the FastAPI application; routers live in
``econsec.web.api`` (JSON) and ``econsec.web.pages`` (HTML) and are listed in
:mod:`econsec.web.registry`, so no router imports the app that includes it.
"""
