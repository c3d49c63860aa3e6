"""Semantic rules, each shown with the mistake a policy author would make and where it is reported."""

import re

import pytest

from tests.helpers import BASE_BUNDLE, base_with, check_text, codes, line_of, only


def test_the_base_bundle_is_clean():
    assert check_text(BASE_BUNDLE).diagnostics == []


def test_unknown_department_with_suggestion_at_its_line():
    text = base_with("    department: police\n", "    department: polise\n")
    problem = only(check_text(text), "E301")
    assert problem.line == line_of(text, "department: polise")
    assert problem.params["suggestion"] == "police"
    assert "police" in problem.message()


def test_every_department_reference_is_checked():
    text = (BASE_BUNDLE.replace("lead_department: health", "lead_department: helth")
            .replace("department: government_services", "department: nowhere")
            .replace("shared_from: police", "shared_from: polic"))
    assert sorted(d.params["ref"] for d in check_text(text).diagnostics if d.code == "E301") == \
        ["helth", "nowhere", "polic"]


def test_a_bundle_specific_material_needs_a_name_not_a_catalogue_entry():
    text = base_with("  - id: birth_medical_certificate\n", "  - id: birth_medical_certificate\n")
    local = text.replace("  - id: mother_id_card\n    material: resident_id_card\n",
                         "  - id: mother_id_card\n    material: special_proof\n    name: 特别证明\n")
    assert "E302" not in codes(check_text(local))
    unnamed = text.replace("  - id: mother_id_card\n    material: resident_id_card\n",
                           "  - id: mother_id_card\n    material: special_proof\n")
    assert only(check_text(unnamed), "E302").params["ref"] == "special_proof"


def test_a_bundle_specific_field_needs_type_and_label():
    text = base_with("    field: person_name\n", "    field: pet_name\n    type: text\n")
    assert "E303" not in codes(check_text(text))
    assert "E303" in codes(check_text(base_with("    field: person_name\n", "    field: pet_name\n")))


def test_items_refer_to_the_bundles_own_fields_and_materials():
    text = base_with("    fields: [child_name]\n    materials: [mother_id_card]",
                     "    fields: [child_nam]\n    materials: [mother_id]")
    result = check_text(text)
    assert only(result, "E306").params["suggestion"] == "child_name"
    assert only(result, "E305").params["suggestion"] == "mother_id_card"


def test_duplicate_ids_name_the_first_definition():
    text = base_with("  - id: police_handling", "  - id: health_handling")
    problem = only(check_text(text), "E307")
    first, second = [n for n, line in enumerate(text.splitlines(), 1) if "- id: health_handling" in line]
    assert (problem.params["first_line"], problem.line) == (first, second)


def test_the_id_is_the_file_name():
    assert only(check_text(BASE_BUNDLE, "bundles/other.yaml"), "E210").params["stem"] == "other"


def test_a_cycle_is_named_in_order():
    text = base_with("    fields: [child_name]\n    materials: [mother_id_card]",
                     "    fields: [child_name]\n    materials: [mother_id_card]\n"
                     "    after:\n      - item: birth_registration\n        reason: 测试")
    problem = only(check_text(text), "E501")
    assert problem.params["cycle"] == "issue_certificate → birth_registration → issue_certificate"
    assert problem.line == line_of(text, "- item: birth_registration")


def test_a_self_dependency_is_a_cycle():
    text = base_with("    steps: 4\n", "    steps: 4\n    after:\n      - item: birth_registration\n        reason: 自己\n")
    assert only(check_text(text), "E501").params["cycle"] == "birth_registration → birth_registration"


def test_an_after_the_data_flow_already_implies_is_a_warning():
    text = base_with("    steps: 4\n", "    steps: 4\n    after:\n      - item: issue_certificate\n        reason: 需要出生医学证明\n")
    result = check_text(text)
    assert only(result, "W508").params["material"] == "birth_medical_certificate"
    assert result.ok  # warnings do not block


def test_producer_must_list_what_it_produces():
    text = base_with("      materials: [birth_medical_certificate]", "      materials: [vaccination_certificate]")
    problem = only(check_text(text), "E502")
    assert (problem.params["material"], problem.params["item"]) == ("birth_medical_certificate", "issue_certificate")
    assert problem.line == line_of(text, "produced_by: issue_certificate")


