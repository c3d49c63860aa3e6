"""The merged form agrees with the plan case by case, without a browser (tests/test_form_cases_browser.py
drives the same cases through form.html in Chromium):

- a material whose 容缺 depends on the case (tests/corpus/good/varying-requirement.yaml): for every
  case and every material it hands in, leaving the upload out is refused by form.schema.json
  (jsonschema and ajv), by form.html's server-side validation and by the pre-check API exactly
  when ``configurator explain`` says the material is required in that case;
- an answer of the wrong type (a baby aged 6.5 months) is that answer's error, never a verdict
  on eligibility; a radio answer to a question not asked is shown again unticked.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess

import jsonschema
import pytest

from configurator.planning.cases import scenarios
from configurator.planning.compiled import Compiled
from configurator.present.explain import explanation
from configurator.workspace.output import write_bundle
from configurator.writers.form_html import render_form_page
from configurator.writers.form_schema import form_schema
from configurator.writers.form_wtforms import application_from_form, form_class
from tests.compile_helpers import compiled
from tests.helpers import ROOT, check_text, shipped_catalogues
from tests.test_form_agreement import MultiDict, post_for_case, valid_post

VARYING = "varying-requirement"
SOURCE = ROOT / "tests/corpus/good" / f"{VARYING}.yaml"
NODE = shutil.which("node")


@functools.cache
def varying() -> Compiled:
    checked = check_text(SOURCE.read_text(encoding="utf-8"), f"bundles/{VARYING}.yaml")
    assert checked.bundle is not None and checked.diagnostics == []
    return Compiled(checked.bundle, shipped_catalogues())


def without_upload(post: MultiDict, material_id: str) -> MultiDict:
    data = MultiDict({name: list(values) for name, values in post.items()})
    data.pop(f"uploads-{material_id}", None)
    return data


def upload_cases():
    """(case, material id, explain's requirement, the post without that upload) for every case."""
    c = varying()
    cases = scenarios(c.bundle)[0]
    found = []
    for case in cases:
        stated = {m["id"]: m["requirement"] for m in explanation(c, dict(case.answers))["materials"] if m["hand_in"]}
        assert set(stated) == {m.id for m in case.plan.applicant_materials}
        for material_id, requirement in stated.items():
            found.append((case, material_id, requirement, without_upload(post_for_case(c, case), material_id)))
    return found


def test_the_corpus_bundle_has_every_requirement_by_case():
    requirements = {(material_id, requirement) for _, material_id, requirement, _ in upload_cases()}
    assert requirements == {("property_certificate", "required"), ("property_certificate", "deferrable"),
                            ("income_proof", "required"), ("income_proof", "optional"),
                            ("first_home_statement", "required")}


def test_form_schema_and_the_server_side_form_follow_the_requirement_of_each_case():
    c = varying()
    schema = form_schema(c)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for case, material_id, requirement, post in upload_cases():
        assert validator.is_valid(application_from_form(c, post_for_case(c, case))), case.answers
        application = application_from_form(c, post)
        required = requirement == "required"
        assert validator.is_valid(application) is not required, (case.answers, material_id, requirement)
        form = form_class(c)(formdata=post)
        assert form.validate() is not required, (case.answers, material_id, requirement)
        assert form[f"uploads-{material_id}"].errors == (["此项必填"] if required else [])
        # the page the server answers with marks the upload as the case needs it
        page = render_form_page(c, form)
        row = re.search(rf'<div class="row[^"]*"([^>]*)><label class="label" for="uploads-{material_id}">', page)
        assert row is not None and ("data-required " in row.group(1) + " ") is required
        hint = re.search(rf'id="uploads-{material_id}-hint">(.*?)</div>', page)
        assert hint is not None
        shown = re.sub(r"<span[^>]* hidden>.*?</span>", "", hint.group(1))
        assert ("可容缺受理，承诺后补" in shown) is (requirement == "deferrable"), (case.answers, material_id)


def test_the_pre_check_follows_the_requirement_of_each_case(tmp_path):
    from tests.web_helpers import make_site

    site = make_site(tmp_path)
    shutil.copy(SOURCE, site.workspace / "bundles" / SOURCE.name)
    client = site.app.test_client()
    c = varying()
    for case, material_id, requirement, post in upload_cases():
        response = client.post(f"/api/bundles/{VARYING}/check", json=application_from_form(c, post))
        if requirement == "required":
            assert response.status_code == 422, (case.answers, material_id)
            assert response.json["errors"] == [{"pointer": "/uploads", "message": f"缺少：{material_id}"}]
        else:
            assert response.status_code == 200, (case.answers, material_id, response.get_data(as_text=True))
            stated = {m["id"]: m["requirement"] for m in response.json["materials"]}
            assert stated[material_id] == requirement


@pytest.mark.skipif(NODE is None and not __import__("os").environ.get("CI"), reason="Node.js not installed")
def test_ajv_follows_the_requirement_of_each_case(tmp_path):
    assert NODE and (ROOT / "tests/js/node_modules/ajv").exists(), "run: npm ci --prefix tests/js"
    c = varying()
    write_bundle(tmp_path, c.bundle, shipped_catalogues())
    applications = [{"data": application_from_form(c, post), "valid": requirement != "required"}
                    for _, _, requirement, post in upload_cases()]
    cases_file = tmp_path / "cases.json"
    cases_file.write_text(json.dumps({"dist": str(tmp_path), "routing_schema": str(ROOT / "schemas/routing.schema.json"),
                                      "bundles": [{"id": VARYING, "answer_cases": [], "applications": applications}]},
                                     ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([NODE, str(ROOT / "tests/js/check_portal.mjs"), str(cases_file)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [] and report["compiled"] == [VARYING]
    assert report["mismatches"] == [] and report["applications"] == len(applications)


# ---------------------------------------------------------------------------- types and radios


def test_a_baby_aged_6_5_months_is_told_to_write_a_whole_number_not_sent_to_the_fallback():
    c = compiled("newborn")
    post = valid_post("newborn", 0)
    post["situations-child_age_months"] = ["6.5"]
    form = form_class(c)(formdata=post)
    assert not form.validate()
    assert form["situations-child_age_months"].errors == ["请填写整数"]
    assert form.ineligible == []
    page = render_form_page(c, form)
    assert re.search(r'<div class="ineligible" id="ineligible"[^>]* hidden>', page)
    assert "请填写整数" in page and '<button type="submit">' in page


def test_a_radio_answer_to_a_question_not_asked_comes_back_unticked():
    c = compiled("retirement")
    case = next(case for case in scenarios(c.bundle)[0] if case.answers["retirement_type"] == "early")
    post = post_for_case(c, case)
    post["situations-reached_statutory_age"] = ["true"]  # answered on a page without script
    form = form_class(c)(formdata=post)
    assert not form.validate()
    assert form["situations-reached_statutory_age"].errors == ["按您的回答，此项不适用，请留空"]
    page = render_form_page(c, form)
    radios = re.findall(r'<input[^>]*name="situations-reached_statutory_age"[^>]*>', page)
    assert len(radios) == 2 and not any("checked" in radio for radio in radios)
    post.pop("situations-reached_statutory_age")  # sent again as shown: accepted
    assert form_class(c)(formdata=post).validate()


def test_the_empty_form_marks_an_upload_required_in_some_case_as_required():
    """Before any answer (and for a browser without script, which never learns the case) an upload
    required in some case is marked required: sending it is never wrong where it applies."""
    page = render_form_page(varying())
    for material_id in ("property_certificate", "income_proof"):
        row = re.search(rf'<div class="row[^"]*"([^>]*)><label class="label" for="uploads-{material_id}">', page)
        assert row is not None and "data-required " in row.group(1) + " ", material_id
        assert re.search(rf'<input type="file" name="uploads-{material_id}" [^>]*required>', page), material_id


def test_a_case_outside_the_bundle_is_shown_only_the_questions_the_plan_asked():
    """Without script, the server's answer to an early retirement not yet reviewed: the reasons,
    the fallback window and the deciding questions asked — not "reached the statutory age?",
    which an early retirement is never asked."""
    c = compiled("retirement")
    post = MultiDict({"situations-insured_type": ["employee"], "situations-retirement_type": ["early"],
                      "situations-deemed_contribution_years": ["false"], "situations-review_passed": ["false"]})
    form = form_class(c)(formdata=post)
    assert not form.validate() and [rule.id for rule in form.ineligible] == ["early_review_done"]
    page = render_form_page(c, form)
    rows = re.findall(r'<div class="row[^"]*"[^>]*?( hidden)?><fieldset id="situations-(\w+)"', page)
    assert len(rows) == len(c.bundle.situations)
    shown = {key for hidden, key in rows if not hidden}
    assert shown == {"retirement_type", "deemed_contribution_years", "review_passed"}
