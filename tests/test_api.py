"""The portal API: byte-identical artifacts, ETags, the pre-check, clear 4xx for bad input."""

import hashlib
import json

import jsonschema
import pytest

from configurator.web.openapi import document
from configurator.writers import render
from tests.compile_helpers import compiled
from tests.helpers import ROOT, shipped_catalogues
from tests.web_helpers import make_site

SHIPPED = sorted(p.stem for p in (ROOT / "bundles").glob("*.yaml"))

NEWBORN = {"born_in_province_hospital": True, "child_age_months": 0, "parents_province_household": True,
           "born_in_wedlock": False, "register_with": "father", "surname": "father", "household_kind": "family",
           "parents_different_ethnicity": False,
           "enrol_health_insurance": True, "apply_social_security_card": True, "mother_maternity_insurance": False,
           "want_parenting_guidance": False}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("api"))
    return site.app.test_client()


def test_list_and_metadata_need_no_login_and_link_every_artifact(client):
    listing = client.get("/api/bundles")
    assert listing.status_code == 200 and listing.headers["X-Source-Commit"] == "none"
    ids = [b["id"] for b in listing.json["bundles"]]
    assert ids == SHIPPED and {"disability", "newborn", "restaurant", "retirement"} <= set(ids)
    meta = client.get("/api/bundles/newborn").json
    assert meta["version"] == "1" and set(meta["links"]) >= {"form.schema.json", "routing.json", "check"}
    assert client.get("/api/bundles/newborn?lang=en").json["name"] == "Newborn birth"


@pytest.mark.parametrize("name", ["form.schema.json", "form.ui.json", "form.html", "form.formcreate.json", "notice.md",
                                  "notice.html", "routing.json", "metrics.json", "process.bpmn", "process.camunda8.bpmn"])
def test_artifacts_are_byte_identical_to_build_with_strong_etags(client, name):
    expected = render(compiled("newborn").bundle, shipped_catalogues())[name].encode("utf-8")
    response = client.get(f"/api/bundles/newborn/{name}")
    assert response.status_code == 200 and response.data == expected
    assert response.headers["ETag"] == f'"{hashlib.sha256(expected).hexdigest()}"'
    media = {"json": "application/json", "html": "text/html", "md": "text/markdown", "bpmn": "application/xml"}
    assert response.mimetype == media[name.rsplit(".", 1)[1]]
    assert response.headers["X-Bundle-Version"] == "1" and "max-age" in response.headers["Cache-Control"]
    again = client.get(f"/api/bundles/newborn/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_unknown_bundle_artifact_and_language_are_clear_4xx(client):
    for url, status in (("/api/bundles/nope", 404), ("/api/bundles/newborn/nope.json", 404),
                        ("/api/bundles?lang=fr", 400), ("/api/bundles/..%2F..%2Fetc/form.html", 404)):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.content_type.startswith("application/problem+json")


def test_pre_check_answers_with_the_plan(client):
    application = {"situations": NEWBORN, "fields": {
        "child_name": "张小明", "child_gender": "male", "child_birth_date": "2026-11-01", "child_birth_time": "08:30",
        "mother_name": "李丽", "mother_id_number": "11010519491231002X", "father_name": "张伟",
        "father_id_number": "11010519491231002X", "guardian_mobile": "13800138000", "home_address": "某市某路 1 号"},
        "uploads": {"out_of_wedlock_statement": ["upload-1"], "paternity_test_report": ["upload-2"]}}
    response = client.post("/api/bundles/newborn/check", json=application)
    assert response.status_code == 200, response.get_data(as_text=True)
    plan = response.json
    assert plan["eligible"] is True
    assert [m["id"] for m in plan["materials"] if m["hand_in"]] == ["out_of_wedlock_statement", "paternity_test_report"]
    assert "mother_bank_account" not in plan["departments"]["police"]["fields"]


def test_pre_check_lists_every_problem_with_a_pointer(client):
    response = client.post("/api/bundles/newborn/check", json={"situations": {**NEWBORN, "register_with": "uncle"},
                                                               "fields": {"guardian_mobile": "123"}, "uploads": {}})
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json["errors"]}
    assert "/situations/register_with" in pointers and "/fields/guardian_mobile" in pointers


def test_pre_check_sends_an_ineligible_case_to_the_fallback(client):
    application = {"situations": {**NEWBORN, "child_age_months": 9}, "fields": {}, "uploads": {}}
    response = client.post("/api/bundles/newborn/check", json=application)
    plan = response.json
    assert response.status_code == 200 and plan["eligible"] is False
    assert plan["fallback"]["window"] == "政务服务中心兜底窗口"


