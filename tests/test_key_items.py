"""The national key-item bundles added from published local guides (issue 28): each case a guide
describes gets the items, documents and refusals the guide says, read off the plan a portal shows."""

from __future__ import annotations

import re

import pytest

from configurator.planning.plan import make_plan
from tests.helpers import ROOT
from tests.test_shipped import compile_shipped


def plan(name, **answers):
    return make_plan(compile_shipped(name), answers)


def applicant_documents(p):
    return {m.id for m in p.materials if m.source == "applicant"}


# --- 信用修复一件事 -------------------------------------------------------------------------------

MR = {"penalty_domain": "market_regulation", "mr_penalty_kind": "other_penalty", "obligations_fulfilled": True,
      "mr_same_violation_again": False, "mr_listed": False, "applicant_role": "legal_representative"}
OTHER = {"penalty_domain": "other", "obligations_fulfilled": True, "applicant_role": "legal_representative"}


@pytest.mark.parametrize("special, months, eligible", [
    (False, 5, False), (False, 6, True), (True, 6, False), (True, 11, False), (True, 12, True),
])
def test_credit_repair_market_regulation_minimum_publication(special, months, eligible):
    """沅江: six months, one year in food, drugs and special equipment."""
    p = plan("credit_repair", **MR, mr_special_field=special, months_published=months)
    assert p.eligible is eligible


@pytest.mark.parametrize("special, months, eligible", [
    (False, 2, False), (False, 3, True), (True, 3, False), (True, 12, True),
])
def test_credit_repair_other_authorities_minimum_publication(special, months, eligible):
    p = plan("credit_repair", **OTHER, other_special_field=special, months_published=months)
    assert p.eligible is eligible


def test_credit_repair_refuses_minor_penalties_and_unpaid_ones():
    minor = plan("credit_repair", **{**MR, "mr_penalty_kind": "minor"}, mr_special_field=False, months_published=24)
    assert [r.id for r in minor.failed_rules] == ["mr_repairable"]
    unpaid = plan("credit_repair", **{**OTHER, "obligations_fulfilled": False}, other_special_field=False,
                  months_published=24)
    assert [r.id for r in unpaid.failed_rules] == ["obligations_done"]


@pytest.mark.parametrize("change, rule", [
    ({"mr_same_violation_again": True}, "mr_no_repeat"),  # 第六条（三）
    ({"mr_listed": True}, "mr_not_listed"),  # 第六条（四）
])
def test_credit_repair_market_regulation_refuses_a_repeat_offender_and_a_listed_one(change, rule):
    """十堰 quoting article 6 of the market regulation rules: no repeat penalty for the same kind of
    violation, and not on the abnormal-operations or serious-violators list."""
    p = plan("credit_repair", **{**MR, **change}, mr_special_field=False, months_published=24)
    assert [r.id for r in p.failed_rules] == [rule]
    assert p.bundle.fallback.department == "development_reform"


def test_credit_repair_one_application_repairs_both_platforms():
    """平顶山: one application to the market regulator; Credit China follows from its decision
    (山西: within three working days), so the business applies once."""
    p = plan("credit_repair", **MR, mr_special_field=False, months_published=7)
    assert [i.id for i in p.items] == ["mr_penalty_repair", "creditchina_sync"]
    assert ("mr_penalty_repair", "creditchina_sync") in {(e.before, e.after) for e in p.edges}
    assert p.bundle.item("creditchina_sync").promised_days == 3
    assert applicant_documents(p) == {"credit_repair_commitment", "obligation_proof"}


def test_credit_repair_other_authorities_go_through_credit_china_with_its_templates():
    p = plan("credit_repair", **{**OTHER, "applicant_role": "agent"}, other_special_field=False, months_published=4)
    assert [i.id for i in p.items] == ["creditchina_penalty_repair", "local_platform_share"]
    # 万宁: the power of attorney (an agent applies), the proof, the commitment
    assert applicant_documents(p) == {"credit_repair_commitment", "obligation_proof", "power_of_attorney"}


# --- 企业破产信息核查一件事 -------------------------------------------------------------------------

BEIJING_SEVEN = {"registration": "market_regulation", "vehicles": "police", "real_estate": "natural_resources",
                 "housing": "housing_construction", "social_insurance": "hrss",
                 "medical_insurance": "medical_insurance", "housing_fund": "housing_fund"}


