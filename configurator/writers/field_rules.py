"""Cross-field rules (``field_rules:``) for every channel: JsonLogic for portals (routing.json),
a JSON Schema clause where the schema can say it (form.schema.json), and the server's own
check (pre-check API, ``explain``, the server-side form), all with one arithmetic.

The arithmetic is IEEE double precision done in one order, so that Python and JavaScript
(json-logic-js) compute bit-identical numbers: a sum starts at 0 and adds the fields left to
right (json-logic-js's ``+``), then the limit is subtracted. Decimal fractions are inexact in
binary (10.1 + 64.1 + 25.8 is 99.99999999999999), so a comparison involving a sum treats
differences of at most ``RULE_TOLERANCE`` (10⁻⁶) as none; a single field against a constant or
another field is compared exactly, which is also what JSON Schema's ``minimum``, ``maximum``
and ``const`` do. docs/bundle-format.md states this for authors.

A rule is checked when its ``when`` holds and every field it names has a number (a field that
is a situation's answer, ``from_situation``, is read under "situations").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from configurator.language import conditions as lang
from configurator.language.jsonlogic import to_jsonlogic
from configurator.language.modelbuilder import RULE_TOLERANCE
from configurator.model import FieldRule
from configurator.planning.compiled import Compiled

# The JSON Schema keyword of a single field compared with a constant.
SCHEMA_BOUNDS = {"equals": "const", "at_most": "maximum", "at_least": "minimum", "less_than": "exclusiveMaximum",
                 "greater_than": "exclusiveMinimum"}
_EXACT = {"equals": "===", "at_most": "<=", "at_least": ">=", "less_than": "<", "greater_than": ">"}


def place(compiled: Compiled, field_id: str) -> tuple[str, str]:
    """Where an application holds the field's value: (group, key)."""
    field = compiled.field_entry(field_id)
    return ("situations", field.from_situation) if field.from_situation else ("fields", field_id)


def pointer(compiled: Compiled, field_id: str) -> str:
    group, key = place(compiled, field_id)
    return f"/{group}/{key}"


def tolerant(rule: FieldRule) -> bool:
    """Rounding errors are possible only where fields are added up."""
    return len(rule.terms) > 1


def in_form_schema(rule: FieldRule) -> bool:
    """A single field against a constant: JSON Schema says it (under the rule's condition)."""
    return len(rule.terms) == 1 and not isinstance(rule.limit, str)


# ------------------------------------------------------------------------------- evaluation


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer no double holds: JSON.parse reads it as ±Infinity
        return math.inf if value > 0 else -math.inf


def _values(compiled: Compiled, rule: FieldRule, application: Mapping[str, Any]) -> list[float] | None:
    """The numbers the rule reads, terms first then the limit field; None when one is missing."""
    found = []
    for field_id in [*rule.terms, *([rule.limit] if isinstance(rule.limit, str) else [])]:
        group, key = place(compiled, field_id)
        values = application.get(group)
        number = _number(values.get(key)) if isinstance(values, Mapping) else None
        if number is None:
            return None
        found.append(number)
    return found


def holds(rule: FieldRule, terms: list[float], limit: float) -> bool:
    """The comparison, exactly as the JsonLogic of ``check_logic`` computes it."""
    if not tolerant(rule):
        left = terms[0]
        return {"equals": left == limit, "at_most": left <= limit, "at_least": left >= limit,
                "less_than": left < limit, "greater_than": left > limit}[rule.op]
    total = 0.0
    for term in terms:  # json-logic-js: [a, b, c].reduce((s, x) => s + x, 0)
        total = total + term
    difference = total - limit
    return {"equals": -RULE_TOLERANCE <= difference <= RULE_TOLERANCE, "at_most": difference <= RULE_TOLERANCE,
            "at_least": difference >= -RULE_TOLERANCE, "less_than": difference < -RULE_TOLERANCE,
            "greater_than": difference > RULE_TOLERANCE}[rule.op]


def broken(compiled: Compiled, rule: FieldRule, application: Mapping[str, Any]) -> bool:
    """The rule applies to the application and does not hold."""
    answers = application.get("situations")
    if rule.when is not None and not lang.evaluate(rule.when.expr, answers if isinstance(answers, dict) else {}):
        return False
    values = _values(compiled, rule, application)
    if values is None:
        return False
    limit = values.pop() if isinstance(rule.limit, str) else float(rule.limit)
    return not holds(rule, values, limit)


