"""The pre-check and `explain` on the citizen's side: an ineligible case gets the reasons and the
whole fallback window; wrong check characters are field errors; the published request schema and
the server's verdict agree on every application (generated ones and `{}` included)."""

import functools
import json
import subprocess
import sys

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.planning.compiled import Compiled
from configurator.planning.resolution import resolve
from configurator.writers.field_checks import FORMATS, format_holds
from configurator.writers.form_html import render_form_page
from configurator.writers.form_schema import request_schema
from configurator.writers.form_wtforms import application_from_form, form_class
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.test_api import NEWBORN
from tests.test_form_agreement import near_valid, posted
from tests.web_helpers import make_site

SEVEN_MONTHS = {"situations": {"born_in_province_hospital": True, "child_age_months": 7}, "fields": {}, "uploads": {}}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("api")).app.test_client()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_newborn_aged_7_months_is_answered_with_the_fallback_window(client, lang):
    response = client.post(f"/api/bundles/newborn/check?lang={lang}", json=SEVEN_MONTHS)
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.json
    assert answer["eligible"] is False and "items" not in answer
    assert [r["rule"] for r in answer["not_eligible_because"]] == ["age_limit"]  # unanswered: no verdict
    fallback = compiled("newborn").bundle.fallback
    assert answer["fallback"]["window"] == fallback.window.get(lang)
    assert answer["fallback"]["address"] == fallback.address.get(lang)
    assert answer["fallback"]["phone"] == fallback.phone and answer["fallback"]["hours"] == fallback.hours.get(lang)


def test_the_server_side_form_sends_a_newborn_aged_7_months_to_the_fallback_window_without_script():
    c = compiled("newborn")
    form = form_class(c)(formdata=_MultiDict({"situations-born_in_province_hospital": ["true"],
                                              "situations-child_age_months": ["7"]}))
    assert not form.validate()
    assert [r.id for r in form.ineligible] == ["age_limit"]  # the unanswered household rule is no verdict yet
    page = render_form_page(c, form)
    panel = page[page.index('<div class="ineligible"'):]
    assert panel.startswith('<div class="ineligible" id="ineligible" role="alert" tabindex="-1">')  # shown
    for text in (c.bundle.fallback.window.get("zh-CN"), c.bundle.fallback.address.get("zh-CN"), "12345",
                 c.bundle.fallback.hours.get("zh-CN"), "新生儿已满 6 个月"):
        assert text in panel
    assert '<p class="actions" hidden>' in page  # no submit button
    assert 'id="step-fields" ' not in page or '<section class="step" aria-labelledby="step-fields" hidden>' in page
    assert "此项必填" not in page.replace('data-missing="此项必填"', "")  # nothing else is asked for


class _MultiDict(dict):
    def getlist(self, name):
        return list(self.get(name, []))


def test_check_digits_are_field_errors_in_the_api_and_explain(client, tmp_path):
    application = {"situations": {**NEWBORN, "born_in_wedlock": True}, "fields": {
        "child_name": "张小明", "child_gender": "male", "child_birth_date": "2026-11-01", "child_birth_time": "08:30",
        "mother_name": "李丽", "mother_id_number": "110105194912310021", "father_name": "张伟",
        "father_id_number": "11010519491231002X", "guardian_mobile": "13800138000", "home_address": "某市某路 1 号"},
        "uploads": {}}
    response = client.post("/api/bundles/newborn/check", json=application)
    assert response.status_code == 422
    assert response.json["errors"] == [{"pointer": "/fields/mother_id_number",
                                        "message": "校验位不符：按 GB 11643 最后一位应为 X，请核对号码"}]
    english = client.post("/api/bundles/newborn/check?lang=en", json=application).json["errors"][0]["message"]
    assert "should be X" in english
    path = tmp_path / "application.json"
    path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "configurator", "explain", "newborn", "--answers", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "母亲公民身份号码（/fields/mother_id_number）：校验位不符" in run.stdout
    data = subprocess.run([sys.executable, "-m", "configurator", "explain", "newborn", "--answers", str(path),
                           "--format", "json"], capture_output=True, text=True)
    assert json.loads(data.stdout)["field_errors"][0]["pointer"] == "/fields/mother_id_number"


