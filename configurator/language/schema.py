"""The JSON Schema check, turned into located diagnostics in the staff's language.

Valid files are the common case and must be cheap: jsonschema-rs answers yes/no about 150
times faster than jsonschema. Only for an invalid file do we ask jsonschema for its
structured errors (``validator``, ``path``, ``schema``) and phrase each one for policy staff.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from configurator.data import SCHEMAS
from configurator.diagnostics import Diagnostic, listing, localized
from configurator.language.conditions import suggest
from configurator.language.sourcemap import SourceMap
from configurator.model import Path

if TYPE_CHECKING:
    import jsonschema

SCHEMA_DIR = SCHEMAS
BUNDLE_SCHEMA = "bundle"
CATALOGUE_SCHEMA = "catalogue"

# What a pattern means, in words: keyed by the pattern text in the schema files.
# tests/test_docs.py fails when a pattern in a schema has no explanation here.
PATTERN_RULES: dict[str, dict[str, str]] = {
    "^[a-z][a-z0-9_]{0,63}$": localized(
        "id 须以小写英文字母开头，只含小写字母、数字和下划线，最长 64 个字符",
        "an id starts with a lowercase letter and has only lowercase letters, digits and underscores (64 at most)"),
    "^[a-z][a-z0-9_-]{0,63}$": localized(
        "一件事 id 须以小写英文字母开头，只含小写字母、数字、下划线和连字符（不能有“/”或“.”）",
        "a bundle id starts with a lowercase letter and has only lowercase letters, digits, _ and - (no / or .)"),
    "^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$": localized(
        "编码只含字母、数字、点、下划线和连字符，2 到 40 个字符",
        "a code has 2 to 40 letters, digits, dots, underscores or hyphens"),
    "^[0-9]+(\\.[0-9]+){0,2}$": localized(
        "版本写成整数（如 3）或“主.次.修订”（如 \"1.2.0\"）",
        "write the version as a whole number (3) or as \"1.2.0\""),
    "^[0-9]{12}([0-9]{2})?$": localized(
        "事项编码是 12 位数字的基本编码（如 000131024000）或 14 位业务办理项编码，要加引号以保留开头的 0",
        "an item code has 12 digits (basic code, e.g. 000131024000) or 14 (handling code); quote it to keep leading zeros"),
    "^[1-9][0-9]{5}$": localized(
        "行政区划代码是 GB/T 2260 的六位数字（如 \"330106\"），要加引号",
        "a region code has the six digits of GB/T 2260 (e.g. \"330106\"); quote it"),
    "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$": localized(
        "统一社会信用代码是 18 位（GB 32100）：数字和除 I、O、S、V、Z 以外的大写字母",
        "a unified social credit code has 18 characters (GB 32100): digits and capitals except I, O, S, V, Z"),
    "^https://[^\\s]{3,500}$": localized("网址以 https:// 开头，不含空格", "a link starts with https:// and has no spaces"),
    "^https?://[^\\s]{3,500}$": localized("网址以 http:// 或 https:// 开头，不含空格",
                                        "a link starts with http:// or https:// and has no spaces"),
    "^[0-9A-Za-z]{12,40}$": localized("实施编码是 12 到 40 位字母或数字，要加引号",
                                      "an implementation code has 12 to 40 letters or digits; quote it"),
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": localized("日期写成 YYYY-MM-DD，如 \"2027-01-01\"", "write a date as YYYY-MM-DD, e.g. \"2027-01-01\""),
    "^[0-9+()\\- ]{3,30}$": localized(
        "电话只含数字、空格、+、-、括号",
        "a phone number has digits, spaces, +, - and brackets only"),
}

_TYPE_WORDS = {
    "string": ("一段文字", "text"),
    "integer": ("一个整数", "a whole number"),
    "number": ("一个数字", "a number"),
    "boolean": ("“是”或“否”（true 或 false）", "yes or no (true or false)"),
    "array": ("一项或几项（每项一行，以“- ”开头）", "one or more entries (each on its own line, starting with \"- \")"),
    "object": ("一组设置（每行“名称: 值”）", "a group of settings (one \"name: value\" a line)"),
    "null": ("空着", "left empty"),
}


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    with open(SCHEMA_DIR / f"{name}.schema.json", encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@functools.cache
def _fast_validator(name: str) -> Any:
    return jsonschema_rs.Draft202012Validator(load_schema(name))


@functools.cache
def _detailed_validator(name: str) -> jsonschema.Draft202012Validator:
    import jsonschema  # only an invalid file needs it (a tenth of `check`'s start-up otherwise)

    return jsonschema.Draft202012Validator(load_schema(name))


def check_schema(data: Any, source: SourceMap, schema_name: str) -> list[Diagnostic]:
    """Every way ``data`` breaks the named schema, located in the source file."""
    if _fast_validator(schema_name).is_valid(data):
        return _infinite_limits(data, source)
    diagnostics: list[Diagnostic] = []
    for error in _detailed_validator(schema_name).iter_errors(data):
        diagnostics.extend(_translate(error, data, source, schema_name))
    return _merge_misspelt_keys(diagnostics) + _infinite_limits(data, source)


def _infinite_limits(data: Any, source: SourceMap) -> list[Diagnostic]:
    """A question's or field's ``minimum``/``maximum`` of ``.inf``, ``.nan`` or ``1e400``: JSON
    Schema calls it a number, but no JSON holds it (form.schema.json would say ``null``, which
    no validator reads as a limit). Such a limit is refused where it is written."""
    found = []
    for section in ("fields", "situations"):
        entries = data.get(section) if isinstance(data, dict) else None
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            for key in ("minimum", "maximum"):
                value = entry.get(key) if isinstance(entry, dict) else None
                if isinstance(value, float) and not math.isfinite(value):
                    path = (section, index, key)
                    found.append(source.diagnostic("E207", path, where=_where(data, path), value=value, problem=localized(
                        "不是有限的数（.inf、.nan 或超出 ±1.8e308 的数不能作为界限）",
                        "is not a finite number (.inf, .nan or a number beyond ±1.8e308 cannot be a limit)")))
    return found


def _merge_misspelt_keys(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A misspelt required key shows up twice: unknown "vists" and missing "visits".
    The unknown-key message already says "did you mean visits", so the other goes."""
    misspelt = {(d.path[:-1], d.params["suggestion"]) for d in diagnostics
                if d.code == "E201" and d.params.get("suggestion")}
    return [d for d in diagnostics if not (d.code == "E202" and (d.path, d.params["key"]) in misspelt)]


