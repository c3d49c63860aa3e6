"""The application pre-check of the portal API (POST /api/.../check), as a library: the API reads
the request and sends the answer; every rule of the check is here, testable without a web app.

An application is checked against the bundle's request schema (writers/form_schema.py), its
case is resolved once (planning/resolution.py) and the answer is that case as `explain` gives
it. A problem is reported once, however many schema clauses find it; the questions still to
answer are named by their labels, the same ones `explain` and the admin's simulator list.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from configurator.language.patterns import safe_validator
from configurator.language.regions import Resolved
from configurator.planning.calendar import CalendarError, WorkingCalendar, parse_date
from configurator.planning.compiled import Compiled
from configurator.planning.resolution import ResolvedCase, resolve
from configurator.present.explain import case_data
from configurator.present.quick_schema import QuickCheck
from configurator.present.schema_messages import say
from configurator.writers.field_checks import field_errors
from configurator.writers.field_rules import rule_errors
from configurator.writers.form_schema import form_schema

_LARGEST = int(sys.float_info.max)


@dataclass(frozen=True)
class Checker:
    """A bundle's request schema and its validators: made once per published version. ``quick``
    (jsonschema-rs, present/quick_schema.py) answers a valid application without the reference
    validator; ``cases`` keeps the case and verdict of answers seen before (a verdict's answer is
    shared: read it, do not change it)."""

    compiled: Compiled
    schema: dict[str, Any]
    validator: Any
    quick: QuickCheck | None = None
    cases: dict[Any, _Case] = field(default_factory=dict, compare=False, repr=False)


def checker(compiled: Compiled, quick: bool = True) -> Checker:
    """The pre-check of a compiled bundle; ``quick=False`` takes the reference path for every
    application and keeps no case (the tests compare the two)."""
    schema = form_schema(compiled)
    return Checker(compiled, schema, safe_validator(schema), QuickCheck(schema) if quick else None)


@dataclass(frozen=True)
class Verdict:
    """422 with ``problems`` (each a JSON pointer and a message), or 200 with ``answer``: the case
    as `explain --format json` gives it (the reasons and the fallback window for a case outside
    the bundle)."""

    status: int
    problems: tuple[dict[str, Any], ...] = ()
    answer: dict[str, Any] | None = None
    case: ResolvedCase | None = None


@dataclass
class _Found:
    """What the schema check found, by where the error comes from: the shape of the application
    ("base"), an answer, field or upload every case needs left out ("asked"), a question, field or
    upload missing ("presence") or present ("absent") against its condition, or an eligibility
    rule. Eligibility is never a refusal: the published request schema (form_schema.request_schema)
    leaves it out. A case that decidedly fails a rule (whatever the questions not answered yet)
    needs nothing more and is answered with the reasons and the fallback window; its shape, and
    the absence of what does not apply, must still be right."""

    by_origin: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {
        "base": [], "asked": [], "presence": [], "absent": [], "eligibility": [], "field_rule": []})
    unanswered: list[dict[str, Any]] = field(default_factory=list)  # the schema's "missing" at /situations
    required: list[tuple[dict[str, Any], jsonschema.ValidationError]] = field(default_factory=list)


_NOTHING_FOUND = _Found()  # what a valid application's schema check finds (read-only)


def pre_check(check: Checker, application: Any, lang: str, calendar: Callable[[], WorkingCalendar],
              region: Resolved | None = None) -> Verdict:
    """The verdict on a parsed JSON application (``check.compiled`` is the bundle as ``region``
    carries it out, if any; ``calendar`` is read only when the application has a "received" date)."""
    if check.quick is not None and _quickly_valid(check.quick, application):
        # Nothing the schema check would report: straight to the case (the same steps as below).
        received: dt.date | None = None
        received_problem: list[dict[str, str]] = []
        if "received" in application:
            application = dict(application)
            received, received_problem = _received(application, lang)
        return _judged(check, application, received, received_problem, _NOTHING_FOUND, lang, calendar, region)
    out_of_range = _out_of_range(application)
    if out_of_range:
        # No double holds them (a JavaScript portal reads Infinity): refused where they are,
        # rather than compared as infinities or echoed back as null.
        message = ("this number is out of range: write a finite number smaller than 1e308 in size" if lang == "en"
                   else "数值超出范围：请填写绝对值小于 1e308 的有限数")
        return Verdict(422, tuple({"pointer": at, "message": message} for at in out_of_range))
    if isinstance(application, dict):
        application = dict(application)  # "received" is taken out below; the caller's stays whole
    received, received_problem = _received(application, lang)
    found = _Found()
    for error in sorted(_schema_errors(check, application), key=lambda e: [str(p) for p in e.absolute_path]):
        entry = {"pointer": _pointer(error), "message": say(error, lang)}
        origin = _origin(check.schema, error)
        found.by_origin[origin].append(entry)
        if error.validator == "required" and list(error.absolute_path) == ["situations"]:
            found.unanswered.append(entry)
        elif origin == "presence" and error.validator == "required":
            found.required.append((entry, error))
    return _judged(check, application, received, received_problem, found, lang, calendar, region)


def _schema_errors(check: Checker, application: Any) -> Any:
    """The reference validator's errors: where jsonschema-rs is at hand, Python's jsonschema checks
    only the parts of the schema it found a problem with (QuickCheck.failing), the rest passing
    as they would there."""
    if check.quick is None or type(application) is not dict:
        return check.validator.iter_errors(application)
    return safe_validator(check.quick.failing(application)).iter_errors(application)


def _quickly_valid(quick: QuickCheck, application: Any) -> bool:
    """Whether jsonschema-rs finds nothing the reference check would report (the "received" date
    aside, which is not part of the form; a value other than text there takes the reference path)."""
    if type(application) is not dict:
        return False
    if "received" in application:
        if type(application["received"]) is not str:
            return False
        application = {k: v for k, v in application.items() if k != "received"}
    return quick.valid(application) and not (quick.walks_numbers and _out_of_range(application))


def _judged(check: Checker, application: Any, received: dt.date | None, received_problem: list[dict[str, str]],
            found: _Found, lang: str, calendar: Callable[[], WorkingCalendar], region: Resolved | None) -> Verdict:
    """The verdict once the schema check's findings are known."""
    compiled = check.compiled
    by_origin = found.by_origin
    answers = application.get("situations") if isinstance(application, dict) else None
    known = _case(check, answers, region) if isinstance(answers, dict) and not by_origin["base"] else None
    case = known.case if known is not None else None
    decided_out = case is not None and case.eligible is False
    if found is _NOTHING_FOUND:  # every valid application: nothing to sort out below
        problems = list(received_problem)
    else:
        problems = _found_problems(compiled, case, found, decided_out, lang) + received_problem
    if isinstance(application, dict) and not decided_out:
        # Cross-field rules, all of them checked here with the rule's message on its first field
        # (the schema's clauses for some of them, by_origin["field_rule"], would say less);
        # a rule reads numbers only, so a value of the wrong type leaves it unchecked.
        problems += [{"pointer": e["pointer"], "message": e["message"], "rule": e["rule"], "pointers": e["pointers"]}
                     for e in rule_errors(compiled, application)]
    if not problems and not decided_out:
        # Check characters JSON Schema cannot express (GB 11643, GB 32100): errors on their fields.
        problems = [{"pointer": e["pointer"], "message": e["message"]}
                    for e in field_errors(compiled, application["fields"])]
    if problems:
        return Verdict(422, _once(problems))
    assert known is not None and case is not None and isinstance(answers, dict)  # a valid application has its answers
    if received is not None and case.eligible:
        try:
            case = resolve(compiled, answers, region, calendar(), received)
        except CalendarError as error:
            return Verdict(422, ({"pointer": "/received", "message": error.text(lang)},))
        return Verdict(200, answer=case_data(compiled, case), case=case)
    if known.verdict is None:
        known.verdict = Verdict(200, answer=case_data(compiled, case), case=case)
    return known.verdict


