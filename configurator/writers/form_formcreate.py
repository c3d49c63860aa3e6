"""form.formcreate.json: the merged form for Vue 3 + Element Plus, as form-create rules.

``rule`` is a list of plain form-create rules (``@form-create/element-ui``, the Element Plus
edition): one per situation question, field and upload, in the order the forms ask them
(writers/order.py), each with the matching Element Plus component (``radio`` for yes/no and one
choice, ``checkbox`` for several, ``input`` / ``inputNumber`` / ``datePicker``, and
``configuratorUpload``: an ``el-upload`` that portal/formcreate registers). ``option`` holds the
form's own settings (labels above the inputs, the submit button's words).

Everything a rule's meaning depends on is under ``configurator``, as data: per rule, its ``when``
(JsonLogic over the situation answers, from the same resolved conditions as form.ui.json and
form.schema.json), whether it is ``required`` (true, false, or JsonLogic where the requirement
depends on the case) and its ``checks`` (pattern, length, bounds, check characters by GB 11643 and
GB 32100); the eligibility rules, the fallback window and the cross-field rules. The portal
package evaluates them with registered functions.

No string of a bundle ever becomes code. form-create compiles a rule's ``update``,
``control[].handle``, ``computed``, events given as text and ``{{ }}`` templates in ``effect``
into functions; no rule here has any of those keys, and labels, help texts and option values
are only ever text or values (portal/formcreate rebuilds each rule from the keys it knows, so a
hand-edited file cannot bring them in either).
"""

from __future__ import annotations

from typing import Any

from configurator.jsontext import dump_json
from configurator.language.fieldtypes import DATE_PATTERN, ResolvedField, anchored
from configurator.model import BundleMaterial, Situation
from configurator.planning.compiled import Compiled
from configurator.planning.varying import constant, takes
from configurator.writers.form_schema import upload_schema
from configurator.writers.form_ui import shared_form_ui
from configurator.writers.order import question_order
from configurator.writers.phrases import say

FORMAT = "configurator.formcreate/1"
# Where a group's rules live in form-create's flat form data: "<group>__<id>" (ids never hold a
# dot, which Element Plus's form items would read as a path).
SEPARATOR = "__"
_TEXT_INPUTS = {"email": "email", "mobile": "tel", "phone": "tel"}


def write_form_formcreate(compiled: Compiled) -> str:
    return dump_json(form_formcreate(compiled))


def field_name(group: str, key: str) -> str:
    return f"{group}{SEPARATOR}{key}"


def form_formcreate(compiled: Compiled) -> dict[str, Any]:
    ui = shared_form_ui(compiled)
    rules: list[dict[str, Any]] = []
    entries: dict[str, dict[str, Any]] = {}
    for situation in question_order(compiled.bundle):
        rule, entry = _situation(compiled, situation)
        _add(rules, entries, rule, entry, ui["situations"][situation.id])
    for field_id in ui["fields"]["ui:order"]:
        rule, entry = _field(compiled, compiled.fields[field_id])
        _add(rules, entries, rule, entry, ui["fields"][field_id])
    for material_id in ui["uploads"]["ui:order"]:
        material = compiled.material_entry(material_id)
        assert material is not None  # form.ui.json lists only the bundle's materials
        rule, entry = _upload(compiled, material)
        _add(rules, entries, rule, entry, ui["uploads"][material_id])
    root = ui["ui:options"]
    return {
        "format": FORMAT,
        "lang": compiled.lang,
        "title": compiled.text(compiled.bundle.name),
        "rule": rules,
        "option": {"form": {"labelPosition": "top", "labelWidth": "auto"},
                   "submitBtn": {"innerText": say(compiled.lang, "form.submit")}, "resetBtn": False},
        "configurator": {
            "entries": entries,
            "eligibility": root["eligibility"],
            "fallback": root["fallback"],
            "fieldRules": root.get("fieldRules", []),
            "messages": _messages(compiled.lang),
        },
    }


def _add(rules: list[dict[str, Any]], entries: dict[str, dict[str, Any]], rule: dict[str, Any],
         entry: dict[str, Any], hint: dict[str, Any]) -> None:
    """One rule and its entry; the entry's ``when`` is form.ui.json's (one resolution of the conditions)."""
    when = hint.get("ui:options", {}).get("when")
    if when is not None:
        entry["when"] = when
    rules.append(rule)
    entries[rule["field"]] = entry


def _messages(lang: str) -> dict[str, str]:
    """The citizen's words the portal needs beyond each check's own message."""
    return {key: say(lang, phrase) for key, phrase in (
        ("required", "error.missing"), ("choose", "form.choose_files"), ("errors", "form.error_summary"),
        ("ineligible", "form.ineligible"), ("next", "form.ineligible_next"))}


def _rule(group: str, key: str, kind: str, title: str, info: str | None) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": kind, "field": field_name(group, key), "title": title,
                            "props": {"id": field_name(group, key)}}
    if info:
        rule["info"] = info
    return rule


def _options(options: list[tuple[Any, str]]) -> list[dict[str, Any]]:
    return [{"value": value, "label": label} for value, label in options]


def _yes_no(lang: str) -> list[dict[str, Any]]:
    return _options([(True, say(lang, "yes")), (False, say(lang, "no"))])


