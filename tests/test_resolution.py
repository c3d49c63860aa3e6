"""One resolution of a case (planning/resolution.py), read by `explain`, the admin's simulator and
the portal's pre-check alike; unanswered is not false.

Answer sets: for every shipped bundle, the answers of each distinct case and of seeded random
walks through the questions (so cases outside the bundle are there too), each complete; and
every prefix of each, in question order, from the empty set up."""

from __future__ import annotations

import html as html_module
import json
import random
import re
import shutil
from typing import Any

import pytest
from click.testing import CliRunner

from configurator.cli import main
from configurator.language import conditions as lang
from configurator.planning.cases import answer_domains
from configurator.present.explain import explanation, render_text
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.helpers import ROOT
from tests.test_working_days import FULL_NEWBORN
from tests.web_helpers import csrf_token, login, make_site

WALKS = 60
# planning.resolution's names for eligibility (that module and present.precheck are imported where
# used, so the tests of the defects through explain, the CLI and the web run on code without them)
YES, NO, NOT_YET_KNOWN = "yes", "no", "not_yet_known"


def resolve(*args: Any) -> Any:
    from configurator.planning.resolution import resolve as resolved

    return resolved(*args)


def checker(c: Any) -> Any:
    from configurator.present.precheck import checker as made

    return made(c)


def pre_check(*args: Any) -> Any:
    from configurator.present.precheck import pre_check as checked

    return checked(*args)


def complete_answer_sets(bundle_id: str) -> list[dict[str, Any]]:
    """Each case's answers, and random complete walks (every question asked is answered)."""
    c = compiled(bundle_id)
    found = [dict(case.answers) for case in c.scenarios[0]]
    domains = answer_domains(c.bundle)
    rng = random.Random(bundle_id)
    for _ in range(WALKS):
        answers: dict[str, Any] = {}
        for situation in c.bundle.situations:
            if situation.when is None or lang.evaluate(situation.when.expr, answers):
                answers[situation.id] = rng.choice(domains[situation.id])
        found.append(answers)
    return found