def rule_errors(compiled: Compiled, application: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The broken rules, each as {"rule", "fields", "pointer", "pointers", "message"}: the pointer
    is the first field's, so a portal showing one error per field puts the message there."""
    errors = []
    for rule in compiled.bundle.field_rules:
        if broken(compiled, rule, application):
            pointers = [pointer(compiled, field_id) for field_id in rule.fields]
            errors.append({"rule": rule.id, "fields": list(rule.fields), "pointer": pointers[0],
                           "pointers": pointers, "message": compiled.text(rule.message)})
    return errors


# ---------------------------------------------------------------------------------- JsonLogic


def _var(compiled: Compiled, field_id: str) -> dict[str, str]:
    return {"var": ".".join(place(compiled, field_id))}


def _under_situations(rule: Any) -> Any:
    """A condition's JsonLogic (over the answers) made to read the whole application."""
    if isinstance(rule, dict):
        if set(rule) == {"var"} and isinstance(rule["var"], str):
            return {"var": f"situations.{rule['var']}"}
        return {key: _under_situations(value) for key, value in rule.items()}
    if isinstance(rule, list):
        return [_under_situations(value) for value in rule]
    return rule


def _is_number(compiled: Compiled, field_id: str) -> Any:
    """The field's value is a number: ``+`` (parseFloat) gives back the very value only for one;
    JsonLogic has no type test, and "50" or true would otherwise be added up as 50 or 1."""
    var = _var(compiled, field_id)
    return {"===": [var, {"+": [var]}]}


def applies_logic(compiled: Compiled, rule: FieldRule) -> Any:
    """When the rule is checked: its ``when``, and every field it names has a number (as ``broken``)."""
    present = {"and": [_is_number(compiled, f) for f in rule.fields]}
    if rule.when is None:
        return present
    return {"and": [_under_situations(to_jsonlogic(rule.when.expr)), present]}


def check_logic(compiled: Compiled, rule: FieldRule) -> Any:
    """The comparison over the application; evaluated only where ``applies_logic`` holds."""
    limit = _var(compiled, rule.limit) if isinstance(rule.limit, str) else rule.limit
    if not tolerant(rule):
        return {_EXACT[rule.op]: [_var(compiled, rule.terms[0]), limit]}
    difference = {"-": [{"+": [_var(compiled, term) for term in rule.terms]}, limit]}
    return {
        "equals": {"<=": [-RULE_TOLERANCE, difference, RULE_TOLERANCE]},
        "at_most": {"<=": [difference, RULE_TOLERANCE]},
        "at_least": {">=": [difference, -RULE_TOLERANCE]},
        "less_than": {"<": [difference, -RULE_TOLERANCE]},
        "greater_than": {">": [difference, RULE_TOLERANCE]},
    }[rule.op]


def routing_entries(compiled: Compiled) -> list[dict[str, Any]]:
    """routing.json's "field_rules": every rule, as JsonLogic over the whole application (once per
    compile: form.ui.json and form.html carry the same entries; shared, so read-only)."""
    return compiled.once("writers.field_rules", lambda: _routing_entries(compiled))


def _routing_entries(compiled: Compiled) -> list[dict[str, Any]]:
    return [{"id": rule.id, "fields": list(rule.fields),
             "pointers": [pointer(compiled, f) for f in rule.fields],
             "applies": applies_logic(compiled, rule), "check": check_logic(compiled, rule),
             "message": compiled.text(rule.message), "in_form_schema": in_form_schema(rule)}
            for rule in compiled.bundle.field_rules]


def schema_clause(compiled: Compiled, rule: FieldRule, condition: dict[str, Any] | None) -> dict[str, Any]:
    """The form.schema.json clause of a rule ``in_form_schema``: under ``condition`` (the rule's
    ``when`` as a schema of the application), the field's value keeps the bound."""
    group, key = place(compiled, rule.terms[0])
    bound = {"type": "number", SCHEMA_BOUNDS[rule.op]: rule.limit}
    then = {"type": "object", "properties": {group: {"type": "object", "properties": {key: bound}}}}
    return {"$comment": f"field_rule:{rule.id}", "if": condition or {"type": "object"}, "then": then}