def test_alternative_producers_each_checked():
    text = base_with("    produced_by: issue_certificate", "    produced_by: [issue_certificate, birth_registration]")
    problem = only(check_text(text), "E502")
    assert problem.params["item"] == "birth_registration"
    assert problem.path[-2:] == ("produced_by", 1)


def test_source_keys_must_match_the_source():
    text = base_with("    source: shared\n    shared_from: police", "    source: applicant\n    shared_from: police")
    assert sorted(d.params["key"] for d in check_text(text).diagnostics if d.code == "E511") == ["channel", "shared_from"]


def test_a_source_mismatch_is_told_in_the_admins_labels():
    """An official reads the labels the material form shows (来源, 共享部门), the YAML key only in parentheses,
    and the material by its name (the catalogue's 居民身份证), not its id (issue 24)."""
    text = base_with("    source: shared\n    shared_from: police", "    source: applicant\n    shared_from: police")
    problem = next(d for d in check_text(text).diagnostics if d.code == "E511" and d.params["key"] == "shared_from")
    assert problem.message() == "材料“居民身份证”的“来源”为“申请人提交”（applicant）时不能填写“共享部门”（shared_from）"
    assert problem.fix() == "清空“共享部门”，或把“来源”改为“数据共享/电子证照”（shared）"
    assert problem.message("en") == (
        "material \"Resident ID card\" is submitted by the applicant (applicant), so it cannot have a sharing department "
        "(shared_from)")
    assert problem.fix("en") == "clear the sharing department, or set the source to shared data / e-licence (shared)"


def test_promised_time_cannot_exceed_statutory():
    problem = only(check_text(base_with("{promised: 3, statutory: 20}", "{promised: 21, statutory: 20}")), "E503")
    assert (problem.params["promised"], problem.params["statutory"]) == (21, 20)


def test_cooperating_department_without_duty():
    text = base_with("cooperating_departments: [police]", "cooperating_departments: [police, hrss]")
    problem = only(check_text(text), "E504")
    assert (problem.line, problem.column) == (line_of(text, "cooperating_departments"), 35)


def test_lead_department_without_duty():
    text = BASE_BUNDLE.replace("lead_department: health", "lead_department: hrss").replace(
        "cooperating_departments: [police]", "cooperating_departments: [police, health]")
    assert only(check_text(text), "E505").params["department"] == "hrss"


def test_a_case_always_has_someone_to_receive_it():
    assert "E513" in codes(check_text(base_with("    kind: intake", "    kind: review")))


def test_handling_step_owner_must_own_its_items():
    text = base_with("    items: [issue_certificate]", "    items: [issue_certificate, birth_registration]")
    problem = only(check_text(text), "E506")
    assert (problem.params["item"], problem.params["department"]) == ("birth_registration", "police")


def test_step_limit_covers_its_items():
    text = base_with("    owner: police\n    time_limit: 3", "    owner: police\n    time_limit: 2")
    assert only(check_text(text), "E512").params["item_days"] == 3


def test_item_outside_any_handling_step_is_a_warning():
    text = base_with("    items: [birth_registration]\n", "    items: []\n")
    assert only(check_text(text), "W507").params["item"] == "birth_registration"


def test_unused_material_and_field_are_warnings():
    text = base_with("    fields: [child_name]\n    materials: [birth_medical_certificate]",
                     "    materials: [birth_medical_certificate]")
    text = text.replace("    fields: [child_name]\n    materials: [mother_id_card]", "    materials: [mother_id_card]")
    assert only(check_text(text), "W509").params["id"] == "child_name"


def test_unused_situation_is_a_warning():
    text = base_with("    when: born_in_wedlock\n", "")
    text = text.replace('    require: born_in_wedlock or register_with == "mother"', '    require: register_with == "mother"')
    assert only(check_text(text), "W510").params["id"] == "born_in_wedlock"


def test_condition_errors_point_into_the_condition_text():
    text = base_with("    when: born_in_wedlock\n", '    when: born_in_wedlock and register_with == "mom"\n')
    problem = only(check_text(text), "E404")
    line = text.splitlines()[problem.line - 1]
    assert line[problem.column - 1:].startswith('"mom"')


def test_condition_columns_are_right_in_quoted_values_too():
    text = base_with("    when: born_in_wedlock\n", "    when: 'born_in_wedlock and registr == \"mother\"'\n")
    problem = only(check_text(text), "E402")
    line = text.splitlines()[problem.line - 1]
    assert line[problem.column - 1:].startswith("registr")