def test_bankruptcy_searches_only_the_departments_asked_and_all_at_once():
    p = plan("bankruptcy_info", manager_kind="institution", court_appointed=True, query_targets=["vehicles", "housing_fund"])
    assert {i.id: i.department for i in p.items} == {"query_vehicles": "police", "query_housing_fund": "housing_fund"}
    assert p.edges == ()  # no search waits for another: one application, the departments in parallel


def test_bankruptcy_every_one_of_beijings_seven_departments_can_be_searched():
    p = plan("bankruptcy_info", manager_kind="institution", court_appointed=True, query_targets=list(BEIJING_SEVEN))
    assert {i.id.removeprefix("query_"): i.department for i in p.items} == BEIJING_SEVEN
    # 北京: one set of documents for every department
    assert applicant_documents(p) == {"acceptance_ruling", "appointment_decision", "manager_power_of_attorney",
                                      "agent_id_card"}


def test_bankruptcy_only_a_court_appointed_administrator_applies():
    p = plan("bankruptcy_info", manager_kind="institution", court_appointed=False, query_targets=["registration"])
    assert [r.id for r in p.failed_rules] == ["appointed_by_court"]


def test_bankruptcy_asks_a_credit_code_of_a_firm_not_of_a_liquidation_group():
    firm = plan("bankruptcy_info", manager_kind="institution", court_appointed=True, query_targets=["registration"])
    group = plan("bankruptcy_info", manager_kind="liquidation_group", court_appointed=True,
                 query_targets=["registration"])
    assert "manager_uscc" in {f.id for f in firm.fields} and "manager_uscc" not in {f.id for f in group.fields}


# --- 教育入学一件事 -------------------------------------------------------------------------------

IN_CATCHMENT = {"local_household": True, "own_home": True, "home_matches_household": True,
                "has_property_certificate": True, "public_school": True}


@pytest.mark.parametrize("stage, item", [("primary", "primary_enrolment"), ("junior", "junior_enrolment")])
def test_enrolment_online_for_a_child_registered_at_the_familys_own_home(stage, item):
    """新乡: 房户一致、能提供不动产权证的学区生 enrol online; 渭源: the records come by data sharing."""
    p = plan("school_enrolment", stage=stage, **IN_CATCHMENT)
    assert p.eligible and [i.id for i in p.items] == [item]
    assert applicant_documents(p) == set()
    assert {m.id: m.shared_from for m in p.materials} == {"household_register": "police",
                                                          "property_certificate": "natural_resources"}


@pytest.mark.parametrize("change, rule", [
    ({"local_household": False}, "local_household_required"),  # 随迁子女: in person, with the residence permit
    ({"home_matches_household": False}, "household_at_home"),  # 房户不一致
    ({"own_home": False}, "home_in_catchment"),  # 有户无房
    ({"has_property_certificate": False}, "certificate_issued"),  # 未办理房产证
    ({"public_school": False}, "public_school_only"),  # 民办学校
])
def test_enrolment_sends_each_case_xinxiang_enrols_in_person_to_the_school(change, rule):
    p = plan("school_enrolment", stage="primary", **{**IN_CATCHMENT, **change})
    assert [r.id for r in p.failed_rules] == [rule]
    assert p.bundle.fallback.department == "education"


# --- 水电气网联合报装一件事 -----------------------------------------------------------------------

WATER_SITE_OK = {"water_arrears": False, "water_site_ready": True, "water_site_dispute": False}


def test_utilities_one_form_to_each_company_asked_in_parallel():
    """江宁: one form, one window, each company surveys and sets its own plan, one answer."""
    p = plan("utilities", services=["power", "water", "gas"], water_use="temporary", **WATER_SITE_OK)
    assert {i.id: i.department for i in p.items} == {"power_connection": "power_supply",
                                                     "water_connection": "water_supply",
                                                     "gas_connection": "gas_supply"}
    assert p.edges == ()
    assert applicant_documents(p) == set()  # the business licence comes as an e-licence


@pytest.mark.parametrize("shared, handed_in", [(False, {"water_supply_design"}), (True, set())])
def test_utilities_permanent_water_needs_the_design_unless_the_approval_system_shares_it(shared, handed_in):
    p = plan("utilities", services=["water"], water_use="permanent", design_shared=shared, **WATER_SITE_OK)
    assert applicant_documents(p) == handed_in


