"""The bundle schema as forms: for every key the schema allows, the widget that edits it.

Walks ``bundle.schema.json`` (resolving ``$ref``) and gives each object a list of widgets in the
schema's key order. A key whose shape no widget can edit raises ``Unsupported``: the schema-coverage
test walks every path and fails on it, so a key added to the schema cannot go without an editor.
No Flask here: the admin renders these, tests call them directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from configurator.language.schema import load_schema

# What a reference offers to choose from, by where it stands ("[]" marks a list entry).
REF_SOURCES = {
    "fields[].field": "catalogue_fields",
    "materials[].material": "catalogue_materials",
    "materials[].produced_by": "items",
    "items[].fields[]": "fields",
    "items[].materials[]": "materials",
    "items[].after[].item": "items",
    "items[].result.materials[]": "catalogue_materials",
    "steps[].items[]": "items",
    "steps[].owner": "owners",
    "items[].combined_with": "items",
    "fields[].from_situation": "situations",
    "field_rules[].field": "fields",
    "field_rules[].sum[]": "fields",
}

# Labels where the schema's description does not start with a short name.
LABELS = {
    "id": ("一件事 id", "Bundle id"),
    "situations[].id": ("情形 id", "Situation id"),
    "situations[].options[].value": ("选项的值（英文标识）", "Option value"),
    "fields[].options[].value": ("选项的值（英文标识）", "Option value"),
    "fields[].field": ("字段目录中的字段", "Catalogue field"),
    "fields[].type": ("字段类型", "Field type"),
    "materials[].material": ("材料目录中的材料", "Catalogue material"),
    "materials[].requirement": ("要求", "Requirement"),
    "materials[].produced_by": ("产出事项", "Produced by"),
    "items[].after[].item": ("前面的事项", "Item before"),
    "items[].special_stages[].kind": ("环节类型", "Kind"),
    "items[].special_stages[].day_kind": ("天数计法", "Day kind"),
    "steps[].kind": ("环节类型", "Kind"),
    "steps[].owner": ("负责方", "Owner"),
    "fields[].from_situation": ("取自情形问题的回答", "Answer of a situation question"),
}

# English labels where the schema's description has none in parentheses.
_EN = {"id": "Id", "name": "Name", "label": "Label", "value": "Value", "days": "Days", "kind": "Kind"}


class Unsupported(ValueError):
    """A schema shape no widget edits."""


@dataclass(frozen=True)
class Widget:
    key: str
    kind: str  # id text condition ref refs enum enums str version int number bool producers object list varying
    label_zh: str
    label_en: str
    help_zh: str
    required: bool
    pattern: str  # the schema path, e.g. "items[].time_limit.promised"
    source: str = ""  # for ref, refs, producers
    choices: tuple[tuple[str, str, str], ...] = ()  # (value, zh, en) for enum, enums
    children: tuple[Widget, ...] = field(default_factory=tuple)  # for object and list (the entry's widgets)
    minimum: float | None = None
    maximum: float | None = None
    value_kind: str = ""  # for varying: the kind of its plain value and of each case's value (int, enum)

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


def _root() -> dict[str, Any]:
    return load_schema("bundle")


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its ``$ref`` followed (the node's own description wins)."""
    if "$ref" not in node:
        return node
    target = _root()
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    merged = dict(resolve(target))
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    merged["$def"] = node["$ref"].rsplit("/", 1)[-1]
    return merged


def _definition_description(node: dict[str, Any]) -> str:
    definition = node.get("$def")
    return str(_root()["$defs"][definition].get("description", "")) if definition else ""


def _labels(key: str, description: str) -> tuple[str, str]:
    zh = re.split(r"[（：，(]", description, maxsplit=1)[0].strip() or key
    found = re.findall(r"（([A-Za-z][^（）]*)）", description)
    en = found[-1].split(";")[0].split(",")[0].strip() if found else _EN.get(key, key.replace("_", " ").capitalize())
    return zh, en[:1].upper() + en[1:]


