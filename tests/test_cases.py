"""Exact figures: every reachable case is enumerated, each one can be submitted, none is
impossible, and the fullest case of a large bundle has every item."""

import functools

import jsonschema
import pytest

from configurator.planning import cases
from configurator.planning.compiled import Compiled
from configurator.planning.figures import fullest, metrics
from configurator.writers.form_schema import form_schema
from configurator.writers.form_wtforms import application_from_form, form_class
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.helpers import check_text, shipped_catalogues
from tests.test_form_agreement import post_for_case

QUESTIONS = 10  # 2**10 yes/no answers, times the several-choice behind the first: a few thousand cases


def large_bundle(questions: int = QUESTIONS, *, allow_none: bool = False) -> str:
    """A bundle with one item per yes/no question, a several-choice question asked only when
    the first is answered yes, an item behind one of its options, an eligibility rule and a
    time limit that depends on the case."""
    situations = "".join(f"""
  - id: q{i}
    label: 问题 {i}？
    type: boolean""" for i in range(questions))
    items = "".join(f"""
  - id: item_{i}
    name: 事项 {i}
    department: health
    when: q{i}
    time_limit: {{promised: {1 + i % 3}, statutory: 20}}
    visits: 1
    steps: 2
    fields: [child_name]""" for i in range(1, questions))
    return f"""
id: large
name: 大一件事
version: 1
service_object: natural_person
lead_department: health
situations:{situations}
  - id: utilities
    label: 办理哪些过户？
    type: multi_choice
    when: q0
    {"allow_none: true" if allow_none else ""}
    options:
      - {{value: water, label: 水}}
      - {{value: power, label: 电}}
      - {{value: gas, label: 气}}
  - id: age
    label: 年龄？
    type: number
    integer: true
    minimum: 0
    maximum: 150
conditions:
  - id: adult
    label: 已成年
    when: age >= 18
eligibility:
  - id: adult_only
    require: adult
    message: 未成年人请到兜底窗口
fallback:
  department: government_services
  message: 兜底窗口会帮您办理
fields:
  - id: child_name
    field: person_name
materials:
  - id: water_bill
    name: 水费单
    source: applicant
    requirement:
      cases:
        - when: q1
          value: deferrable
      default: required
items:
  - id: item_0
    name: 事项 0
    department: health
    time_limit:
      promised:
        cases:
          - when: q1 and q2
            value: 0
        default: 4
      statutory: 20
    visits: 1
    steps: 2
    fields: [child_name]{items}
  - id: water_transfer
    name: 用水过户
    department: health
    when: utilities contains "water"
    time_limit: {{promised: 2, statutory: 5}}
    visits: 1
    steps: 1
    materials: [water_bill]
steps:
  - {{id: apply, name: 申请, kind: application, owner: applicant, time_limit: 0}}
  - {{id: intake, name: 受理, kind: intake, owner: health, time_limit: 1}}
  - id: handling
    name: 办理
    kind: handling
    owner: health
    time_limit: 5
    items: [{", ".join(["item_0", *(f"item_{i}" for i in range(1, questions)), "water_transfer"])}]
"""


