"""A diff people can read: what changed in the bundles, in the words of the format.

    newborn: 事项“出生登记” — 材料 marriage_certificate 增加；承诺时限 5 → 3 个工作日
    newborn: 任务“社会保障卡申领”现在与“医保参保登记”并联办理
    newborn: 减材料 3 → 2

The walk is generic over the data, so every key the format allows is reported: mappings key by
key, lists of entries matched by their id (items, materials, fields, situations, eligibility,
steps, options, after), lists of plain values as sets. On top of that, derived changes: the
order of items (which run in parallel, which wait) and the four reduction figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from configurator.language import graph
from configurator.model import Bundle, Catalogues
from configurator.planning.compiled import Compiled
from configurator.writers.phrases import say

# How list entries are identified, by the key of the list.
ENTRY_KEYS = {"items": "id", "materials": "id", "fields": "id", "situations": "id", "eligibility": "id",
              "steps": "id", "options": "value", "after": "item", "special_stages": "kind", "conditions": "id",
              "field_rules": "id", "departments": "id"}
# Words for keys and list kinds in Chinese (English uses the key itself: _word).
WORDS = {
    "items": "事项", "materials": "材料", "fields": "字段", "departments": "部门", "situations": "情形", "eligibility": "受理条件",
    "steps": "环节", "options": "选项", "after": "先后顺序", "special_stages": "特殊环节",
    "name": "名称", "summary": "说明", "version": "版本", "code": "编码", "service_object": "服务对象",
    "lead_department": "牵头部门", "cooperating_departments": "配合部门", "visits": "到现场次数",
    "delivery": "送达方式", "consultation": "咨询方式", "fallback": "兜底", "department": "办理部门",
    "result": "办理结果", "time_limit": "时限", "promised": "承诺时限", "statutory": "法定时限",
    "fee": "收费", "when": "条件", "require": "条件", "message": "提示", "label": "名称", "help": "说明",
    "type": "类型", "required": "必填", "source": "来源", "shared_from": "共享部门", "channel": "获取方式",
    "produced_by": "产出事项", "form": "形式", "count": "份数", "requirement": "要求", "note": "备注",
    "legal_basis": "设定依据", "owner": "负责方", "kind": "类型", "days": "天数", "reason": "理由",
    "unit": "单位", "minimum": "最小值", "maximum": "最大值", "integer": "只取整数", "window": "兜底窗口",
    "phone": "电话", "material": "目录材料", "field": "目录字段", "sensitive": "敏感信息",
    "conditions": "命名条件", "baseline": "公开数字", "cases": "按情形", "default": "其他情形", "value": "值",
    "allow_none": "允许一项不选", "combined_with": "合并办理", "figures": "数字", "link": "网址", "date": "日期",
    "field_rules": "跨字段规则", "sum": "相加的字段", "equals": "等于", "at_most": "不大于", "at_least": "不小于",
    "less_than": "小于", "greater_than": "大于", "from_situation": "取自情形",
}
DAYS_KEYS = {"promised", "statutory", "time_limit", "days"}
# Keys whose values are ids of other things, said by the thing's name (配合部门 “统计局” 增加, not its id).
REFERENCE_KEYS = frozenset({"lead_department", "cooperating_departments", "department", "shared_from", "materials",
                            "produced_by", "material", "field", "item", "combined_with", "from_situation", "sum"})
NO_NAMES: Mapping[str, str] = MappingProxyType({})
# Sections whose keys say enough on their own ("承诺时限" needs no "时限 —" before it).
SELF_EXPLAINING = {"time_limit"}


@dataclass(frozen=True)
class Change:
    bundle: str
    where: tuple[str, ...]  # e.g. ("事项“出生登记”",)
    what: str               # e.g. "承诺时限 5 → 3 个工作日"
    kind: str               # added | removed | changed | order | figures
    path: tuple[Any, ...] = field(default=())

    def text(self) -> str:
        place = " — ".join(self.where)
        return f"{self.bundle}: {place + ' — ' if place else ''}{self.what}"


def _word(key: Any, lang: str) -> str:
    """A key in words: Chinese from WORDS; in English the key itself ("lead_department" → "lead department")."""
    return str(key).replace("_", " ") if lang == "en" else WORDS.get(str(key), str(key))


def names_in(*versions: Any, catalogues: Catalogues | None = None, lang: str = "zh-CN") -> dict[str, str]:
    """Each id the versions of a bundle may refer to, with its name: the catalogues' departments,
    materials and fields, and the bundle's own items, materials, fields and situations (a material
    taken from the catalogue by its name there; the later version's name where both have one)."""
    names: dict[str, str] = {}
    if catalogues is not None:
        names.update((key, d.name.get(lang)) for key, d in catalogues.departments.items())
        names.update((key, m.name.get(lang)) for key, m in catalogues.materials.items())
        names.update((key, f.label.get(lang)) for key, f in catalogues.fields.items())
    for data, kind in ((d, k) for d in versions if isinstance(d, dict) for k in ("items", "materials", "fields", "situations")):
        for entry in data.get(kind) or ():
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                taken = entry.get("material") or entry.get("field")
                said = _text(entry.get("name") or entry.get("label"), lang) or names.get(str(taken), "")
                if said:
                    names[entry["id"]] = said
    return names


