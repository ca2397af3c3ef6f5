"""The binary MRIO cache: a table read with pymrio once is read from the cache next time,
and a stale, corrupt or tampered cache file is rebuilt, never trusted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from econsec.io_models import mrio_cache
from econsec.io_models.loaders import PYMRIO_PARAMETERS_FILE, load_mrio


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ECONSEC_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def saved_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import pymrio

    folder = tmp_path_factory.mktemp("mrio") / "test_system"
    io = pymrio.load_test()
    io.calc_all()
    io.save_all(folder)
    return folder


def _same(a, b) -> None:
    for name in ("Z", "Y", "x", "va"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.name, a.regions, a.sectors, a.unit, a.source) == (
        b.name, b.regions, b.sectors, b.unit, b.source)
    assert a.final_demand_categories == b.final_demand_categories


def _files(cache: Path) -> list[Path]:
    return sorted(cache.glob("mrio-*.bin"))


def test_second_load_reads_the_cache(cache: Path, saved_folder: Path) -> None:
    steps: list[str] = []
    first = load_mrio(str(saved_folder), step=steps.append)
    assert steps == [mrio_cache.READING_SOURCE, mrio_cache.SAVING_CACHE]
    assert len(_files(cache)) == 1
    steps.clear()
    second = load_mrio(str(saved_folder), step=steps.append)
    assert steps == [mrio_cache.READING_CACHE]
    _same(first, second)


def test_cached_load_does_not_import_pymrio(cache: Path, saved_folder: Path) -> None:
    load_mrio(str(saved_folder))
    code = ("import sys; from econsec.io_models.loaders import load_mrio; "
            f"m = load_mrio({str(saved_folder)!r}); "
            "print(m.n, 'pymrio' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "ECONSEC_CACHE_DIR": str(cache)}, check=True)
    assert out.stdout.split() == ["48", "False", "False"]


def test_pymrio_test_system_is_cached(cache: Path) -> None:
    first = load_mrio("pymrio:test")
    steps: list[str] = []
    second = load_mrio("pymrio:test", step=steps.append)
    assert steps == [mrio_cache.READING_CACHE]
    _same(first, second)


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0x01])  # in the last array (va): balance holds


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "flipped"])
def test_corrupt_cache_file_is_rebuilt(cache: Path, saved_folder: Path, damage: str) -> None:
    good = load_mrio(str(saved_folder))
    [path] = _files(cache)
    data = path.read_bytes()
    path.write_bytes({"garbage": b"not a cache file" * 100, "truncated": data[: len(data) // 2],
                      "empty": b"", "flipped": _flip_last_byte(data)}[damage])
    steps: list[str] = []
    again = load_mrio(str(saved_folder), step=steps.append)
    assert steps == [mrio_cache.READING_CACHE, mrio_cache.READING_SOURCE,
                     mrio_cache.SAVING_CACHE]
    _same(good, again)
    steps.clear()
    load_mrio(str(saved_folder), step=steps.append)  # rewritten: read from the cache again
    assert steps == [mrio_cache.READING_CACHE]


def test_tampered_cache_with_the_right_key_is_not_trusted(cache: Path,
                                                          saved_folder: Path) -> None:
    good = load_mrio(str(saved_folder))
    [path] = _files(cache)
    from econsec.io_models.loaders import _pymrio_folder, _pymrio_marker

    key = mrio_cache.cache_key(str(saved_folder.resolve()),
                               [*_pymrio_marker(_pymrio_folder()),
                                *mrio_cache.source_files(saved_folder)])
    assert mrio_cache.read_cache(path, key) is not None  # the key the loader uses
    tampered = type(good)(good.name, good.regions, good.sectors, good.Z * 2, good.Y, good.x,
                          good.va, good.unit, good.final_demand_categories, good.source)
    mrio_cache.write_cache(tampered, key, path)
    assert mrio_cache.read_cache(path, key) is None  # unbalanced: refused
    again = load_mrio(str(saved_folder))
    _same(good, again)


def test_changed_source_is_read_again(cache: Path, saved_folder: Path,
                                      tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "copy"
    shutil.copytree(saved_folder, folder)
    load_mrio(str(folder))
    z_file = next(p for p in folder.rglob("Z.*"))
    st = z_file.stat()
    os.utime(z_file, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    steps: list[str] = []
    load_mrio(str(folder), step=steps.append)
    assert mrio_cache.READING_SOURCE in steps
    assert len(_files(cache)) == 1  # one file per table: the stale copy was replaced


def test_cache_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  saved_folder: Path) -> None:
    monkeypatch.setenv("ECONSEC_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    steps: list[str] = []
    load_mrio(str(saved_folder), step=steps.append)
    assert steps == [mrio_cache.READING_SOURCE]
    assert not (tmp_path / "xdg").exists()


def test_unwritable_cache_never_fails_the_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               saved_folder: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("ECONSEC_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    mrio = load_mrio(str(saved_folder))
    assert mrio.n == 48


def test_cache_dir_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ECONSEC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert mrio_cache.cache_dir() == tmp_path / "econsec"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert mrio_cache.cache_dir() == Path.home() / ".cache" / "econsec"


def test_parameters_file_name_is_pymrios() -> None:
    from pymrio.core.constants import DEFAULT_FILE_NAMES

    assert DEFAULT_FILE_NAMES["filepara"] == PYMRIO_PARAMETERS_FILE


def test_no_temporary_files_left(cache: Path, saved_folder: Path) -> None:
    load_mrio(str(saved_folder))
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".bin")] == []
