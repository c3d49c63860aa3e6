"""form.schema.json: the merged application form (一表申请) as JSON Schema 2020-12.

    {"situations": {...answers...}, "fields": {...each datum once...}, "uploads": {...}}

Every rule is standard JSON Schema, so any 2020-12 validator in any language enforces it:
a question asked only under a condition is required when the condition holds and must be
absent otherwise (``if``/``then``/``else``); the same for fields and uploads, whose condition
is their own ``when`` and "an item that uses it applies"; eligibility rules are top-level
``allOf`` entries carrying their message in ``description``. A property's ``$comment`` says,
as JSON, which items and departments asked for it (``$comment`` is the one place JSON Schema
keeps free notes without strict validators such as ajv refusing an unknown keyword).
"""

from __future__ import annotations

from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from configurator.jsontext import dump_json
from configurator.language import conditions as lang
from configurator.language.fieldtypes import DATE_PATTERN, anchored, value_schema
from configurator.model import BundleMaterial, Item, Situation
from configurator.planning.compiled import Compiled
from configurator.planning.varying import constant, takes
from configurator.writers.field_checks import FORMATS
from configurator.writers.field_rules import in_form_schema, schema_clause
from configurator.writers.phrases import material_form, say

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def write_form_schema(compiled: Compiled) -> str:
    return dump_json(form_schema(compiled))


@dataclass(frozen=True)
class _Part:
    """One group of the form (situations, fields or uploads): its properties, those always
    required, and the rules making the others present only when their case holds."""

    properties: dict[str, Any]
    always: list[str]
    rules: list[dict[str, Any]]


def form_schema(compiled: Compiled) -> dict[str, Any]:
    bundle = compiled.bundle
    situations, fields, uploads = _situations(compiled), _fields(compiled), _uploads(compiled)
    # the order of the rules is the order of the groups: form.schema.json stays byte-identical
    rules = situations.rules + fields.rules + uploads.rules

    for field_rule in bundle.field_rules:  # the others are JsonLogic in routing.json (writers.field_rules)
        if in_form_schema(field_rule):
            rule_if = _on_answers(field_rule.when.expr) if field_rule.when else None
            rules.append(schema_clause(compiled, field_rule, rule_if))

    for rule in bundle.eligibility:
        rules.append({"description": compiled.text(rule.message), **_on_answers(rule.require.expr)})  # has "type"

    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"urn:configurator:form:{bundle.id}:{bundle.version}",
        "title": compiled.text(bundle.name),
        "type": "object",
        "required": ["situations", "fields", "uploads"],
        "additionalProperties": False,
        "properties": {
            "situations": _group(say(compiled.lang, "group.situations"), situations.properties, situations.always),
            "fields": _group(say(compiled.lang, "group.fields"), fields.properties, fields.always),
            "uploads": _group(say(compiled.lang, "group.uploads"), uploads.properties, uploads.always),
        },
    }
    if bundle.summary:
        schema["description"] = compiled.text(bundle.summary)
    if rules:
        schema["allOf"] = rules
    return schema


def _situations(compiled: Compiled) -> _Part:
    """Every question; one asked only under a condition is present exactly when it holds."""
    part = _Part({}, [], [])
    for situation in compiled.bundle.situations:
        part.properties[situation.id] = situation_schema(situation, compiled.lang)
        if situation.when is None:
            part.always.append(situation.id)
        else:
            part.rules.append(_present_when("situations", situation.id, _on_answers(situation.when.expr), True))
    return part


def _fields(compiled: Compiled) -> _Part:
    """Each datum the form asks once, however many items use it."""
    part = _Part({}, [], [])
    for field in compiled.bundle.fields:
        users = compiled.users(field.id, "fields")
        if not compiled.on_form(field):
            continue  # asked by no item (the checker warns, W509), or a situation's answer (from_situation)
        resolved = compiled.fields[field.id]
        field_schema = value_schema(resolved, compiled.lang)
        if resolved.type == "boolean":
            field_schema["oneOf"] = _yes_no(compiled.lang)
        field_schema["$comment"] = _asked_by(compiled, users)
        part.properties[field.id] = field_schema
        condition = compiled.needed(field.when, users)
        if condition is None and resolved.required:
            part.always.append(field.id)
        elif condition is not None:
            part.rules.append(_present_when("fields", field.id, _shared_on_answers(compiled, condition),
                                            resolved.required))
    return part


def _uploads(compiled: Compiled) -> _Part:
    """The materials the applicant uploads (shared, produced and generated ones are never asked for)."""
    part = _Part({}, [], [])
    for material in compiled.bundle.materials:
        users = compiled.users(material.id, "materials")
        if material.source != "applicant" or not users:
            continue  # shared, produced and generated materials are never asked for
        part.properties[material.id] = upload_schema(compiled, material, users)
        # 容缺 may depend on the case: then "required" is a condition of its own (planning/varying.py)
        required_when = takes(material, "requirement", "required")
        required = constant(required_when)
        condition = compiled.needed(material.when, users)
        if condition is None and required:
            part.always.append(material.id)
        elif condition is not None:
            part.rules.append(_present_when("uploads", material.id, _shared_on_answers(compiled, condition),
                                            _on_answers(required_when) if required is None else required))
        elif required is None:
            part.rules.append({"if": _on_answers(required_when), "then": _group_has("uploads", material.id)})
    return part