def test_utilities_unpaid_water_bills_stop_only_a_water_application():
    assert [r.id for r in plan("utilities", services=["water"], water_use="temporary",
                               **{**WATER_SITE_OK, "water_arrears": True}).failed_rules] == ["no_water_arrears"]
    assert plan("utilities", services=["power"]).eligible


@pytest.mark.parametrize("change, rule", [
    ({"water_site_ready": False}, "water_site_not_ready"),  # 不符合“三通一平”
    ({"water_site_dispute": True}, "no_water_site_dispute"),  # 申请地块存在其他纠纷
])
def test_utilities_the_water_company_refuses_a_site_not_ready_or_in_dispute(change, rule):
    """The water company's notice: no application on a site without 三通一平 or under dispute; power
    and gas are not held up by it."""
    p = plan("utilities", services=["water", "power"], water_use="temporary", **{**WATER_SITE_OK, **change})
    assert [r.id for r in p.failed_rules] == [rule]
    assert plan("utilities", services=["power"], **change).eligible


def test_utilities_water_connection_counts_the_two_steps_the_water_company_publishes():
    """受理签约—安装通水: two steps, not an illustrative value any more."""
    water = compile_shipped("utilities").item("water_connection")
    assert water.steps == 2


# --- docs/library-audit.md ----------------------------------------------------------------------


def test_the_audit_page_states_the_illustrative_counts_the_bundles_have():
    """The outside reviewer reads the "after" counts in docs/library-audit.md; they must be what
    `configurator report` counts in the bundles today, so a later edit cannot leave them stale."""
    text = (ROOT / "docs" / "library-audit.md").read_text(encoding="utf-8")
    stated = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| (\w+) \|.*→ (\d+) \|$", text, re.M)}
    assert set(stated) == {"credit_repair", "bankruptcy_info", "school_enrolment", "utilities", "retirement", "newborn",
                           "ssc_services", "transport_business"}
    assert stated == {name: compile_shipped(name).illustrative_count for name in stated}


# --- 员工录用一件事 -------------------------------------------------------------------------------

HIRED = {"working_age": True, "wage_at_least_minimum": True, "employer_insured": True, "employee_identity": "mainland",
         "has_personnel_file": False, "has_social_security_card": True, "employer_pays_housing_fund": False}


def test_hiring_a_mainland_employee_registers_employment_and_both_insurances_with_the_contract_only():
    """十堰: 就业登记, 参保登记 and the 医保 职工参保登记 in one application; 郑州: the contract is the
    one document the employer hands in (the licence and the ID card come as e-licences)."""
    p = plan("employee_hiring", **HIRED)
    assert {i.id: i.department for i in p.items} == {"employment_registration": "hrss",
                                                     "social_insurance_registration": "hrss",
                                                     "medical_insurance_registration": "medical_insurance"}
    assert applicant_documents(p) == {"labour_contract"}
    assert {m.id: m.shared_from for m in p.materials if m.source == "shared"} == {"business_licence": "market_regulation",
                                                                                "employee_id_card": "police"}


@pytest.mark.parametrize("identity, documents", [
    ("hk_macao_taiwan", {"labour_contract", "hmt_permit"}),
    ("foreigner", {"labour_contract", "foreigner_work_permit", "foreigner_residence_permit"}),
])
def test_hiring_someone_without_a_resident_id_card_asks_the_documents_shiyan_lists(identity, documents):
    p = plan("employee_hiring", **{**HIRED, "employee_identity": identity})
    assert applicant_documents(p) == documents
    assert "employee_id_card" not in {m.id for m in p.materials}
    fields = {f.id for f in p.fields}
    assert "employee_document_number" in fields and "employee_id_number" not in fields


def test_hiring_the_card_waits_for_the_insurance_record_and_the_file_and_fund_come_when_asked():
    p = plan("employee_hiring", **{**HIRED, "has_social_security_card": False, "has_personnel_file": True,
                                   "employer_pays_housing_fund": True})
    assert {"social_security_card_application", "personnel_file_reception", "housing_fund_account"} <= {
        i.id for i in p.items}
    assert ("social_insurance_registration", "social_security_card_application") in {(e.before, e.after)
                                                                                     for e in p.edges}
    assert p.bundle.item("housing_fund_account").promised_days == 0  # 常州: 当场办理
    # 十堰: the file comes sealed from the office that holds it, with its transfer notice
    assert "file_transfer_notice" in applicant_documents(p)


