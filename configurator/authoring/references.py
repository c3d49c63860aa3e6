"""What uses an item, material, field or situation of a bundle, named as a person reads it, and the
edits that delete one entry of a list together with the references that would otherwise dangle."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from configurator.authoring.textedits import DeleteEntry, DeleteKey, Edit, SetValue
from configurator.language import conditions as lang

# What each list holds, for messages: (zh, en).
KINDS = {"items": ("事项", "item"), "materials": ("材料", "material"), "fields": ("字段", "field"),
         "situations": ("情形问题", "situation question"), "steps": ("环节", "step"),
         "eligibility": ("受理条件", "eligibility rule"), "options": ("选项", "option"),
         "after": ("前置事项", "ordering"), "special_stages": ("特殊环节", "special stage"),
         "conditions": ("命名条件", "named condition"), "cases": ("情形", "case"),
         "field_rules": ("跨字段规则", "cross-field rule")}


@dataclass(frozen=True)
class Use:
    path: tuple[Any, ...]
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language == "en" else self.zh


def text_of(raw: Any, language: str = "zh-CN") -> str:
    if isinstance(raw, dict):
        return str(raw.get(language) or raw.get("zh-CN") or "")
    return "" if raw is None else str(raw)


def entry_name(kind: str, entry: Any, language: str = "zh-CN") -> str:
    """How a person names an entry: its name or question, else its id."""
    if not isinstance(entry, dict):
        return str(entry)
    for key in ("name", "label", "message"):
        if entry.get(key):
            return text_of(entry[key], language)
    if kind == "after":
        return str(entry.get("item", ""))
    if kind == "special_stages":
        return str(entry.get("kind", ""))
    return str(entry.get("id") or entry.get("value") or "")


def _conditions(data: dict[str, Any], entry_name: Namer) -> Iterator[tuple[tuple[Any, ...], str, str, str]]:
    """(path, condition, zh owner, en owner) of every condition in the bundle."""
    keys = {"situations": "when", "conditions": "when", "eligibility": "require", "fields": "when", "materials": "when",
            "items": "when", "field_rules": "when"}
    for section, key in keys.items():
        for index, entry in enumerate(data.get(section) or []):
            if isinstance(entry, dict) and isinstance(entry.get(key), str):
                zh, en = KINDS[section]
                name = entry_name(section, entry)
                yield (section, index, key), entry[key], f"{zh}“{name}”的条件", f"the condition of {en} “{name}”"


def _mentions(condition: str, situation: str) -> bool:
    try:
        return any(name.name == situation for name in lang.names(lang.parse(condition)))
    except lang.ConditionSyntaxError:
        return situation in condition


Namer = Callable[[str, Any], str]


def usages(data: dict[str, Any], section: str, entry_id: str, entry_name: Namer = entry_name) -> list[Use]:
    """Everything in the bundle that refers to the entry ``entry_id`` of ``section``; ``entry_name``
    names the entries that refer to it (the admin passes one that knows the catalogues)."""
    if section == "items":
        return _item_uses(data, entry_id, entry_name)
    if section in ("materials", "fields"):
        names = {index: entry_name("items", item) for index, item in enumerate(_items(data))
                 if entry_id in (item.get(section) or [])}
        found = [Use(("items", index, section), f"事项“{name}”需要它", f"item “{name}” needs it") for index, name in names.items()]
        # rules are not rewritten: a sum without one of its fields means something else
        return found + (_field_rule_uses(data, entry_id, entry_name) if section == "fields" else [])
    if section in ("situations", "conditions"):
        return [Use(path, f"{zh}：{condition}", f"{en}: {condition}")
                for path, condition, zh, en in _conditions(data, entry_name) if _mentions(condition, entry_id)]
    return []


def _items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in data.get("items") or [] if isinstance(i, dict)]


def _item_uses(data: dict[str, Any], entry_id: str, entry_name: Namer) -> list[Use]:
    """The steps that handle an item, the materials it produces and the items that come after it."""
    found: list[Use] = []
    for index, step in enumerate(data.get("steps") or []):
        if entry_id in (step.get("items") or []):
            name = entry_name("steps", step)
            found.append(Use(("steps", index, "items"), f"环节“{name}”办理它", f"step “{name}” handles it"))
    for index, material in enumerate(data.get("materials") or []):
        producers = material.get("produced_by")
        if entry_id in ([producers] if isinstance(producers, str) else producers or []):
            name = entry_name("materials", material)
            found.append(Use(("materials", index, "produced_by"), f"材料“{name}”由它产出",
                             f"material “{name}” is produced by it"))
    for index, item in enumerate(_items(data)):
        for position, after in enumerate(item.get("after") or []):
            if after.get("item") == entry_id:
                name = entry_name("items", item)
                found.append(Use(("items", index, "after", position), f"事项“{name}”须在它之后办理",
                                 f"item “{name}” must come after it"))
    return found


def _field_rule_uses(data: dict[str, Any], entry_id: str, entry_name: Namer) -> list[Use]:
    found: list[Use] = []
    for index, rule in enumerate(data.get("field_rules") or []):
        for key in ("field", "sum", "equals", "at_most", "at_least", "less_than", "greater_than"):
            value = rule.get(key) if isinstance(rule, dict) else None
            if value == entry_id or (isinstance(value, list) and entry_id in value):
                name = entry_name("field_rules", rule)
                found.append(Use(("field_rules", index, key), f"跨字段规则“{name}”比较它", f"cross-field rule “{name}” compares it"))
    return found


def delete_edits(data: dict[str, Any], path: tuple[Any, ...]) -> list[Edit]:
    """Delete the list entry at ``path``; for items, materials and fields also take the id out of the
    lists that name it (conditions are not rewritten: the check reports them, nothing is saved)."""
    section, index = path[0], path[-1]
    edits: list[Edit] = []
    if len(path) == 2:
        entry_id = str((data.get(section) or [])[index].get("id", ""))
        emptied_steps: list[int] = []
        for use in usages(data, str(section), entry_id):
            target: Any = data
            for part in use.path:
                target = target[part]
            if isinstance(target, list) and use.path[0] == "steps" and not [v for v in target if v != entry_id]:
                emptied_steps.append(use.path[1])  # a handling step of nothing but this item goes with it
            elif isinstance(target, list) and use.path[-1] in ("items", "materials", "fields"):
                rest = [v for v in target if v != entry_id]
                edits.append(SetValue(use.path, rest) if rest else DeleteKey(use.path))
            elif use.path[-1] == "produced_by":
                rest = [v for v in ([target] if isinstance(target, str) else target) if v != entry_id]
                edits.append(SetValue(use.path, rest[0] if len(rest) == 1 else rest) if rest else DeleteKey(use.path))
        # "after" entries of other items: delete from the last so earlier positions stay right
        afters = [u.path for u in usages(data, str(section), entry_id) if len(u.path) == 4 and u.path[2] == "after"]
        for item_index in sorted({p[1] for p in afters}):
            mine = sorted((p for p in afters if p[1] == item_index), reverse=True)
            if len(mine) == len(data["items"][item_index]["after"]):
                edits.append(DeleteKey(("items", item_index, "after")))
            else:
                edits += [DeleteEntry(p) for p in mine]
        if section == "items":
            edits += [DeleteEntry(("steps", i)) for i in sorted(emptied_steps, reverse=True)]
            edits += _idle_departments(data, index, emptied_steps)
    container: Any = data
    for part in path[:-1]:
        container = container[part]
    # The last entry of a list goes with its key: an empty key would read as null.
    edits.append(DeleteKey(path[:-1]) if len(container) == 1 and len(path) > 2 else DeleteEntry(path))
    return edits


def _idle_departments(data: dict[str, Any], item_index: int, dropped_steps: list[int]) -> list[Edit]:
    """Cooperating departments left with no item and no step once an item goes: take them out too
    (a cooperating department without a duty is an error)."""
    items = [i for n, i in enumerate(data.get("items") or []) if n != item_index]
    steps = [s for n, s in enumerate(data.get("steps") or []) if n not in dropped_steps]
    duties = {i.get("department") for i in items} | {s.get("owner") for s in steps}
    cooperating = list(data.get("cooperating_departments") or [])
    rest = [d for d in cooperating if d in duties]
    if rest == cooperating:
        return []
    return [SetValue(("cooperating_departments",), rest) if rest else DeleteKey(("cooperating_departments",))]
