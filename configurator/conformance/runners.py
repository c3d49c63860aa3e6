"""Thin runners in Python, one per consumer, each reading the corpus and the artifacts.

Each takes the target, its artifacts (file name → text) and its corpus, and returns a
``ConsumerResult``. JsonLogic (routing.json, form.ui.json) is evaluated by an independent
implementation (panzi-json-logic, installed with the project's test extra); without it those
consumers are skipped with a note.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from configurator.conformance.corpus import Target
from configurator.conformance.report import ConsumerResult

Runner = Callable[[Target, Mapping[str, str], dict[str, Any]], ConsumerResult]


def compare_resolution(result: ConsumerResult, case: dict[str, Any], got: dict[str, Any], answers: Any = None) -> None:
    """An explanation-shaped answer (``explain --json``, the pre-check's 200) against the case."""
    expected = case["expected"]
    check = result.expect
    check(case, "eligible", expected["eligible"], got.get("eligible"), answers)
    if "unanswered" in got:
        check(case, "unanswered", expected["unanswered"], got["unanswered"], answers)
    if "waiting" in expected:
        check(case, "waiting", expected["waiting"], got.get("waiting", []), answers)
    if expected["eligible"] is False:
        check(case, "failed_rules", expected["failed_rules"],
              [r.get("rule") for r in got.get("not_eligible_because", [])], answers)
        return
    if expected["eligible"] is None:
        check(case, "undecided_rules", expected["open_rules"], got.get("undecided_rules", []), answers)
    if "days" not in expected:  # a partial case: only what its answers decide so far
        check(case, "items", expected["items"], [i.get("id") for i in got.get("items", [])], answers)
        check(case, "undecided_items", expected["undecided_items"], got.get("undecided_items", []), answers)
        return
    items = got.get("items", [])
    check(case, "items", [i["id"] for i in expected["items"]], [i.get("id") for i in items], answers)
    by_id = {i.get("id"): i for i in items}
    for item in expected["items"]:
        found = by_id.get(item["id"], {})
        for key in ("promised_days", "visits", "start_day", "end_day"):
            if found:
                check(case, f"{key} of {item['id']}", item[key], found.get(key), answers)
        if expected.get("due") and "due_date" in found:
            check(case, f"due_date of {item['id']}", expected["due"]["items"][item["id"]], found["due_date"], answers)
    stages = [{"item": i["id"], **s} for i in expected["items"] for s in i["special_stages"]]
    check(case, "special_stages", stages, [{"item": s.get("item"), "kind": s.get("kind"), "days": s.get("days"),
                                            "day_kind": s.get("day_kind")} for s in got.get("special_stages", [])], answers)
    check(case, "materials", [(m["id"], m["requirement"]) for m in expected["materials"]],
          [(m.get("id"), m.get("requirement")) for m in got.get("materials", [])], answers)
    sent = sorted({f for payload in got.get("departments", {}).values() for f in payload.get("fields", [])})
    check(case, "fields", sorted(expected["fields"]), sent, answers)
    check(case, "days", expected["days"], got.get("days"), answers)
    due = expected.get("due")
    if due and "error" not in due:
        check(case, "due_date", due["due_date"], got.get("due_date"), answers)
        check(case, "due_date_with_special_stages", due["due_date_with_special_stages"],
              got.get("due_date_with_special_stages"), answers)


def run_explain(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
    from configurator.present.explain import explanation

    result = ConsumerResult("explain", target.name)
    for case in data["cases"]:
        result.checked += 1
        got = explanation(target.compiled, dict(case["answers"]), target.calendar, target.received)
        compare_resolution(result, case, got)
    return result


def run_form_schema(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
    """form.schema.json with python-jsonschema: it accepts exactly the accepted applications."""
    import jsonschema

    result = ConsumerResult("form.schema.json (jsonschema)", target.name)
    validator = jsonschema.Draft202012Validator(json.loads(artifacts["form.schema.json"]))
    for application in data["applications"]:
        if "field_rules" in application["expected"]:
            continue  # refused by a cross-field rule: routing.json's JsonLogic carries those, not every one is in the schema
        result.checked += 1
        valid = validator.is_valid(application["application"])
        result.expect(application, "verdict", application["expected"]["verdict"] == "accepted", valid)
    return result


def _jsonlogic() -> Callable[[Any, Any], Any] | None:
    try:
        from json_logic import jsonLogic
    except ImportError:
        return None
    return jsonLogic  # type: ignore[no-any-return]


_NO_JSONLOGIC = "needs panzi-json-logic (pip install -e '.[test]')"


def _needed_by_department(target: Target, expected: dict[str, Any], kind: str) -> dict[str, set[str]]:
    """Per department, the fields (or materials) of the case its applicable items use."""
    applicable = {i["id"] for i in expected["items"]}
    needed = set(expected["fields"]) if kind == "fields" else {m["id"] for m in expected["materials"]}
    found: dict[str, set[str]] = {}
    for item in target.compiled.bundle.items:
        if item.id in applicable:
            found.setdefault(item.department, set()).update(e for e in getattr(item, kind) if e in needed)
    return found


def _in_case(apply: Callable[[Any, Any], Any], cases: list[dict[str, Any]], answers: Any, default: Any) -> Any:
    """A case-dependent value as routing.json gives it: the first case whose rule holds, else the default."""
    return next((case["value"] for case in cases if apply(case["when"], answers)), default)


def run_routing(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
    """routing.json's JsonLogic: eligibility rules, task conditions, per-department fields and
    materials; and each task's time limit and visits where the case's values are the task's."""
    result = ConsumerResult("routing.json (JsonLogic)", target.name)
    apply = _jsonlogic()
    if apply is None:
        result.skipped = _NO_JSONLOGIC
        return result
    routing = json.loads(artifacts["routing.json"])
    for case in data["cases"]:
        if case["kind"] == "partial":
            continue
        result.checked += 1
        answers, expected = case["answers"], case["expected"]
        failed = [r["id"] for r in routing["eligibility"] if not apply(r["rule"], answers)]
        result.expect(case, "eligibility", expected["failed_rules"], failed)
        if not expected["eligible"]:
            continue
        tasks = [t["id"] for t in routing["tasks"] if apply(t["when"], answers)]
        result.expect(case, "tasks", sorted(i["id"] for i in expected["items"]), sorted(tasks))
        by_id = {t["id"]: t for t in routing["tasks"]}
        for item in expected["items"]:
            task = by_id.get(item["id"])
            if task is None:
                continue
            limit = task["time_limit"]
            result.expect(case, f"promised_days of {item['id']}", item["promised_days"],
                          _in_case(apply, limit.get("promised_cases", []), answers, limit["promised_days"]))
            result.expect(case, f"visits of {item['id']}", item["visits"],
                          _in_case(apply, task.get("visits_cases", []), answers, task["visits"]))
            result.expect(case, f"special_stages of {item['id']}", [s["days"] for s in item["special_stages"]],
                          [_in_case(apply, s.get("days_cases", []), answers, s["days"]) for s in task["special_stages"]])
        for kind in ("fields", "materials"):
            needed = _needed_by_department(target, expected, kind)
            for department, payload in routing["departments"].items():
                got = {e["id"] for e in payload[kind] if apply(e["when"], answers)}
                result.expect(case, f"{kind} sent to {department}", sorted(needed.get(department, set())), sorted(got))
    return result


def run_form_ui(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
    """form.ui.json's ``ui:options.when``: a question, field or upload is shown exactly when the
    case asks for it."""
    result = ConsumerResult("form.ui.json (JsonLogic)", target.name)
    apply = _jsonlogic()
    if apply is None:
        result.skipped = _NO_JSONLOGIC
        return result
    ui = json.loads(artifacts["form.ui.json"])

    def shown(group: str, answers: dict[str, Any]) -> list[str]:
        hints = ui.get(group, {})
        return [key for key in hints.get("ui:order", [k for k in hints if not k.startswith("ui:")])
                if key in hints and apply(hints[key].get("ui:options", {}).get("when", True), answers)]

    for case in data["cases"]:
        result.checked += 1
        answers, expected = case["answers"], case["expected"]
        # a plain JsonLogic reader cannot tell a question waiting on an unanswered one (docs/portals.md)
        waiting = set(expected["waiting"]) if case["kind"] == "partial" else set()
        result.expect(case, "situations shown", sorted(expected["asked"]),
                      sorted(set(shown("situations", answers)) - waiting))
        if not expected["eligible"] or case["kind"] == "partial":
            continue
        result.expect(case, "fields shown", sorted(expected["form_fields"]), sorted(shown("fields", answers)))
        uploads = sorted(m["id"] for m in expected["materials"] if m["source"] == "applicant")
        result.expect(case, "uploads shown", uploads, sorted(shown("uploads", answers)))
    return result


def run_metrics(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
    """metrics.json's per-case figures: each complete case is listed with its items, the
    materials handed in, its days and the visits and days before the bundle."""
    result = ConsumerResult("metrics.json", target.name)
    metrics = json.loads(artifacts["metrics.json"])
    listed = {json.dumps(s["answers"], sort_keys=True): s for s in metrics["scenarios"]}
    for case in data["cases"]:
        if case["kind"] != "complete":
            continue
        result.checked += 1
        expected = case["expected"]
        found = listed.get(json.dumps(case["answers"], sort_keys=True))
        if found is None:
            if data["complete_search"]:
                result.differ(case, "listed", True, False)
            continue
        # the order of a listing is the writer's (file order); the facts are which ones
        result.expect(case, "items", sorted(i["id"] for i in expected["items"]), sorted(found["items"]))
        result.expect(case, "applicant_materials", sorted(m["id"] for m in expected["materials"] if m["source"] == "applicant"),
                      sorted(found["applicant_materials"]))
        result.expect(case, "days after", expected["days"], found["days"]["after"])
        result.expect(case, "days before", sum(i["promised_days"] for i in expected["items"]), found["days"]["before"])
        result.expect(case, "visits before", sum(i["visits"] for i in expected["items"]), found["visits"]["before"])
    return result


def run_notice(target: Target, artifacts: Mapping[str, str], data: dict[str, Any]) -> ConsumerResult:
    """The notice tailored to a case (what form.html answers a valid post with): the reasons of
    an ineligible case; else the items with their promised limits, the materials to bring with
    their requirement in this case, and the case's working days, as the notice words them."""
    from configurator.writers.document import Table
    from configurator.writers.notice import notice_document
    from configurator.writers.phrases import plural, say

    compiled = target.compiled
    lang = compiled.lang
    result = ConsumerResult("notice (tailored)", target.name)
    items = {item.id: compiled.text(item.name) for item in compiled.bundle.items}
    messages = {rule.id: compiled.text(rule.message) for rule in compiled.bundle.eligibility}
    materials = {m.id: compiled.material_name(m) for m in compiled.bundle.materials}

    def days(count: int) -> str:
        return say(lang, "immediately") if count == 0 else say(lang, "days", days=count, plural=plural(count))

    for case in data["cases"]:
        if case["kind"] == "partial":
            continue
        result.checked += 1
        expected = case["expected"]
        blocks = notice_document(compiled, dict(case["answers"])).blocks
        bullets = [line for kind, content in blocks if kind == "ul" and isinstance(content, list) for line in content]
        if not expected["eligible"]:
            result.expect(case, "reasons", sorted(messages[r] for r in expected["failed_rules"]),
                          sorted(line for line in bullets if line in messages.values()))
            continue
        tables = {content.headers[0]: content.rows for _, content in blocks if isinstance(content, Table)}
        rows = tables.get(say(lang, "notice.item"), [])
        result.expect(case, "items", sorted((items[i["id"]], days(i["promised_days"])) for i in expected["items"]),
                      sorted((row[0], row[2]) for row in rows))
        bring = [m for m in expected["materials"] if m["source"] == "applicant"]
        rows = tables.get(say(lang, "notice.material"), [])
        result.expect(case, "materials", sorted((materials[m["id"]], say(lang, "requirement." + m["requirement"])) for m in bring),
                      sorted((row[0], row[2]) for row in rows))
        paragraphs = [content for kind, content in blocks if kind == "p"]
        # "各部门并联办理" is claimed only where it is true: nothing waits and nothing is handled together
        applied = {i["id"] for i in expected["items"]}
        parallel = not any(i["after"] or i["combined_with"] in applied for i in expected["items"])
        claim = say(lang, "notice.days_case" if parallel else "notice.days_case_ordered", days=expected["days"])
        result.expect(case, "days", True, claim in paragraphs)
    return result


PYTHON_RUNNERS: dict[str, Runner] = {
    "explain": run_explain,
    "form.schema.json (jsonschema)": run_form_schema,
    "form.ui.json (JsonLogic)": run_form_ui,
    "routing.json (JsonLogic)": run_routing,
    "metrics.json": run_metrics,
    "notice (tailored)": run_notice,
}
