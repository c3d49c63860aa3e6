"""`any X`: at least one option of a several-choice answer ticked (issue 23; authors wrote
five-clause ORs). One meaning everywhere a condition is read: our evaluator, JsonLogic
(panzi-json-logic, json-logic-js, portal/rjsf, form.html's script), FEEL (feelin, Camunda 8),
the JSON Schema of form.schema.json (jsonschema, ajv) and process.bpmn's Python expressions."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess

import jsonschema
import pytest
from json_logic import jsonLogic

from configurator.language import conditions as lang
from configurator.language.describe import describe
from configurator.language.feel import to_feel
from configurator.language.jsonlogic import to_jsonlogic
from configurator.writers.bpmn import python_condition
from configurator.writers.form_schema import condition_schema
from configurator.writers.form_script import FORM_SCRIPT
from tests.helpers import ROOT, base_with, check_text, codes, line_of, only

NODE = shutil.which("node")

QUESTIONS = """\
  - id: has_premises
    label: 是否有经营场所？
    type: boolean
  - id: utilities
    label: 要开通哪些水电气？
    type: multi_choice
    allow_none: true
    when: has_premises
    options:
      - {value: water, label: 供水}
      - {value: power, label: 供电}
      - {value: gas, label: 供气}
  - id: services
    label: 要办哪些服务？
    type: multi_choice
    options:
      - {value: a, label: 甲}
      - {value: b, label: 乙}
eligibility:
"""
CONDITIONS = ['any utilities', 'not any utilities', 'any utilities and not utilities contains "water"',
              'has_premises and not any utilities', 'any services or any utilities', 'not (any utilities or any services)']


def bundle_with(when: str) -> str:
    text = base_with("eligibility:\n", QUESTIONS)
    return text.replace("    when: born_in_wedlock\n", f"    when: {when}\n", 1)


def variables() -> dict[str, lang.Variable]:
    checked = check_text(bundle_with("any utilities"))
    assert checked.bundle is not None, checked.diagnostics
    return checked.bundle.variables()


def answer_sets() -> list[dict[str, object]]:
    """Every kind of answer: not asked, none ticked, one, several, all; with and without premises."""
    ticked: list[object] = [None, [], ["water"], ["power", "gas"], ["water", "power", "gas"]]
    sets = []
    for premises, utilities, services in itertools.product([None, True, False], ticked, [None, ["a"], ["a", "b"]]):
        answers = {"has_premises": premises, "utilities": utilities, "services": services}
        sets.append({k: v for k, v in answers.items() if v is not None})
    return sets


def _codes(text: str) -> list[str]:
    return [c for c in codes(check_text(text)) if c != "W510"]  # a question the condition leaves unused


def test_any_is_checked_like_every_condition():
    assert _codes(bundle_with("any utilities")) == []
    text = bundle_with("any has_premises")
    problem = only(check_text(text), "E403")
    assert problem.line == line_of(text, "when: any has_premises")
    assert "several-choice" in problem.message("en")
    assert "E402" in _codes(bundle_with("any utility"))  # a misspelt question, with its suggestion
    # services is always asked and must be answered: "any services" always holds, as the checker says
    assert "W406" in _codes(bundle_with("any services"))
    # not any utilities: true when not asked or none ticked; never true with premises and all ticked
    assert _codes(bundle_with("not any utilities")) == []


def test_a_situation_called_any_still_reads_as_a_name():
    assert lang.parse("any") == lang.Name("any", 0)
    assert lang.parse("any == 3") == lang.Compare("==", lang.Name("any", 0), lang.Literal(3, 7), 4)
    assert lang.to_text(lang.parse("not any utilities")) == "not any utilities"


def test_any_reads_in_words():
    bundle = check_text(bundle_with("any utilities")).bundle
    assert describe(lang.parse("any utilities"), bundle) == "「要开通哪些水电气？」选了任一项"
    assert describe(lang.parse("not any utilities"), bundle, "en") == "“要开通哪些水电气？” has no option ticked"


def _expected(expr: lang.Expr, answers: dict[str, object]) -> bool:
    return lang.evaluate(expr, answers)


@pytest.mark.parametrize("text", CONDITIONS)
def test_python_consumers_agree_on_every_kind_of_answer(text):
    expr = lang.parse(text)
    if lang.check_types(expr, variables()):
        pytest.skip("ill-typed on purpose; covered by the checker")
    vector = lang.compile_vector([expr])
    predicate = lang.compile_predicate(expr)
    schema = jsonschema.Draft202012Validator(condition_schema(expr))
    bpmn = python_condition(expr)
    seen = set()
    for answers in answer_sets():
        expected = _expected(expr, answers)
        seen.add(expected)
        assert vector(answers) == (expected,) and predicate(answers) == expected, answers
        assert bool(jsonLogic(to_jsonlogic(expr), answers)) == expected, answers
        assert schema.is_valid(answers) == expected, answers
        assert eval(bpmn, {}, {"answers": answers}) == expected, answers  # noqa: S307 (our own output)
    assert seen == {True, False}


@pytest.mark.skipif(NODE is None and not os.environ.get("CI"), reason="Node.js not installed")
def test_javascript_consumers_agree_on_every_kind_of_answer(tmp_path):
    assert NODE and (ROOT / "tests/js/node_modules/feelin").exists(), "run: npm ci --prefix tests/js"
    known = variables()
    exprs = [lang.parse(t) for t in CONDITIONS if not lang.check_types(lang.parse(t), known)]
    form_truth = re.search(r"^  function truth\(rule, data\) \{\n.*?^  \}$", FORM_SCRIPT, re.M | re.S)
    assert form_truth is not None
    sets = answer_sets()
    cases = {"form_truth": form_truth.group(0), "answer_sets": sets,
             "conditions": [{"jsonlogic": to_jsonlogic(e), "feel": to_feel(e), "schema": condition_schema(e)}
                            for e in exprs]}
    (tmp_path / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([NODE, str(ROOT / "tests/js/check_conditions.mjs"), str(tmp_path / "cases.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for expr, rows in zip(exprs, results, strict=True):
        for answers, row in zip(sets, rows, strict=True):
            expected = _expected(expr, answers)
            assert row == {"jsonlogic": expected, "rjsf": expected, "form_html": expected, "feelin": expected,
                           "feel_warnings": 0, "ajv": expected}, (lang.to_text(expr), answers, row)
