"""The admin's gettext catalogues: messages.pot says exactly what the sources say, and English is
complete (every msgid translated, nothing fuzzy or empty, placeholders kept). `make messages`
regenerates the .pot and merges it into the .po files; then translate what this test lists."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.helpers import ROOT

TRANSLATIONS = ROOT / "configurator" / "web" / "translations"
# The keywords `make messages` passes to pybabel extract (-k), beside Babel's defaults.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2), "N_": None}


def keys(catalog: Catalog) -> set[tuple[str | None, object]]:
    return {(m.context, m.id) for m in catalog if m.id}


def extracted() -> Catalog:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / "configurator", method_map, options_map, keywords=KEYWORDS):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read(path: Path) -> Catalog:
    return read_po(BytesIO(path.read_bytes()))


def test_the_template_is_up_to_date_with_the_sources() -> None:
    template = read(TRANSLATIONS / "messages.pot")
    found = keys(extracted())
    missing, stale = found - keys(template), keys(template) - found
    assert not missing and not stale, (f"run `make messages`: messages.pot lacks {sorted(map(str, missing))[:10]} "
                                       f"and still has {sorted(map(str, stale))[:10]}")


def test_english_is_complete() -> None:
    template = read(TRANSLATIONS / "messages.pot")
    english = read(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")
    assert keys(english) == keys(template), "run `make messages` to merge messages.pot into the .po files"
    problems = []
    for message in english:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"{'fuzzy' if message.fuzzy else 'untranslated'}: {message.context or ''} {message.id!r}")
    problems += [f"{message.id!r}: {', '.join(map(str, errors))}" for message, errors in english.check()]
    assert not problems, "\n".join(problems)


def test_chinese_is_the_source_language_and_needs_no_catalogue() -> None:
    """The msgids are the Chinese text (so Chinese works with no compiled catalogue at all)."""
    import re

    template = read(TRANSLATIONS / "messages.pot")
    chinese = [m.id for m in template if m.id and re.search(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]", str(m.id))]
    assert len(chinese) > 0.95 * (len(template) - 1)
    assert not (TRANSLATIONS / "zh_Hans_CN").exists()
