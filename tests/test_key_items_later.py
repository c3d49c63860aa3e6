"""Bundles from the later national key-item batches (issue 28), each read off the plan a portal
shows for the cases its cited guides describe: which items apply, in what order, within how many
working days, what the applicant hands in, and which answers go to the fallback window."""

from __future__ import annotations

import re

import pytest

from configurator.planning.plan import make_plan
from tests.helpers import ROOT, check_text
from tests.test_shipped import compile_shipped
from tests.web_helpers import csrf_token, login, make_site


def plan(name, **answers):
    return make_plan(compile_shipped(name), answers)


def applicant_documents(p):
    return {m.id for m in p.materials if m.source == "applicant"}


def promised(p):
    return {i.id: i.promised_days for i in p.items}


# --- 企业注销登记一件事 -------------------------------------------------------------------------------

SIMPLE = {"domestic": True, "entity_type": "company", "procedure": "simplified", "no_debts": True,
          "simplified_obstacles": [], "other_closures": []}
GENERAL = {"domestic": True, "entity_type": "company", "procedure": "general", "tax_status": "other",
           "other_closures": []}
ALL_CLOSURES = ["customs", "social_insurance", "medical_insurance", "housing_fund", "bank_account", "seal"]


def test_deregistration_ordinary_tax_first_then_registration_the_closures_alongside():
    """兴隆: tax 10 working days, registration 1, customs, social insurance, bank and seal in
    parallel in 1; the registration waits for the tax clearance, shared rather than handed in."""
    p = plan("enterprise_deregistration", **{**GENERAL, "other_closures": ALL_CLOSURES})
    assert p.eligible
    assert {(e.before, e.after) for e in p.edges} == {("tax_deregistration", "general_deregistration")}
    assert promised(p)["tax_deregistration"] == 10 and promised(p)["general_deregistration"] == 1
    assert {promised(p)[c] for c in ("customs_record_deregistration", "social_insurance_deregistration",
                                     "bank_account_deregistration", "seal_deregistration")} == {1}
    assert p.days == 11
    assert applicant_documents(p) == {"designated_representative_authorisation", "business_licence",
                                      "liquidation_report", "dissolution_resolution"}
    assert {m.id: m.source for m in p.materials}["tax_clearance"] == "produced"


@pytest.mark.parametrize("tax_status, days", [("never_taxed", 0), ("no_invoices", 0), ("good_credit", 0),
                                              ("other", 10)])
def test_deregistration_tax_clearance_on_the_spot_in_the_cases_shiyan_names(tax_status, days):
    p = plan("enterprise_deregistration", **{**GENERAL, "tax_status": tax_status})
    assert promised(p)["tax_deregistration"] == days
    assert p.days == days + 1


def test_deregistration_simplified_commitment_instead_of_liquidation_and_a_20_day_notice():
    """辽宁, 湖北: all investors commit, no liquidation report; 重庆: 20-day notice, one day after it."""
    p = plan("enterprise_deregistration", **SIMPLE)
    assert [i.id for i in p.items] == ["tax_deregistration", "simplified_deregistration"]
    assert applicant_documents(p) == {"designated_representative_authorisation", "business_licence",
                                      "all_investors_commitment"}
    assert p.days == 2  # 丰宁: tax and registration one working day each, the notice not counted
    [notice] = p.bundle.item("simplified_deregistration").special_stages
    assert (notice.kind, notice.days, notice.day_kind) == ("public_notice", 20, "calendar")


@pytest.mark.parametrize("change, rule", [
    ({"domestic": False}, "domestic_only"),  # 兴隆: domestic companies only
    ({"entity_type": "listed_company"}, "simplified_not_listed"),
    ({"no_debts": False}, "simplified_no_debts"),
    ({"simplified_obstacles": ["abnormal_list"]}, "simplified_no_obstacle"),
    ({"simplified_obstacles": ["penalty_outstanding", "licence_revoked"]}, "simplified_no_obstacle"),
])
def test_deregistration_refuses_each_case_liaoning_excludes_from_simplified(change, rule):
    p = plan("enterprise_deregistration", **{**SIMPLE, **change})
    assert [r.id for r in p.failed_rules] == [rule]