def test_condition_that_can_never_be_true():
    text = base_with("    when: born_in_wedlock\n", "    when: born_in_wedlock and not born_in_wedlock\n")
    assert only(check_text(text), "E405").line == line_of(text, "when: born_in_wedlock and not")


def test_condition_that_is_always_true_is_a_warning():
    text = base_with("    when: born_in_wedlock\n", "    when: born_in_wedlock or not born_in_wedlock\n")
    assert only(check_text(text), "W406").severity == "warning"


def test_situation_may_depend_only_on_earlier_ones():
    text = base_with("    label: 是否婚内生育？\n", '    label: 是否婚内生育？\n    when: register_with == "father"\n')
    assert only(check_text(text), "E407").params["name"] == "register_with"


@pytest.mark.parametrize("edit, code", [
    (("    department: police\n", "    department: police\n    vists: 1\n"), "E201"),
    (("    time_limit: {promised: 3, statutory: 20}\n", ""), "E202"),
    (("cooperating_departments: [police]", "cooperating_departments: police"), "E203"),
    (("    kind: intake", "    kind: intak"), "E204"),
    (("  - id: birth_registration", "  - id: Birth"), "E205"),
])
def test_schema_problems_come_before_semantic_rules(edit, code):
    assert codes(check_text(base_with(*edit)))[0] == code


def test_a_misspelt_required_key_is_reported_once():
    text = base_with("    visits: 1\n    steps: 4", "    vists: 1\n    steps: 4")
    result = check_text(text)
    assert codes(result) == ["E201"]
    assert result.diagnostics[0].params["suggestion"] == "visits"


def test_a_duplicate_key_does_not_hide_other_problems():
    text = base_with("    department: police\n", "    department: polise\n    department: police\n")
    assert set(codes(check_text(text))) >= {"E106", "E301"}


def test_messages_are_chinese_by_default_and_english_on_request():
    problem = only(check_text(base_with("    department: police\n", "    department: polise\n")), "E301")
    assert "部门目录中没有" in problem.message()
    assert "departments catalogue" in problem.message("en")
    assert "did you mean" in problem.message("en")


def test_item_that_only_applies_to_ineligible_cases():
    text = base_with("    when: born_in_wedlock\n", '    when: not born_in_wedlock and register_with == "father"\n')
    problem = only(check_text(text), "E408")
    assert problem.params["id"] == "birth_registration"
    assert "符合受理条件" in problem.message()


def test_material_needed_only_when_its_items_do_not_apply():
    text = base_with("    produced_by: issue_certificate\n", "    produced_by: issue_certificate\n    when: not born_in_wedlock\n")
    assert only(check_text(text), "E408").params["id"] == "birth_medical_certificate"


def test_material_condition_narrower_than_its_item_is_fine():
    text = base_with("    produced_by: issue_certificate\n",
                     '    produced_by: issue_certificate\n    when: born_in_wedlock and register_with == "father"\n')
    assert "E408" not in codes(check_text(text))


