"""Where MRIO tables come from: ``load_mrio(ref)``.

References:

- ``pymrio:test``: pymrio's small fictive test system (``pymrio.load_test()``; not real
  data, for examples and tests);
- a folder pymrio can load (its text or parquet format, ``pymrio.load_all``);
- ``bundled:bea-2023``: the U.S. BEA 2023 summary table (see :mod:`econsec.io_models.bea`);
- ``bundled:icio-2022``: the OECD ICIO 2022 table, 31 regions × 50 industries (see
  :mod:`econsec.io_models.icio`; read through the binary cache).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from econsec.errors import DataFormatError, NotFoundError
from econsec.io_models.mrio import MRIO
from econsec.io_models.mrio_cache import StepCallback, cached, source_files

READING_BUNDLED = "reading the bundled table"


def from_pymrio(io: Any, name: str, *, source: str = "") -> MRIO:
    """An :class:`MRIO` from a pymrio ``IOSystem`` (``calc_all`` is run if ``x`` is missing).

    Value added is pymrio's ``factor_inputs`` total where present, else ``x − 1ᵀZ``.
    """
    if io.Z is None or io.Y is None:
        raise DataFormatError(f"{name}: the pymrio system has no Z or Y")
    if io.x is None:
        io.calc_all()
    regions = tuple(str(r) for r in io.get_regions())
    sectors = tuple(str(s) for s in io.get_sectors())
    categories = tuple(str(c) for c in io.get_Y_categories())
    Z = np.ascontiguousarray(io.Z.to_numpy(dtype=float))
    Y = np.ascontiguousarray(io.Y.to_numpy(dtype=float))
    x = np.ascontiguousarray(io.x.to_numpy(dtype=float).ravel())
    va = x - Z.sum(axis=0)
    unit = ""
    if getattr(io, "unit", None) is not None and len(io.unit):
        unit = str(io.unit.iloc[0, 0])
    return MRIO(name, regions, sectors, Z, Y, x, va, unit, categories, source)


#: The parameters file of a folder saved with pymrio's ``IOSystem.save_all`` (pymrio's
#: ``DEFAULT_FILE_NAMES["filepara"]``, named here so that checking a folder needs no pymrio).
PYMRIO_PARAMETERS_FILE = "file_parameters.json"


def load_mrio(ref: str, *, step: StepCallback | None = None) -> MRIO:
    """Load the MRIO named by ``ref`` (see the module docstring) and validate it.

    Tables read with pymrio (``pymrio:test`` and folders) come from the binary cache of
    :mod:`econsec.io_models.mrio_cache` when it holds a copy for the current files;
    ``step(name)`` is called with the name of each loading step."""
    if ref == "pymrio:test":
        folder = _pymrio_folder()
        return cached(ref, [*_pymrio_marker(folder), *source_files(folder / "mrio_models" /
                                                                   "test_mrio")],
                      _load_pymrio_test, step=step)
    if ref.startswith("bundled:"):
        from econsec.io_models.bea import BUNDLED, load_bundled_table

        key = ref.split(":", 1)[1]
        if key not in BUNDLED:
            raise NotFoundError(f"unknown bundled table '{key}'; known: {', '.join(BUNDLED)}")
        if key == "icio-2022":
            from econsec.io_models.icio import load_icio_2022

            return load_icio_2022(step=step)
        if step is not None:
            step(READING_BUNDLED)
        return load_bundled_table(key)
    path = Path(ref).expanduser()
    if not path.exists():
        raise NotFoundError(
            f"MRIO '{ref}' not found: give pymrio:test, bundled:bea-2023, bundled:icio-2022 or "
            "a folder pymrio can load"
        )
    para = PYMRIO_PARAMETERS_FILE
    if path.is_dir() and not (path / para).is_file():
        raise DataFormatError(f"MRIO '{ref}' is a folder but not a saved pymrio system (no "
                              f"{para} in it); save one with pymrio's IOSystem.save_all")
    if path.is_file() and path.suffix.lower() != ".zip":
        raise DataFormatError(f"MRIO '{ref}' is a file, not a pymrio folder or .zip archive")
    return cached(str(path.resolve()), [*_pymrio_marker(_pymrio_folder()),
                                        *source_files(path)],
                  lambda: _load_pymrio_path(path), step=step)


def _pymrio_folder() -> Path:
    """The installed pymrio package's folder, found without importing pymrio."""
    spec = importlib.util.find_spec("pymrio")
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError("pymrio is not installed: tables in its formats need it")
    return Path(next(iter(spec.submodule_search_locations)))


def _pymrio_marker(folder: Path) -> list[Path]:
    """Files whose size and time change when pymrio is upgraded (part of the cache key)."""
    return [p for p in (folder / "__init__.py", folder / "core" / "fileio.py") if p.is_file()]


def _load_pymrio_test() -> MRIO:
    import pymrio

    return from_pymrio(pymrio.load_test(), "pymrio test system",
                       source="pymrio.load_test() (fictive)").validate()


def _load_pymrio_path(path: Path) -> MRIO:
    import pymrio

    try:
        io = pymrio.load_all(path)
    except Exception as exc:  # pymrio raises many kinds; say which folder failed and why
        raise DataFormatError(f"pymrio cannot load '{path}': {exc}") from exc
    return from_pymrio(io, path.name, source=str(path)).validate()