def _situation(compiled: Compiled, situation: Situation) -> tuple[dict[str, Any], dict[str, Any]]:
    lang = compiled.lang
    rule = _rule("situations", situation.id, "radio", situation.label.get(lang),
                 situation.help.get(lang) if situation.help else None)
    entry: dict[str, Any] = {"group": "situations", "key": situation.id, "required": True, "checks": []}
    if situation.type == "boolean":
        rule["options"] = _yes_no(lang)
    elif situation.type in ("choice", "multi_choice"):
        rule["options"] = _options([(o.value, o.label.get(lang)) for o in situation.options])
        if situation.type == "multi_choice":
            rule["type"] = "checkbox"
            rule["value"] = []
            entry["required"] = not situation.allow_none  # no box ticked is the answer [] (allow_none)
            entry["allowNone"] = situation.allow_none
    elif situation.type == "number":
        rule["type"] = "inputNumber"
        rule["props"].update({"controlsPosition": "right", "valueOnClear": None})
        if situation.integer:
            rule["props"]["precision"] = 0
            entry["checks"].append(_check(lang, "integer", "error.integer"))
        entry["checks"] += _bounds(lang, situation.minimum, situation.maximum)
    else:  # a date
        rule.update(_date_picker(rule["props"]))
        entry["checks"].append({"check": "pattern", "pattern": anchored(DATE_PATTERN), "message": say(lang, "error.format")})
    if situation.unit:
        rule["suffix"] = compiled.text(situation.unit)
    return rule, entry


def _date_picker(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "datePicker", "props": {**props, "type": "date", "valueFormat": "YYYY-MM-DD", "format": "YYYY-MM-DD"}}


def _check(lang: str, check: str, phrase: str, **values: Any) -> dict[str, Any]:
    return {"check": check, **values, "message": say(lang, phrase, **values)}


def _bounds(lang: str, minimum: float | None, maximum: float | None) -> list[dict[str, Any]]:
    checks = []
    if minimum is not None:
        checks.append({"check": "minimum", "limit": minimum, "message": say(lang, "error.minimum", limit=minimum)})
    if maximum is not None:
        checks.append({"check": "maximum", "limit": maximum, "message": say(lang, "error.maximum", limit=maximum)})
    return checks


def _field(compiled: Compiled, field: ResolvedField) -> tuple[dict[str, Any], dict[str, Any]]:
    lang = compiled.lang
    rule = _rule("fields", field.id, "input", field.label.get(lang), field.help.get(lang) if field.help else None)
    entry: dict[str, Any] = {"group": "fields", "key": field.id, "required": field.required, "checks": []}
    checks: list[dict[str, Any]] = entry["checks"]
    if field.type in ("choice", "multi_choice", "boolean"):
        rule["type"] = "checkbox" if field.type == "multi_choice" else "radio"
        rule["options"] = (_yes_no(lang) if field.type == "boolean" else
                           _options([(o.value, o.label.get(lang)) for o in field.options]))
        if field.type == "multi_choice":
            rule["value"] = []
    elif field.type in ("integer", "number"):
        rule["type"] = "inputNumber"
        rule["props"].update({"controlsPosition": "right", "valueOnClear": None})
        if field.type == "integer":
            rule["props"]["precision"] = 0
            checks.append(_check(lang, "integer", "error.integer"))
        checks += _bounds(lang, field.minimum, field.maximum)
    else:
        if field.type == "date":
            rule.update(_date_picker(rule["props"]))
        elif field.type == "textarea":
            rule["props"]["type"] = "textarea"
        elif field.type in _TEXT_INPUTS:
            rule["props"]["type"] = _TEXT_INPUTS[field.type]
        if field.max_length is not None:
            rule["props"]["maxlength"] = field.max_length
            checks.append(_check(lang, "maxLength", "error.max_chars", count=field.max_length))
        if field.min_chars > 1:
            checks.append(_check(lang, "minLength", "error.min_chars", count=field.min_chars))
        checks += [{"check": "pattern", "pattern": p, "message": say(lang, "error.format")} for p in field.patterns]
        if field.type == "id_number":  # the check character no pattern can state
            checks.append({"check": "gb11643", "message": say(lang, "error.check_digit_id", expected="{expected}")})
        elif field.type == "uscc":
            checks.append({"check": "gb32100", "message": say(lang, "error.check_digit_uscc", expected="{expected}")})
    if field.placeholder:
        rule["props"]["placeholder"] = compiled.text(field.placeholder)
    if field.unit:
        rule["suffix"] = compiled.text(field.unit)
    if field.sensitive:
        rule["props"]["autocomplete"] = "off"
    return rule, entry


def _upload(compiled: Compiled, material: BundleMaterial) -> tuple[dict[str, Any], dict[str, Any]]:
    """An upload: required always, never, or by case (容缺 that depends on the answers)."""
    lang = compiled.lang
    schema = upload_schema(compiled, material, compiled.users(material.id, "materials"))
    rule = _rule("uploads", material.id, "configuratorUpload", schema["title"], schema["description"])
    rule["value"] = []
    required_when = takes(material, "requirement", "required")
    required = constant(required_when)
    entry: dict[str, Any] = {"group": "uploads", "key": material.id,
                             "required": compiled.jsonlogic(required_when) if required is None else required,
                             "checks": []}
    if material.count > 1:
        entry["checks"].append(_check(lang, "minItems", "error.min_items", count=material.count))
    return rule, entry
