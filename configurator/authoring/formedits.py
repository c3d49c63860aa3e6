"""What a form posted → the edits of the bundle text. No Flask: the admin calls these, tests call them directly."""

from __future__ import annotations

from typing import Any

from configurator.authoring.textedits import DeleteKey, Edit, SetValue
from configurator.language.loader import load_yaml


def parse_after(text: str) -> list[dict[str, str]]:
    """"item_id：reason" lines (either colon) → after entries."""
    entries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        item, _, reason = line.replace("：", ":").partition(":")
        entries.append({"item": item.strip(), "reason": reason.strip()})
    return entries


# Where a diagnostic's path points in the item form.
ITEM_PATHS = {("name",): "name", ("code",): "code", ("department",): "department",
              ("time_limit", "promised"): "promised", ("time_limit", "statutory"): "statutory",
              ("time_limit",): "promised", ("visits",): "visits", ("steps",): "steps", ("when",): "when",
              ("fields",): "fields", ("materials",): "materials", ("after",): "after"}



MATERIAL_PATHS: dict[tuple[str, ...], str] = {(key,): key for key in ("id", "material", "name", "source", "shared_from", "produced_by",
                                          "form", "count", "requirement", "when")}





# Sections edited in simple forms: per entry, the keys shown and how each is typed.
# kind: text (a Text value, zh-CN edited), str, int, bool, condition, select:<source>, multi:<source>
SECTIONS: dict[str, dict[str, Any]] = {
    "identity": {"title": "基本信息和部门", "single": True, "keys": [
        ("name", "名称", "text"), ("summary", "一句话说明", "text"), ("version", "版本", "str"),
        ("lead_department", "牵头部门", "select:departments"),
        ("cooperating_departments", "配合部门", "multi:departments"), ("visits", "整件事到现场次数", "int")]},
    "situations": {"title": "情形问题", "keys": [
        ("label", "问题", "text"), ("help", "说明", "text"), ("when", "何时问（条件）", "condition")],
        "new": [("id", "id", "str"), ("label", "问题", "text"),
                ("type", "回答类型（boolean / number / date；单选多选请在源文件中写选项）", "str")]},
    "eligibility": {"title": "受理条件", "keys": [
        ("require", "必须成立的条件", "condition"), ("message", "不成立时告诉申请人", "text")],
        "new": [("id", "id", "str"), ("require", "必须成立的条件", "condition"), ("message", "不成立时告诉申请人", "text")]},
    "fields": {"title": "一表申请的字段", "keys": [
        ("label", "名称", "text"), ("required", "必填", "bool"), ("when", "何时填写（条件）", "condition")],
        "new": [("id", "id", "str"), ("field", "字段目录中的 id", "select:fields"), ("label", "名称", "text")]},
}


def section_value(raw: Any, kind: str) -> str | list[str] | bool:
    if kind == "text":
        return raw.get("zh-CN", "") if isinstance(raw, dict) else ("" if raw is None else str(raw))
    if kind == "bool":
        return raw is not False
    if kind.startswith("multi:"):
        return list(raw or [])
    return "" if raw is None else str(raw)


def section_edit(path: tuple[Any, ...], kind: str, submitted: Any, current: Any) -> Edit | None:
    """The edit for one submitted value, or None when it did not change."""
    if kind == "text" and isinstance(current, dict):
        path, current = path + ("zh-CN",), current.get("zh-CN")
    if kind == "bool":
        value: Any = bool(submitted)
        return None if (current is not False) == value else (DeleteKey(path) if value else SetValue(path, False))
    if kind == "int":
        text = str(submitted).strip()
        if text == "":
            return None if current is None else DeleteKey(path)
        value = int(text) if text.lstrip("-").isdigit() else text
        return None if value == current else SetValue(path, value)
    if kind.startswith("multi:"):
        value = list(submitted)
        return None if value == list(current or []) else set_or_delete(path, value)
    value = str(submitted).strip()
    if kind == "str" and path[-1] == "version" and value.isdigit():
        value = int(value)
    if value == ("" if current is None else current) or (str(value) == str(current) and current is not None):
        return None
    return set_or_delete(path, value)


def raw_value(text: str, path: tuple[Any, ...]) -> Any:

    data: Any = load_yaml(text.encode("utf-8"), "x").data
    for part in path:
        data = data[part] if isinstance(data, (dict, list)) else None
    return data


def set_or_delete(path: tuple[Any, ...], value: Any) -> Edit:
    return DeleteKey(path) if value in ("", None, []) else SetValue(path, value)


def ordered(chosen: list[str] | None, before: tuple[str, ...]) -> list[str]:
    """Keep the file's order for entries already there; new ones go at the end."""
    chosen = list(chosen or [])
    return [x for x in before if x in chosen] + [x for x in chosen if x not in before]