def many_matters(count: int, *, contradicted: int | None) -> str:
    """``count`` independent matters: two yes/no questions, an eligibility rule and an item each;
    the item of matter ``contradicted`` applies only where its own rule fails."""
    situations = "".join(f"\n  - {{id: q{i}, label: 问题 {i}？, type: boolean}}\n  - {{id: r{i}, label: 另问 {i}？, type: boolean}}"
                         for i in range(count))
    rules = "".join(f"\n  - {{id: rule{i}, require: q{i} or r{i}, message: 不符合 {i}}}" for i in range(count))
    items = "".join(f"""
  - id: item{i}
    name: 事项 {i}
    department: health
    when: {f"not q{i} and not r{i}" if i == contradicted else f"q{i}"}
    time_limit: {{promised: 1, statutory: 20}}
    visits: 1
    steps: 1
    fields: [child_name]
    materials: [m{i}]""" for i in range(count))
    materials = "".join(f"\n  - {{id: m{i}, material: photo, name: 材料 {i}, source: applicant}}" for i in range(count))
    return f"""id: many
name: 多个事项
version: 1
service_object: natural_person
lead_department: health
situations:{situations}
eligibility:{rules}
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


@pytest.mark.parametrize("count", [1, 20])
def test_an_item_only_for_ineligible_cases_is_found_among_many_independent_rules(count):
    """Each condition is judged with the rules that read its questions: with 20 matters (40
    questions, 2**40 answer sets) the contradicted item is still found, where judging it with every
    rule at once was too large a product to try and passed it over; the others are not flagged."""
    problem = only(check_text(many_matters(count, contradicted=count - 1), "bundles/many.yaml"), "E408")
    assert problem.params["id"] == f"item{count - 1}"
    assert "E408" not in codes(check_text(many_matters(count, contradicted=None), "bundles/many.yaml"))


def produced_in_many_matters(count: int, *, unmade: int | None) -> str:
    """``many_matters`` where each item produces a certificate another item uses; in matter
    ``unmade`` the user applies where the producer does not (r without q, which eligibility allows)."""
    text = many_matters(count, contradicted=None)
    users = "".join(f"""
  - id: user{i}
    name: 后续事项 {i}
    department: health
    when: {f"r{i}" if i == unmade else f"q{i}"}
    time_limit: {{promised: 1, statutory: 20}}
    visits: 1
    steps: 1
    fields: [child_name]
    materials: [doc{i}]""" for i in range(count))
    docs = "".join(f"\n  - {{id: doc{i}, name: 证明 {i}, source: produced, produced_by: [item{i}]}}" for i in range(count))
    text = text.replace("\nitems:", docs + "\nitems:").replace("\nsteps:", users + "\nsteps:")
    for i in range(count):
        text = text.replace(f"    materials: [m{i}]", f"    materials: [m{i}]\n    result: {{name: 证明 {i}, materials: [doc{i}]}}", 1)
    return text.replace("    items: [item0", "    items: [" + ", ".join(f"user{i}" for i in range(count)) + ", item0")


@pytest.mark.parametrize("count", [1, 2, 20])
def test_a_material_nobody_makes_is_found_among_many_independent_matters(count):
    """E514 takes the first answer set of each independent part and puts them together: with 20
    matters the unmade certificate is found (before, the product of every rule's answers was too
    large to try and the material was passed over), with the same answers as the whole search."""
    problem = only(check_text(produced_in_many_matters(count, unmade=count - 1), "bundles/many.yaml"), "E514")
    assert problem.params["material"] == f"doc{count - 1}"
    # the first answers (yes before no), questions in file order: the unmade matter's q is no, the
    # other matters' rules hold with their first answers; 2 matters give what the whole search gave
    case = ", ".join(f"q{i} = {'false' if i == count - 1 else 'true'}, r{i} = true" for i in range(count))
    # said by the questions' words, the answers as written in brackets
    assert problem.message("en").endswith(f" (as written: {case})")
    assert re.search(r"no producer runs: “[^”]+” is \"(yes|no)\"", problem.message("en")), problem.message("en")
    assert "E514" not in codes(check_text(produced_in_many_matters(count, unmade=None), "bundles/many.yaml"))


def area_in_many_matters(count: int, *, asked_when: str) -> str:
    """``many_matters`` with the floor area asked (under ``asked_when``) and given to the last
    matter's item as its field (``from_situation``)."""
    text = many_matters(count, contradicted=None)
    last = count - 1
    text = text.replace("\neligibility:", f"""
  - id: floor_area_sqm
    label: 面积是多少平方米？
    type: number
    minimum: 0
    when: {asked_when}
eligibility:""")
    text = text.replace("    field: person_name\n", "    field: person_name\n  - id: floor_area\n    from_situation: floor_area_sqm\n")
    own = f"\n    materials: [m{last}]"
    return text.replace("    fields: [child_name]" + own, "    fields: [child_name, floor_area]" + own)


@pytest.mark.parametrize("count", [1, 20])
def test_a_field_from_a_question_not_always_asked_is_found_among_many_matters(count):
    """E410's example case is searched part by part, like E514's: with 20 matters it is still
    found, with the other matters' first answers; asked whenever the field is needed, no E410."""
    last = count - 1
    problem = only(check_text(area_in_many_matters(count, asked_when=f"r{last}"), "bundles/many.yaml"), "E410")
    case = ", ".join(f"q{i} = true, r{i} = {'false' if i == last else 'true'}" for i in range(count))
    assert problem.message("en").endswith(f" (as written: {case})")
    assert re.search(r"e\.g\. “[^”]+” is \"(yes|no)\"", problem.message("en")), problem.message("en")
    assert "E410" not in codes(check_text(area_in_many_matters(count, asked_when=f"q{last}"), "bundles/many.yaml"))