def request_schema(compiled: Compiled) -> dict[str, Any]:
    """What the pre-check API accepts (its published request body): the form schema without the
    eligibility rules — an ineligible case is not a wrong request but one answered with the
    reasons and the fallback window. ID numbers and credit codes carry a ``format``
    (field_checks.FORMATS) naming their check character rule (GB 11643, GB 32100), which the
    server asserts. One leniency the schema does not state: a case that decidedly fails an
    eligibility rule may leave out the answers, fields and uploads an eligible case needs. One
    rule more it does not state: the cross-field rules JSON Schema cannot express (sums, field
    against field), which routing.json carries as JsonLogic and the server checks."""
    schema = form_schema(compiled)
    for field_id, field_schema in schema["properties"]["fields"]["properties"].items():
        if compiled.fields[field_id].type in FORMATS:
            field_schema["format"] = FORMATS[compiled.fields[field_id].type]
    rules = [rule for rule in schema.pop("allOf", []) if "if" in rule]
    if rules:
        schema["allOf"] = rules
    return schema


def _group(title: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    group: dict[str, Any] = {"title": title, "type": "object", "additionalProperties": False,
                             "properties": properties}
    if required:
        group["required"] = required
    return group


def situation_schema(situation: Situation, lang_code: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": situation.label.get(lang_code)}
    if situation.help:
        schema["description"] = situation.help.get(lang_code)
    if situation.type == "boolean":
        schema["type"] = "boolean"
        schema["oneOf"] = _yes_no(lang_code)  # the titles are what a portal shows (RJSF's radio labels)
    elif situation.type == "choice":
        schema["type"] = "string"
        schema["oneOf"] = [{"const": o.value, "title": o.label.get(lang_code)} for o in situation.options]
    elif situation.type == "multi_choice":
        schema["type"] = "array"
        schema["items"] = {"type": "string", "oneOf": [{"const": o.value, "title": o.label.get(lang_code)}
                                                        for o in situation.options]}
        schema["uniqueItems"] = True
        # a form cannot post "none of these" apart from "not answered": only where the bundle
        # says no box ticked is an answer (allow_none) may the list be empty
        schema["minItems"] = 0 if situation.allow_none else 1
    elif situation.type == "number":
        schema["type"] = "integer" if situation.integer else "number"
        if situation.minimum is not None:
            schema["minimum"] = situation.minimum
        if situation.maximum is not None:
            schema["maximum"] = situation.maximum
    else:
        schema["type"] = "string"
        schema["pattern"] = anchored(DATE_PATTERN)
    return schema


def _yes_no(lang_code: str) -> list[dict[str, Any]]:
    return [{"const": True, "title": say(lang_code, "yes")}, {"const": False, "title": say(lang_code, "no")}]


def upload_schema(compiled: Compiled, material: BundleMaterial, users: list[Item]) -> dict[str, Any]:
    """A material handed in: a list of references to uploaded files, at least ``count`` of them."""
    notes = [material_form(material, compiled.lang)]
    deferrable = constant(takes(material, "requirement", "deferrable"))
    if deferrable is not False:  # None: 容缺 in some cases only (form.html tells which, as answered)
        notes.append(say(compiled.lang, "deferrable_note" if deferrable else "deferrable_note_by_case"))
    if material.note:
        notes.append(compiled.text(material.note))
    return {
        "title": compiled.material_name(material),
        "description": ("; " if compiled.lang == "en" else "；").join(notes),
        "$comment": _asked_by(compiled, users),
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "minItems": material.count,
    }


def _asked_by(compiled: Compiled, users: list[Item]) -> str:
    """``json.dumps({"items": [...], "departments": [...]}, ensure_ascii=False)`` for these ids,
    written directly (one per field and upload; json.dumps set up an encoder for each)."""
    items = ", ".join([encode_basestring(item.id) for item in users])
    departments = ", ".join([encode_basestring(d) for d in dict.fromkeys(item.department for item in users)])
    return f'{{"items": [{items}], "departments": [{departments}]}}'


def _has_key(key: str) -> dict[str, Any]:
    # The key is declared beside "required": ajv's strictRequired insists on it.
    return {"type": "object", "required": [key], "properties": {key: True}}


def _group_has(group: str, key: str) -> dict[str, Any]:
    return {"type": "object", "properties": {group: _has_key(key)}}


def _present_when(group: str, key: str, condition: lang.Expr | dict[str, Any],
                  required: bool | dict[str, Any]) -> dict[str, Any]:
    """Required (or merely allowed) when the condition holds, absent when it does not.
    ``required`` may itself be a test on the application: required only when it holds too."""
    test = condition if isinstance(condition, dict) else _on_answers(condition)
    absent = {"type": "object", "properties": {group: {"not": _has_key(key)}}}
    rule: dict[str, Any] = {"if": test, "else": absent}
    if isinstance(required, dict):
        rule["then"] = {"if": required, "then": _group_has(group, key)}
    elif required:
        rule["then"] = _group_has(group, key)
    return rule


def _shared_on_answers(compiled: Compiled, expr: lang.Expr) -> dict[str, Any]:
    """``_on_answers`` once per compile for the same condition: the fields and uploads of one item
    share their "needed" condition (``Compiled.needed``). The schema holds it several times; read-only."""
    memo: dict[int, tuple[lang.Expr, dict[str, Any]]] = compiled.once("writers.form_schema", lambda: {})
    found = memo.get(id(expr))
    if found is None or found[0] is not expr:
        found = memo[id(expr)] = (expr, _on_answers(expr))
    return found[1]


def _on_answers(expr: lang.Expr) -> dict[str, Any]:
    """A condition as a schema of the whole application (answers live under "situations")."""
    return {"type": "object", "properties": {"situations": condition_schema(expr)}}


def condition_schema(expr: lang.Expr) -> dict[str, Any]:
    """A condition as a JSON Schema of the answers object, with the configurator's semantics:
    a comparison with an unanswered question fails, and ``not`` of it holds."""
    if isinstance(expr, lang.Name):
        return _about(expr.name, {"const": True})
    if isinstance(expr, lang.Literal):
        return {} if expr.value else {"not": {}}
    if isinstance(expr, lang.Ticked):
        return _about(expr.name.name, {"type": "array", "minItems": 1})
    if isinstance(expr, lang.Not):
        return {"not": condition_schema(expr.operand)}
    if isinstance(expr, lang.BoolOp):
        key = "allOf" if expr.op == "and" else "anyOf"
        return {key: [condition_schema(operand) for operand in expr.operands]}
    if isinstance(expr, lang.Compare):
        return _compare_schema(expr)
    raise TypeError(f"not a condition: {expr!r}")


def _about(name: str, value_schema: dict[str, Any]) -> dict[str, Any]:
    # "type" beside "required": strict validators (ajv's strictTypes) insist on it.
    return {"type": "object", "required": [name], "properties": {name: value_schema}}


def _compare_schema(expr: lang.Compare) -> dict[str, Any]:
    op, left, right = expr.op, expr.left, expr.right
    if op == "contains" or (op in ("in", "not in") and isinstance(right, lang.Name)):
        name, value = (left, right) if op == "contains" else (right, left)
        assert isinstance(name, lang.Name) and isinstance(value, lang.Literal)
        contains = {"contains": {"const": value.value}}
        return _about(name.name, {"type": "array", **(contains if op != "not in" else {"not": contains})})
    if isinstance(right, lang.Name):
        left, right = right, left
        op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
    assert isinstance(left, lang.Name)
    if op in ("in", "not in"):
        assert isinstance(right, lang.ListLiteral)
        member = {"enum": [literal.value for literal in right.values]}
        return _about(left.name, member if op == "in" else {"not": member})
    assert isinstance(right, lang.Literal)
    value = right.value
    if op == "==":
        return _about(left.name, {"const": value})
    if op == "!=":
        return _about(left.name, {"not": {"const": value}})
    if isinstance(value, str):  # a date: compared as text, which orders YYYY-MM-DD correctly
        return _about(left.name, {"type": "string", "pattern": date_order_pattern(op, value)})
    bound = {"<": "exclusiveMaximum", "<=": "maximum", ">": "exclusiveMinimum", ">=": "minimum"}[op]
    return _about(left.name, {"type": "number", bound: value})


def date_order_pattern(op: str, day: str) -> str:
    """A pattern matching the dates (YYYY-MM-DD) that compare to ``day`` as ``op`` says.

    Fixed-width text orders like its characters: a later date has, at the first place it
    differs, a greater digit. One alternative per place, plus the day itself for <= and >=.
    """
    greater = op in (">", ">=")
    alternatives = []
    for index, char in enumerate(day):
        if not char.isdigit():
            continue
        digit = int(char)
        if greater and digit < 9:
            alternatives.append(day[:index] + f"[{digit + 1}-9]")
        elif not greater and digit > 0:
            alternatives.append(day[:index] + f"[0-{digit - 1}]")
    if op in (">=", "<="):
        alternatives.append(day + "$")
    alternation = "|".join(alternatives) or "(?!)"
    # The lookahead keeps the value a date; digits and "-" need no escaping in either dialect
    # (and "\\-" outside a class is an error in ECMAScript's unicode mode, which ajv uses).
    return f"^(?=(?:{DATE_PATTERN})$(?![\\s\\S]))(?:{alternation})"
