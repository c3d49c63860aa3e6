"""Whether a condition can be true, or false: exact, over the values that matter."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any

from configurator.language.conditions.evaluate import Predicate, compile_predicate
from configurator.language.conditions.solver import outcomes, reachable
from configurator.language.conditions.syntax import BoolOp, Compare, Expr, ListLiteral, Literal, Name, Not, Ticked, names
from configurator.language.conditions.types import Variable

_MAX_COMBINATIONS = 20000


def candidates(variable: Variable, constants: set[Any]) -> list[Any]:
    """Answers that reach every region a comparison against ``constants`` can separate."""
    values: list[Any]
    if variable.kind == "boolean":
        values = [True, False]
    elif variable.kind == "choice":
        values = list(variable.options)
    elif variable.kind == "multi_choice":
        # An answer selects at least one option unless the bundle allows none (``allow_none``);
        # an option no condition mentions stands for "only other options".
        mentioned = sorted(c for c in constants if isinstance(c, str) and c in variable.options)
        others = [o for o in variable.options if o not in mentioned]
        values = [list(chosen) for size in range(1, len(mentioned) + 1)
                  for chosen in itertools.combinations(mentioned, size)]
        if others:
            values.insert(0, [others[0]])
        if variable.allow_none:
            values.insert(0, [])
    elif variable.kind == "number":
        numbers = sorted({float(c) for c in constants if isinstance(c, (int, float)) and not isinstance(c, bool)})
        points: set[float] = set()
        for index, number in enumerate(numbers):
            points.update((number, number - 1, number + 1))
            if index + 1 < len(numbers):
                points.add((number + numbers[index + 1]) / 2)
        if not numbers:
            points.add(0.0)
        if variable.integer:
            points = {float(int(p)) for p in points} | {float(int(p)) + 1 for p in points}
        if variable.minimum is not None:
            points = {p for p in points if p >= variable.minimum} | {float(variable.minimum)}
        if variable.maximum is not None:
            points = {p for p in points if p <= variable.maximum} | {float(variable.maximum)}
        values = sorted(points)
    else:  # date
        days = sorted({dt.date.fromisoformat(c) for c in constants if isinstance(c, str) and _is_date(c)})
        day_points: set[dt.date] = {dt.date(2000, 1, 1)}
        for day in days:
            day_points.update((day, day - dt.timedelta(days=1), day + dt.timedelta(days=1)))
        values = [day.isoformat() for day in sorted(day_points)]
    if variable.may_be_unanswered:
        values.append(None)
    return values


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def constants_of(expr: Expr, into: dict[str, set[Any]]) -> None:
    """Collect, per situation, the values the condition compares it with."""
    if isinstance(expr, Not):
        constants_of(expr.operand, into)
    elif isinstance(expr, BoolOp):
        for operand in expr.operands:
            constants_of(operand, into)
    elif isinstance(expr, Compare):
        for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
            if isinstance(side, Name):
                bucket = into.setdefault(side.name, set())
                if isinstance(other, Literal):
                    bucket.add(other.value)
                elif isinstance(other, ListLiteral):
                    bucket.update(v.value for v in other.values)
            constants_of(side, into)
    elif isinstance(expr, Name):
        into.setdefault(expr.name, set())
    elif isinstance(expr, Ticked):  # ticked or not: the candidates without constants cover both
        into.setdefault(expr.name.name, set())


def _domains(ordered: list[str], variables: Mapping[str, Variable],
             constants: dict[str, set[Any]]) -> list[list[Any]] | None:
    """The values worth trying for each question, or None when their product is too large to try."""
    domains = [candidates(variables[name], constants[name]) for name in ordered]
    total = 1
    for domain in domains:
        total *= max(len(domain), 1)
        if total > _MAX_COMBINATIONS:
            return None
    return domains


def truth_table(expr: Expr, variables: Mapping[str, Variable], memo: dict[Any, Any] | None = None) -> set[bool] | None:
    """The set of values the condition takes over all answers, or None if it cannot be decided
    (a name that is no question, or a search past its budget).

    Exact for this language: comparisons are only against constants (or between two
    answers of the same kind), so the candidates cover every region of the answer space;
    decided from the condition's structure (``solver``), not by trying every combination.
    ``memo``: a dict kept across calls on the same ``variables`` (a check's), so that what the
    conditions share (the eligibility rules each is joined with) is compiled once.
    """
    constants: dict[str, set[Any]] = {}
    constants_of(expr, constants)
    if any(name not in variables for name in constants):
        return None
    if memo is None:
        return outcomes(expr, {name: candidates(variables[name], constants[name]) for name in constants})
    domains = {}
    for name, compared in constants.items():
        key = ("candidates", name, frozenset(compared))
        if key not in memo:
            memo[key] = candidates(variables[name], compared)  # one list per key: masks know it by id
        domains[name] = memo[key]
    return outcomes(expr, domains, memo)


def witness(expr: Expr, variables: Mapping[str, Variable], asked: Mapping[str, Expr | None]) -> dict[str, Any] | None:
    """An answer set a citizen can give that makes ``expr`` true, or None if there is none
    (or too many combinations to try). ``asked`` gives each question's ``when``: a question is
    answered exactly when its ``when`` holds, so the answer set found is a reachable one."""
    constants: dict[str, set[Any]] = {}
    constants_of(expr, constants)
    pending = list(constants)
    while pending:  # the questions deciding whether the ones read here are asked
        condition = asked.get(pending.pop())
        if condition is not None:
            before = set(constants)
            constants_of(condition, constants)
            pending.extend(set(constants) - before)
    if any(name not in variables for name in constants):
        return None
    ordered = [name for name in variables if name in constants]  # the order questions are asked in
    if reachable(expr, {name: candidates(variables[name], constants[name]) for name in ordered}, asked) is False:
        return None  # decided from the structure: in a bundle without the error, no product is tried
    domains = _domains(ordered, variables, constants)
    if domains is None:
        return None
    return _first_reachable(compile_predicate(expr), ordered, domains, asked)



def _first_reachable(holds: Predicate, ordered: list[str], domains: list[list[Any]],
                     asked: Mapping[str, Expr | None]) -> dict[str, Any] | None:
    """The first answer set, in the order of ``itertools.product(*domains)``, that a citizen can
    give and that ``holds``. Depth first: each question's "is it asked" is judged as soon as every
    question it reads has its answer, so a branch no citizen can reach is left at once rather
    than once per combination below it (the answer set found is the same); a condition reading a
    question after it is judged on the whole answer set."""
    if not ordered:
        return {} if holds({}) else None
    position = {name: index for index, name in enumerate(ordered)}
    checks: list[list[tuple[str, Predicate | None]]] = [[] for _ in ordered]
    for index, name in enumerate(ordered):
        condition = asked.get(name)
        read = [position.get(n.name, -1) for n in names(condition)] if condition is not None else []
        at = len(ordered) - 1 if any(p < 0 for p in read) else max([index, *read])
        checks[at].append((name, None if condition is None else compile_predicate(condition)))
    answers: dict[str, Any] = {}
    last = len(ordered) - 1

    def first(index: int) -> dict[str, Any] | None:
        name = ordered[index]
        for value in domains[index]:
            if value is not None:
                answers[name] = value
            # asked exactly when answered (asked but unanswered only where None is no candidate)
            if all((when is None or when(answers)) == (asked_name in answers) for asked_name, when in checks[index]):
                found = (dict(answers) if holds(answers) else None) if index == last else first(index + 1)
                if found is not None:
                    return found
            answers.pop(name, None)
        return None

    return first(0)
