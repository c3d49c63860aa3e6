"""A pre-check's validation error in words a portal can show next to the field, in Chinese or
English. jsonschema's own messages are English and quote the submitted value whole (a 200 KB
answer came back twice in its error); these name the limit that was missed instead, one small
function per JSON Schema keyword."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema

_SHOWN = 40  # characters of a submitted key or value quoted back at most
_KINDS = {"string": ("文字", "text"), "integer": ("整数", "a whole number"), "number": ("数字", "a number"),
          "boolean": ("是或否", "true or false"), "array": ("列表", "a list"), "object": ("一组内容", "an object"),
          "null": ("空值", "null")}


def _short(value: Any) -> str:
    """A value as JSON writes it (true, not True), cut short."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _listing(values: Any, zh: bool) -> str:
    shown = [_short(v) for v in list(values)[:10]]
    more = len(values) > 10
    return ("、".join(shown) + ("等" if more else "")) if zh else (", ".join(shown) + (", …" if more else ""))


def _type(error: jsonschema.ValidationError, zh: bool) -> str:
    kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    words = [_KINDS.get(str(k), (str(k), str(k)))[0 if zh else 1] for k in kinds]
    return f"应填写{'或'.join(words)}" if zh else f"must be {' or '.join(words)}"


def _max_length(error: jsonschema.ValidationError, zh: bool) -> str:
    n, has = error.validator_value, len(error.instance) if isinstance(error.instance, str) else 0
    return f"最多 {n} 个字符，现有 {has} 个" if zh else f"at most {n} characters (this has {has})"


def _min_length(error: jsonschema.ValidationError, zh: bool) -> str:
    n = error.validator_value
    if n == 1:
        return "不能为空" if zh else "must not be empty"
    return f"至少 {n} 个字符" if zh else f"at least {n} characters"


def _enum(error: jsonschema.ValidationError, zh: bool) -> str:
    return f"只能是以下之一：{_listing(error.validator_value, zh)}" if zh else \
        f"must be one of: {_listing(error.validator_value, zh)}"


def _one_of(error: jsonschema.ValidationError, zh: bool) -> str:
    """A choice is oneOf a const per option (each with its label as title): name the options."""
    options = error.validator_value if isinstance(error.validator_value, list) else []
    if options and all(isinstance(o, dict) and "const" in o for o in options):
        shown = [f"{_short(o['const'])}（{o['title']}）" if zh and o.get("title") else _short(o["const"]) for o in options]
        return f"只能是以下之一：{_listing(shown, zh)}" if zh else f"must be one of: {_listing(shown, zh)}"
    return "不符合要求" if zh else "is not in any of the allowed forms"


def _unknown(error: jsonschema.ValidationError, zh: bool) -> str:
    known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    extra = [k for k in error.instance if k not in known] if isinstance(error.instance, dict) else []
    return f"不认识的项：{_listing(extra, zh)}（请删去）" if zh else f"unknown entries: {_listing(extra, zh)} (leave them out)"


def _bound(zh_word: str, en_word: str) -> Callable[[jsonschema.ValidationError, bool], str]:
    return lambda error, zh: f"{zh_word} {error.validator_value}" if zh else f"{en_word} {error.validator_value}"


_SAY: dict[str, Callable[[jsonschema.ValidationError, bool], str]] = {
    "type": _type,
    "maxLength": _max_length,
    "minLength": _min_length,
    "pattern": lambda error, zh: "格式不对" if zh else "does not have the expected form",
    "format": lambda error, zh: f"格式不对（{error.validator_value}）" if zh else f"is not a valid {error.validator_value}",
    "enum": _enum,
    "oneOf": _one_of,
    "anyOf": _one_of,
    "const": lambda error, zh: f"只能是 {_short(error.validator_value)}" if zh else f"must be {_short(error.validator_value)}",
    "minimum": _bound("不能小于", "must be at least"),
    "maximum": _bound("不能大于", "must be at most"),
    "exclusiveMinimum": _bound("必须大于", "must be more than"),
    "exclusiveMaximum": _bound("必须小于", "must be less than"),
    "multipleOf": lambda error, zh: f"应是 {error.validator_value} 的整数倍" if zh else
    f"must be a multiple of {error.validator_value}",
    "minItems": lambda error, zh: f"至少选 {error.validator_value} 项" if zh else f"choose at least {error.validator_value}",
    "maxItems": lambda error, zh: f"最多选 {error.validator_value} 项" if zh else f"choose at most {error.validator_value}",
    "uniqueItems": lambda error, zh: "不能重复选择同一项" if zh else "must not list an entry twice",
    "additionalProperties": _unknown,
}


def say(error: jsonschema.ValidationError, lang: str) -> str:
    """A validation error in words a portal can show next to the field."""
    zh = lang != "en"
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"缺少：{'、'.join(missing)}" if zh else f"missing: {', '.join(missing)}"
    if error.validator == "not" and isinstance(error.instance, dict):
        return "按申请人的回答，这一项不适用，请不要填写" if zh else "not applicable in this case: leave it out"
    said = _SAY.get(str(error.validator))
    text = said(error, zh) if said else _quoted_short(error)
    title = error.schema.get("title") if isinstance(error.schema, dict) else None
    if zh and title:
        return f"“{title}”{text}" if said else f"“{title}”填写有误（{text}）"
    return text


def _quoted_short(error: jsonschema.ValidationError) -> str:
    """jsonschema's own message, with a long submitted value cut short where it quotes it."""
    text, quoted = str(error.message), repr(error.instance)
    return text.replace(quoted, _short(quoted)) if len(quoted) > _SHOWN else text
