"""The worked scenarios shipped with econsec (``scenarios/worked/*.yaml``).

A scenario reference is a file path or ``worked:<name>`` (the file name without
``.yaml``); a bare name that is not a file but is a worked scenario is accepted too.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from econsec.documents import read_yaml
from econsec.errors import NotFoundError
from econsec.suggest import close_matches

WORKED_PACKAGE = "econsec.scenarios"


def _worked_dir() -> Path:
    return Path(str(resources.files(WORKED_PACKAGE).joinpath("worked")))


def _read(path: Path) -> dict[str, Any]:
    """A worked scenario file as data (the one bounded reader: a key given twice is refused
    at its line, as in any scenario)."""
    data, _lines = read_yaml(path.read_text(encoding="utf-8"), file=path.name)
    return data if isinstance(data, dict) else {}


def worked_scenarios() -> list[dict[str, Any]]:
    """The worked scenarios: ``[{name, ref, title, mrio, description, path}]`` by name."""
    out = []
    for path in sorted(_worked_dir().glob("*.yaml")):
        doc = _read(path)
        out.append({
            "name": path.stem,
            "ref": f"worked:{path.stem}",
            "title": doc.get("name", ""),
            "mrio": doc.get("mrio", ""),
            "description": " ".join(str(doc.get("description", "")).split()),
            "path": str(path),
        })
    return out


def worked_texts() -> list[str]:
    """The English texts of the worked scenarios a page shows (titles and notes, as the
    scenario files write them): the page looks up their translations in the catalogue."""
    out: list[str] = []
    for path in sorted(_worked_dir().glob("*.yaml")):
        doc = _read(path)
        out.append(str(doc.get("name", "")))
        out.extend(str(note) for note in doc.get("notes") or ())
    return [text for text in out if text]


def resolve_scenario(ref: str | Path) -> Path:
    """The file of a scenario reference: a path, ``worked:<name>`` or a worked name."""
    text = str(ref)
    if not text.startswith("worked:") and Path(text).exists():
        return Path(text)
    name = text.removeprefix("worked:")
    path = _worked_dir() / f"{name}.yaml"
    if path.exists():
        return path
    names = [w["name"] for w in worked_scenarios()]
    if text.startswith("worked:"):
        near = close_matches(name, names)
        hint = f"; did you mean: {', '.join(near)}?" if near else ""
        raise NotFoundError(f"no worked scenario '{name}'{hint} (known: {', '.join(names)})")
    raise NotFoundError(f"scenario file '{text}' not found (worked scenarios: "
                        f"{', '.join('worked:' + n for n in names)})")
