"""Scenario files, their runs on the ARIO simulator, ensembles and outputs (DESIGN §2, §5).

- :mod:`econsec.scenarios.schema`: the scenario file format (YAML or JSON, pydantic 2) and
  its validation, including against the loaded MRIO (:func:`load_scenario`,
  :func:`parse_scenario`, :func:`check_names`, :func:`build_events`);
- :mod:`econsec.scenarios.runner`: :func:`run_scenario` (with mitigation variants);
- :mod:`econsec.scenarios.ensemble`: :func:`run_ensemble` (parameters drawn from
  distributions, percentile bands);
- :mod:`econsec.scenarios.executors`: serial, process-pool and Dask executors;
- :mod:`econsec.scenarios.outputs`: daily series (Parquet, CSV), JSON summary, HTML chart;
- :mod:`econsec.scenarios.catalogue`: the worked scenarios shipped in ``worked/``.

Pure computation apart from reading scenario files and writing outputs; progress is
reported through a callback ``progress(step, done, total)``.
"""

from econsec.scenarios.catalogue import resolve_scenario, worked_scenarios
from econsec.scenarios.schema import Scenario, load_scenario, parse_scenario

__all__ = [
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "resolve_scenario",
    "worked_scenarios",
]