@functools.cache
def _descriptions(name: str) -> dict[str, str]:
    """Key → description, from anywhere in the schema (for keys an if/then makes required)."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, subschema in node.get("properties", {}).items():
                if isinstance(subschema, dict) and "description" in subschema:
                    found.setdefault(key, subschema["description"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(load_schema(name))
    return found


# What an entry of a list is called, and where its name is written (the admin's words for it).
_ENTRY_WORDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "items": ("事项", "item", ("name",)),
    "materials": ("材料", "material", ("name", "label")),
    "fields": ("字段", "field", ("label", "name")),
    "situations": ("情形问题", "question", ("question", "label", "name")),
    "steps": ("环节", "step", ("name",)),
    "options": ("选项", "option", ("label",)),
    "conditions": ("命名条件", "named condition", ("name", "label")),
    "eligibility": ("受理条件", "eligibility rule", ("message", "name")),
    "field_rules": ("跨字段规则", "cross-field rule", ("message", "name")),
    "special_stages": ("特别程序", "special stage", ("name",)),
    "holidays": ("放假安排", "holiday", ("name",)),
    "workdays": ("调休上班日", "workday", ("name",)),
}


def _where(data: Any, path: Iterable[str | int], schema_name: str = BUNDLE_SCHEMA) -> dict[str, str]:
    """The place as the official knows it: 事项“出生登记”的“承诺时限”（promised) — entries by their
    names, keys by their titles in the format, the YAML key only in brackets at the end (the
    source editor and the CLI give the line and column)."""
    zh: list[str] = []
    en: list[str] = []
    node, schema, section = data, load_schema(schema_name), ""
    last: tuple[str, dict[str, str]] | None = None  # the key after the last entry, and its title
    for part in path:
        if isinstance(part, int):
            element = node[part] if isinstance(node, list) and part < len(node) else None
            word_zh, word_en, name_keys = _ENTRY_WORDS.get(section, ("项", "entry", ("name",)))
            name = _entry_name(element, name_keys)
            zh.append(f"{word_zh}“{name}”" if name else f"第 {part + 1} 项" if word_zh == "项" else f"第 {part + 1} 个{word_zh}")
            en.append(f"{word_en} \"{name}\"" if name else f"{word_en} {part + 1}")
            node, schema, section, last = element, _subschema(schema, None, schema_name), "", None
        else:
            last = (part, _title(_description(schema, part, schema_name) or _descriptions(schema_name).get(part, part),
                                 part))
            node = node.get(part) if isinstance(node, dict) else None
            schema, section = _subschema(schema, part, schema_name), part
    if last is None:
        if zh:
            return localized("的".join(zh), " of ".join(reversed(en)))
        return localized("整个一件事", "the bundle as a whole") if schema_name == BUNDLE_SCHEMA else localized(
            "整个文件", "the whole file")
    key, title = last
    return localized("的".join(zh + [f"“{title['zh-CN']}”（{key}）"]),
                     " of ".join([f"\"{title['en']}\""] + en[::-1]) + f" ({key})")


def _entry_name(element: Any, keys: tuple[str, ...]) -> str:
    if not isinstance(element, dict):
        return ""
    for key in keys + ("material", "field", "id"):  # a catalogue's id is said by its name (language/naming)
        value = element.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:30]
    return ""


def _resolve(schema: Any, root: str) -> Any:
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        target: Any = load_schema(root)
        for step in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(step, {}) if isinstance(target, dict) else {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _branches(schema: Any, root: str) -> list[Any]:
    """The schema and every sub-schema that may hold its properties (allOf, anyOf, if/then…)."""
    found, queue = [], [_resolve(schema, root)]
    while queue:
        node = queue.pop()
        if not isinstance(node, dict):
            continue
        found.append(node)
        for key in ("allOf", "anyOf", "oneOf"):
            queue.extend(_resolve(n, root) for n in node.get(key, []))
        for key in ("then", "else"):
            if key in node:
                queue.append(_resolve(node[key], root))
    return found


def _subschema(schema: Any, key: str | None, root: str) -> Any:
    for branch in _branches(schema, root):
        if key is None and isinstance(branch.get("items"), dict):
            return branch["items"]
        if key is not None and key in branch.get("properties", {}):
            return branch["properties"][key]
    return {}


def _description(schema: Any, key: str, root: str) -> str:
    sub = _subschema(schema, key, root)
    if isinstance(sub, dict) and isinstance(sub.get("description"), str):
        return str(sub["description"])
    resolved = _resolve(sub, root)
    return str(resolved.get("description", "")) if isinstance(resolved, dict) else ""


def _title(description: str, key: str) -> dict[str, str]:
    """Descriptions read "中文标题：说明（English）": the title in each language (the English cut
    at its first ";", a key's words where the description has no English)."""
    zh = re.split(r"[（：，]", description)[0].strip() or key
    english = re.search(r"（([^（）]*)）\s*$", description)
    en = english.group(1).split(";")[0].strip() if english and english.group(1).isascii() else ""
    return localized(zh, en or key.replace("_", " "))


def enum_words(description: str, values: Iterable[str]) -> dict[str, str]:
    """What each allowed value means, from a description listing them ("text 文本，integer 整数")."""
    found = {}
    for value in values:
        match = re.search(rf"(?<![a-z_]){re.escape(value)}[ =]+([^，,；;（）()、：]+)", description)
        if match and not match.group(1).strip().isascii():
            found[value] = match.group(1).strip()
    return found


@functools.cache
def field_type_words() -> dict[str, str]:
    """Field types as the admin names them (文本, 整数…), from the format's own description."""
    described = load_schema(BUNDLE_SCHEMA)["$defs"]["bundle_field"]["properties"]["type"]
    return enum_words(str(described.get("description", "")), described.get("enum", []))


# The English words of the answer and field types (the format describes them in Chinese only).
_ENGLISH_TYPES = {"text": "text", "textarea": "several lines of text", "integer": "a whole number", "number": "a number",
                  "date": "a date", "boolean": "yes or no", "choice": "one choice", "multi_choice": "several choices",
                  "id_number": "an ID card number", "mobile": "a mobile number", "phone": "a phone number",
                  "email": "an e-mail address", "bank_account": "a bank account", "address": "an address",
                  "postal_code": "a postal code", "uscc": "a unified social credit code"}


def type_word(kind: str | None) -> dict[str, str]:
    """A field or answer type in words, with its value in brackets: 整数（integer）."""
    word = {**field_type_words(), "boolean": "是/否", "choice": "单选", "multi_choice": "多选"}.get(kind or "")
    english = _ENGLISH_TYPES.get(kind or "")
    return localized(f"{word}（{kind}）" if word else str(kind), f"{english} ({kind})" if english else str(kind))


def _allowed(schema: Any, values: list[str]) -> dict[str, str]:
    words = enum_words(str(schema.get("description", "")) if isinstance(schema, dict) else "", values)
    return localized("、".join(f"{words[v]}（{v}）" if v in words else v for v in values),
                     ", ".join(f"{_ENGLISH_TYPES[v]} ({v})" if v in _ENGLISH_TYPES else v for v in values))


def _type_name(value: Any) -> dict[str, str]:
    if value is None:
        return localized("空着", "empty")
    if isinstance(value, bool):
        return localized(f"“{'是' if value else '否'}”（{str(value).lower()}）", f"{'yes' if value else 'no'} "
                         f"({str(value).lower()})")
    if isinstance(value, (int, float)):
        return localized(f"数字 {value}", f"the number {value}")
    if isinstance(value, str):
        return localized(f"文字“{value[:30]}”", f"the text \"{value[:30]}\"")
    if isinstance(value, list):
        return localized("几项", "several entries")
    return localized("一组设置", "a group of settings")


def _expected(validator_value: Any) -> dict[str, str]:
    kinds = validator_value if isinstance(validator_value, list) else [validator_value]
    zh = "或".join(_TYPE_WORDS.get(k, (k, k))[0] for k in kinds)
    en = " or ".join(_TYPE_WORDS.get(k, (k, k))[1] for k in kinds)
    return localized(zh, en)


def _type_fix(expected: Any, instance: Any) -> dict[str, str]:
    kinds = expected if isinstance(expected, list) else [expected]
    if "string" in kinds and isinstance(instance, (bool, int, float)):
        return localized("给这个值加上引号，当作文字（编码这类开头的 0 才不会丢）", "put the value in quotes so that it is text")
    if "array" in kinds and not isinstance(instance, list):
        return localized("每一项单独一行，以“- ”开头；只有一项也这样写",
                         'write each entry on its own line starting with "- ", even a single one')
    if "object" in kinds and not isinstance(instance, dict):
        return localized("每行写一项设置（“名称: 值”），参照格式说明 docs/bundle-format.md",
                         'write one "name: value" setting a line, as docs/bundle-format.md shows')
    if instance is None:
        return localized("填上内容，或删除这一项", "fill it in, or remove the setting")
    return localized("按上面说的改写", "write it as said above")


def _translate(error: jsonschema.ValidationError, data: Any, source: SourceMap, schema_name: str) -> list[Diagnostic]:
    path: Path = tuple(error.absolute_path)
    where = _where(data, path, schema_name)
    validator = error.validator
    value = error.validator_value
    instance = error.instance

    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {}))
        out = []
        for key in instance:
            if key in allowed:
                continue
            params: dict[str, Any] = {"where": where, "key": key, "allowed": listing(allowed)}
            suggestion = suggest(key, allowed)
            if suggestion:
                params["suggestion"] = suggestion
            out.append(source.diagnostic("E201", path + (key,), at_key=True, **params))
        return out
    if validator == "required" and isinstance(instance, dict):
        properties = error.schema.get("properties", {})
        out = []
        for key in value:
            if key in instance:
                continue
            described = str(properties.get(key, {}).get("description") or _descriptions(schema_name).get(key, key))
            out.append(source.diagnostic("E202", path, at_key=bool(path), where=where, key=key,
                                         key_title=_title(described, key)))
        return out
    if validator == "type":
        return [source.diagnostic("E203", path, where=where, expected=_expected(value),
                                  found=_type_name(instance), fix=_type_fix(value, instance))]
    if validator in ("enum", "const"):
        allowed_values = [str(v) for v in (value if validator == "enum" else [value])]
        params = {"where": where, "value": instance, "allowed": _allowed(error.schema, allowed_values)}
        suggestion = suggest(str(instance), allowed_values)
        if suggestion:
            params["suggestion"] = suggestion
        return [source.diagnostic("E204", path, **params)]
    if validator == "pattern":
        rule = PATTERN_RULES.get(value, localized(f"须匹配 {value}", f"must match {value}"))
        return [source.diagnostic("E205", path, where=where, value=instance, rule=rule)]
    if validator in ("minLength", "minItems", "maxLength", "maxItems", "minProperties"):
        problem, fix = _length_problem(validator, value)
        return [source.diagnostic("E206", path, where=where, problem=problem, fix=fix)]
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": localized(f"小于允许的最小值 {value}", f"below the minimum of {value}"),
            "maximum": localized(f"大于允许的最大值 {value}", f"above the maximum of {value}"),
            "exclusiveMinimum": localized(f"须大于 {value}", f"must be more than {value}"),
            "exclusiveMaximum": localized(f"须小于 {value}", f"must be less than {value}"),
        }[validator]
        return [source.diagnostic("E207", path, where=where, value=instance, problem=words)]
    if validator == "uniqueItems":
        return [source.diagnostic("E209", path, where=where)]
    detail = localized("同时符合了几种写法，只能写成其中一种", "it fits several of the allowed forms; write exactly one") \
        if validator == "oneOf" else localized("不符合允许的任何一种写法", "it fits none of the allowed forms")
    return [source.diagnostic("E208", path, where=where, detail=detail)]


def _length_problem(validator: str, value: Any) -> tuple[dict[str, str], dict[str, str]]:
    if validator == "minLength":
        return (localized("不能为空" if value == 1 else f"至少要有 {value} 个字", "must not be empty" if value == 1
                          else f"must have at least {value} characters"),
                localized("填写内容，或删除这一项", "fill it in, or remove the setting"))
    if validator == "maxLength":
        return (localized(f"最多 {value} 个字", f"must have at most {value} characters"),
                localized("缩短内容", "shorten it"))
    if validator == "minItems":
        return (localized(f"至少要有 {value} 项", f"must have at least {value} entries"),
                localized("添加几项", "add entries"))
    if validator == "maxItems":
        return (localized(f"最多 {value} 项", f"must have at most {value} entries"),
                localized("删除多出的几项", "remove entries"))
    return (localized("不能为空", "must not be empty"), localized("至少填写一项", "fill in at least one setting"))