@pytest.mark.parametrize("change, rule", [
    ({"working_age": False}, "legal_working_age"),
    ({"wage_at_least_minimum": False}, "minimum_wage"),
    ({"employer_insured": False}, "employer_registered"),
])
def test_hiring_sends_each_case_shiyan_does_not_register_to_the_window(change, rule):
    p = plan("employee_hiring", **{**HIRED, **change})
    assert [r.id for r in p.failed_rules] == [rule]
    assert p.bundle.fallback.department == "hrss"


# --- 个体工商户转型为企业一件事 -------------------------------------------------------------------

DIRECT = {"conversion_mode": "direct_change", "enterprise_form": "limited_company", "premises_unchanged": True,
          "has_mr_licence": False, "pays_housing_fund": False}


def test_conversion_by_direct_change_is_one_registration_done_on_the_spot():
    """九部门意见 and 泗洪: a direct change keeps the credit code and founding date, no closing first;
    恩施: done in under twenty minutes."""
    p = plan("individual_to_enterprise", **DIRECT)
    assert [i.id for i in p.items] == ["conversion_registration"]
    assert p.bundle.item("conversion_registration").promised_days == 0
    assert "uscc" in {f.id for f in p.fields}


def test_conversion_by_direct_change_carries_the_licences_and_the_provident_fund_record_along():
    p = plan("individual_to_enterprise", **{**DIRECT, "has_mr_licence": True, "pays_housing_fund": True})
    edges = {(e.before, e.after) for e in p.edges}
    assert {("conversion_registration", "licence_change"), ("conversion_registration", "housing_fund_change")} <= edges
    assert p.bundle.item("housing_fund_change").promised_days == 0  # 广州: 材料齐全的当场办理
    assert applicant_documents(p) == {"articles"}  # the new licence and the fund form are never handed in


def test_conversion_by_closing_first_clears_tax_then_deregisters_then_registers_the_company():
    p = plan("individual_to_enterprise", conversion_mode="deregister_and_establish", enterprise_form="sole_proprietorship",
             premises_unchanged=True)
    assert {i.id: i.department for i in p.items} == {"tax_clearance_item": "tax", "individual_deregistration":
                                                     "market_regulation", "enterprise_establishment": "market_regulation"}
    assert {("tax_clearance_item", "individual_deregistration"),
            ("individual_deregistration", "enterprise_establishment")} <= {(e.before, e.after) for e in p.edges}
    assert applicant_documents(p) == set()  # a sole proprietorship has no articles; same premises, nothing to prove


@pytest.mark.parametrize("owned, handed_in", [(True, {"articles"}), (False, {"articles", "lease_contract"})])
def test_conversion_to_new_premises_proves_them_by_the_property_register_or_the_lease(owned, handed_in):
    p = plan("individual_to_enterprise", **{**DIRECT, "premises_unchanged": False, "premises_owned": owned})
    assert applicant_documents(p) == handed_in


# --- 社会保障卡居民服务一卡通一件事 ----------------------------------------------------------------

ADULT = {"local_entitled": True, "card_request": "first", "under_16": False, "sign_electronic_card": True}


def test_social_security_card_is_applied_for_made_activated_and_signed_in_one_visit():
    """青海: at any service bank branch, in one go, 社保卡申领、人社功能和金融功能激活、人社功能密码维护、
    电子社保卡签发; 中山: the card made and activated on the spot, in under 15 minutes."""
    p = plan("ssc_services", **ADULT)
    assert {i.id: i.department for i in p.items} == {
        "first_card_application": "hrss", "ss_function_activation": "hrss", "ss_password": "hrss",
        "financial_activation": "card_service_bank", "e_card_issue": "hrss"}
    assert all(p.bundle.item(i.id).promised_days == 0 for i in p.items)
    assert p.bundle.visits == 1
    # 汕头: the holder's own ID document and the photo receipt; the new card is never handed in
    assert applicant_documents(p) == {"applicant_id_card", "photo"}