def _choices(node: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    description = node.get("description", "") + "，" + _definition_description(node)
    values = node.get("enum") or resolve(node.get("items", {})).get("enum", [])
    out = []
    for value in values:
        match = re.search(rf"(?<![a-z_]){re.escape(value)}\s*([^，,；;\s（(]+)", description)
        out.append((value, match.group(1) if match else value, value.replace("_", " ")))
    return tuple(out)


def widget(key: str, raw: dict[str, Any], required: bool, pattern: str) -> Widget:
    node = resolve(raw)
    zh, en = LABELS.get(pattern) or _labels(key, raw.get("description") or node.get("description", ""))
    common: dict[str, Any] = {"key": key, "label_zh": zh, "label_en": en, "required": required,
                              "help_zh": raw.get("description") or node.get("description", ""), "pattern": pattern,
                              "minimum": node.get("minimum"), "maximum": node.get("maximum")}
    kind_of_def = {"text": "text", "condition": "condition", "department_ref": "ref", "working_days": "int",
                   "delivery": "enums"}
    definition = node.get("$def")
    if "if" in node and "then" in node and "else" in node:  # a value, or {cases: [{when, value}], default}
        return _varying_widget(node, common, pattern)
    if pattern in REF_SOURCES and node.get("type") == ["string", "array"]:
        return Widget(kind="producers", source=REF_SOURCES[pattern], **common)
    if pattern in REF_SOURCES and node.get("type") == "string":
        return Widget(kind="ref", source=REF_SOURCES[pattern], **common)
    if definition == "department_ref":
        return Widget(kind="ref", source="departments", **common)
    if definition == "delivery":
        return Widget(kind="enums", choices=_choices(node), **common)
    if definition in kind_of_def:
        return Widget(kind=kind_of_def[definition], **common)
    if key == "id" and definition == "id" or pattern == "id":
        return Widget(kind="id", **common)
    if "enum" in node:
        return Widget(kind="enum", choices=_choices(node), **common)
    kind = node.get("type")
    if kind == ["integer", "string"]:
        return Widget(kind="version", **common)
    if kind == ["number", "string"]:  # a field rule's limit: a constant, or the id of a field
        return Widget(kind="limit", **common)
    if kind == "array":
        return _list_widget(node, common, pattern)
    if kind == "object":
        return Widget(kind="object", children=object_widgets(node, pattern), **common)
    if kind == "string" and definition is None:
        return Widget(kind="str", **common)
    if kind in ("integer", "number", "boolean"):
        return Widget(kind={"integer": "int", "number": "number", "boolean": "bool"}[kind], **common)
    raise Unsupported(f"{pattern}: no editor for {node.get('type') or definition}")


def _varying_widget(node: dict[str, Any], common: dict[str, Any], pattern: str) -> Widget:
    """A value that may depend on the case: the widget of its plain value, with cases."""
    plain = resolve(node["then"])
    if "enum" in plain:
        return Widget(kind="varying", value_kind="enum", choices=_choices({**plain, "description": common["help_zh"]}), **common)
    if plain.get("type") == "integer":
        return Widget(kind="varying", value_kind="int", **{**common, "minimum": plain.get("minimum"),
                                                            "maximum": plain.get("maximum")})
    raise Unsupported(f"{pattern}: a case-dependent {plain.get('type')}")


def _list_widget(node: dict[str, Any], common: dict[str, Any], pattern: str) -> Widget:
    """A list: of objects (each edited on its own page), of options, or of references to choose."""
    entry = resolve(node["items"])
    if entry.get("type") == "object":
        return Widget(kind="list", children=object_widgets(entry, pattern + "[]"), **common)
    if "enum" in entry:
        return Widget(kind="enums", choices=_choices(node), **common)
    source = REF_SOURCES.get(pattern + "[]") or ("departments" if entry.get("$def") == "department_ref" else "")
    if not source:
        raise Unsupported(f"{pattern}: a list of {entry.get('type')} with nothing to choose from")
    return Widget(kind="refs", source=source, **common)


def object_widgets(node: dict[str, Any], pattern: str) -> tuple[Widget, ...]:
    node = resolve(node)
    required = set(node.get("required", []))
    prefix = pattern + "." if pattern else ""
    properties = node.get("properties", {})
    widgets = {key: widget(key, sub, key in required, prefix + key)
               for key, sub in properties.items() if key != ILLUSTRATIVE}
    if ILLUSTRATIVE in properties:  # its choices are the keys beside it, by their labels
        widgets[ILLUSTRATIVE] = _illustrative_widget(properties[ILLUSTRATIVE], prefix + ILLUSTRATIVE, widgets.values())
    return tuple(widgets[key] for key in properties)


ILLUSTRATIVE = "illustrative"


def _illustrative_widget(raw: dict[str, Any], pattern: str, siblings: Iterable[Widget]) -> Widget:
    """An ``illustrative:`` marker: which of the keys beside it hold illustrative values."""
    zh, en = LABELS.get(pattern) or _labels(ILLUSTRATIVE, raw["description"])
    return Widget(kind="enums", key=ILLUSTRATIVE, label_zh=zh, label_en=en, required=False,
                  help_zh=raw["description"], pattern=pattern,
                  choices=tuple((w.key, w.label_zh, w.label_en) for w in siblings))


def bundle_widgets() -> tuple[Widget, ...]:
    return object_widgets(_root(), "")


def schema_paths(node: dict[str, Any] | None = None, pattern: str = "") -> Iterator[str]:
    """Every key path the schema allows, independent of the widgets (for the coverage test)."""
    node = resolve(node if node is not None else _root())
    for key, sub in node.get("properties", {}).items():
        path = f"{pattern}.{key}" if pattern else key
        yield path
        resolved = resolve(sub)
        if resolved.get("$def") in ("text",):
            continue
        if resolved.get("type") == "object":
            yield from schema_paths(resolved, path)
        elif resolved.get("type") == "array":
            entry = resolve(resolved.get("items", {}))
            if entry.get("type") == "object":
                yield from schema_paths(entry, path + "[]")


def all_widgets(widgets: tuple[Widget, ...] | None = None) -> Iterator[Widget]:
    for found in bundle_widgets() if widgets is None else widgets:
        yield found
        yield from all_widgets(found.children)


def widgets_at(path: tuple[str | int, ...]) -> tuple[Widget, ...]:
    """The widgets of the object at a data path: () is the bundle, ("items", 2) an item,
    ("items", 2, "after", 0) one of its orderings."""
    widgets = bundle_widgets()
    for part in path:
        if isinstance(part, int):
            continue
        found = next((w for w in widgets if w.key == part), None)
        if found is None or found.kind not in ("list", "object"):
            raise KeyError(path)
        widgets = found.children
    return widgets


def list_widget(path: tuple[str | int, ...]) -> Widget:
    """The list widget of a list path like ("items",) or ("situations", 1, "options")."""
    parent = widgets_at(path[:-1])
    found = next((w for w in parent if w.key == path[-1]), None)
    if found is None or found.kind != "list":
        raise KeyError(path)
    return found
