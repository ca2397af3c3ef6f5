"""One fold for looking names up (econsec.suggest.fold_name), used by every lookup.

Items in the knowledge base and designated technologies are found by the same key; the
country spellings and the screening build on the shared steps (strip_diacritics,
fold_text) instead of copies of them.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from econsec.kb.store import open_store
from econsec.kb.testing import sample_bundle
from econsec.screening import names
from econsec.suggest import fold_name, fold_text, strip_diacritics
from econsec.techmgmt.registry import Registry, bundled_list

#: the module (the package exports a function of the same name)
countries = importlib.import_module("econsec.datasets.countries")


def test_fold_name_ignores_case_width_and_separators() -> None:
    keys = {fold_name(n) for n in ("Rare earths", "rare-earths", "ＲＡＲＥ　ＥＡＲＴＨＳ",
                                    "rare_earths", "Rare–Earths")}
    assert keys == {"rareearths"}
    assert fold_name("レア・アース") == "レアアース"
    assert fold_text("ＡＢＣ Ｄ") == "abc d"
    assert strip_diacritics("Satō Åland") == "Sato Aland"


def test_items_and_technologies_are_found_by_the_same_key(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'kb.db'}") as store:
        store.import_bundle(sample_bundle())
        item = store.items()[0]
        wide = item.name_en.upper().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
        assert store.find_item(wide).id == item.id
    tech = bundled_list().technologies[0]
    registry = Registry([bundled_list()])
    wide = tech.name_en.upper().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert registry.resolve(wide).id == tech.id  # full-width: the old copy did no NFKC
    assert registry.resolve(tech.id.replace("-", " ")).id == tech.id


def test_no_copies_of_the_shared_steps() -> None:
    assert "def strip_diacritics" not in inspect.getsource(names)
    assert "unicodedata" not in inspect.getsource(countries)
    assert names.strip_diacritics is strip_diacritics
    assert countries.normalise("  Côte  d’Ivoire ") == "cote d'ivoire"
