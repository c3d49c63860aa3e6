"""The structural solver behind ``truth_table`` (E405, W406, E408, E412, the notice's "otherwise")
decides what trying every combination of the candidates decided, and the check says the same.

The oracle is the enumeration ``truth_table`` used before: every combination of each question's
candidates (up to 20,000 of them), the condition evaluated on each. Where the oracle decides, the
solver must give the same set of outcomes; where the product was too large for it, the solver may
decide (it is never tried against the oracle there)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import configurator.language.conditions as lang
from configurator.language.check import check_bundle
from configurator.language.conditions import Expr, Variable, candidates, constants_of, evaluate, parse, truth_table
from tests.helpers import CORPUS, ROOT, shipped_catalogues

_ORACLE_LIMIT = 20000


def enumerated_truth_table(expr: Expr, variables: dict[str, Variable], memo: Any = None) -> set[bool] | None:
    """The former ``truth_table``: every combination of the candidates, or None past the limit
    (``memo``, the solver's, is not used)."""
    constants: dict[str, set[Any]] = {}
    constants_of(expr, constants)
    if any(name not in variables for name in constants):
        return None
    ordered = sorted(constants)
    domains = [candidates(variables[name], constants[name]) for name in ordered]
    total = 1
    for domain in domains:
        total *= max(len(domain), 1)
        if total > _ORACLE_LIMIT:
            return None
    seen: set[bool] = set()
    for combination in itertools.product(*domains):
        seen.add(evaluate(expr, dict(zip(ordered, combination, strict=True))))
        if len(seen) == 2:
            break
    return seen


_FILES = sorted([*(ROOT / "bundles").glob("*.yaml"), *(CORPUS / "good").glob("*.yaml"), *(CORPUS / "bad").glob("*.yaml"),
                 CORPUS / "base.yaml", *(ROOT / "tests" / "conformance").rglob("*.yaml")])


@pytest.fixture(scope="module")
def asked_of_the_solver() -> dict[Path, list[tuple[Expr, dict[str, Variable]]]]:
    """Every condition the check of each file asks ``truth_table`` about, with its questions."""
    asked: dict[Path, list[tuple[Expr, dict[str, Variable]]]] = {}
    original = lang.truth_table

    def recording(expr: Expr, variables: Any, memo: Any = None) -> set[bool] | None:
        asked[current].append((expr, dict(variables)))
        return original(expr, variables, memo)

    lang.truth_table = recording
    try:
        for current in _FILES:
            asked[current] = []
            check_bundle(current.read_bytes(), str(current.relative_to(ROOT)), shipped_catalogues())
    finally:
        lang.truth_table = original
    return asked


def test_the_files_ask_the_solver_about_many_conditions(asked_of_the_solver):
    shipped = [path for path in asked_of_the_solver if path.parent == ROOT / "bundles"]
    assert len(shipped) >= 13
    assert all(asked_of_the_solver[path] for path in shipped)
    assert sum(map(len, asked_of_the_solver.values())) > 300  # distinct per file (the check memoises)


@pytest.mark.parametrize("path", _FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_condition_of_every_file_has_the_enumerations_outcomes(asked_of_the_solver, path):
    memo: dict[Any, Any] = {}  # as a check shares it between its conditions
    for expr, variables in asked_of_the_solver[path]:
        expected = enumerated_truth_table(expr, variables)
        if expected is not None:
            assert truth_table(expr, variables) == expected, lang.to_text(expr)
            assert truth_table(expr, variables, memo) == expected, lang.to_text(expr)


@pytest.mark.parametrize("path", _FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_check_reports_what_it_reported_with_the_enumeration(path, monkeypatch):
    """Whole diagnostics (E405, W406, E408, E412 and the rest), code, place and parameters."""
    text, name = path.read_bytes(), str(path.relative_to(ROOT))
    now = check_bundle(text, name, shipped_catalogues()).diagnostics
    monkeypatch.setattr(lang, "truth_table", enumerated_truth_table)
    before = check_bundle(text, name, shipped_catalogues()).diagnostics
    assert now == before


def test_a_contradiction_the_enumeration_could_not_try_is_found():
    """Fifteen choice questions of five options in one rule: 5**15 combinations, past the oracle."""
    variables = {f"q{i}": Variable(f"q{i}", "choice", ("a", "b", "c", "d", "e")) for i in range(15)}
    chain = " and ".join(f'(q{i} != "a" or q{i + 1} == "a")' for i in range(14))  # q0 a: all a
    expr = parse(f'{chain} and q0 == "a" and q14 == "b"')
    assert enumerated_truth_table(expr, variables) is None
    assert truth_table(expr, variables) == {False}
    assert truth_table(parse(f'{chain} and q0 == "a"'), variables) == {True, False}


# Generated conditions over questions of every kind, linked through shared questions, with
# comparisons between two answers, ticks, negations and nesting.
_QUESTIONS = {
    "yes": Variable("yes", "boolean"),
    "maybe": Variable("maybe", "boolean", may_be_unanswered=True),
    "role": Variable("role", "choice", ("owner", "agent", "heir")),
    "other_role": Variable("other_role", "choice", ("owner", "agent", "heir"), may_be_unanswered=True),
    "kinds": Variable("kinds", "multi_choice", ("hot", "cold", "drinks")),
    "some_kinds": Variable("some_kinds", "multi_choice", ("hot", "cold"), allow_none=True, may_be_unanswered=True),
    "months": Variable("months", "number", integer=True, minimum=0, maximum=60),
    "area": Variable("area", "number", minimum=0),
    "other_area": Variable("other_area", "number", minimum=0, may_be_unanswered=True),
    "born": Variable("born", "date"),
}

_COMPARISONS = st.one_of(
    st.sampled_from(["yes", "maybe", "not yes", "maybe == true", "yes != false", "any kinds", "any some_kinds",
                     "role == other_role", "area > other_area", "area <= other_area", "other_role != role"]),
    st.builds(lambda n, op, o: f'{n} {op} "{o}"', st.sampled_from(["role", "other_role"]), st.sampled_from(["==", "!="]),
              st.sampled_from(["owner", "agent", "heir"])),
    st.builds(lambda n, op, os: f"{n} {op} [{', '.join(chr(34) + o + chr(34) for o in os)}]",
              st.sampled_from(["role", "other_role"]), st.sampled_from(["in", "not in"]),
              st.lists(st.sampled_from(["owner", "agent", "heir"]), min_size=1, max_size=2, unique=True)),
    st.builds(lambda n, o: f'{n} contains "{o}"', st.sampled_from(["kinds", "some_kinds"]), st.sampled_from(["hot", "cold"])),
    st.builds(lambda n, op, c: f"{n} {op} {c}", st.sampled_from(["months", "area", "other_area"]),
              st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), st.sampled_from(["0", "3", "6", "12", "2.5", "60"])),
    st.builds(lambda op, d: f'born {op} "{d}"', st.sampled_from(["<", ">=", "=="]),
              st.sampled_from(["2024-01-01", "2024-01-02", "2025-06-30"])),
)


def _condition(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return _COMPARISONS
    smaller = _condition(depth - 1)
    return st.one_of(
        smaller,
        st.builds(lambda c: f"not ({c})", smaller),
        st.builds(lambda cs, op: "(" + f") {op} (".join(cs) + ")", st.lists(smaller, min_size=2, max_size=4),
                  st.sampled_from(["and", "or"])),
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_condition(3))
def test_generated_conditions_have_the_enumerations_outcomes(text):
    """Comparisons of two answers are refused by the type check (E403) but have a meaning, which
    the solver keeps: they are generated too."""
    expr = parse(text)
    expected = enumerated_truth_table(expr, _QUESTIONS)
    if expected is not None:
        assert truth_table(expr, _QUESTIONS) == expected
