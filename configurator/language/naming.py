"""Problems name things as the official knows them: the item 出生登记, not ``birth_registration``.

Checks find problems by id, which is what the file says. Before a bundle's problems are shown
anywhere (the admin beside a field, the CLI, the source editor), every id in their parameters that
stands for one named thing of the bundle or its catalogues (an item, a material, a field, a
question, a step, a department) is said by that thing's name (``Diagnostic.names``: the words
change, the parameters keep the ids the check found). An id that names nothing (a typo:
"no item issue_certficate") or that two differently named things share is left as written.
Condition text is not renamed here: a check that names a condition says it in words itself
(``describe.in_words``: the sentence, the text as written in brackets). The place in the file
(line, column, path) is untouched, so the source editor still points at the id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from configurator.diagnostics import Diagnostic
from configurator.model import Bundle, Catalogues, Text

# Codes about the id itself (an id written twice, an id unlike its file name): the id is the point.
_ABOUT_THE_ID = {"E210", "E307"}


def catalogue_names(catalogues: Catalogues) -> dict[str, dict[str, str]]:
    """Id → name of the catalogues' departments, materials and fields (what a bundle that failed
    its schema check can still be named by)."""
    named_entries: list[tuple[str, Text]] = [(d.id, d.name) for d in catalogues.departments.values()]
    named_entries += [(m.id, m.name) for m in catalogues.materials.values()]
    found = {identifier: {"zh-CN": name.get("zh-CN"), "en": name.get("en")} for identifier, name in named_entries}
    for field in catalogues.fields.values():
        found.setdefault(field.id, {"zh-CN": field.label.get("zh-CN"), "en": field.label.get("en")})
    return found


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
    """The diagnostics, each rendering its words with these names in place of ids (its parameters
    stay the ids the check found: they are data, and tests and tools compare them)."""
    return [d if d.code in _ABOUT_THE_ID or not d.params else replace(d, names=names) for d in diagnostics]
