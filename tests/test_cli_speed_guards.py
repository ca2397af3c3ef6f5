"""Guards for the CLI's start-up cost (not timed tests: the figures are in docs/benchmarks.md).

Every command pays for what ``econsec.cli.app`` imports, so the CLI module must not pull in
the heavy libraries; opening a knowledge base already at the newest schema must not import
Alembic (one read of ``alembic_version`` against the head known from the migration files).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from econsec.kb.engine import MIGRATIONS_DIR, make_engine, migrate
from econsec.kb.migrations import head_revisions
from econsec.kb.store import open_store

HEAVY = {
    "alembic", "babel", "cutlet", "dask", "distributed", "fastapi", "fugashi", "jinja2",
    "numpy", "opencc", "openpyxl", "pandas", "plotly", "polars", "pyarrow", "pycountry",
    "pydantic_settings", "pymrio", "pypinyin", "rapidfuzz", "scipy", "sqlalchemy",
    "starlette", "uvicorn", "yaml",
}


def _loaded_after(code: str) -> list[str]:
    """Top-level packages from HEAVY in ``sys.modules`` after running ``code`` afresh."""
    probe = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r}))))
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cli_module_imports_no_heavy_library() -> None:
    assert _loaded_after("import econsec.cli.app") == []


def test_help_imports_no_heavy_library() -> None:
    code = """
        import contextlib, io
        from econsec.cli.app import app
        for argv in (["--help"], ["tech", "--help"], ["lists", "--help"], ["io", "--help"],
                     ["assess", "--help"], ["screen", "--help"]):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
                app(argv)
    """
    assert _loaded_after(code) == []


def test_head_revision_read_from_files_is_alembics(tmp_path) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert head_revisions() == frozenset(ScriptDirectory.from_config(config).get_heads())


def test_head_revision_of_a_branching_folder(tmp_path) -> None:
    for folder in ("merged", "branched"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.py").write_text('revision = "a"\ndown_revision = None\n')
        (tmp_path / folder / "b.py").write_text(
            'revision: str = "b"\ndown_revision: str | None = "a"\n')
        (tmp_path / folder / "c.py").write_text("revision = 'c'\ndown_revision = 'a'\n")
        (tmp_path / folder / "helper.py").write_text("x = 1\n")
    (tmp_path / "merged" / "m.py").write_text('revision = "m"\ndown_revision = ("b", "c")\n')
    assert head_revisions(tmp_path / "merged") == {"m"}
    assert head_revisions(tmp_path / "branched") == {"b", "c"}


def test_opening_a_current_store_does_not_import_alembic(tmp_path) -> None:
    path = tmp_path / "kb.db"
    open_store(str(path)).close()
    loaded = _loaded_after(f"""
        from econsec.kb.store import open_store
        open_store({str(path)!r}).counts()
    """)
    assert "alembic" not in loaded
    assert "sqlalchemy" in loaded  # the probe did open the store


def test_an_older_schema_is_still_migrated(tmp_path) -> None:
    path = tmp_path / "kb.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, "0001")  # revision 0001: no technology-management tables
    engine.dispose()
    store = open_store(str(path))
    tables = set(inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    store.close()
    assert {"tech_lists", "transfer_cases", "transfer_case_events"} <= tables
    assert {version} == head_revisions()


def test_a_database_without_alembic_version_is_migrated(tmp_path) -> None:
    path = tmp_path / "kb.db"
    create_engine(f"sqlite:///{path}").dispose()
    store = open_store(str(path))
    assert "observations" in inspect(store.engine).get_table_names()
    store.close()


def test_reading_the_store_sets_up_no_orm(tmp_path) -> None:
    """The tables are plain Core tables: no ORM import, no mapper configuration, on reads
    (the declarative models cost about a third of a second per command)."""
    path = tmp_path / "kb.db"
    open_store(str(path)).close()
    code = f"""
        import sys
        from econsec.kb.cached import CachedReads
        from econsec.kb.engine import open_engine
        store = CachedReads(open_engine({str(path)!r}))
        store.items(); store.has_observations(); store.countries()
        assert "sqlalchemy.orm" not in sys.modules, "the ORM was imported"
    """
    assert "sqlalchemy" in _loaded_after(code)


def test_settings_need_no_settings_framework() -> None:
    loaded = _loaded_after("""
        from econsec.settings import Settings
        Settings().database_url()
    """)
    assert "pydantic_settings" not in loaded


def test_resolving_a_country_loads_no_data_set_reader() -> None:
    loaded = _loaded_after("""
        import sys
        from econsec.datasets.countries import normalise
        normalise("Japan")
        assert "econsec.datasets.usgs" not in sys.modules
        assert "econsec.datasets.bundled" not in sys.modules
    """)
    assert "babel" not in loaded


def test_commodity_list_imports_no_numerics_nor_yaml() -> None:
    """``econsec commodities`` reads the store and prints a table: loading the result models
    must not load numpy, the indicators or the document reader (about 0.15 s a command)."""
    code = """
        import econsec.analyses.commodities, econsec.analyses.models, econsec.kb.cached
        import econsec.indicators.common
    """
    assert set(_loaded_after(code)) <= {"sqlalchemy"}


def test_indicator_names_still_import_from_the_package() -> None:
    from econsec import indicators
    from econsec.indicators import RCAResult, hhi, rca

    assert hhi({"a": 0.5, "b": 0.5}) == 0.5
    # The modules whose name is also a function's are the modules, whatever was imported first.
    assert rca.__name__ == "econsec.indicators.rca" and rca.RCAResult is RCAResult
    assert set(indicators.__all__) <= set(dir(indicators))
    assert indicators.import_reliance.__name__ == "econsec.indicators.import_reliance"


def test_screening_settings_use_the_one_settings_reader(monkeypatch, tmp_path) -> None:
    from econsec.screening.index import ScreeningSettings

    monkeypatch.setenv("econsec_screening_db", str(tmp_path / "s.db"))  # any case, as ECONSEC_DB
    monkeypatch.delenv("ECONSEC_SCREENING_DB", raising=False)
    assert ScreeningSettings().index_path() == tmp_path / "s.db"
    assert "pydantic_settings" not in _loaded_after("import econsec.screening.index")
