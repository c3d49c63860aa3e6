"""Cases from independent groups of questions: the same cases, order, answers, count and fullest
case as walking every answer set (the brute force), and exact figures where the walk is impossible."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from configurator.model import Bundle
from configurator.planning import cases
from configurator.planning.compiled import Compiled
from configurator.planning.figures import metrics
from configurator.planning.plan import Planner
from configurator.planning.walk import Walk
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.helpers import check_text, shipped_catalogues

CORPUS = Path(__file__).parent / "corpus" / "good"


def brute_force(bundle: Bundle) -> tuple[list[dict[str, Any]], int, dict[str, Any] | None, int]:
    """Every reachable eligible answer set, one by one: the first answer set of each distinct case
    in the order met, their number, the answers of the fullest case (first of the highest) and the
    most days of any case."""
    planner = Planner(bundle)
    first: dict[Any, dict[str, Any]] = {}
    ranks: dict[Any, tuple[int, int, int]] = {}
    count = 0
    for answers in Walk(bundle).every():
        count += 1
        plan = planner.plan(answers)
        case = (plan.items, plan.materials, tuple(f.id for f in plan.fields))
        if case not in first:
            first[case] = dict(answers)
            ranks[case] = (len(plan.items), len(plan.materials), plan.days)
    widest = max(first, key=lambda case: ranks[case], default=None)
    return (list(first.values()), count, None if widest is None else first[widest],
            max((days for _, _, days in ranks.values()), default=0))


def assert_agrees(bundle: Bundle) -> None:
    listed, count, widest, longest = brute_force(bundle)
    found = cases.search(bundle)
    limit = cases.MAX_CASES if count <= cases.EXACT_LIMIT else cases.MAX_SAMPLED_CASES
    assert not found.sampled
    assert found.combinations == count
    assert [case.answers for case in found.cases] == listed[:limit]
    assert found.complete == (len(listed) <= limit), found.warnings
    assert (found.fullest.answers if found.fullest else None) == widest
    assert found.longest() == longest


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_the_shipped_bundles_have_the_cases_of_the_exhaustive_walk(bundle_id):
    assert_agrees(compiled(bundle_id).bundle)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_good_corpus_has_the_cases_of_the_exhaustive_walk(path):
    result = check_text(path.read_text(encoding="utf-8"), f"bundles/{path.name}")
    assert result.bundle is not None
    assert_agrees(result.bundle)


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_with_a_short_list_the_fullest_case_is_still_found_among_every_case(bundle_id, monkeypatch):
    """Listing only the first three cases: the fullest case is found among all of them (a branch
    and bound over the groups), not among the three listed."""
    monkeypatch.setattr(cases, "MAX_CASES", 3)
    assert_agrees(compiled(bundle_id).bundle)


KINDS = ["boolean", "choice", "number"]


def condition(draw: st.DrawFn, kinds: list[str], indexes: list[int]) -> str:
    parts = []
    for index in indexes:
        kind = kinds[index]
        if kind == "boolean":
            parts.append(draw(st.sampled_from([f"q{index}", f"not q{index}"])))
        elif kind == "choice":
            parts.append(f'q{index} == "{draw(st.sampled_from(["a", "b", "c"]))}"')
        else:
            parts.append(f"q{index} {draw(st.sampled_from(['>', '<=', '==']))} {draw(st.integers(0, 3))}")
    return f" {draw(st.sampled_from(['and', 'or']))} ".join(parts)


def some(draw: st.DrawFn, count: int, upto: int) -> list[int]:
    """One or two question numbers below ``upto`` (conditions linking two questions join groups)."""
    return sorted(set(draw(st.lists(st.integers(0, upto - 1), min_size=1, max_size=2))))


@st.composite
def bundles(draw: st.DrawFn) -> str:
    """Up to eight questions, some asked only after others, eligibility rules, items with their own
    materials and shared ones, a material with a condition of its own, a time limit that depends on
    the case and items that wait for others."""
    count = draw(st.integers(1, 8))
    kinds = [draw(st.sampled_from(KINDS)) for _ in range(count)]
    situations = []
    for index, kind in enumerate(kinds):
        lines = [f"  - id: q{index}", f"    label: 问题 {index}？", f"    type: {kind}"]
        if kind == "choice":
            lines += ["    options:", "      - {value: a, label: 甲}", "      - {value: b, label: 乙}",
                      "      - {value: c, label: 丙}"]
        if kind == "number":
            lines += ["    integer: true", "    minimum: 0", "    maximum: 9"]
        if index and draw(st.booleans()):
            lines.append(f"    when: {condition(draw, kinds, some(draw, count, index))}")
        situations.append("\n".join(lines))
    rules = [f"  - id: rule{n}\n    require: {condition(draw, kinds, some(draw, count, count))}\n    message: 不符合"
             for n in range(draw(st.integers(0, 2)))]
    item_count = draw(st.integers(1, 5))
    items = []
    for n in range(item_count):
        promised = f"{{default: {n + 1}, cases: [{{when: '{condition(draw, kinds, some(draw, count, count))}', value: 9}}]}}" \
            if draw(st.integers(0, 3)) == 0 else str(n + 1)
        shared = ", shared" if draw(st.booleans()) else ""
        waits = f"\n    after: [{{item: item{n - 1}, reason: 先办}}]" if n and draw(st.integers(0, 3)) == 0 else ""
        items.append(f"""  - id: item{n}
    name: 事项 {n}
    department: health
    when: {condition(draw, kinds, some(draw, count, count))}
    time_limit: {{promised: {promised}, statutory: 20}}
    visits: 1
    steps: 1
    fields: [child_name]
    materials: [own{n}{shared}]{waits}""")
    own_when = f"\n    when: {condition(draw, kinds, some(draw, count, count))}" if draw(st.booleans()) else ""
    materials = [f"  - {{id: own{n}, material: photo, name: 材料 {n}, source: applicant}}" for n in range(item_count)]
    materials.append(f"  - id: shared\n    material: photo\n    name: 共用材料\n    source: applicant{own_when}")
    return "\n".join([
        "id: small", "name: 小一件事", "version: 1", "service_object: natural_person", "lead_department: health",
        "situations:", *situations,
        *(["eligibility:", *rules] if rules else []),
        "fallback:", "  department: government_services", "  message: 兜底",
        "fields:", "  - id: child_name", "    field: person_name", "materials:", *materials,
        "items:", *items,
        "steps:", "  - {id: apply, name: 申请, kind: application, owner: applicant, time_limit: 0}",
        "  - {id: intake, name: 受理, kind: intake, owner: health, time_limit: 1}",
        "  - id: handling", "    name: 办理", "    kind: handling", "    owner: health", "    time_limit: 20",
        "    items: [" + ", ".join(f"item{n}" for n in range(item_count)) + "]", ""])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundles(), st.sampled_from([(cases.MAX_CASES, cases.MAX_SAMPLED_CASES, cases.EXACT_LIMIT), (2, 1, cases.EXACT_LIMIT),
                                   (cases.MAX_CASES, cases.MAX_SAMPLED_CASES, 4), (2, 1, 4)]))
def test_random_bundles_have_the_cases_of_the_exhaustive_walk(text, limits):
    """Also with lists cut short, where the fullest case is found among every case, and with a limit
    so low that a bundle is searched by its live answers (planning/deep.py) rather than walked
    (compared unless that search gives up and the bundle is sampled)."""
    result = check_text(text, "bundles/small.yaml")
    assume(result.bundle is not None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cases, "MAX_CASES", limits[0])
        patch.setattr(cases, "MAX_SAMPLED_CASES", limits[1])
        patch.setattr(cases, "EXACT_LIMIT", limits[2])
        if not cases.search(result.bundle).sampled:
            assert_agrees(result.bundle)


def independent_questions(count: int, *, ring: bool = False) -> str:
    """``count`` yes/no questions, each with an item and a material of its own; in a ring, each
    item asks about two neighbours (as bench/compile_vs_pyxform.py's generator), linking them all."""
    situations = "".join(f"\n  - id: q{i}\n    label: 问题 {i}？\n    type: boolean" for i in range(count))
    items = "".join(f"""
  - id: item{i}
    name: 事项 {i}
    department: health
    when: {f"q{i} or q{(i + 1) % count}" if ring else f"q{i}"}
    time_limit: {{promised: {1 + i % 4}, statutory: 20}}
    visits: 1
    steps: 1
    fields: [child_name]
    materials: [m{i}]""" for i in range(count))
    materials = "".join(f"\n  - {{id: m{i}, material: photo, name: 材料 {i}, source: applicant}}" for i in range(count))
    return f"""id: wide
name: 四十个问题
version: 1
service_object: natural_person
lead_department: health
situations:{situations}
fallback:
  department: government_services
  message: 兜底
fields:
  - id: child_name
    field: person_name
materials:{materials}
items:{items}
steps:
  - {{id: apply, name: 申请, kind: application, owner: applicant, time_limit: 0}}
  - {{id: intake, name: 受理, kind: intake, owner: health, time_limit: 1}}
  - id: handling
    name: 办理
    kind: handling
    owner: health
    time_limit: 5
    items: [{", ".join(f"item{i}" for i in range(count))}]
"""


def test_forty_independent_questions_get_exact_figures_not_a_sample():
    """2**40 answer sets, each its own case: counted exactly, the first cases listed in the order
    of the exhaustive walk, the fullest case (every item) found, and the figures flagged exact."""
    result = check_text(independent_questions(40), "bundles/wide.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    c = Compiled(result.bundle, shipped_catalogues())
    search = c.case_search
    assert not search.sampled and search.combinations == 2 ** 40
    assert len(search.cases) == cases.MAX_SAMPLED_CASES and search.listed_limit == cases.MAX_SAMPLED_CASES
    # the walk's order: q39 changes first, then q38...
    assert [case.answers["q39"] for case in search.cases[:2]] == [True, False]
    assert all(case.answers["q0"] for case in search.cases)
    data = metrics(c)
    assert data["case_search"]["exact"] is True and data["case_search"]["answer_sets"] == 2 ** 40
    assert data["overall"]["items"] == [f"item{i}" for i in range(40)]
    assert data["overall"]["materials"]["after"] == 40 and data["overall"]["days"]["after"] == 4
    assert data["case_search"]["warnings"] == ["more than 200 distinct cases: only the first 200 are listed"]
    assert search.longest() == 4  # the notice's "at most": of every case, not only those listed


def test_forty_linked_questions_in_a_ring_get_exact_figures_not_a_sample():
    """One group of 40 linked questions (2**40 answer sets): searched by the answers later
    conditions still read, not walked, so counted exactly, listed in the walk's order, the fullest
    case found; the exhaustive walk agrees on the first cases of a ring of 12."""
    result = check_text(independent_questions(40, ring=True), "bundles/wide.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    search = cases.search(result.bundle)
    assert not search.sampled and search.combinations == 2 ** 40
    assert len(search.cases) == cases.MAX_SAMPLED_CASES
    assert search.fullest is not None and len(search.fullest.plan.items) == 40 and search.longest() == 4
    small = check_text(independent_questions(12, ring=True), "bundles/wide.yaml").bundle
    assert small is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cases, "EXACT_LIMIT", 1000)  # 4,096 answer sets: searched, not walked
        assert_agrees(small)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_exact_figures_with_a_list_cut_short_are_not_called_inexact(lang):
    """The report says only that the first 200 cases are listed: the figures cover every case."""
    from configurator.present.report import render, report_rows

    result = check_text(independent_questions(40), "bundles/wide.yaml")
    assert result.bundle is not None
    text = render(report_rows([Compiled(result.bundle, shipped_catalogues(), lang)]), "text", lang)
    if lang == "en":
        assert "more than 200 distinct cases: only the first 200 are listed" in text and "not exact" not in text
    else:
        assert "不同情形超过 200 种，只列出前 200 种" in text and "数字不精确" not in text


def test_a_count_past_64_bits_is_written_to_metrics_json():
    """2**70 answer sets: orjson refuses such an integer, so metrics.json writes it as a float."""
    from configurator.writers.metrics import write_metrics

    result = check_text(independent_questions(70), "bundles/wide.yaml")
    assert result.bundle is not None
    c = Compiled(result.bundle, shipped_catalogues())
    assert c.case_search.combinations == 2 ** 70
    assert json.loads(write_metrics(c))["case_search"]["answer_sets"] == float(2 ** 70)


@st.composite
def waiting_items(draw: st.DrawFn) -> str:
    """Up to seven items on yes/no questions, each waiting for earlier ones (``after``, or a material
    an earlier item produces) and some handled together with another (``combined_with``)."""
    count = draw(st.integers(1, 7))
    asked = [draw(st.integers(0, 2)) for _ in range(count)]
    heads = {n for n in range(count) if draw(st.booleans())}
    items, produced = [], []
    for n in range(count):
        earlier = sorted(set(draw(st.lists(st.integers(0, n - 1), max_size=2)))) if n else []
        waits = [e for e in earlier if draw(st.booleans())]
        uses = [e for e in earlier if e not in waits]
        others = sorted(heads - {n})
        together = f"\n    combined_with: item{draw(st.sampled_from(others))}" if n not in heads and others \
            and draw(st.booleans()) else ""
        after = f"\n    after: [{', '.join(f'{{item: item{e}, reason: 先办}}' for e in waits)}]" if waits else ""
        items.append(f"""  - id: item{n}
    name: 事项 {n}
    department: health
    when: q{asked[n]}{together}
    result: {{name: 证明 {n}, materials: [made{n}], delivery: [window]}}
    time_limit: {{promised: {draw(st.integers(0, 6))}, statutory: 20}}
    visits: 1
    steps: 1
    fields: [child_name]
    materials: [{', '.join([f'own{n}', *(f'made{e}' for e in uses)])}]{after}""")
        # needed only where its producer applies: a case never waits for a document nobody makes
        produced.append(f"  - {{id: made{n}, name: 证明 {n}, source: produced, "
                        f"produced_by: [item{n}], when: q{asked[n]}}}")
    materials = [f"  - {{id: own{n}, material: photo, name: 材料 {n}, source: applicant}}" for n in range(count)]
    return "\n".join([
        "id: small", "name: 小一件事", "version: 1", "service_object: natural_person", "lead_department: health",
        "situations:", *(f"  - {{id: q{i}, label: 问题 {i}？, type: boolean}}" for i in range(3)),
        "fallback:", "  department: government_services", "  message: 兜底",
        "fields:", "  - id: child_name", "    field: person_name", "materials:", *materials, *produced,
        "items:", *items,
        "steps:", "  - {id: apply, name: 申请, kind: application, owner: applicant, time_limit: 0}",
        "  - {id: intake, name: 受理, kind: intake, owner: health, time_limit: 1}",
        "  - id: handling", "    name: 办理", "    kind: handling", "    owner: health", "    time_limit: 20",
        "    items: [" + ", ".join(f"item{n}" for n in range(count)) + "]", ""])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(waiting_items())
def test_a_plans_days_are_the_last_end_day_of_its_schedule(text):
    """The figures take a case's days from the longest chain of its items without scheduling them
    (planning/plan.py ``last_day``, remembered per chain of linked items): the same number as the
    schedule the notice and simulator show, for every case, with waits, produced materials and items
    handled together; and routing's depths (``Chains.depths``) are each item's longest chain of waits."""
    result = check_text(text, "bundles/small.yaml")
    assume(result.bundle is not None)
    planner = Planner(result.bundle)
    for answers in Walk(result.bundle).every():
        plan = planner.plan(answers)
        days = plan.days
        assert days == max((task.end_day for task in plan.tasks), default=0), answers
        # routing's parallel groups: each item's depth, the longest chain of waits before it
        waits = {item.id: [edge.before for edge in plan.edges if edge.after == item.id] for item in plan.items}

        def depth(item_id: str, waits: dict[str, list[str]] = waits) -> int:
            return max((depth(before) + 1 for before in waits[item_id]), default=0)

        expected: dict[int, set[str]] = {}
        for item in plan.items:
            expected.setdefault(depth(item.id), set()).add(item.id)
        assert {d: set(ids) for d, ids in planner.chains.depths(plan.items).items()} == expected, answers
