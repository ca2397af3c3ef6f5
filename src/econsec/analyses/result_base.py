"""The base of the result models and the provenance every result carries.

:mod:`econsec.analyses.models` re-exports these; they live apart so that a result model of
its own module (:mod:`econsec.analyses.trade_models`) can be loaded without building every
other result model (about 50 pydantic classes, a noticeable part of a command's start-up).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AnalysisResult(BaseModel):
    """Base of the result models: frozen (results are cached and shared), no extra keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceInfo(AnalysisResult):
    """A data set a figure came from (:class:`econsec.records.Source`)."""

    key: str
    publisher: str
    title: str
    year: int
    licence: str
    url: str = ""
    file: str = ""
    sha256: str = ""


class MethodRef(AnalysisResult):
    """Which method made a number: name, version and bibliographic reference."""

    name: str
    version: str
    reference: str
