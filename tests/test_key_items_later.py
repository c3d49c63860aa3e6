"""Bundles from the later national key-item batches (issue 28), each read off the plan a portal
shows for the cases its cited guides describe: which items apply, in what order, within how many
working days, what the applicant hands in, and which answers go to the fallback window."""

from __future__ import annotations

import pytest

from configurator.planning.plan import make_plan
from tests.test_shipped import compile_shipped


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