def _named(value: Any, key: Any, names: Mapping[str, str]) -> Any:
    """A reference (or a list of them) by the names of what it refers to; other values as they are."""
    if key not in REFERENCE_KEYS or not names:
        return value
    if isinstance(value, list):
        return [_named(v, key, names) for v in value]
    return {"zh-CN": names[value]} if isinstance(value, str) and value in names else value


def _show(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        if "zh-CN" in value and set(value) <= {"zh-CN", "zh-TW", "en"}:
            return f"“{value.get('en') if lang == 'en' and value.get('en') else value['zh-CN']}”"
        return "{" + ", ".join(f"{k}: {_show(v, lang)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, lang) for v in value) + "]"
    if isinstance(value, bool):
        return say(lang, "yes" if value else "no")
    if value is None:
        return say(lang, "diff.nothing")
    return f"“{value}”" if isinstance(value, str) else str(value)


def _entry_label(entry: dict[str, Any], key: str, kind: str, lang: str, names: Mapping[str, str] = NO_NAMES) -> str:
    identifier = entry.get(key)
    name = entry.get("name") or entry.get("label") or names.get(str(identifier))
    if isinstance(name, dict):
        name = name.get("en") if lang == "en" and name.get("en") else name.get("zh-CN")
    word = _word(kind, lang).removesuffix("s") if lang == "en" else _word(kind, lang)  # one entry: "item", not "items"
    return say(lang, "diff.entry", kind=word, name=name) if name else f"{word} {identifier}"


def diff_data(bundle_id: str, old: Any, new: Any, where: tuple[str, ...] = (), path: tuple[Any, ...] = (),
              lang: str = "zh-CN", names: Mapping[str, str] = NO_NAMES) -> list[Change]:
    """Changes between two versions of (part of) a bundle's data; ids that ``names`` knows (see
    ``names_in``) said by name."""
    if old == new:  # one comparison in C; a save changes one value of a tree of thousands
        return []
    key = path[-1] if path else None
    if isinstance(old, dict) and isinstance(new, dict) and not _is_text(old) and not _is_text(new):
        return _mapping_changes(bundle_id, old, new, where, path, lang, names)
    if isinstance(old, list) and isinstance(new, list) and key in ENTRY_KEYS and \
            all(isinstance(e, dict) for e in old + new):
        return _entry_list_changes(bundle_id, old, new, where, path, lang, names)
    if isinstance(old, list) and isinstance(new, list) and all(not isinstance(v, (dict, list)) for v in old + new):
        return _value_list_changes(bundle_id, old, new, where, path, lang, names)
    unit = say(lang, "diff.days") if key in DAYS_KEYS and isinstance(new, int) and isinstance(old, int) else ""
    before, after = _show(_named(old, key, names), lang), _show(_named(new, key, names), lang)
    return [Change(bundle_id, where, f"{_word(key, lang)} {before}{unit} → {after}{unit}", "changed", path)]


def _mapping_changes(bundle_id: str, old: dict[str, Any], new: dict[str, Any], where: tuple[str, ...],
                     path: tuple[Any, ...], lang: str, names: Mapping[str, str]) -> list[Change]:
    """Keys removed, added, or changed (nested objects one level deeper in ``where``)."""
    changes: list[Change] = []
    for name in list(old) + [k for k in new if k not in old]:
        sub_path = path + (name,)
        if name not in new:
            said = say(lang, "diff.key_removed", what=_word(name, lang), old=_show(_named(old[name], name, names), lang))
            changes.append(Change(bundle_id, where, said, "removed", sub_path))
        elif name not in old:
            said = say(lang, "diff.key_added", what=_word(name, lang), new=_show(_named(new[name], name, names), lang))
            changes.append(Change(bundle_id, where, said, "added", sub_path))
        else:
            nested = isinstance(new[name], dict) and not _is_text(new[name]) and name not in SELF_EXPLAINING
            changes += diff_data(bundle_id, old[name], new[name], where + ((_word(name, lang),) if nested else ()), sub_path,
                                 lang, names)
    return changes


def _entry_list_changes(bundle_id: str, old: list[dict[str, Any]], new: list[dict[str, Any]], where: tuple[str, ...],
                        path: tuple[Any, ...], lang: str, names: Mapping[str, str]) -> list[Change]:
    """A list of entries with ids: renamed, added, removed, changed, and reordered where order means something."""
    key = str(path[-1])
    id_key = ENTRY_KEYS[key]
    after = {e.get(id_key): e for e in new}
    changes, before, renamed = _renamed_entries(bundle_id, {e.get(id_key): e for e in old}, after, where, path, lang)
    for identifier, entry in after.items():
        if identifier not in before:
            said = say(lang, "diff.entry_added", entry=_entry_label(entry, id_key, key, lang, names))
            changes.append(Change(bundle_id, where, said, "added", path + (identifier,)))
    for identifier, entry in before.items():
        if identifier not in after:
            said = say(lang, "diff.entry_removed", entry=_entry_label(entry, id_key, key, lang, names))
            changes.append(Change(bundle_id, where, said, "removed", path + (identifier,)))
        elif identifier not in renamed:
            label = _entry_label(after[identifier], id_key, key, lang, names)
            changes += diff_data(bundle_id, entry, after[identifier], where + (label,), path + (identifier,), lang, names)
    new_ids = {old_id: new_id for new_id, old_id in renamed.items()}
    order_before = [new_ids.get(e.get(id_key), e.get(id_key)) for e in old]
    order_before = [i for i in order_before if i in after]
    order_after = [e.get(id_key) for e in new if e.get(id_key) in before]
    if order_before != order_after and key in ("situations", "steps"):
        said = say(lang, "diff.order", what=_word(key, lang), order=", ".join(names.get(str(i), str(i)) for i in order_after))
        changes.append(Change(bundle_id, where, said, "changed", path))
    return changes


def _renamed_entries(bundle_id: str, before: dict[Any, Any], after: dict[Any, Any], where: tuple[str, ...],
                     path: tuple[Any, ...], lang: str) -> tuple[list[Change], dict[Any, Any], dict[Any, Any]]:
    """An entry whose id changed and nothing else was renamed, not removed and added: the changes
    saying so, ``before`` keyed by the new ids, and new id → old id."""
    key = str(path[-1])
    id_key = ENTRY_KEYS[key]
    changes: list[Change] = []
    renamed: dict[Any, Any] = {}
    for gone in [i for i in before if i not in after]:
        rest = {k: v for k, v in before[gone].items() if k != id_key}
        twin = next((i for i in after if i not in before
                     and {k: v for k, v in after[i].items() if k != id_key} == rest), None)
        if twin is not None:
            label = _entry_label(before[gone], id_key, key, lang)
            changes.append(Change(bundle_id, where + (label,), f"{id_key} {_show(gone, lang)} → {_show(twin, lang)}",
                                  "changed", path + (gone, id_key)))
            before = {(twin if i == gone else i): e for i, e in before.items()}
            renamed[twin] = gone
    return changes, before, renamed


def _value_list_changes(bundle_id: str, old: list[Any], new: list[Any], where: tuple[str, ...], path: tuple[Any, ...],
                        lang: str, names: Mapping[str, str]) -> list[Change]:
    """A list of plain values: what was added and what removed (references by name, in quotes)."""
    key = path[-1] if path else None

    def said(value: Any) -> Any:
        return _show(_named(value, key, names), lang) if key in REFERENCE_KEYS and value in names else value

    changes = [Change(bundle_id, where, say(lang, "diff.value_added", what=_word(key, lang), value=said(value)), "added",
                      path) for value in new if value not in old]
    changes += [Change(bundle_id, where, say(lang, "diff.value_removed", what=_word(key, lang), value=said(value)),
                       "removed", path) for value in old if value not in new]
    return changes


def _is_text(value: dict[str, Any]) -> bool:
    return bool(value) and set(value) <= {"zh-CN", "zh-TW", "en"}


def order_changes(bundle_id: str, old: Bundle, new: Bundle, lang: str = "zh-CN") -> list[Change]:
    """Which items now wait for others, or no longer do (串联 / 并联)."""
    def edges(bundle: Bundle) -> set[tuple[str, str]]:
        return {(e.before, e.after) for e in graph.dependencies(bundle)}

    names = {i.id: i.name.get(lang) for i in (*old.items, *new.items)}
    changes = []
    before, after = edges(old), edges(new)
    present = {i.id for i in old.items} & {i.id for i in new.items}
    for first, second in sorted(after - before):
        if first in present and second in present:
            changes.append(Change(bundle_id, (), say(lang, "diff.serial", first=names[first], second=names[second]), "order"))
    for first, second in sorted(before - after):
        if first in present and second in present:
            changes.append(Change(bundle_id, (), say(lang, "diff.parallel", first=names[first], second=names[second]), "order"))
    return changes


def figure_changes(bundle_id: str, old: Bundle, new: Bundle, old_catalogues: Catalogues,
                   new_catalogues: Catalogues, lang: str = "zh-CN") -> list[Change]:
    from configurator.planning.figures import metrics

    words = {key: say(lang, "diff.figure." + key) for key in ("materials", "steps", "days", "visits")}
    before = metrics(Compiled(old, old_catalogues))["overall"]
    after = metrics(Compiled(new, new_catalogues))["overall"]
    return [Change(bundle_id, (), f"{words[key]} {before[key]['after']} → {after[key]['after']}", "figures")
            for key in words if before[key]["after"] != after[key]["after"]]


@dataclass(frozen=True)
class Version:
    """One version of a workspace: the bundles' data and models, and the catalogues."""

    data: dict[str, Any]
    models: dict[str, Bundle]
    catalogues: Catalogues


def semantic_diff(old: Version, new: Version, lang: str = "zh-CN") -> list[Change]:
    changes: list[Change] = []
    for bundle_id in sorted(set(old.data) | set(new.data)):
        if bundle_id not in old.data:
            changes.append(Change(bundle_id, (), say(lang, "diff.new_bundle"), "added"))
            continue
        if bundle_id not in new.data:
            changes.append(Change(bundle_id, (), say(lang, "diff.removed_bundle"), "removed"))
            continue
        names = names_in(old.data[bundle_id], new.data[bundle_id], catalogues=new.catalogues, lang=lang)
        changes += diff_data(bundle_id, old.data[bundle_id], new.data[bundle_id], lang=lang, names=names)
        if bundle_id in old.models and bundle_id in new.models:
            changes += order_changes(bundle_id, old.models[bundle_id], new.models[bundle_id], lang)
            changes += figure_changes(bundle_id, old.models[bundle_id], new.models[bundle_id],
                                      old.catalogues, new.catalogues, lang)
    return changes


def render(changes: list[Change], output_format: str, lang: str = "zh-CN") -> str:
    if output_format == "json":
        from configurator.jsontext import dump_json

        return dump_json([{"bundle": c.bundle, "where": list(c.where), "change": c.what, "kind": c.kind,
                           "path": [str(p) for p in c.path]} for c in changes])
    if not changes:
        return say(lang, "diff.none") + "\n"
    if output_format == "markdown":
        out = []
        for bundle_id in dict.fromkeys(c.bundle for c in changes):
            out.append(f"### {bundle_id}\n")
            for change in (c for c in changes if c.bundle == bundle_id):
                place = " — ".join(change.where)
                out.append(f"- {say(lang, 'diff.place', place=place) if place else ''}{change.what}")
            out.append("")
        return "\n".join(out)
    return "\n".join(change.text() for change in changes) + "\n"


def message_lines(file: str, old: Any, new: Any, catalogues: Catalogues | None, limit: int,
                  lang: str = "zh-CN") -> list[str]:
    """A commit message's lines for a file's change: what changed, by name (at most ``limit``
    lines, then how many more); none when either version is not a mapping."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return []
    names = names_in(old, new, catalogues=catalogues, lang=lang)
    changes = diff_data(file_in_words(file, new, lang), old, new, lang=lang, names=names)
    # a NUL the text holds (a YAML "\0" escape) would make git refuse the message
    lines = [change.text().replace("\x00", "") for change in changes[:limit]]
    if len(changes) > limit:
        lines.append(say(lang, "diff.more", count=len(changes) - limit))
    return lines


FILE_KINDS = {"bundles": ("一件事", "bundle"), "regions": ("地区", "region"), "calendars": ("日历", "calendar")}
LANGUAGE_KEYS = {"zh-CN": ("", ""), "zh-TW": ("繁體中文", "Traditional Chinese"), "en": ("英文", "English")}


def file_in_words(file: str, data: Any, lang: str = "zh-CN") -> str:
    """A file named as people name it: 一件事“新生儿出生一件事”, 材料目录, 地区“330106”."""
    folder, _, name = file.partition("/")
    stem = name.removesuffix(".yaml")
    if folder == "catalogues":  # 部门目录, the departments catalogue
        return f"{stem} catalogue" if lang == "en" else f"{WORDS.get(stem, stem)}目录"
    kind = FILE_KINDS.get(folder, (folder, folder))[1 if lang == "en" else 0]
    title = _text(data.get("name"), lang) if isinstance(data, dict) and folder == "bundles" else ""
    return say(lang, "diff.entry", kind=kind, name=title or stem)


def place_in_words(file: str, data: Any, path: Sequence[Any], lang: str = "zh-CN") -> str:
    """Where a value of a file sits, named as people name it, not as a YAML path:
    ``bundles/newborn.yaml`` + ``items[birth_registration].time_limit.promised`` →
    一件事“新生儿出生一件事” · 事项“出生登记（户口）” · 承诺时限. ``path`` holds mapping keys and
    ("id", value) steps for entries of a list (workspace/merging's logical paths)."""
    parts = [file_in_words(file, data, lang)]
    node: Any = data
    for position, step in enumerate(path):
        following = path[position + 1] if position + 1 < len(path) else None
        if isinstance(step, tuple):
            entries = node if isinstance(node, list) else []
            list_kind = str(path[position - 1]) if position else ""
            key = ENTRY_KEYS.get(list_kind, "id")
            found = next((e for e in entries if isinstance(e, dict) and str(e.get(key)) == str(step[1])), None)
            parts.append(_entry_label(found, key, list_kind, lang) if found is not None
                         else f"{_word(list_kind, lang)} {step[1]}")
            node = found
            continue
        node = node.get(step) if isinstance(node, dict) else None
        if isinstance(following, tuple):
            continue  # the list is named by its entry: 事项“出生登记”, not 事项 · 事项“出生登记”
        if step in LANGUAGE_KEYS:
            word = LANGUAGE_KEYS[step][1 if lang == "en" else 0]
            if word:
                parts.append(word)
        elif not (step in SELF_EXPLAINING and following is not None):
            parts.append(_word(step, lang))
    return " · ".join(parts)


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get("en") if lang == "en" and value.get("en") else value.get("zh-CN") or "")
    return "" if value is None else str(value)