def test_deregistration_a_listed_company_may_still_close_the_ordinary_way():
    assert plan("enterprise_deregistration", **{**GENERAL, "entity_type": "listed_company"}).eligible


def test_deregistration_closes_only_what_was_ticked():
    p = plan("enterprise_deregistration", **{**GENERAL, "other_closures": ["bank_account"]})
    assert [i.id for i in p.items] == ["tax_deregistration", "general_deregistration", "bank_account_deregistration"]
    assert {f.id for f in p.fields} >= {"account_bank_name", "bank_account_number"}
    assert not {"account_bank_name", "bank_account_number"} & {f.id for f in plan("enterprise_deregistration",
                                                                                  **GENERAL).fields}


# --- 个人身后一件事 -----------------------------------------------------------------------------------

NOTHING_TO_SETTLE = {"applicant_relation": "first_order_heir", "death_kind": "natural", "cremated": False,
                     "had_driving_licence": False, "medical_account": False, "pension_insured": False,
                     "housing_fund": False}


@pytest.mark.parametrize("death_kind, certifier", [("natural", "health"), ("unnatural", "police")])
def test_after_death_the_certificate_comes_first_from_the_right_department(death_kind, certifier):
    """济宁: the health service certifies a natural death, the police an unnatural one; the household
    registration is closed with that certificate, which the family never carries (象山)."""
    p = plan("after_death", **{**NOTHING_TO_SETTLE, "death_kind": death_kind})
    [certificate] = [i for i in p.items if i.id.startswith("death_certificate_")]
    assert certificate.department == certifier
    assert {(e.before, e.after) for e in p.edges} == {(certificate.id, "household_cancellation")}
    assert applicant_documents(p) == set()


def test_after_death_every_settlement_waits_for_the_certificates_and_pays_the_named_heir():
    p = plan("after_death", **{**NOTHING_TO_SETTLE, "cremated": True, "had_driving_licence": True,
                               "medical_account": True, "pension_insured": True, "housing_fund": True,
                               "fund_small_balance": True})
    assert len(p.items) == 8
    after_cremation = {e.after for e in p.edges if e.before == "cremation_certificate"}
    assert after_cremation == {"pension_account_payment", "survivor_benefits", "housing_fund_withdrawal"}
    assert {"heir_bank_name", "heir_bank_account", "deceased_social_security_card"} <= {f.id for f in p.fields}
    assert promised(p)["housing_fund_withdrawal"] == 0  # 辽源: on the spot


@pytest.mark.parametrize("relation, small, document", [
    ("first_order_heir", True, "marriage_status_proof"),   # 福州 case two: spouse, child or parent, ≤ 10,000
    ("first_order_heir", False, "inheritance_document"),   # more than 10,000: notarised inheritance or judgment
    ("other_heir", None, "inheritance_document"),          # not a first-order heir: always the document
])
def test_after_death_housing_fund_documents_follow_fuzhous_two_cases(relation, small, document):
    answers = {**NOTHING_TO_SETTLE, "applicant_relation": relation, "housing_fund": True}
    if small is not None:
        answers["fund_small_balance"] = small
    assert applicant_documents(plan("after_death", **answers)) == {document}


def test_after_death_only_relatives_and_heirs_apply():
    p = plan("after_death", **{**NOTHING_TO_SETTLE, "applicant_relation": "other"})
    assert [r.id for r in p.failed_rules] == ["relative_or_heir"]
    assert p.bundle.fallback.department == "civil_affairs"


# --- 军人退役一件事 -----------------------------------------------------------------------------------

REPORTING = {"placement": "self_employment", "days_since_discharge": 10, "settles_in_province": True,
             "merit_or_special": False, "military_driving_licence": False, "wants_training": False}


@pytest.mark.parametrize("placement, benefit", [("government_job", "waiting_allowance"),
                                                ("self_employment", "self_employment_grant")])