@functools.cache
def large(allow_none: bool = False) -> Compiled:
    result = check_text(large_bundle(allow_none=allow_none), "bundles/large.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    assert not result.diagnostics, [d.message("en") for d in result.diagnostics]
    return Compiled(result.bundle, shipped_catalogues())


def reachable(c: Compiled, answers: dict) -> list[str]:
    """Why a citizen could not give these answers (empty: they can)."""
    from configurator.planning.plan import holds
    problems = []
    given: dict = {}
    for situation in c.bundle.situations:
        asked = holds(situation.when, given)
        if asked != (situation.id in answers):
            problems.append(f"{situation.id}: asked={asked}, answered={situation.id in answers}")
        if situation.id in answers:
            value = answers[situation.id]
            if situation.type == "multi_choice" and not value and not situation.allow_none:
                problems.append(f"{situation.id}: empty several-choice answer")
            given[situation.id] = value
    if any(not holds(rule.require, given) for rule in c.bundle.eligibility):
        problems.append("not eligible")
    return problems


def submittable(c: Compiled, case) -> list:
    data = post_for_case(c, case)
    form = form_class(c)(formdata=data)
    application = application_from_form(c, data.to_dict(flat=False))
    errors = [e.message for e in jsonschema.Draft202012Validator(form_schema(c)).iter_errors(application)]
    if not form.validate():
        errors.append({name: field.errors for name, field in form._fields.items() if field.errors})
    return errors


def test_the_large_bundle_has_a_few_thousand_reachable_answer_sets_all_counted_the_first_cases_listed():
    search = cases.search(large().bundle)
    # q0 yes: each answer worth trying for utilities (never empty); q0 no: not asked. Under 18
    # fails eligibility and is no case.
    domains = cases.answer_domains(large().bundle)
    assert [] not in domains["utilities"]
    per_age = 2 ** (QUESTIONS - 1) * (len(domains["utilities"]) + 1)
    adult_ages = len([a for a in domains["age"] if a >= 18])
    assert search.combinations == per_age * adult_ages
    assert 2000 < search.combinations <= cases.EXACT_LIMIT
    assert not search.sampled and len(search.cases) == search.listed_limit == cases.MAX_CASES
    assert search.warnings == [f"more than {cases.MAX_CASES} distinct cases: only the first {cases.MAX_CASES} are listed"]


def test_the_fullest_case_of_the_large_bundle_has_every_item():
    c = large()
    widest = fullest(c.scenarios[0])
    assert widest is not None
    assert {i.id for i in widest.plan.items} == {i.id for i in c.bundle.items}
    overall = metrics(c)["overall"]
    assert set(overall["items"]) == {i.id for i in c.bundle.items}
    assert metrics(c)["case_search"]["exact"] is True


@pytest.mark.parametrize("bundle_id", [*SHIPPED_IDS, "large"])
def test_every_enumerated_case_is_reachable_and_can_be_submitted(bundle_id):
    c = large() if bundle_id == "large" else compiled(bundle_id)
    found = c.scenarios[0]
    assert found
    step = max(1, len(found) // 150)  # the large bundle: every case checked for reachability, a spread submitted
    for index, case in enumerate(found):
        assert not reachable(c, case.answers), (case.answers, reachable(c, case.answers))
        if index % step == 0:
            assert not submittable(c, case), (case.answers, submittable(c, case))


@pytest.mark.parametrize("sampled", [False, True])
@pytest.mark.parametrize("bundle_id", [*SHIPPED_IDS, "large"])
def test_a_case_answers_exactly_the_questions_asked_in_order(bundle_id, sampled, monkeypatch):
    """The search takes an answer set as its own kept answers (Planner.asked is not run again):
    the walk and the sample must answer exactly the questions asked, in file order."""
    if sampled:
        monkeypatch.setattr(cases, "EXACT_LIMIT", 1)  # any group with two answer sets
        monkeypatch.setattr(cases, "SEARCH_LIMIT", 1)  # and the search by live answers gives up
    c = large() if bundle_id == "large" else compiled(bundle_id)
    fresh = Compiled(c.bundle, c.catalogues)
    assert fresh.case_search.sampled or not sampled
    for case in fresh.scenarios[0]:
        kept = fresh.planner.asked(case.answers)
        assert list(kept.items()) == list(case.answers.items()), case.answers


def test_no_impossible_case_is_listed_for_a_several_choice_behind_a_yes_no():
    c = large()
    for case in c.scenarios[0]:
        if case.answers.get("q0"):
            assert case.answers.get("utilities"), case.answers
        else:
            assert "utilities" not in case.answers, case.answers


def test_an_empty_several_choice_is_a_case_only_where_the_bundle_allows_it():
    assert not any(case.answers.get("utilities") == [] for case in large().scenarios[0])
    allowed = large(allow_none=True)
    empty = [case for case in allowed.scenarios[0] if case.answers.get("utilities") == []]
    assert empty
    assert not submittable(allowed, empty[0])


def test_above_the_limit_the_figures_say_loudly_that_they_are_sampled(monkeypatch):
    monkeypatch.setattr(cases, "EXACT_LIMIT", 3)  # the group of q0 and the several-choice behind it has more
    monkeypatch.setattr(cases, "SEARCH_LIMIT", 1)  # and the search by live answers gives up
    monkeypatch.setattr(cases, "SAMPLE_SIZE", 300)
    result = check_text(large_bundle(), "bundles/large.yaml")
    c = Compiled(result.bundle, shipped_catalogues())
    assert c.case_search.sampled and not c.case_search.complete
    assert c.case_search.warnings
    data = metrics(c)
    assert data["scenarios_complete"] is False and data["case_search"]["exact"] is False
    from configurator.present.report import render, report_rows
    assert "⚠ 数字不精确" in render(report_rows([c]), "text")


def test_a_case_dependent_time_limit_and_requirement_follow_the_case():
    c = large()
    for case in c.scenarios[0]:
        item_0 = next(i for i in case.plan.items if i.id == "item_0")
        expected = 0 if case.answers.get("q1") and case.answers.get("q2") else 4
        assert item_0.promised_days == expected
        for material in case.plan.materials:
            assert material.requirement == ("deferrable" if case.answers.get("q1") else "required")
