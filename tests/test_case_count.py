"""The case search decides "more than the exact limit?" without walking every answer set: a
question always asked that nothing reads multiplies the count. Checked against the plain walk
(brute force) on random small bundles, at every limit around the true count."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from configurator.planning import cases, walk
from tests.helpers import check_text

KINDS = ["boolean", "choice", "number"]


def _condition(draw: st.DrawFn, kinds: list[str], upto: int) -> str:
    """A condition over the first ``upto`` questions."""
    index = draw(st.integers(0, upto - 1))
    kind = kinds[index]
    if kind == "boolean":
        return draw(st.sampled_from([f"q{index}", f"not q{index}"]))
    if kind == "choice":
        return f'q{index} == "{draw(st.sampled_from(["a", "b", "c"]))}"'
    return f"q{index} {draw(st.sampled_from(['>', '<=', '=='])) } {draw(st.integers(0, 3))}"


@st.composite
def small_bundles(draw: st.DrawFn) -> str:
    count = draw(st.integers(1, 6))
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
            lines.append(f"    when: {_condition(draw, kinds, index)}")
        situations.append("\n".join(lines))
    rules = [f"  - id: rule{n}\n    require: {_condition(draw, kinds, count)}\n    message: 不符合"
             for n in range(draw(st.integers(0, 2)))]
    items = [f"""  - id: item{n}
    name: 事项 {n}
    department: health
    when: {_condition(draw, kinds, count)}
    time_limit: {{promised: 1, statutory: 5}}
    visits: 1
    steps: 1
    fields: [child_name]""" for n in range(draw(st.integers(1, 3)))]
    return "\n".join([
        "id: small", "name: 小一件事", "version: 1", "service_object: natural_person", "lead_department: health",
        "situations:", *situations,
        *(["eligibility:", *rules] if rules else []),
        "fallback:", "  department: government_services", "  message: 兜底",
        "fields:", "  - id: child_name", "    field: person_name", "materials: []",
        "items:", *items,
        "steps:", "  - {id: apply, name: 申请, kind: application, owner: applicant, time_limit: 0}",
        "  - {id: intake, name: 受理, kind: intake, owner: health, time_limit: 1}",
        "  - id: handling", "    name: 办理", "    kind: handling", "    owner: health", "    time_limit: 5",
        "    items: [" + ", ".join(f"item{n}" for n in range(len(items))) + "]", ""])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_bundles(), st.integers(0, 3))
def test_more_than_agrees_with_walking_every_answer_set(text, offset):
    result = check_text(text, "bundles/small.yaml")
    assume(result.bundle is not None)
    bundle = result.bundle
    walker = walk.Walk(bundle)
    count = sum(1 for _ in walker.every())
    assert walk.at_most(bundle.situations, walker.domains) >= count
    for limit in {0, max(0, count - 1), count, count + 1, max(0, count - offset), count + offset}:
        assert walk.more_than(bundle, limit) == (count > limit), (limit, count)


def test_a_bundle_above_the_limit_is_sampled_without_walking_its_answer_sets(monkeypatch):
    """Each question always asked and read by no rule: the count (2**20) is a product, found at once."""
    questions = "".join(f"\n  - id: q{i}\n    label: 问题 {i}？\n    type: boolean" for i in range(20))
    text = small_bundle_with(questions, " or ".join(f"q{i}" for i in range(20)))
    result = check_text(text, "bundles/small.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    walked = []
    original = walk.Walk.every

    def counting(self):  # type: ignore[no-untyped-def]
        for answers in original(self):
            walked.append(1)
            yield answers

    monkeypatch.setattr(walk.Walk, "every", counting)
    assert walk.more_than(result.bundle, cases.EXACT_LIMIT)
    assert len(walked) == 1  # the walk over the questions something reads: none, one empty answer set
    search = cases.search(result.bundle)
    assert search.sampled and search.warnings and not search.complete
    assert len(search.cases) <= cases.MAX_SAMPLED_CASES


def small_bundle_with(situations: str, when: str) -> str:
    return f"""id: small
name: 小一件事
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
materials: []
items:
  - id: item0
    name: 事项 0
    department: health
    when: {when}
    time_limit: {{promised: 1, statutory: 5}}
    visits: 1
    steps: 1
    fields: [child_name]
steps:
  - {{id: apply, name: 申请, kind: application, owner: applicant, time_limit: 0}}
  - {{id: intake, name: 受理, kind: intake, owner: health, time_limit: 1}}
  - {{id: handling, name: 办理, kind: handling, owner: health, time_limit: 5, items: [item0]}}
"""
