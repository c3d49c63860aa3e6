"""What a form posted → the edits of the bundle text. No Flask: the admin calls these, tests call them directly."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from configurator.authoring.schemaform import Widget
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
def N_(text: str) -> str:
    """Marks a title or label for the admin's gettext catalogue (babel.cfg extracts this module); the
    admin translates it where it shows it (configurator/web/editing.py). The text stays Chinese here."""
    return text


SECTIONS: dict[str, dict[str, Any]] = {
    "identity": {"title": N_("基本信息和部门"), "single": True, "keys": [
        ("name", N_("名称"), "text"), ("summary", N_("一句话说明"), "text"), ("version", N_("版本"), "str"),
        ("lead_department", N_("牵头部门"), "select:departments"),
        ("cooperating_departments", N_("配合部门"), "multi:departments"), ("visits", N_("整件事到现场次数"), "int")]},
    "situations": {"title": N_("情形问题"), "keys": [
        ("label", N_("问题"), "text"), ("help", N_("说明"), "text"), ("when", N_("何时问（条件）"), "condition")],
        "new": [("id", "id", "str"), ("label", N_("问题"), "text"),
                ("type", N_("回答类型（boolean / number / date；单选多选请在源文件中写选项）"), "str")]},
    "eligibility": {"title": N_("受理条件"), "keys": [
        ("require", N_("必须成立的条件"), "condition"), ("message", N_("不成立时告诉申请人"), "text")],
        "new": [("id", "id", "str"), ("require", N_("必须成立的条件"), "condition"), ("message", N_("不成立时告诉申请人"), "text")]},
    "fields": {"title": N_("一表申请的字段"), "keys": [
        ("label", N_("名称"), "text"), ("required", N_("必填"), "bool"), ("when", N_("何时填写（条件）"), "condition")],
        "new": [("id", "id", "str"), ("field", N_("字段目录中的 id"), "select:fields"), ("label", N_("名称"), "text")]},
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




# --------------------------------------------------------------------------- schema-driven forms
# Every object of the bundle is edited by the widgets of authoring/schemaform: these turn an entry
# into the values a form shows, what a form posted back into an entry, and the difference into
# located text edits.

LANGUAGES = ("zh-CN", "zh-TW", "en")
FormData = Mapping[str, Any]  # field name → str, or list of str for several choices
# Characters nobody types on purpose, which git refuses in a commit message and YAML in a file
# (NUL and the other C0 controls but tab and line breaks): refused beside the field they came in.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UNPRINTABLE_ZH = "这里有看不见的控制字符（如 NUL，多由复制粘贴带入），请删除后再保存；没有保存任何内容。"
UNPRINTABLE_EN = "This contains an invisible control character (such as NUL, often pasted in): delete it and save again; nothing was saved."


def unprintable(text: str) -> bool:
    return bool(_UNPRINTABLE.search(text))


def unprintable_problems(form: FormData) -> list[FormProblem]:
    """A problem beside each field of a submitted form that holds a control character."""
    return [FormProblem(name, UNPRINTABLE_ZH, UNPRINTABLE_EN) for name, value in form.items()
            if any(isinstance(v, str) and unprintable(v) for v in (value if isinstance(value, list) else [value]))]


@dataclass(frozen=True)
class FormProblem:
    """A value the form cannot turn into YAML (a word where a number goes): shown beside the field."""

    name: str
    zh: str
    en: str


def _text_of(raw: Any, lang: str) -> str:
    if isinstance(raw, dict):
        return str(raw.get(lang, ""))
    return "" if raw is None or lang != "zh-CN" else str(raw)


def form_values(widgets: Sequence[Widget], entry: Any, prefix: str = "") -> dict[str, Any]:
    """What the form shows for an entry: field name → text (a list for several choices)."""
    out: dict[str, Any] = {}
    entry = entry if isinstance(entry, dict) else {}
    for w in widgets:
        raw = entry.get(w.key)
        name = prefix + w.key
        if w.kind == "list":
            continue
        if w.kind == "object":
            out.update(form_values(w.children, raw, name + "."))
        elif w.kind == "text":
            out.update({f"{name}.{lang}": _text_of(raw, lang) for lang in LANGUAGES})
        elif w.kind in ("refs", "enums", "producers"):
            out[name] = [raw] if isinstance(raw, str) else [str(v) for v in raw or []]
        elif w.kind == "bool":
            out[name] = "" if raw is None else ("true" if raw else "false")
        elif w.kind == "varying":
            out.update(varying_values(name, raw))
        else:
            out[name] = "" if raw is None else str(raw)
    return out


def varying_values(name: str, raw: Any) -> dict[str, Any]:
    """A value that may depend on the case: ``name`` is the plain value (the default when there are
    cases), ``name.cases.N.when`` / ``.value`` the cases, with one empty row to add another."""
    cases = raw.get("cases", []) if isinstance(raw, dict) else []
    plain = raw.get("default") if isinstance(raw, dict) else raw
    out = {name: "" if plain is None else str(plain)}
    for index, case in enumerate([*cases, {}]):
        out[f"{name}.cases.{index}.when"] = str(case.get("when", "")) if isinstance(case, dict) else ""
        value = case.get("value") if isinstance(case, dict) else None
        out[f"{name}.cases.{index}.value"] = "" if value is None else str(value)
    return out


def _varying(w: Widget, form: FormData, name: str) -> tuple[Any, list[FormProblem]]:
    problems: list[FormProblem] = []

    def value_of(field: str) -> Any:
        text = _get(form, field)
        if not text or w.value_kind != "int":
            return text or None
        try:
            return int(text)
        except ValueError:
            problems.append(FormProblem(field, "请填写整数。", "Enter a whole number."))
            return text

    plain = value_of(name)
    cases = []
    index = 0
    while f"{name}.cases.{index}.when" in form:
        when = _get(form, f"{name}.cases.{index}.when")
        value = value_of(f"{name}.cases.{index}.value")
        if when or value is not None:
            if not when or value is None:
                missing = f"{name}.cases.{index}.{'when' if not when else 'value'}"
                problems.append(FormProblem(missing, "每种情形都要写条件和值。", "Each case needs a condition and a value."))
            cases.append({"when": when, "value": value})
        index += 1
    if cases:
        return {"cases": cases, "default": plain}, problems
    return plain, problems


def _getlist(form: FormData, name: str) -> list[str]:
    value = form.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _get(form: FormData, name: str) -> str:
    value = form.get(name, "")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value).strip()


def _number(text: str, integer: bool) -> int | float:
    if integer:
        return int(text)
    number = float(text)
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def entry_from_form(widgets: Sequence[Widget], form: FormData, current: Any = None, prefix: str = ""
                    ) -> tuple[dict[str, Any], list[FormProblem]]:
    """The entry as the form says it should be, in schema order; lists of objects are kept as they are
    (each is edited on its own page). Keys left empty are absent."""
    current = current if isinstance(current, dict) else {}
    entry: dict[str, Any] = {}
    problems: list[FormProblem] = unprintable_problems(form) if not prefix else []
    for w in widgets:
        value, found = _READERS.get(w.kind, _read_plain)(w, form, prefix + w.key, current)
        problems += found
        if value is not None:
            entry[w.key] = value
    return entry, problems


# One reader per kind of widget: (widget, form, its input's name, the entry as it is) → the value
# the form gives (None: leave the key out) and the problems found reading it.
_Read = tuple[Any, list[FormProblem]]


def _read_list(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    value = current.get(w.key)
    if value is None and w.key == "options" and _get(form, f"{name}.lines").strip():
        return _options_from_lines(_get(form, f"{name}.lines"), f"{name}.lines")
    return value, []


def _read_object(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    value, found = entry_from_form(w.children, form, current.get(w.key), name + ".")
    return value or None, found


def _read_text(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    texts = {lang: _get(form, f"{name}.{lang}") for lang in LANGUAGES}
    texts = {lang: text for lang, text in texts.items() if text}
    problems = []
    if texts and "zh-CN" not in texts:
        problems.append(FormProblem(f"{name}.zh-CN", "请填写简体中文；其他语言是它的译文。",
                                    "Fill in Simplified Chinese; the other languages translate it."))
    # Chinese alone stays a plain string unless it was written as a mapping
    if list(texts) == ["zh-CN"] and not isinstance(current.get(w.key), dict):
        return texts["zh-CN"], problems
    return texts or None, problems


def _read_choices(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    before = current.get(w.key)
    return ordered([v for v in _getlist(form, name) if v], tuple(before) if isinstance(before, list) else ()) or None, []


def _read_producers(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    chosen = [v for v in _getlist(form, name) if v]
    return (chosen[0] if len(chosen) == 1 else (chosen or None)), []


def _read_bool(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    return {"true": True, "false": False}.get(_get(form, name)), []


def _read_number(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    text = _get(form, name)
    if not text:
        return None, []
    try:
        return _number(text, w.kind == "int"), []
    except ValueError:
        return text, [FormProblem(name, "请填写数字" + ("（整数）" if w.kind == "int" else "") + "。",
                                  "Enter a number" + (" (a whole number)" if w.kind == "int" else "") + ".")]


def _read_varying(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    return _varying(w, form, name)


def _read_limit(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    text = _get(form, name)
    try:
        return (_number(text, False) if text else None), []
    except ValueError:
        return text, []  # not a number: the id of a field (the checker says if there is none)


def _read_version(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    text = _get(form, name)
    return (int(text) if text.isdigit() and not isinstance(current.get(w.key), str) else (text or None)), []


def _read_plain(w: Widget, form: FormData, name: str, current: dict[str, Any]) -> _Read:
    return _get(form, name) or None, []


_READERS = {"list": _read_list, "object": _read_object, "text": _read_text, "refs": _read_choices, "enums": _read_choices,
            "producers": _read_producers, "bool": _read_bool, "int": _read_number, "number": _read_number,
            "varying": _read_varying, "limit": _read_limit, "version": _read_version}


def _same(widget: Widget, old: Any, new: Any) -> bool:
    if widget.kind == "text":
        def norm(v: Any) -> Any:
            return {"zh-CN": v} if isinstance(v, str) else v
        return bool(norm(old) == norm(new))
    if widget.kind == "producers":
        def as_list(v: Any) -> Any:
            return [v] if isinstance(v, str) else v
        return bool(as_list(old) == as_list(new))
    if widget.kind in ("int", "number") and isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return old == new and not isinstance(old, bool)
    return bool(old == new and type(old) is type(new))


def entry_edits(path: tuple[Any, ...], widgets: Sequence[Widget], current: Any, new: dict[str, Any]) -> list[Edit]:
    """The smallest edits turning ``current`` into ``new``: one value, one edit; unchanged, none."""
    current = current if isinstance(current, dict) else {}
    edits: list[Edit] = []
    for position, w in enumerate(widgets):
        old, value = current.get(w.key), new.get(w.key)
        later = tuple(x.key for x in widgets[position + 1:])
        if w.kind == "list" or _same(w, old, value):
            continue
        here = path + (w.key,)
        if value is None:
            edits.append(DeleteKey(here))
        elif w.kind == "text" and isinstance(old, dict):
            target = {"zh-CN": value} if isinstance(value, str) else value
            for lang in LANGUAGES:
                if old.get(lang) != target.get(lang):
                    edits.append(SetValue(here + (lang,), target[lang], LANGUAGES[LANGUAGES.index(lang) + 1:])
                                 if lang in target else DeleteKey(here + (lang,)))
        elif w.kind == "object" and isinstance(old, dict):
            edits += entry_edits(here, w.children, old, value)
        else:
            edits.append(SetValue(here, value, later))
    return edits


# What a person leaves out of a new entry because it is the default (the loader fills these in).
_DEFAULTS: dict[str, dict[str, Any]] = {
    "materials": {"material": "=id", "requirement": "required", "count": 1},
    "fields": {"field": "=id", "required": True},
    "special_stages": {"day_kind": "working"},
}


def without_defaults(section: str, entry: dict[str, Any]) -> dict[str, Any]:
    defaults = _DEFAULTS.get(section, {})
    out = {}
    for key, value in entry.items():
        default = defaults.get(key, ...)
        if default == "=id":
            default = entry.get("id")
        if value != default or type(value) is not type(default):
            out[key] = value
    return out


def _options_from_lines(text: str, name: str) -> tuple[list[dict[str, str]] | None, list[FormProblem]]:
    """A new question's options, one per line, as an official types them: ``租用`` (its value made
    from the words, as ids are) or ``rent=租用`` (the value given). Each is edited on its own page
    afterwards; here a choice question can be made in one go (it needs two options)."""
    from configurator.authoring.naming import suggest_id

    options: list[dict[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        value, separator, label = line.partition("=")
        if not separator:
            value, label = "", line
        value, label = value.strip(), label.strip()
        if not label:
            return None, [FormProblem(name, f"“{line}”没有选项的文字：每行写一个选项，如“租用”或“rent=租用”。",
                                      f'"{line}" has no text: write one option a line, as "Rented" or "rent=Rented".')]
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", value or "x"):
            return None, [FormProblem(name, f"选项的值“{value}”只能用小写字母开头，只含小写字母、数字和下划线。",
                                      f'the option value "{value}" must start with a lowercase letter and hold only '
                                      "lowercase letters, digits and underscores.")]
        value = value or suggest_id(label, {o["value"] for o in options})
        if any(o["value"] == value for o in options):
            return None, [FormProblem(name, f"选项的值“{value}”重复了。", f'the option value "{value}" appears twice.')]
        options.append({"value": value, "label": label})
    return options or None, []
