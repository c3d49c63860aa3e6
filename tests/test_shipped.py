"""The shipped bundles are complete, clean, and say what domain.md says."""

import pytest

from configurator.language.conditions import evaluate
from configurator.language.graph import dependencies
from tests.helpers import ROOT, check_text

SHIPPED = sorted((ROOT / "bundles").glob("*.yaml"))


def compile_shipped(name):
    path = ROOT / "bundles" / f"{name}.yaml"
    result = check_text(path.read_text(encoding="utf-8"), f"bundles/{name}.yaml")
    assert result.diagnostics == [], [d.message("en") for d in result.diagnostics]
    return result.bundle


def test_the_four_bundles_of_domain_md_are_shipped():
    assert {p.stem for p in SHIPPED} >= {"newborn", "retirement", "restaurant", "disability"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_bundle_has_no_errors_and_no_warnings(path):
    compile_shipped(path.stem)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_bundle_points_editors_at_the_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/bundle.schema.json"


def test_newborn_chain_follows_the_data_flow():
    bundle = compile_shipped("newborn")
    edges = {(d.before, d.after) for d in dependencies(bundle)}
    assert ("issue_birth_certificate", "birth_registration") in edges
    assert ("birth_registration", "medical_insurance_enrolment") in edges
    assert ("birth_registration", "social_security_card") in edges
    # ② vaccination, ⑥ maternity benefit and ⑦ guidance do not wait for ③ birth registration
    for independent in ("vaccination_certificate", "maternity_benefit", "parenting_guidance"):
        assert ("birth_registration", independent) not in edges


def test_newborn_paternity_document_only_out_of_wedlock_with_father():
    bundle = compile_shipped("newborn")
    paternity = bundle.material("paternity_test_report")
    assert evaluate(paternity.when.expr, {"born_in_wedlock": False, "register_with": "father"})
    assert not evaluate(paternity.when.expr, {"born_in_wedlock": False, "register_with": "mother"})
    assert not evaluate(paternity.when.expr, {"born_in_wedlock": True, "register_with": "father"})


@pytest.mark.parametrize("area, investment, inspected", [
    (300, 0, False), (300.01, 0, True), (301, 0, True),
    (0, 300000, False), (0, 300000.5, True), (299, 299999, False),
])
def test_restaurant_fire_inspection_strictly_above_300_square_metres(area, investment, inspected):
    item = compile_shipped("restaurant").item("fire_safety_inspection")
    assert evaluate(item.when.expr, {"floor_area_sqm": area, "investment_yuan": investment}) is inspected


def test_restaurant_uses_the_national_item_codes():
    bundle = compile_shipped("restaurant")
    assert bundle.item("food_business_licence").code == "000131024000"
    assert bundle.item("fire_safety_inspection").code == "000125049000"
    assert bundle.item("tobacco_retail_licence").code == "000162004000"


def test_retirement_never_hard_codes_an_age():
    text = (ROOT / "bundles" / "retirement.yaml").read_text(encoding="utf-8")
    body = "\n".join(line.split("#")[0] for line in text.splitlines())
    for age in ("60", "55", "50"):
        assert f" {age}" not in body and f">{age}" not in body


def test_retirement_proof_comes_from_either_retirement_item():
    bundle = compile_shipped("retirement")
    assert bundle.material("retirement_approval").produced_by == ("normal_retirement", "early_retirement")
    edges = {(d.before, d.after) for d in dependencies(bundle)}
    assert ("housing_fund_freeze", "housing_fund_withdrawal") in edges


def test_illustrative_figures_are_marked_in_comments():
    for path in SHIPPED:
        text = path.read_text(encoding="utf-8")
        assert "[I]" in text and "[L]" in text, path.name
