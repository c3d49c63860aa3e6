"""Problems name things as the official knows them: the item 出生登记, not ``birth_registration``.

Checks find problems by id, which is what the file says. Before a bundle's problems are shown
anywhere (the admin beside a field, the CLI, the source editor), every id in their parameters that
stands for one named thing of the bundle or its catalogues (an item, a material, a field, a
question, a step, a department) is replaced by that thing's name. An id that names nothing (a typo:
"no item issue_certficate") or that two differently named things share is left as written, and
condition text (the condition language is written with ids) is left alone. The place in the file
(line, column, path) is untouched, so the source editor still points at the id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from configurator.diagnostics import LANGUAGES, Diagnostic
from configurator.model import Bundle, Catalogues, Text

# Parameters that hold condition text or values typed by the official, never a reference to rename.
_VERBATIM = {"condition", "value", "key", "keys", "allowed", "where", "tag", "pattern", "filename",
             "suggestion"}  # "did you mean …" offers what to type in place of a mistyped id
# Codes about the id itself (an id written twice, an id unlike its file name): the id is the point.
_ABOUT_THE_ID = {"E210", "E307"}
_SEPARATORS = re.compile(r"( → |、|, | \+ |＋)")
_QUOTED = re.compile(r"(“)([^“”]+)(”)|(\")([^\"]+)(\")")


def bundle_names(bundle: Bundle, catalogues: Catalogues) -> dict[str, dict[str, str]]:
    """Id → its name in each language, for the ids that name exactly one thing (or one name)."""
    found: dict[str, set[tuple[str, str]]] = {}

    def add(identifier: str, text: Text | None) -> None:
        if text is not None and text.get("zh-CN"):
            found.setdefault(identifier, set()).add((text.get("zh-CN"), text.get("en")))

    for department in catalogues.departments.values():
        add(department.id, department.name)
    for item in bundle.items:
        add(item.id, item.name)
    for step in bundle.steps:
        add(step.id, step.name)
    for situation in bundle.situations:
        add(situation.id, situation.label)
    for material in bundle.materials:
        known = catalogues.materials.get(material.catalogue_id)
        add(material.id, material.name or (known.name if known else None))
    for field in bundle.fields:
        catalogued = catalogues.fields.get(field.catalogue_id)
        add(field.id, field.label or (catalogued.label if catalogued else None))
    unnamed = [c.id for c in bundle.conditions] + [r.id for r in bundle.field_rules] + [r.id for r in bundle.eligibility]
    for identifier in unnamed:
        found.setdefault(identifier, set()).add(("", ""))  # an id that is also a nameless thing's: left as written
    return {identifier: {"zh-CN": names[0][0], "en": names[0][1]}
            for identifier, names in ((i, sorted(n)) for i, n in found.items()) if len(names) == 1 and names[0][0]}


def merged_names(each: Iterable[Mapping[str, Mapping[str, str]]]) -> dict[str, Mapping[str, str]]:
    """The names of several bundles (a region file speaks of many): an id two bundles name
    differently is left as written."""
    merged: dict[str, Mapping[str, str]] = {}
    clashing: set[str] = set()
    for names in each:
        for identifier, name in names.items():
            if merged.setdefault(identifier, name) != name:
                clashing.add(identifier)
    return {identifier: name for identifier, name in merged.items() if identifier not in clashing}


def named(diagnostics: Iterable[Diagnostic], names: Mapping[str, Mapping[str, str]]) -> list[Diagnostic]:
    """The diagnostics with every id parameter that names one thing replaced by its name."""
    return [replace(d, params={key: _value(key, value, names) for key, value in d.params.items()})
            if d.params and d.code not in _ABOUT_THE_ID else d for d in diagnostics]


def _value(key: str, value: Any, names: Mapping[str, Mapping[str, str]]) -> Any:
    if key in _VERBATIM:
        return value
    if isinstance(value, str):
        return _whole(value, names) or value
    if isinstance(value, dict) and set(value) <= set(LANGUAGES) and all(isinstance(v, str) for v in value.values()):
        return {lang: _whole(text, names, lang) or _quoted(text, names, lang) for lang, text in value.items()}
    return value


def _whole(text: str, names: Mapping[str, Mapping[str, str]], lang: str | None = None) -> Any:
    """A value that is an id, or ids joined as a list or a cycle: the names, joined the same way."""
    parts = _SEPARATORS.split(text)
    ids = parts[::2]
    if not ids or not all(part in names for part in ids):
        return None
    if lang is not None:
        return "".join(names[p][lang] if i % 2 == 0 else p for i, p in enumerate(parts))
    return {language: "".join(names[p][language] if i % 2 == 0 else p for i, p in enumerate(parts))
            for language in LANGUAGES}


def _quoted(text: str, names: Mapping[str, Mapping[str, str]], lang: str) -> str:
    """Sentences a check wrote (``problem``): ids in quotes become names."""
    def swap(match: re.Match[str]) -> str:
        opening, inner, closing = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (
            match.group(4), match.group(5), match.group(6))
        return f"{opening}{names[inner][lang]}{closing}" if inner in names else match.group(0)
    return _QUOTED.sub(swap, text)
