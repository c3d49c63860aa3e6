"""The pre-check's fast yes: jsonschema-rs answering only "would the reference check find a
problem in this application's shape?", so that a valid application never pays for Python's
jsonschema, and an invalid one still gets its messages, word for word, from the reference path
(present/precheck.py, with present/schema_messages.py).

The schema it validates is the request schema with three changes that keep "valid here" the
same as "no problem the pre-check reports" there:

- only the clauses whose errors the pre-check reports are kept: a top-level ``allOf`` entry that
  is an eligibility rule or a cross-field rule is left out (their errors are never shown; a case
  outside the bundle is answered with the fallback window, and the cross-field rules are checked
  by writers/field_rules with the rule's own message);
- every place that admits a number admits only what a double holds (``minimum``/``maximum``
  at ±1.797…e308, compared exactly by jsonschema-rs, big integers included), so that a valid
  application has no number the pre-check refuses as out of range; a place that admits any value
  (a schema without ``type``) makes the fast path walk the application for such numbers instead;
- a ``pattern`` is matched by the Rust ``regex`` crate (linear time, like RE2) only where the
  two engines cannot read it differently: plain characters, classes, groups, alternation,
  quantifiers and escaped punctuation. Anything else (``\\d``, ``\\s``, ``\\w``, ``\\b`` are
  Unicode-aware in Rust and ASCII in RE2; nested classes and ``&&`` are set operations in Rust
  only) is matched through a keyword calling the reference's own RE2 ``search``.

jsonschema-rs raising on a value (a lone surrogate, a non-string key) is no answer: the caller
then takes the reference path.

For a refused application, ``failing`` finds with jsonschema-rs which parts of the request schema
(each top-level ``allOf`` clause, each group's own keywords, each answer, field and upload) find a
problem, and gives the request schema with every other part replaced by ``true``: Python's
jsonschema then words only those, with the same keywords in the same order, the same schema
paths and the same titles, so every message and pointer is the reference's. tests/test_precheck_fast.py holds the two paths to the same
verdicts on generated applications for every shipped bundle.
"""

from __future__ import annotations

import copy
import functools
import sys
from typing import Any

import jsonschema_rs
import re2

from configurator.language.patterns import search

_LARGEST = int(sys.float_info.max)
_END = "$(?![\\s\\S])"  # the ending form.schema.json gives every anchored pattern (fieldtypes.anchored)
# Escapes meaning the same character in RE2 and in Rust's regex crate
_PORTABLE_ESCAPES = frozenset("\\^$.|?*+()[]{}/-rnt")
_RE2_KEYWORD = "x-configurator-re2-pattern"
_NUMBERS = frozenset({"number", "integer"})
_RE2_QUIET = re2.Options()
_RE2_QUIET.log_errors = False


class QuickCheck:
    """jsonschema-rs on the pre-check's request schema, reduced as the module says."""

    def __init__(self, schema: dict[str, Any]) -> None:
        quick = reported_clauses(schema)
        _narrow(quick)
        self.walks_numbers = _unbounded(quick)
        self.validator = _rust(quick)
        self.schema = schema
        whole = copy.deepcopy(schema)
        _narrow(whole)
        self.clauses = [_rust(clause) for clause in whole.get("allOf", [])]
        self.groups = {name: (_rust({**group, "properties": {key: True for key in group.get("properties", {})}}),
                              {key: _rust(place) for key, place in group.get("properties", {}).items()})
                       for name, group in whole.get("properties", {}).items() if isinstance(group, dict)}

    def valid(self, application: Any) -> bool:
        """True when the reference check would report nothing about the application's shape;
        False when it may (or when jsonschema-rs cannot read the value)."""
        return _holds(self.validator, application)


    def failing(self, application: dict[str, Any]) -> dict[str, Any]:
        """The request schema keeping only the parts jsonschema-rs finds a problem with (or cannot
        read the value for); every part it finds valid is ``true``, which Python's jsonschema passes
        as the reference would pass the part it replaces."""
        reduced = dict(self.schema)
        if "allOf" in reduced:
            reduced["allOf"] = [True if _holds(rust, application) else clause
                                for clause, rust in zip(self.schema["allOf"], self.clauses, strict=True)]
        properties = dict(self.schema["properties"])
        for name, (keywords, places) in self.groups.items():
            value = application.get(name, _ABSENT)
            if value is _ABSENT:
                properties[name] = True  # jsonschema checks a property only where the application has it
                continue
            if type(value) is not dict:
                continue
            group = properties[name]
            kept = {key: True if key not in value or _holds(places[key], value[key]) else place
                    for key, place in group.get("properties", {}).items()}
            if _holds(keywords, value) and all(place is True for place in kept.values()):
                properties[name] = True
            elif "properties" in group:
                properties[name] = {**group, "properties": kept}  # the keywords in their order
        reduced["properties"] = properties
        return reduced


_ABSENT = object()