@pytest.mark.parametrize("body, content_type, status", [
    (b"{}", "text/plain", 415),
    (b"{not json", "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b"[" * 5000 + b"]" * 5000, "application/json", 400),
    (json.dumps({"a": "x" * 300_000}).encode(), "application/json", 413),
    (b"[]", "application/json", 422),
])
def test_bad_input_gets_a_clear_4xx_never_a_500(client, body, content_type, status):
    response = client.post("/api/bundles/newborn/check", data=body, content_type=content_type)
    assert response.status_code == status
    assert response.content_type.startswith("application/problem+json")


def test_the_openapi_document_describes_every_route_and_every_response(client):
    served = client.get("/api/openapi.json").json
    generic = json.loads(json.dumps(document()))
    assert {k: v for k, v in served["paths"].items() if k in generic["paths"]} == generic["paths"]
    form = served["paths"]["/api/bundles/newborn/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert form["properties"]["situations"]["required"][0] == "born_in_province_hospital"
    assert served["openapi"] == "3.1.0"
    paths = served["paths"]
    schema = paths["/api/bundles"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(client.get("/api/bundles").json, schema)
    problem = paths["/api/bundles/{bundle_id}"]["get"]["responses"]["404"]["content"]["application/problem+json"]["schema"]
    jsonschema.validate(client.get("/api/bundles/nope").json, problem)
    routes = {rule.rule for rule in client.application.url_map.iter_rules() if rule.rule.startswith("/api/")}
    documented = {p.replace("{", "<").replace("}", ">").replace("<artifact>", "<name>") for p in generic["paths"]}
    assert routes == documented


def test_validation_errors_name_the_limit_in_the_portals_language_without_echoing_the_value(client):
    """jsonschema's messages are English and quote the value whole: a 5,000-character name came back
    in its own error. The pre-check names what was expected, in Chinese or English."""
    from tests.test_region_api import application

    body = application(None)
    body["fields"] = {**body["fields"], "mother_name": "李" * 5000, "child_gender": "x", "guardian_mobile": "123",
                      "extra_" + "x" * 100: 1}
    body["situations"] = {**body["situations"], "born_in_wedlock": "yes"}
    for lang, expected in (("zh-CN", {
            "/fields/mother_name": "“母亲姓名”最多 50 个字符，现有 5000 个",
            "/fields/child_gender": "“新生儿性别”只能是以下之一：male（男）、female（女）",
            "/fields/guardian_mobile": "“监护人手机号码”格式不对"}), ("en", {
            "/fields/mother_name": "at most 50 characters (this has 5000)",
            "/fields/child_gender": "must be one of: male, female",
            "/fields/guardian_mobile": "does not have the expected form"})):
        response = client.post(f"/api/bundles/newborn/check?lang={lang}", json=body)
        assert response.status_code == 422
        errors = response.json["errors"]
        said = {e["pointer"]: e["message"] for e in errors}
        assert {k: said[k] for k in expected} == expected
        assert all(len(e["message"]) < 200 for e in errors) and len(response.get_data()) < 3000
        assert any("extra_xxxx" in e["message"] and "…" in e["message"] for e in errors)  # the unknown key, cut short
        assert any(e["pointer"] == "/situations/born_in_wedlock" and ("true" in e["message"]) for e in errors)


NOT_APPLICABLE = {"zh-CN": "按申请人的回答，这一项不适用，请不要填写", "en": "not applicable in this case: leave it out"}


def unasked_entries(bundle_id: str):
    """Each real case's right application with one question, field or upload the case does not
    ask for added (each answer worth trying, a right value), and where the pre-check must point:
    every case, every such entry."""
    from configurator.conformance.applications import field_value
    from configurator.planning.cases import answer_domains
    from configurator.writers.form_wtforms import application_from_form
    from tests.test_form_agreement import cases_of, valid_post

    c = compiled(bundle_id)
    domains = answer_domains(c.bundle)
    for index, case in enumerate(cases_of(bundle_id)):
        valid = application_from_form(c, valid_post(bundle_id, index))
        for situation in c.bundle.situations:
            for value in domains[situation.id] if situation.id not in valid["situations"] else ():
                situations = {**valid["situations"], situation.id: value}
                yield valid, {**valid, "situations": situations}, f"/situations/{situation.id}"
        asked = {f.id for f in case.plan.fields}
        for field in c.bundle.fields:
            if c.on_form(field) and field.id not in asked and field.id not in valid["fields"]:
                fields = {**valid["fields"], field.id: field_value(c.fields[field.id])}
                yield valid, {**valid, "fields": fields}, f"/fields/{field.id}"
        handed_in = {m.id for m in case.plan.applicant_materials}
        for material in c.bundle.materials:
            if material.source == "applicant" and material.id not in handed_in:
                uploads = {**valid["uploads"], material.id: [f"upload-{material.id}"]}
                yield valid, {**valid, "uploads": uploads}, f"/uploads/{material.id}"


@pytest.mark.parametrize("bundle_id", SHIPPED)
def test_pre_check_points_at_the_entry_the_case_does_not_ask_for(client, bundle_id):
    """guardian_name given in a case that does not ask for it was reported at /fields (the whole
    group; an upload at /uploads, a question at /situations): the one problem now names the entry,
    in both languages."""
    checked = 0
    for valid, application, pointer in unasked_entries(bundle_id):
        assert client.post(f"/api/bundles/{bundle_id}/check", json=valid).status_code == 200, valid
        for lang, message in NOT_APPLICABLE.items():
            response = client.post(f"/api/bundles/{bundle_id}/check?lang={lang}", json=application)
            assert response.status_code == 422 and response.json["errors"] == [
                {"pointer": pointer, "message": message}], (pointer, application["situations"])
        checked += 1
    assert checked  # every shipped bundle has a case that leaves one out
