"""What `build` generates for the shipped bundles: valid, deterministic, correct to the policy."""

import json
import shutil

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from json_logic import jsonLogic

from configurator.language import conditions as lang
from configurator.language.jsonlogic import to_jsonlogic
from configurator.planning.figures import metrics
from configurator.planning.plan import make_plan
from configurator.writers import WRITERS
from configurator.writers.form_schema import form_schema
from configurator.writers.notice import notice_document
from configurator.writers.routing import routing
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.golden_views import folder_name, views
from tests.helpers import ROOT

GOLDEN = ROOT / "tests" / "golden"
ROUTING_SCHEMA = json.loads((ROOT / "schemas" / "routing.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
@pytest.mark.parametrize("artifact", sorted(WRITERS))
def test_artifacts_match_golden_files(bundle_id, artifact, request):
    """tests/golden/README.md says how to review a change to these files."""
    output = WRITERS[artifact](compiled(bundle_id))
    assert output == WRITERS[artifact](compiled(bundle_id)), "not deterministic"
    folder = GOLDEN / bundle_id / folder_name(artifact)
    parts = views(artifact, output)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name, text in parts.items():
            (folder / name).write_text(text, encoding="utf-8")
    stored = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*"))} if folder.is_dir() else {}
    assert stored, f"no golden files in {folder}; run pytest --update-golden and review the diff"
    assert sorted(parts) == sorted(stored), f"{folder}: the parts changed; review, then pytest --update-golden"
    for name, text in parts.items():
        assert text == stored[name], f"{folder / name} differs; review, then pytest --update-golden"


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_form_schema_is_valid_2020_12_for_both_validators(bundle_id):
    schema = form_schema(compiled(bundle_id))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema_rs.Draft202012Validator(schema)  # compiles in a second, independent implementation


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_routing_follows_its_published_schema(bundle_id):
    jsonschema.Draft202012Validator(ROUTING_SCHEMA).validate(routing(compiled(bundle_id)))


def all_conditions(bundle):
    yield from (s.when for s in bundle.situations if s.when)
    yield from (r.require for r in bundle.eligibility)
    for group in (bundle.fields, bundle.materials, bundle.items):
        yield from (entry.when for entry in group if entry.when)


def answer_strategy(situation):
    options = [o.value for o in situation.options]
    values = {
        "boolean": st.booleans(),
        "choice": st.sampled_from(options or ["x"]),
        "multi_choice": st.lists(st.sampled_from(options or ["x"]), min_size=1, unique=True),
        "number": st.integers(-5, 400_000) | st.floats(-5, 400_000, allow_nan=False),
        "date": st.dates().map(lambda d: d.isoformat()),
    }[situation.type]
    return st.none() | values


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_jsonlogic_rules_agree_with_the_python_evaluator(bundle_id):
    bundle = compiled(bundle_id).bundle
    strategy = st.fixed_dictionaries({s.id: answer_strategy(s) for s in bundle.situations})
    rules = [(c.text, c.expr, to_jsonlogic(c.expr)) for c in all_conditions(bundle)]

    @settings(max_examples=300, deadline=None)
    @given(strategy)
    def check(raw):
        answers = {key: value for key, value in raw.items() if value is not None}
        for text, expr, rule in rules:
            assert bool(jsonLogic(rule, answers)) == lang.evaluate(expr, answers), (text, answers)

    check()


CONDITIONS = [
    'x > 3', 'x <= 3', 'not x > 3', 'x != 3', 'x in [1, 2]', 'x not in [1, 2]', 'c == "a"', 'c != "a"',
    'c in ["a", "b"]', 'c not in ["a"]', 'm contains "a"', '"a" in m', '"a" not in m', 'b', 'not b',
    'b == false', 'd >= "2024-05-01"', 'd < "2024-05-01"', '(b or x > 3) and not c == "a"',
]
VARIABLES = {"x": lang.Variable("x", "number"), "c": lang.Variable("c", "choice", ("a", "b")),
             "m": lang.Variable("m", "multi_choice", ("a", "b")), "b": lang.Variable("b", "boolean"),
             "d": lang.Variable("d", "date")}


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(CONDITIONS), st.fixed_dictionaries({
    "x": st.none() | st.integers(-2, 6) | st.floats(-2, 6, allow_nan=False),
    "c": st.none() | st.sampled_from(["a", "b"]),
    "m": st.none() | st.lists(st.sampled_from(["a", "b"]), min_size=1, unique=True),
    "b": st.none() | st.booleans(),
    "d": st.none() | st.dates().map(lambda d: d.isoformat()),
}))
def test_every_operator_means_the_same_in_jsonlogic_and_json_schema(text, raw):
    expr = lang.parse(text)
    assert not lang.check_types(expr, VARIABLES)
    answers = {key: value for key, value in raw.items() if value is not None}
    expected = lang.evaluate(expr, answers)
    assert bool(jsonLogic(to_jsonlogic(expr), answers)) == expected
    from configurator.writers.form_schema import condition_schema
    assert jsonschema.Draft202012Validator(condition_schema(expr)).is_valid(answers) == expected


# ------------------------------------------------------------------- the policy, case by case

NEWBORN_BASE = {"born_in_province_hospital": True, "child_age_months": 0, "parents_province_household": True,
                "surname": "father", "household_kind": "family",
                "parents_different_ethnicity": False, "enrol_health_insurance": True,
                "apply_social_security_card": True, "mother_maternity_insurance": False,
                "want_parenting_guidance": False}


def test_newborn_out_of_wedlock_registered_with_father_hands_in_the_paternity_document():
    c = compiled("newborn")
    plan = make_plan(c.bundle, {**NEWBORN_BASE, "born_in_wedlock": False, "register_with": "father"})
    assert plan.eligible
    assert [m.id for m in plan.applicant_materials] == ["out_of_wedlock_statement", "paternity_test_report"]
    notice = notice_document(c, plan.answers).markdown()
    assert "亲子鉴定证明" in notice and "非婚生育说明" in notice
    with_mother = make_plan(c.bundle, {**NEWBORN_BASE, "born_in_wedlock": False, "register_with": "mother"})
    assert "paternity_test_report" not in [m.id for m in with_mother.materials]


def test_newborn_joining_a_collective_household_hands_in_its_register_and_the_units_undertaking():
    c = compiled("newborn")
    family = make_plan(c.bundle, {**NEWBORN_BASE, "born_in_wedlock": True, "register_with": "mother"})
    assert family.eligible and family.applicant_materials == ()
    assert "household_register" in [m.id for m in family.materials]
    collective = make_plan(c.bundle, {**NEWBORN_BASE, "born_in_wedlock": True, "register_with": "mother",
                                      "household_kind": "collective"})
    assert collective.eligible
    assert [m.id for m in collective.applicant_materials] == ["collective_household_register",
                                                              "collective_unit_guarantee"]
    assert "household_register" not in [m.id for m in collective.materials]  # the family register is not fetched
    notice = notice_document(c, collective.answers).markdown()
    assert "集体户口簿（首页和随迁父（母）方本人页）" in notice and "集体户所在单位同意落户的书面保证" in notice


@pytest.mark.parametrize("surname, extra", [
    ("father", []), ("mother", []), ("other", ["surname_application", "surname_ground_proof"])])
def test_newborn_a_surname_other_than_the_parents_needs_its_application_and_proof(surname, extra):
    c = compiled("newborn")
    plan = make_plan(c.bundle, {**NEWBORN_BASE, "born_in_wedlock": True, "register_with": "father",
                                "surname": surname})
    assert plan.eligible and [m.id for m in plan.applicant_materials] == extra
    if extra:
        notice = notice_document(c, plan.answers).markdown()
        assert "选取父姓和母姓以外姓氏的申请书（父母双方签字）" in notice


def test_newborn_social_security_card_never_starts_before_household_registration():
    c = compiled("newborn")
    for wedlock in (True, False):
        plan = make_plan(c.bundle, {**NEWBORN_BASE, "born_in_wedlock": wedlock, "register_with": "mother"})
        tasks = {t.item.id: t for t in plan.tasks}
        assert tasks["social_security_card"].start_day >= tasks["birth_registration"].end_day
        assert "birth_registration" in tasks["social_security_card"].after
    routed = {t["id"]: t for t in routing(c)["tasks"]}
    assert {"task": "birth_registration", "because": "data_flow", "material": "newborn_household_record"} \
        in routed["social_security_card"]["after"]


RESTAURANT = {"small_catering": False, "has_business_licence": True, "floor_area_sqm": 120, "investment_yuan": 100000,
              "premises_ownership": "lease", "food_types": ["hot_food"], "plans_signboard": False, "sells_tobacco": False}


@pytest.mark.parametrize("area, included", [(300, False), (300.5, True), (301, True), (299, False)])
def test_restaurant_fire_inspection_on_one_side_of_300_square_metres(area, included):
    c = compiled("restaurant")
    plan = make_plan(c.bundle, {**RESTAURANT, "floor_area_sqm": area, "fire_commitment": False})
    assert ("fire_safety_inspection" in [i.id for i in plan.items]) is included


def test_restaurant_a_small_eatery_registers_under_provincial_rules_at_the_fallback_window():
    c = compiled("restaurant")
    plan = make_plan(c.bundle, {**RESTAURANT, "small_catering": True})
    assert not plan.eligible and [r.id for r in plan.failed_rules] == ["not_small_catering"]
    notice = notice_document(c, plan.answers).markdown()
    assert "小餐饮登记（备案）" in notice and "政务服务中心市场监管综合窗口" in notice


@pytest.mark.parametrize("commitment, promised, statutory", [(True, 1, 20), (False, 13, 13)])
def test_restaurant_fire_inspection_limits_follow_the_route_chosen(commitment, promised, statutory):
    c = compiled("restaurant")
    plan = make_plan(c.bundle, {**RESTAURANT, "floor_area_sqm": 400, "fire_commitment": commitment})
    fire = next(t for t in plan.tasks if t.item.id == "fire_safety_inspection")
    assert (fire.end_day - fire.start_day, fire.item.promised_days, fire.item.statutory_days) == (promised, promised, statutory)


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_a_department_receives_only_what_its_own_tasks_asked_for(bundle_id):
    c = compiled(bundle_id)
    routed = routing(c)
    tasks = {t["id"]: t for t in routed["tasks"]}
    for department, payload in routed["departments"].items():
        asked_fields = {f for t in payload["tasks"] for f in tasks[t]["fields"]}
        asked_materials = {m for t in payload["tasks"] for m in tasks[t]["materials"]}
        assert {f["id"] for f in payload["fields"]} == asked_fields, department
        assert {m["id"] for m in payload["materials"]} == asked_materials, department


def test_department_payload_rules_follow_the_case():
    c = compiled("newborn")
    medical = routing(c)["departments"]["medical_insurance"]
    bank = next(f for f in medical["fields"] if f["id"] == "mother_bank_account")
    answers = {**NEWBORN_BASE, "born_in_wedlock": True, "register_with": "mother"}
    assert jsonLogic(bank["when"], answers) is False  # no maternity benefit asked for: no bank account sent
    assert jsonLogic(bank["when"], {**answers, "mother_maternity_insurance": True}) is True
    police = routing(c)["departments"]["police"]
    assert "mother_bank_account" not in [f["id"] for f in police["fields"]]


def test_ineligible_case_goes_to_the_fallback_with_the_reason():
    c = compiled("newborn")
    plan = make_plan(c.bundle, {**NEWBORN_BASE, "child_age_months": 7, "born_in_wedlock": True, "register_with": "mother"})
    assert not plan.eligible and [r.id for r in plan.failed_rules] == ["age_limit"]
    notice = notice_document(c, plan.answers).markdown()
    assert "新生儿已满 6 个月" in notice and "兜底窗口" in notice


def test_metrics_reduce_documents_steps_days_and_visits():
    figures = metrics(compiled("newborn"))
    overall = figures["overall"]
    assert overall["materials"]["after"] < overall["materials"]["before"]
    assert overall["steps"]["after"] == 3  # application, intake, delivery
    assert overall["days"]["after"] < overall["days"]["before"]
    assert overall["visits"] == {"before": 8, "after": 1, "saved": 7, "reduction_percent": 87.5}
    # more than 200 distinct cases (surname × household kind × the rest): the list is cut, the figures are not
    search = figures["case_search"]
    assert search["exact"] is True and search["answer_sets"] == 1536
    assert search["warnings"] == ["more than 200 distinct cases: only the first 200 are listed"]
    assert not figures["flags"]["more_than_one_visit"]


def test_metrics_days_after_is_the_longest_dependency_chain():
    c = compiled("newborn")
    plan = make_plan(c.bundle, {**NEWBORN_BASE, "born_in_wedlock": True, "register_with": "mother",
                                "mother_maternity_insurance": False})
    # birth certificate (1) → birth registration (3) → insurance / social security card (1)
    assert plan.days == 5