def prefixes(bundle_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(prefix, the complete answers it was cut from), every prefix in question order."""
    order = [s.id for s in compiled(bundle_id).bundle.situations]
    pairs = []
    for answers in complete_answer_sets(bundle_id):
        given = [name for name in order if name in answers]
        pairs += [({name: answers[name] for name in given[:n]}, answers) for n in range(len(given) + 1)]
    return pairs


def distinct_prefixes(bundle_id: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for prefix, _ in prefixes(bundle_id):
        seen.setdefault(json.dumps(prefix, sort_keys=True), prefix)
    return list(seen.values())


def label(c: Any, name: str) -> str:
    return next(c.text(s.label) for s in c.bundle.situations if s.id == name)


def ids(entries: Any) -> set[str]:
    return {entry.id for entry in entries}


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_nothing_is_claimed_that_the_unanswered_questions_could_still_change(bundle_id):
    """Whatever a partial answer set decides holds for the complete answers it was cut from."""
    c = compiled(bundle_id)
    checked = 0
    for prefix, full in prefixes(bundle_id):
        part, whole = resolve(c, prefix), resolve(c, full)
        assert whole.complete and whole.eligibility != NOT_YET_KNOWN, full
        plan = c.planner.plan(full)  # the complete case is the planner's, unchanged
        assert ids(whole.failed_rules) == ids(plan.failed_rules)
        assert set(part.asked) <= set(whole.asked) and set(part.unanswered) <= set(whole.asked)
        assert ids(part.failed_rules) <= ids(whole.failed_rules), (prefix, full)
        held = ids(c.bundle.eligibility) - ids(part.failed_rules) - ids(part.open_rules)
        assert not held & ids(whole.failed_rules), (prefix, full)
        if part.eligibility != NOT_YET_KNOWN:
            assert part.eligibility == whole.eligibility, (prefix, full)
        if part.eligibility == NO or whole.eligibility == NO:
            continue
        assert ids(whole.items) == ids(plan.items)
        for kind, everything in (("items", c.bundle.items), ("materials", c.bundle.materials),
                                 ("fields", c.bundle.fields)):
            applies, undecided = ids(getattr(part, kind)), ids(getattr(part, "undecided_" + kind))
            assert applies <= ids(getattr(whole, kind)), (kind, prefix, full)
            not_applying = ids(everything) - applies - undecided
            assert not not_applying & ids(getattr(whole, kind)), (kind, prefix, full)
        checked += 1
    assert checked


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_a_rule_or_item_reported_as_decided_reads_no_unanswered_question_it_depends_on(bundle_id):
    """The empty answer set decides only what reads no question at all."""
    c = compiled(bundle_id)
    case = resolve(c, {})
    assert case.answers == {} and case.unanswered == tuple(s.id for s in c.bundle.situations if s.when is None)
    for rule in case.failed_rules:
        assert not list(lang.names(rule.require.expr)), rule.id
    for item in (*case.items, *case.undecided_items):
        if item in case.items:
            assert item.when is None or not list(lang.names(item.when.expr)), item.id


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_explain_with_no_answers_states_no_fact_about_a_question_nobody_answered(bundle_id):
    c = compiled(bundle_id)
    data = explanation(c, {})
    text = render_text(c, data)
    for rule in c.bundle.eligibility:  # each message states a fact about answers ("新生儿已满 6 个月")
        assert c.text(rule.message) not in text, rule.id
    assert "not_eligible_because" not in data and data["eligible"] is not False
    assert text.count("还需回答：") == 1
    for name in data["unanswered"]:
        assert text.count(label(c, name)) == 1


def test_the_newborn_and_retirement_cases_with_no_answers_are_not_yet_known():
    for bundle_id in ("newborn", "retirement"):
        case = resolve(compiled(bundle_id), {})
        assert case.eligibility == NOT_YET_KNOWN and case.eligible is None and case.failed_rules == ()
    newborn = resolve(compiled("newborn"), {"born_in_province_hospital": True, "child_age_months": 7})
    assert newborn.eligibility == NO and ids(newborn.failed_rules) == {"age_limit"}
    assert newborn.items == () and newborn.plan is None
    full = resolve(compiled("newborn"), FULL_NEWBORN)
    assert full.eligibility == YES and full.complete and full.plan is not None


def _problems_once(problems: Any) -> None:
    said = [json.dumps(p, sort_keys=True, ensure_ascii=False) for p in problems]
    assert len(said) == len(set(said)), said


def _still_to_answer(problems: list[dict[str, Any]]) -> list[str]:
    found = [p["message"] for p in problems if p["pointer"] == "/situations" and p["message"].startswith("还需回答：")]
    assert len(found) <= 1, found
    # “a”、“b”: split on the separator, not on every quote (a label may quote a term: “小餐饮”)
    return found[0].removeprefix("还需回答：“").removesuffix("”").split("”、“") if found else []


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_the_pre_check_reports_each_problem_once_and_the_same_unanswered_questions(bundle_id):
    c = compiled(bundle_id)
    check = checker(c)
    for prefix in distinct_prefixes(bundle_id):
        case = resolve(c, prefix)
        verdict = pre_check(check, {"situations": prefix, "fields": {}, "uploads": {}}, "zh-CN", lambda: None)
        labels = [label(c, name) for name in case.unanswered]
        if case.eligibility == NO:
            assert verdict.status == 200 and verdict.answer["eligible"] is False, prefix
            assert [r["rule"] for r in verdict.answer["not_eligible_because"]] == [r.id for r in case.failed_rules]
            continue
        assert verdict.status == 422, prefix
        _problems_once(verdict.problems)
        assert _still_to_answer(list(verdict.problems)) == labels, prefix


def test_the_pre_check_api_reports_each_problem_once(tmp_path):
    client = make_site(tmp_path).app.test_client()
    for bundle_id in SHIPPED_IDS:
        for lang_code in ("zh-CN", "en"):
            answer = client.post(f"/api/bundles/{bundle_id}/check?lang={lang_code}",
                                 json={"situations": {}, "fields": {}, "uploads": {}})
            assert answer.status_code == 422
            _problems_once(answer.json["errors"])


def _form(c: Any, answers: dict[str, Any]) -> dict[str, Any]:
    posted: dict[str, Any] = {}
    for name, value in answers.items():
        if isinstance(value, bool):
            posted[name] = "true" if value else "false"
        elif isinstance(value, list):
            posted[name] = value
        else:
            posted[name] = str(value)
    return posted


def _simulated(html: str, c: Any) -> tuple[list[str], str]:
    """The simulator's unanswered questions (by label) and its verdict on eligibility."""
    found = re.search(r'id="unanswered">(.*?)</p>', html, re.S)
    labels = [html_module.unescape(x) for x in re.findall(r'<span data-question="[^"]*">(.*?)</span>', found.group(1))] \
        if found else []
    if 'id="fallback"' in html:
        return labels, NO
    return labels, NOT_YET_KNOWN if 'id="eligibility"' in html else YES


@pytest.fixture(scope="module")
def admin(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("resolution"))
    client = site.app.test_client()
    login(client, "victor")
    return client


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_explain_the_simulator_and_the_pre_check_agree_on_partial_answers(admin, bundle_id):
    c = compiled(bundle_id)
    check = checker(c)
    url = f"/admin/bundles/{bundle_id}/simulate/"
    token = csrf_token(admin.get(url).get_data(as_text=True))
    for prefix in distinct_prefixes(bundle_id):
        explained = explanation(c, prefix)
        labels = [label(c, name) for name in explained["unanswered"]]
        verdict = {None: NOT_YET_KNOWN, True: YES, False: NO}[explained["eligible"]]
        page = admin.post(url, data={**_form(c, prefix), "csrf_token": token}).get_data(as_text=True)
        simulated_labels, simulated = _simulated(page, c)
        # a form post cannot leave a "choose any" (allow_none) question unanswered: none ticked is its
        # answer there, as in form.html (an answer to a question not asked is ignored)
        as_posted = explanation(c, {**{s.id: [] for s in c.bundle.situations if s.allow_none}, **prefix})
        assert simulated == {None: NOT_YET_KNOWN, True: YES, False: NO}[as_posted["eligible"]], prefix
        if simulated != NO:
            assert simulated_labels == [label(c, name) for name in as_posted["unanswered"]], prefix
        checked = pre_check(check, {"situations": prefix, "fields": {}, "uploads": {}}, "zh-CN", lambda: None)
        if verdict == NO:
            assert checked.answer is not None and checked.answer["unanswered"] == explained["unanswered"]
            assert checked.answer["not_eligible_because"] == explained["not_eligible_because"]
        else:
            assert checked.status == 422 and _still_to_answer(list(checked.problems)) == labels, prefix


def test_explain_with_a_due_date_in_an_unpublished_year_says_which_and_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    pairs = [f"{k}={str(v).lower()}" for k, v in FULL_NEWBORN.items()]
    result = CliRunner().invoke(main, ["explain", "newborn", *pairs, "--received", "2026-12-28"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "2027 年的节假日安排未知" in result.output and "calendars/2027.yaml" in result.output
    assert "docs/working-days.md" in result.output and "2026-12-28" in result.output
    english = CliRunner().invoke(main, ["explain", "newborn", *pairs, "--received", "2026-12-28", "--lang", "en"])
    assert english.exit_code == 2 and "the holiday arrangement for" not in english.output
    assert "run into 2027, whose holiday arrangement is unknown" in english.output
    site = make_site(tmp_path)
    fields = {"child_name": "张小明", "child_gender": "male", "child_birth_date": "2026-12-20",
              "child_birth_time": "08:30", "child_ethnicity": "汉族", "mother_name": "李丽",
              "mother_id_number": "11010519491231002X", "father_name": "张伟",
              "father_id_number": "11010519491231002X", "guardian_mobile": "13800138000",
              "home_address": "某市某路 1 号", "mother_bank_name": "某银行",
              "mother_bank_account": "6222020000000000000"}
    answer = site.app.test_client().post("/api/bundles/newborn/check", json={
        "situations": FULL_NEWBORN, "fields": fields, "uploads": {}, "received": "2026-12-28"})
    assert answer.status_code == 422, answer.get_data(as_text=True)
    [problem] = answer.json["errors"]
    assert problem["pointer"] == "/received" and problem["message"] in result.output  # the same words


def test_a_region_names_its_own_fallback_window_in_explain_and_the_pre_check(tmp_path, monkeypatch):
    for folder in ("bundles", "catalogues", "regions"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    too_old = ["born_in_province_hospital=true", "child_age_months=9"]
    said = CliRunner().invoke(main, ["explain", "newborn", *too_old, "--region", "330106", "--format", "json"])
    window = json.loads(said.output)["fallback"]
    assert window["window"] == "西湖区政务服务中心兜底窗口" and window["phone"] == "0571-55507777"
    assert window["address"] == "西湖区示例路 300 号"
    standard = json.loads(CliRunner().invoke(main, ["explain", "newborn", *too_old, "--format", "json"]).output)
    assert standard["fallback"]["window"] == "政务服务中心兜底窗口"
    site = make_site(tmp_path / "site")
    shutil.copytree(ROOT / "regions", site.workspace / "regions")
    checked = site.app.test_client().post("/api/regions/330106/bundles/newborn/check", json={
        "situations": {"born_in_province_hospital": True, "child_age_months": 9}, "fields": {}, "uploads": {}})
    assert checked.status_code == 200 and checked.json["fallback"] == window


def test_a_condition_reading_an_unanswered_question_is_decided_only_when_the_other_answers_decide_it():
    from configurator.language.conditions.partial import decide

    def said(text: str, answers: dict[str, Any]) -> bool | None:
        return decide(lang.parse(text), answers, {"b"})

    assert said("a or b", {"a": True}) is True and said("a or b", {"a": False}) is None
    assert said("a and b", {"a": False}) is False and said("a and b", {"a": True}) is None
    assert said("not b", {}) is None and said('b == "x"', {}) is None and said("b > 3", {}) is None
    assert said("not (a and b)", {"a": False}) is True
    assert decide(lang.parse("not b"), {}, set()) is True  # not asked (nothing unknown): no answer, as before


def test_the_pre_check_names_the_questions_still_to_answer_in_english():
    c = compiled("newborn")
    from configurator.planning.compiled import Compiled

    english = Compiled(c.bundle, c.catalogues, "en")
    verdict = pre_check(checker(english), {"situations": {"born_in_province_hospital": True}, "fields": {},
                                           "uploads": {}}, "en", lambda: None)
    [still] = [p["message"] for p in verdict.problems if p["pointer"] == "/situations"]
    labels = [english.text(s.label) for s in c.bundle.situations if s.id != "born_in_province_hospital"]
    assert still == "still to answer: " + "; ".join(labels)