def _found_problems(compiled: Compiled, case: ResolvedCase | None, found: _Found, decided_out: bool,
                    lang: str) -> list[dict[str, Any]]:
    """What the schema check found that the case leaves standing."""
    by_origin = found.by_origin
    if case is not None and not case.complete:
        # a field or upload needed only if a question not answered yet goes one way is not asked for yet
        undecided = {m.id for m in case.undecided_materials} | {f.id for f in case.undecided_fields}
        presence = [entry for entry in by_origin["presence"] if not any(
            entry is kept and all(name in undecided for name in _missing(error)) for kept, error in found.required)]
    else:
        presence = by_origin["presence"]
    problems = by_origin["base"] + by_origin["absent"]
    if not decided_out:
        problems += _unanswered(compiled, case, by_origin["asked"] + presence, found.unanswered, lang)
    return problems


class _Case:
    """A case resolved from answers (without a date of receipt), and its verdict once one is given."""

    __slots__ = ("region", "case", "verdict")

    def __init__(self, region: Resolved | None, case: ResolvedCase) -> None:
        self.region, self.case = region, case
        self.verdict: Verdict | None = None


_KEPT_CASES = 256  # distinct answer sets kept per checker (about 11 KiB each), the oldest going first


def _case(check: Checker, answers: dict[str, Any], region: Resolved | None) -> _Case:
    """The case of these answers, resolved once per distinct answers (and region) while kept (the
    reference checker keeps none: it is what the kept ones are compared with)."""
    if check.quick is None:
        return _Case(region, resolve(check.compiled, answers, region))
    kinds = tuple(map(type, answers.values()))
    if _PLAIN.issuperset(kinds):  # the usual answers: keyed as they are, built in C
        key: Any = (id(region), tuple(answers.items()), kinds)
    elif _JSON.issuperset(kinds):
        # Numbers and ticked options: keyed by their text, which tells apart what Python's equality
        # does not (1, 1.0 and true; 0.0 and -0.0) and is one C call (the application is parsed JSON).
        key = (id(region), repr(answers))
    else:  # an answer JSON never gives (a Python caller's object): resolved every time
        return _Case(region, resolve(check.compiled, answers, region))
    known = check.cases.get(key)
    if known is not None and known.region is region:
        return known
    known = check.cases[key] = _Case(region, resolve(check.compiled, answers, region))
    while len(check.cases) > _KEPT_CASES:
        try:
            del check.cases[next(iter(check.cases))]
        except (KeyError, RuntimeError, StopIteration):  # another thread took it first
            break
    return known