def test_the_published_request_schema_refuses_what_the_server_refuses(client):
    served = client.get("/api/openapi.json").json["paths"]
    generic = served["/api/bundles/{bundle_id}/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    for bundle_id in SHIPPED_IDS:
        own = served[f"/api/bundles/{bundle_id}/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        for body in ({}, {"situations": {}}, []):
            assert client.post(f"/api/bundles/{bundle_id}/check", json=body).status_code == 422
            assert not jsonschema.Draft202012Validator(generic).is_valid(body)
            assert not jsonschema.Draft202012Validator(own).is_valid(body)


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_request_schema_and_server_agree_on_generated_applications(client, bundle_id):
    c = compiled(bundle_id)
    checker = jsonschema.FormatChecker(formats=())
    for name in FORMATS.values():
        checker.checks(name)(functools.partial(format_holds, name))
    validator = jsonschema.Draft202012Validator(request_schema(Compiled(c.bundle, c.catalogues)),
                                                format_checker=checker)
    verdicts = set()

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.one_of(posted(bundle_id), near_valid(bundle_id)))
    def check(data):
        application = application_from_form(c, data.to_dict(flat=False))
        response = client.post(f"/api/bundles/{bundle_id}/check", json=application)
        schema_ok = validator.is_valid(application)
        if not schema_ok and resolve(c, application["situations"]).failed_rules and not any(
                e.validator != "required" for e in validator.iter_errors(application)):
            # The one stated leniency: a case outside the bundle needs nothing more.
            assert response.status_code == 200 and response.json["eligible"] is False
            return
        assert (response.status_code == 200) == schema_ok, (application, response.get_data(as_text=True))
        verdicts.add(response.status_code)

    check()
    assert verdicts == {200, 422}


def test_form_html_posted_without_script_is_answered_by_the_server(client):
    """A citizen without script submits form.html to its own address (/api/bundles/<id>/form.html)."""
    page = client.post("/api/bundles/newborn/form.html", data={"situations-born_in_province_hospital": "true",
                                                               "situations-child_age_months": "7"},
                       content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    assert '<div class="ineligible" id="ineligible" role="alert" tabindex="-1">' in html  # shown, not hidden
    assert "各县（市、区）政务服务中心一楼兜底窗口" in html and '<p class="actions" hidden>' in html
    missing = client.post("/api/bundles/newborn/form.html?lang=en", data={"situations-child_age_months": "2"},
                          content_type="multipart/form-data")
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert '<div class="error-summary" role="alert"' in html and 'href="#situations-born_in_province_hospital-0"' in html
    assert "Answer this question" in html and 'lang="en"' in html
    data = {f"situations-{k}": ("true" if v is True else "false" if v is False else str(v)) for k, v in NEWBORN.items()}
    data.update({"fields-child_name": "张小明", "fields-child_gender": "male", "fields-child_birth_date": "2026-11-01",
                 "fields-child_birth_time": "08:30", "fields-mother_name": "李丽",
                 "fields-mother_id_number": "11010519491231002X", "fields-father_name": "张伟",
                 "fields-father_id_number": "11010519491231002X", "fields-guardian_mobile": "13800138000",
                 "fields-home_address": "某市某路 1 号"})
    from io import BytesIO
    data["uploads-out_of_wedlock_statement"] = (BytesIO(b"%PDF"), "statement.pdf")
    data["uploads-paternity_test_report"] = (BytesIO(b"%PDF"), "report.pdf")
    accepted = client.post("/api/bundles/newborn/form.html", data=data, content_type="multipart/form-data")
    assert accepted.status_code == 200, accepted.get_data(as_text=True)[:2000]
    assert "一次告知" in accepted.get_data(as_text=True) and "预计" in accepted.get_data(as_text=True)
