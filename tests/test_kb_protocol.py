"""The store implements the read protocol analyses and the web app take (KnowledgeBase).

The assignment ``kb: KnowledgeBase = store`` is checked by mypy (the method signatures must
match); the runtime check makes sure no protocol method is missing on the store.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from econsec.errors import UnknownCountryError
from econsec.kb.cached import CachedReads
from econsec.kb.protocol import KnowledgeBase
from econsec.kb.store import Store, open_store
from econsec.kb.testing import sample_bundle
from econsec.records import Bundle, Country


def _store(tmp_path: Path) -> Store:
    store = open_store(f"sqlite:///{tmp_path / 'kb.db'}")
    store.import_bundle(sample_bundle())
    return store


def test_store_is_a_knowledge_base(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        kb: KnowledgeBase = store  # mypy checks the signatures
        cached: KnowledgeBase = CachedReads(store.engine)
        assert isinstance(kb, KnowledgeBase) and isinstance(cached, KnowledgeBase)
        assert [i.id for i in kb.items()] == [i.id for i in store.items()]


@pytest.mark.parametrize("implementation", [Store, CachedReads])
def test_protocol_signatures_match_the_store(implementation: type[Store]) -> None:
    for name, member in vars(KnowledgeBase).items():
        if name.startswith("_") or not callable(member):
            continue
        wanted = inspect.signature(member)
        found = inspect.signature(getattr(implementation, name))
        assert list(wanted.parameters) == list(found.parameters), name
        for param in wanted.parameters.values():
            assert found.parameters[param.name].default == param.default, (name, param.name)
            assert found.parameters[param.name].kind == param.kind, (name, param.name)


def test_resolve_country_knows_bundled_spellings_and_stored_countries(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        assert store.resolve_country("Korea, Republic of") == "KOR"
        assert store.resolve_country("日本") == "JPN"
        assert store.resolve_country("jp") == "JPN"
        bundle = Bundle(countries=[Country("XZZ", "", "", "Freedonia", "フリードニア")])
        store.import_bundle(bundle)
        assert store.resolve_country("freedonia") == "XZZ"
        assert store.resolve_country("フリードニア") == "XZZ"
        with pytest.raises(UnknownCountryError):
            store.resolve_country("Atlantis")
        with pytest.raises(UnknownCountryError):
            store.resolve_country("World total")


def test_eu_crm_inputs_read_through_the_store(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        inputs = store.eu_crm_inputs()
        assert "Lithium" in inputs.materials()
        assert inputs.global_supply[("Lithium", "E")]
        assert store.eu_crm_names_ja()["Lithium"] == "リチウム"



def test_mypy_accepts_the_store_as_a_knowledge_base(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The type checker's structural check: Store and CachedReads have every protocol
    method with a compatible signature (and a class missing them is refused)."""
    from mypy import api

    sample = tmp_path / "conformance.py"
    sample.write_text(
        "from econsec.kb.cached import CachedReads\n"
        "from econsec.kb.protocol import KnowledgeBase\n"
        "from econsec.kb.store import Store\n\n\n"
        "def conforms(store: Store, cached: CachedReads) -> list[KnowledgeBase]:\n"
        "    return [store, cached]\n\n\n"
        "class Partial:\n"
        "    def items(self) -> list[int]:\n"
        "        return []\n\n\n"
        "bad: KnowledgeBase = Partial()\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("MYPYPATH", str(root / "src"))
    stdout, _stderr, _status = api.run([
        str(sample), "--follow-imports=silent", "--no-error-summary",
        "--cache-dir", str(tmp_path / "cache"), "--config-file", str(root / "pyproject.toml"),
    ])
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "conformance.py:15:" in errors[0], stdout