_PLAIN = frozenset({str, bool, int, type(None)})  # told apart by their class beside them in the key
_JSON = frozenset({*_PLAIN, float, list, dict})


def _unanswered(compiled: Compiled, case: ResolvedCase | None, needed: list[dict[str, Any]],
                missing: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """``needed`` with the questions still to answer said once, by their labels, where the schema
    first said "missing" (it says so once per clause that needs an answer, naming ids)."""
    if not missing or case is None or not case.unanswered:
        return needed
    labels = [compiled.text(s.label) for s in compiled.bundle.situations if s.id in case.unanswered]
    text = ("still to answer: " + "; ".join(labels)) if lang == "en" else "还需回答：" + "、".join(f"“{x}”" for x in labels)
    first = next(i for i, entry in enumerate(needed) if any(entry is m for m in missing))
    rest = [entry for entry in needed[first + 1:] if not any(entry is m for m in missing)]
    return [*needed[:first], {"pointer": "/situations", "message": text}, *rest]


def _pointer(error: jsonschema.ValidationError) -> str:
    """Where the error is. An answer, field or upload the case does not ask for is found by a
    ``not`` on its group (form_schema._present_when): the pointer names the entry itself, which is
    what the portal marks and the citizen removes, not the whole group."""
    path = [str(p) for p in error.absolute_path]
    unwanted = error.validator_value if error.validator == "not" else None
    if isinstance(unwanted, dict) and isinstance(error.instance, dict):
        path += [key for key in unwanted.get("required", []) if key in error.instance][:1]
    return "/" + "/".join(_escape(p) for p in path)


def _missing(error: jsonschema.ValidationError) -> list[str]:
    present = error.instance if isinstance(error.instance, dict) else {}
    return [name for name in error.validator_value if name not in present]


def _once(problems: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Each problem once, in the order first found."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for problem in problems:
        key = tuple(sorted((k, str(v)) for k, v in problem.items()))
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return tuple(kept)


def _out_of_range(value: Any) -> list[str]:
    """JSON pointers of the numbers no double holds (1e999, 10⁴⁰⁰), in document order."""
    found = []
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        at, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((f"{at}/{_escape(str(k))}", v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((f"{at}/{i}", v) for i, v in reversed(list(enumerate(node))))
        elif _unheld(node):
            found.append(at or "/")
    return found


def _unheld(node: Any) -> bool:
    if isinstance(node, float):
        return not math.isfinite(node)
    return isinstance(node, int) and not isinstance(node, bool) and abs(node) > _LARGEST


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _received(application: Any, lang: str) -> tuple[dt.date | None, list[dict[str, str]]]:
    """The optional "received" date (YYYY-MM-DD), taken out of the application before the form check."""
    if not isinstance(application, dict) or "received" not in application:
        return None, []
    value = application.pop("received")
    try:
        if not isinstance(value, str):
            raise ValueError("received 应是 YYYY-MM-DD 格式的日期")
        return parse_date(value), []
    except ValueError as error:
        message = "received must be a date written YYYY-MM-DD" if lang == "en" else str(error)
        return None, [{"pointer": "/received", "message": message}]


def _origin(schema: Mapping[str, Any], error: jsonschema.ValidationError) -> str:
    """Where a validation error comes from (see ``pre_check``)."""
    path = list(error.absolute_schema_path)
    if len(path) >= 2 and path[0] == "allOf" and isinstance(path[1], int):
        if str(schema["allOf"][path[1]].get("$comment", "")).startswith("field_rule:"):
            return "field_rule"
        if "if" not in schema["allOf"][path[1]]:
            return "eligibility"
        return "absent" if len(path) >= 3 and path[2] == "else" else "presence"
    if len(path) == 3 and path[0] == "properties" and path[2] == "required":
        return "asked"  # an answer, field or upload every eligible case needs
    return "base"