def _rust(schema: Any) -> Any:
    return jsonschema_rs.Draft202012Validator(
        schema, validate_formats=False, pattern_options=jsonschema_rs.RegexOptions(),
        keywords={_RE2_KEYWORD: _Re2Pattern})


def _holds(validator: Any, value: Any) -> bool:
    """jsonschema-rs finds nothing wrong (a value it cannot read is left to the reference)."""
    try:
        return bool(validator.is_valid(value))
    except (ValueError, TypeError, UnicodeError, OverflowError):
        return False


def reported_clauses(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of the schema without the top-level clauses whose errors the pre-check never reports
    (the same partition as precheck._origin: eligibility rules have no ``if``; a cross-field
    rule's ``$comment`` starts with "field_rule:")."""
    quick = copy.deepcopy(schema)
    kept = [clause for clause in quick.pop("allOf", [])
            if "if" in clause and not str(clause.get("$comment", "")).startswith("field_rule:")]
    if kept:
        quick["allOf"] = kept
    return quick


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONES = ("items", "additionalProperties", "contains", "if", "then", "else", "not", "propertyNames")


def _narrow(node: Any) -> None:
    """Bound numbers and make patterns portable, in place, in every subschema. A bound inside a
    condition changes nothing for an application with no out-of-range number, and one with
    such a number already fails its own place's bound (``_unbounded`` says there is one)."""
    if not isinstance(node, dict):
        return
    kinds = node.get("type")
    if kinds is not None and _NUMBERS & ({kinds} if isinstance(kinds, str) else set(kinds)):
        node["maximum"] = min(node.get("maximum", _LARGEST), _LARGEST)
        node["minimum"] = max(node.get("minimum", -_LARGEST), -_LARGEST)
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        stripped = pattern[: -len(_END)] + "$" if pattern.endswith(_END) else pattern
        if _portable(stripped):
            node["pattern"] = stripped
        else:
            del node["pattern"]
            node[_RE2_KEYWORD] = pattern
    for key in _SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            for value in node[key].values():
                _narrow(value)
    for key in _SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            for value in node[key]:
                _narrow(value)
    for key in _SCHEMA_ONES:
        if key in node:
            _narrow(node[key])


def _unbounded(schema: Any) -> bool:
    """Whether a place of the application's own structure (the properties and items every valid
    application is checked against, whatever the conditions) may hold a value no ``type`` bounds."""
    if schema is False:
        return False
    if not isinstance(schema, dict):
        return True
    kinds = schema.get("type")
    if kinds is None:
        return "const" not in schema and not ("enum" in schema and not any(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in schema["enum"]))
    kinds = {kinds} if isinstance(kinds, str) else set(kinds)
    places: list[Any] = []
    if "object" in kinds:
        places += [*schema.get("properties", {}).values(), *schema.get("patternProperties", {}).values(),
                   schema.get("additionalProperties", True)]
    if "array" in kinds:
        places += [*schema.get("prefixItems", []), schema.get("items", True)]
    return any(_unbounded(place) for place in places)


@functools.lru_cache(maxsize=4096)
def _portable(pattern: str) -> bool:
    """Whether RE2 and Rust's regex crate read the pattern alike (conservatively: no shorthand
    classes, no nested classes or class set operations, no counted repetition they parse apart)."""
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 >= len(pattern) or pattern[index + 1] not in _PORTABLE_ESCAPES:
                return False
            index += 2
            continue
        if in_class:
            if char == "[" or pattern[index:index + 2] in ("&&", "--", "~~"):
                return False
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if pattern[index + 1:index + 2] == "^":
                index += 1
            if pattern[index + 1:index + 2] == "]":
                return False  # "[]…]": a literal ] to one engine, an empty class to another
        elif char == "{" and not _counted(pattern, index):
            return False
        index += 1
    if in_class:
        return False
    try:  # one either engine cannot compile (RE2 past 1,000 repeats, Rust past its size limit) goes through RE2
        re2.compile(pattern, _RE2_QUIET)
        jsonschema_rs.Draft202012Validator({"pattern": pattern}, pattern_options=jsonschema_rs.RegexOptions())
    except (re2.error, ValueError, jsonschema_rs.ValidationError):
        return False
    return True


def _counted(pattern: str, index: int) -> bool:
    """``{n}``, ``{n,}`` or ``{n,m}`` at ``index``: the only braces both engines read as a count."""
    end = pattern.find("}", index)
    if end < 0:
        return False
    inside = pattern[index + 1:end]
    low, comma, high = inside.partition(",")
    return low.isdigit() and low.isascii() and (not high or (high.isdigit() and high.isascii())) and (
        bool(comma) or not high)


class _Re2Pattern:
    """``pattern`` matched by the reference's RE2 ``search``, for a pattern Rust may read otherwise."""

    def __init__(self, _parent_schema: dict[str, Any], value: Any, _schema_path: list[str | int]) -> None:
        self.pattern = str(value)

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and not search(self.pattern, instance):
            raise ValueError("does not match")
