"""Every user-facing string has a Japanese translation (the catalogue is complete)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from econsec.i18n import catalogue, translator
from econsec.reports.criticality import CHART_LABELS

ROOT = Path(__file__).resolve().parents[1]


def extracted_messages() -> set[str]:
    method_map = [
        ("src/econsec/**/templates/**.j2", "jinja2"),
        ("src/econsec/**.py", "python"),
    ]
    options = {"src/econsec/**/templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, options_map=options
    ):
        if isinstance(message, tuple):
            found.update(m for m in message if m)
        elif message:
            found.add(message)
    return found


def test_templates_use_the_translation_layer() -> None:
    messages = extracted_messages()
    assert "Most concentrated supply" in messages
    assert len(messages) > 30


def test_every_message_has_a_japanese_translation() -> None:
    ja = catalogue("ja")
    missing = sorted((extracted_messages() | set(CHART_LABELS)) - set(ja))
    assert not missing, f"missing from locales/ja/LC_MESSAGES/messages.po: {missing}"


def test_locale_formatting() -> None:
    assert translator("ja").percent(0.938) == "93.8%"
    assert translator("en").number(1234567.5, 1) == "1,234,567.5"
    assert translator("ja").gettext("Summary") == "概要"


def test_each_message_is_translated_in_one_catalogue_file_only() -> None:
    from babel.messages.pofile import read_po

    folder = ROOT / "src/econsec/i18n/locales/ja/LC_MESSAGES"
    seen: dict[str, str] = {}
    twice = []
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale="ja"):
                if not message.id:
                    continue
                key = str(message.id)
                if key in seen:
                    twice.append(f"{key!r} in {seen[key]} and {path.name}")
                seen[key] = path.name
    assert not twice, twice


def test_huge_and_infinite_numbers_format_without_error() -> None:
    from econsec.cli.views import _amount

    ja = translator("ja")
    assert ja.number(1.7e308) == "1.7E308"
    assert ja.number(float("inf")) == "∞"
    assert ja.number(1e15) == "1E15"
    assert ja.number(999_999_999_999_999.0, 0) == "999,999,999,999,999"
    assert _amount(1.7e308) == "1.7e+308"
    assert _amount(12_345.0) == "12,345"
