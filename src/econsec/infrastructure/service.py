"""What the CLI and the web share: add the optional cable pack, find it again, run the
analysis on a knowledge base (read through its ``sources``, ``countries``,
``electricity_generation`` and ``orbital_launches`` methods).

The pack is copied (its files only, never into the repository or the package) to the packs
folder: ``$ECONSEC_PACKS_DIR``, else ``$XDG_DATA_HOME/econsec/packs``
(``~/.local/share/econsec/packs``), under ``submarine-cables/<hash>/``; the knowledge base
records it as the source :data:`~econsec.datasets.submarine_cables.SOURCE_KEY` whose
``file`` is that folder and whose licence says non-commercial, share-alike. A web server on
another machine than the one that added the pack needs the same folder (see the docs).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from econsec.datasets.datacentres import DataCentre
from econsec.datasets.submarine_cables import (
    PACK_FILES,
    SOURCE_KEY,
    CablePack,
    pack_sha256,
    read_pack,
)
from econsec.errors import EconsecError, UnknownNameError
from econsec.i18n.terms import N_
from econsec.infrastructure.analysis import analyse, pack_status
from econsec.infrastructure.models import InfrastructureResult, PackStatus, SourceRef
from econsec.records import Bundle, Source

#: The data sets besides the pack whose figures the analysis shows.
OTHER_SOURCES = ("ember-generation", "jsr-launches")



class Reads(Protocol):
    """What the analysis reads from the knowledge base."""

    def sources(self, keys: Any = None) -> list[Source]: ...
    def countries(self) -> list[Any]: ...
    def electricity_generation(self, iso3: str) -> list[Any]: ...
    def orbital_launches(self) -> list[Any]: ...
    def import_bundle(self, bundle: Bundle, *, replace: bool = False) -> Any: ...


def packs_dir() -> Path:
    """Where added packs are kept (see the module)."""
    explicit = os.environ.get("ECONSEC_PACKS_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "econsec" / "packs"


def add_pack(store: Reads, folder: Path) -> PackStatus:
    """Check the pack in ``folder``, copy it to the packs folder and record its source."""
    pack = read_pack(Path(folder))  # refuses a malformed pack before anything is copied
    target = packs_dir() / "submarine-cables" / pack.sha256[:16]
    target.mkdir(parents=True, exist_ok=True)
    for name in PACK_FILES:
        if (Path(folder) / name).is_file():
            shutil.copyfile(Path(folder) / name, target / name)
    store.import_bundle(Bundle(sources=[pack.source(str(target))]), replace=True)
    return pack_status(pack, folder=str(target))


@lru_cache(maxsize=4)
def _read(folder: str, sha256: str) -> CablePack:
    return read_pack(Path(folder))


def loaded_pack(store: Reads) -> tuple[CablePack | None, PackStatus]:
    """The pack the knowledge base records (None and why not if none or unreadable)."""
    found = store.sources([SOURCE_KEY])
    if not found:
        return None, pack_status(None)
    folder = found[0].file
    try:
        sha = pack_sha256(Path(folder))
        if sha != found[0].sha256:
            return None, pack_status(None, folder=folder, problem=N_(
                "the recorded pack folder is missing or its files changed: add the pack "
                "again"))
        pack = _read(folder, sha)
    except (OSError, EconsecError):
        return None, pack_status(None, folder=folder, problem=N_(
            "the recorded pack folder cannot be read: add the pack again"))
    return pack, pack_status(pack, folder=folder)


def source_refs(store: Reads, extra: Sequence[str] = ()) -> list[SourceRef]:
    """The sources of the analysis as stored."""
    return [SourceRef(key=s.key, publisher=s.publisher, title=s.title, year=s.year,
                      licence=s.licence, url=s.url)
            for s in store.sources([*OTHER_SOURCES, SOURCE_KEY, *extra])]


def run(store: Reads, *, region: str = "indo-pacific", home: str = "JPN",
        include_planned: bool = True, extra: Sequence[str] = (),
        datacentres: Callable[[], Sequence[tuple[str, DataCentre]]] = lambda: ()
        ) -> InfrastructureResult:
    """The analysis on ``store`` (the pack if one is recorded; ``datacentres`` gives the
    stored data-centre lists as ``(source key, data centre)``)."""
    from econsec.infrastructure.geography import REGIONS

    pack, status = loaded_pack(store)
    if region not in REGIONS:
        raise UnknownNameError(region, sorted(REGIONS))
    members = [*REGIONS[region], *extra]
    names = {c.iso3: (c.name_en, c.name_ja) for c in store.countries()}
    generation = {iso3: store.electricity_generation(iso3) for iso3 in members}
    dcs = list(datacentres())
    return analyse(pack, countries=names, generation=generation,
                   launches=store.orbital_launches(), datacentres=[d for _, d in dcs],
                   sources=source_refs(store, sorted({k for k, _ in dcs})), region=region,
                   home=home, include_planned=include_planned, status=status, extra=extra)