def test_social_security_card_for_a_child_is_applied_for_by_the_guardian_without_a_photo():
    """汕头: no photo under 16; 常德 and the minors' guide: the guardian's ID, the household register, and a
    proof of guardianship when they are not on the same register."""
    child = {"local_entitled": True, "card_request": "replace", "under_16": True}
    p = plan("ssc_services", **child, guardian_same_register=False)
    assert applicant_documents(p) == {"guardian_id_card", "child_household_register", "guardianship_proof"}
    assert "card_replacement" in {i.id for i in p.items} and "e_card_issue" not in {i.id for i in p.items}
    same = plan("ssc_services", **child, guardian_same_register=True)
    assert applicant_documents(same) == {"guardian_id_card", "child_household_register"}


def test_social_security_card_is_issued_to_residents_and_those_entitled_here_only():
    """汕头: 本市户籍人员以及依法享受本市社会保障及其他公共服务的非本市户籍人员."""
    p = plan("ssc_services", **{**ADULT, "local_entitled": False})
    assert [r.id for r in p.failed_rules] == ["entitled_here"]
    assert p.bundle.fallback.department == "hrss"


def test_social_security_card_baseline_is_zhongshans_dated_report():
    """南方日报 2020-04-16: 25 working days from application to card under the usual procedure, under 15
    minutes with on-the-spot making (recorded as 0)."""
    baseline = compile_shipped("ssc_services").baseline
    assert baseline.date == "2020-04-16" and baseline.link.startswith("http://m.kcqsx.com/zhongshan/202004/")
    assert dict(baseline.figures) == {"days": (25, 0)}
# --- 开办运输企业一件事 ---------------------------------------------------------------------------

TRUCKS = {"business_kind": "ordinary_freight", "has_business_licence": True, "heavy_vehicles": True,
          "drivers_qualified": True, "vehicles_registered": True, "commitment": False,
          "applicant_role": "legal_representative"}


def test_transport_business_checks_the_licence_grants_the_permit_and_certifies_the_trucks_together():
    """日照: 营业执照核验 and 道路运输经营许可 in one bundle, at most 5 working days; 邵阳: the permit and
    the trucks' road transport certificates handled together (条例第二十五条: issued with the permit)."""
    p = plan("transport_business", **TRUCKS)
    assert p.eligible
    assert {i.id: i.department for i in p.items} == {"business_licence_check": "market_regulation",
                                                     "freight_permit": "transport",
                                                     "vehicle_transport_certificate": "transport"}
    assert p.bundle.item("vehicle_transport_certificate").combined_with == "freight_permit"
    assert p.days == 5
    # 站场规定第八条: the technical grade copy and the safety rules; the rest shared or generated
    assert applicant_documents(p) == {"vehicle_technical_grade", "safety_management_rules"}


def test_transport_business_without_trucks_yet_commits_to_them_and_gets_no_vehicle_certificates():
    p = plan("transport_business", **{**TRUCKS, "vehicles_registered": False, "applicant_role": "agent"})
    assert [i.id for i in p.items] == ["business_licence_check", "freight_permit"]
    assert applicant_documents(p) == {"vehicle_commitment", "safety_management_rules", "power_of_attorney"}


def test_transport_business_permit_on_commitment_is_decided_on_the_spot():
    """日照: “承诺即发证”, the permit decided at the desk."""
    p = plan("transport_business", **{**TRUCKS, "vehicles_registered": False, "commitment": True})
    assert p.days == 0
    assert p.bundle.item("freight_permit").statutory_days == 20  # 邵阳: 法定时限 20 个工作日


@pytest.mark.parametrize("change, rule", [
    ({"business_kind": "dangerous_goods"}, "ordinary_freight_only"),  # 条例第二十五条: the city level
    ({"has_business_licence": False}, "licence_first"),
    ({"heavy_vehicles": False}, "needs_permit"),  # 4.5 吨及以下: no permit, no vehicle certificate
    ({"drivers_qualified": False}, "drivers_ok"),  # 站场规定第六条（二）
])
def test_transport_business_sends_what_it_does_not_cover_to_the_desk(change, rule):
    p = plan("transport_business", **{**TRUCKS, **change})
    assert [r.id for r in p.failed_rules] == [rule]
    assert p.bundle.fallback.department == "transport"


def test_transport_business_baseline_is_rizhaos_published_figures():
    baseline = compile_shipped("transport_business").baseline
    assert baseline.date == "2025-08-05"
    assert baseline.figures == {"materials": (23, 14), "steps": (2, 1), "days": (20, 5)}