def test_veteran_each_placement_gets_the_benefit_fujian_lists_for_it(placement, benefit):
    p = plan("veteran_discharge", **{**REPORTING, "placement": placement})
    ids = {i.id for i in p.items}
    assert benefit in ids and not {"waiting_allowance", "self_employment_grant"} - {benefit} & ids
    # 福建: reporting, household registration, ID card and reserve registration in every placement
    assert {"veteran_reporting", "household_restoration", "id_card_issue", "reserve_registration"} <= ids


def test_veteran_household_after_the_settlement_letter_id_card_after_the_household():
    """安康: the veterans office issues the letter, then the police register the household."""
    p = plan("veteran_discharge", **REPORTING)
    edges = {(e.before, e.after) for e in p.edges}
    assert ("veteran_reporting", "household_restoration") in edges
    assert ("household_restoration", "id_card_issue") in edges
    assert not any("reserve_registration" in pair for pair in edges)  # reserve registration alongside


@pytest.mark.parametrize("placement, extra", [("self_employment", set()), ("government_job", {"placement_notice"})])
def test_veteran_brings_the_documents_ankang_lists(placement, extra):
    p = plan("veteran_discharge", **{**REPORTING, "placement": placement})
    assert applicant_documents(p) == {"discharge_certificate", "discharge_referral_letter", "id_card",
                                      "household_register", "pension_transfer_form"} | extra


@pytest.mark.parametrize("days, eligible", [(0, True), (30, True), (31, False)])
def test_veteran_finding_own_work_reports_within_30_days_of_the_approved_discharge(days, eligible):
    p = plan("veteran_discharge", **{**REPORTING, "days_since_discharge": days})
    assert p.eligible is eligible
    if not eligible:
        assert [r.id for r in p.failed_rules] == ["reported_in_time"]


def test_veteran_given_a_job_reports_by_the_placement_notice_not_asked_the_days():
    answers = {k: v for k, v in REPORTING.items() if k not in ("days_since_discharge", "wants_training")}
    p = plan("veteran_discharge", **{**answers, "placement": "government_job", "days_since_discharge": 90})
    assert p.eligible and "days_since_discharge" not in p.answers


def test_veteran_retirement_placements_and_other_provinces_go_to_the_service_centre():
    assert [r.id for r in plan("veteran_discharge", **{**REPORTING, "placement": "retirement_support"}).failed_rules] \
        == ["job_or_self_employment"]
    assert [r.id for r in plan("veteran_discharge", **{**REPORTING, "settles_in_province": False}).failed_rules] \
        == ["settles_here"]


# --- offered as starting points in the admin -----------------------------------------------------------

LATER = ["enterprise_deregistration", "after_death", "veteran_discharge"]


def test_the_new_bundle_page_offers_every_shipped_bundle_to_copy(tmp_path):
    site = make_site(tmp_path)
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/bundles/new/").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([a-z0-9_]+)"', page.split('id="copy_from"', 1)[1].split("</select>", 1)[0]))
    assert offered == {p.stem for p in (ROOT / "bundles").glob("*.yaml")}


@pytest.mark.parametrize("source", LATER)
def test_a_copy_of_a_later_batch_bundle_saves_as_a_bundle_of_its_own(tmp_path, source):
    """What a province does first: copy the national bundle under its own id, then bind it locally."""
    site = make_site(tmp_path)
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/bundles/new/").get_data(as_text=True)
    response = client.post("/admin/bundles/new/", data={
        "csrf_token": csrf_token(page), "mode": "copy", "copy_from": source, "bundle_id": f"{source}_local",
        "name": "本地副本"}, follow_redirects=True)
    assert response.status_code == 200
    copied = (site.workspace / "bundles" / f"{source}_local.yaml").read_text(encoding="utf-8")
    assert copied.startswith("# yaml-language-server") and f"id: {source}_local" in copied
    original = (ROOT / "bundles" / f"{source}.yaml").read_text(encoding="utf-8")
    assert copied.count("illustrative:") == original.count("illustrative:")  # the marks travel with the copy
    assert [d for d in check_text(copied, f"bundles/{source}_local.yaml").diagnostics if d.severity == "error"] == []
