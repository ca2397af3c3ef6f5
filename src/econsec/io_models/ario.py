"""Dynamic ARIO-type simulator (DESIGN §4 "Dynamic") that reproduces BoARIO 0.7.2.

The public entry: :func:`simulate` runs events and mitigations on an MRIO with
:class:`ARIOParams` and returns a :class:`SimulationResult`. The events are compiled into
daily schedules by :mod:`econsec.io_models.ario_schedule`, the loop and its maths are
:mod:`econsec.io_models.ario_loop`, the result :mod:`econsec.io_models.ario_result`.
"""

from __future__ import annotations

from econsec.io_models.ario_loop import simulate
from econsec.io_models.ario_params import ARIOParams
from econsec.io_models.ario_result import SimulationResult

__all__ = ["ARIOParams", "SimulationResult", "simulate"]
