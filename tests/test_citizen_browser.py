"""The citizen's side in a real browser (Debian chromium via Playwright), on every shipped bundle:

- form.html and notice.html in both languages: axe-core finds no critical or serious violation,
  and at 390 and 320 px wide nothing scrolls sideways;
- form.html with script: the newborn aged 7 months is told the reason and the fallback window at
  once and cannot submit; check digits are checked as typed; the error summary links to fields;
- the RJSF integration (portal/rjsf, bundled with esbuild, rendered by React): every real case of
  the case enumeration is filled in through the page (clicks, typing, chosen files) and submitted,
  and what it submits is exactly the application Python expects and validates; each kind of
  invalid application is refused with the message next to its field, as Python refuses it; an
  upload whose 容缺 depends on the case is demanded exactly where ``explain`` says it is required.

One browser for the module, pages reused.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import subprocess

import jsonschema
import pytest

from configurator.planning.cases import answer_domains
from configurator.planning.compiled import Compiled
from configurator.planning.resolution import ResolvedCase, resolve
from configurator.writers import render_compiled
from configurator.writers.field_checks import field_errors
from configurator.writers.form_wtforms import application_from_form
from tests.browser import CHROMIUM
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.helpers import ROOT
from tests.test_form_agreement import cases_of, valid_post

NODE_MODULES = ROOT / "tests" / "js" / "node_modules"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and ESBUILD.exists()) and not os.environ.get("CI"),
    reason="chromium or tests/js/node_modules missing (make test installs both)")
LANGS = ("zh-CN", "en")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@functools.cache
def compiled_in(bundle_id: str, lang: str) -> Compiled:
    base = compiled(bundle_id)
    return Compiled(base.bundle, base.catalogues, lang)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every artifact of every shipped bundle in both languages: built/<lang>/<bundle>/<artifact>."""
    root = tmp_path_factory.mktemp("built")
    for lang in LANGS:
        for bundle_id in SHIPPED_IDS:
            folder = root / lang / bundle_id
            folder.mkdir(parents=True)
            for name, text in render_compiled(compiled_in(bundle_id, lang)).items():
                (folder / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    """portal/rjsf with React, bundled by esbuild into one script, and a page that loads it."""
    folder = tmp_path_factory.mktemp("rjsf")
    subprocess.run([str(ESBUILD), str(ROOT / "tests" / "js" / "rjsf_harness.js"), "--bundle", "--minify",
                    "--format=iife", "--define:process.env.NODE_ENV=\"production\"", "--log-level=warning",
                    f"--outfile={folder / 'harness.js'}"],
                   check=True, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    page = folder / "index.html"
    page.write_text('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>RJSF</title></head>'
                    '<body><main><div id="root"></div></main><script src="harness.js"></script></body></html>',
                    encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (problems.append("dialog: " + dialog.message), dialog.dismiss()))
    page.problems = problems
    yield page
    page.close()


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


def overflow(page) -> dict[int, int]:
    """Viewport width → document width, for the widths where the page scrolls sideways."""
    wide = {}
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[width] = scroll
    page.set_viewport_size({"width": 1280, "height": 800})
    return wide


# --------------------------------------------------------------------------- form.html, notice.html


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_passes_axe_and_fits_a_phone(page, built, lang):
    failures = {}
    for bundle_id in SHIPPED_IDS:
        for name in ("form.html", "notice.html"):
            page.goto((built / lang / bundle_id / name).as_uri())
            assert page.evaluate("document.documentElement.lang") == lang
            violations, wide = axe_violations(page), overflow(page)
            if violations or wide:
                failures[f"{bundle_id}/{name}"] = (violations, wide)
    assert not failures
    assert not page.problems


def answer(page, situation: str, value) -> None:
    if isinstance(value, bool):
        page.check(f"#situations-{situation}-{0 if value else 1}")
    else:
        page.fill(f"#situations-{situation}", str(value))
        page.dispatch_event(f"#situations-{situation}", "change")


@pytest.mark.parametrize("lang", LANGS)
def test_a_newborn_aged_7_months_is_sent_to_the_fallback_window_in_form_html(page, built, lang):
    page.goto((built / lang / "newborn" / "form.html").as_uri())
    panel = page.locator("#ineligible")
    assert panel.is_hidden()
    answer(page, "born_in_province_hospital", True)
    answer(page, "child_age_months", 7)
    assert panel.is_visible()
    text = panel.inner_text()
    fallback = compiled_in("newborn", lang).bundle.fallback
    for expected in (fallback.window.get(lang), fallback.address.get(lang), fallback.phone, fallback.hours.get(lang),
                     "新生儿已满 6 个月"):
        assert expected in text
    assert "父母一方为外省户籍" not in text  # an unanswered rule is no reason yet
    assert page.locator("#step-fields").is_hidden() and page.locator("#step-uploads").is_hidden()
    assert page.locator("#situations-born_in_wedlock-0").is_hidden()  # nothing more is asked
    assert page.locator("button[type=submit]").is_hidden()
    page.evaluate("window.__still_here = true")
    page.evaluate("document.querySelector('form.application').requestSubmit()")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__still_here === true")  # no navigation: the post never left
    assert axe_violations(page) == [] and overflow(page) == {}
    answer(page, "child_age_months", 3)  # a younger child: the form goes on
    assert panel.is_hidden() and page.locator("#step-fields").is_visible()
    assert page.locator("button[type=submit]").is_visible()


def test_form_html_checks_id_numbers_as_typed_and_summarises_what_is_missing(page, built):
    page.goto((built / "zh-CN" / "newborn" / "form.html").as_uri())
    for situation, value in (("born_in_province_hospital", True), ("child_age_months", 1),
                             ("parents_province_household", True), ("born_in_wedlock", True)):
        answer(page, situation, value)
    page.fill("#fields-mother_id_number", "110105194912310021")  # the check digit should be X
    live = page.locator("#fields-mother_id_number ~ .live-error, .row:has(#fields-mother_id_number) .live-error")
    assert "应为 X" in live.first.inner_text()
    page.fill("#fields-mother_id_number", "11010519491231002X")
    assert live.first.is_hidden()
    page.evaluate("window.__still_here = true")
    page.click("button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.is_visible() and page.evaluate("window.__still_here === true")
    assert summary.evaluate("node => node === document.activeElement")
    links = summary.locator("a")
    assert links.count() >= 3
    assert not any("母亲公民身份号码" in t for t in links.all_inner_texts())  # filled in: not listed
    links.first.click()
    target = links.first.get_attribute("href")[1:]
    assert page.evaluate("document.activeElement.id") == target
    assert axe_violations(page) == []


# --------------------------------------------------------------------------------------- RJSF


def expected_application(bundle_id: str, index: int, lang: str = "zh-CN") -> dict:
    return application_from_form(compiled_in(bundle_id, lang), valid_post(bundle_id, index))


@functools.cache
def python_validator(bundle_id: str, lang: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(render_compiled(compiled_in(bundle_id, lang))["form.schema.json"])
    return jsonschema.Draft202012Validator(schema)


def mount(page, harness, built, bundle_id, lang="zh-CN"):
    schema = json.loads((built / lang / bundle_id / "form.schema.json").read_text(encoding="utf-8"))
    ui = json.loads((built / lang / bundle_id / "form.ui.json").read_text(encoding="utf-8"))
    if not page.url.endswith("index.html"):
        page.goto(harness.as_uri())
    page.evaluate("([schema, ui]) => __mount(schema, ui)", [schema, ui])
    return ui


def fill_and_submit(page, application, ui) -> dict:
    return page.evaluate("async ([application, ui]) => { await __fill(application, ui); return await __submit(); }",
                         [application, ui])


@pytest.fixture(scope="module")
def rjsf_page(browser):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    page.close()


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_rjsf_fills_and_submits_every_real_case(rjsf_page, harness, built, bundle_id):
    cases = len(cases_of(bundle_id))
    # Every case in Chinese; in English a spread of the newborn's cases (the same code path, other words).
    runs = [("zh-CN", i) for i in range(cases)] + [("en", i) for i in range(0, cases, 16) if bundle_id == "newborn"]
    for lang, index in runs:
        ui = mount(rjsf_page, harness, built, bundle_id, lang)
        application = expected_application(bundle_id, index, lang)
        assert python_validator(bundle_id, lang).is_valid(application)
        outcome = fill_and_submit(rjsf_page, application, ui)
        assert outcome["errors"] == {}, (index, application)
        assert normalised(outcome["submitted"]) == normalised(application), index
    assert not rjsf_page.problems


def normalised(application):
    """Several choices are a set (uniqueItems): RJSF keeps them in the options' order."""
    if application is None:
        return None
    return {group: {k: sorted(v) if isinstance(v, list) else v for k, v in values.items()}
            for group, values in application.items()}


def _without(application, group, key):
    changed = copy.deepcopy(application)
    del changed[group][key]
    return changed


def _with(application, group, key, value):
    changed = copy.deepcopy(application)
    changed[group][key] = value
    return changed


def test_rjsf_refuses_each_kind_of_invalid_application_next_to_its_field(rjsf_page, harness, built):
    base = expected_application("newborn", 0)
    needs_statement = next(i for i, case in enumerate(cases_of("newborn"))
                           if any(m.id == "out_of_wedlock_statement" for m in case.plan.applicant_materials))
    with_upload = expected_application("newborn", needs_statement)
    kinds = {
        "missing field": (_without(base, "fields", "child_name"), "root_fields_child_name", "此项必填"),
        "wrong format": (_with(base, "fields", "guardian_mobile", "12345"), "root_fields_guardian_mobile", "格式不正确"),
        "wrong check digit": (_with(base, "fields", "mother_id_number", "110105194912310021"),
                              "root_fields_mother_id_number", "应为 X"),
        "too long": (_with(base, "fields", "child_name", "张" * 200), "root_fields_child_name", "最多"),
        "missing upload": (_without(with_upload, "uploads", "out_of_wedlock_statement"),
                           "root_uploads_out_of_wedlock_statement", "此项必填"),
        "missing answer": (_without(base, "situations", "register_with"), "root_situations_register_with", "此项必填"),
    }
    for kind, (application, field_id, message) in kinds.items():
        ui = mount(rjsf_page, harness, built, "newborn")
        outcome = fill_and_submit(rjsf_page, application, ui)
        assert outcome["submitted"] is None, kind
        assert message in outcome["errors"].get(field_id, ""), (kind, outcome["errors"])
        python_refuses = (not python_validator("newborn", "zh-CN").is_valid(application)
                          or field_errors(compiled("newborn"), application["fields"]))
        assert python_refuses, kind  # ajv (through RJSF) and Python agree


@pytest.mark.parametrize("lang", LANGS)
def test_rjsf_sends_a_newborn_aged_7_months_to_the_fallback_window(rjsf_page, harness, built, lang):
    ui = mount(rjsf_page, harness, built, "newborn", lang)
    outcome = fill_and_submit(rjsf_page, {"situations": {"born_in_province_hospital": True, "child_age_months": 7},
                                          "fields": {}, "uploads": {}}, ui)
    assert outcome["submitted"] is None and not outcome["button"]
    fallback = compiled_in("newborn", lang).bundle.fallback
    for expected in (fallback.window.get(lang), fallback.address.get(lang), fallback.phone, fallback.hours.get(lang),
                     "新生儿已满 6 个月"):
        assert expected in outcome["notice"]
    assert rjsf_page.locator("#root_fields_child_name").count() == 0  # nothing else is asked
    assert rjsf_page.locator("#root_situations_born_in_wedlock-0").count() == 0
    english = lang == "en"
    assert rjsf_page.locator("label[for='root_situations_born_in_province_hospital-0'], "
                             "#root_situations_born_in_province_hospital label").first.inner_text().strip() == (
        "Yes" if english else "是")


def ineligible_cases(bundle_id: str) -> list[tuple[dict, ResolvedCase]]:
    """Every way a citizen answering in the form's order (``ui:order``) reaches a decided 不符合:
    each asked question answered with each value worth trying (planning.cases.answer_domains),
    stopping where planning.resolution decides the case ineligible (kept) or eligible (dropped)."""
    c = compiled(bundle_id)
    order = json.loads(render_compiled(c)["form.ui.json"])["situations"]["ui:order"]
    domains = answer_domains(c.bundle)
    found: list[tuple[dict, ResolvedCase]] = []

    def walk(answers: dict) -> None:
        case = resolve(c, answers)
        if case.eligible is False:
            found.append((answers, case))
            return
        following = next((q for q in order if q not in answers and q in case.asked), None)
        if case.eligible is None and following is not None:
            for value in domains[following]:
                walk({**answers, following: value})

    walk({})
    return found


@pytest.mark.parametrize("bundle_id", [b for b in SHIPPED_IDS if compiled(b).bundle.eligibility])
def test_rjsf_sends_every_ineligible_case_to_the_fallback_window_with_its_reasons(rjsf_page, harness, built,
                                                                                 bundle_id):
    """A 否 that fails a rule (born_in_province_hospital: false) used to be unticked at once: RJSF
    cleared an answer differing from the rule's `const` in form.schema.json, so the case was
    refused as unanswered and never saw the fallback window."""
    cases = ineligible_cases(bundle_id)
    assert cases  # a bundle with eligibility rules has cases that fail them
    fallback = compiled_in(bundle_id, "zh-CN").bundle.fallback
    window = [fallback.window.get("zh-CN"), fallback.address.get("zh-CN"), fallback.phone, fallback.hours.get("zh-CN")]
    for answers, case in cases:
        ui = mount(rjsf_page, harness, built, bundle_id)
        outcome = fill_and_submit(rjsf_page, {"situations": answers, "fields": {}, "uploads": {}}, ui)
        assert outcome["submitted"] is None and not outcome["button"], (answers, outcome["errors"])
        assert outcome["notice"], answers
        for rule in case.bundle.eligibility:
            failed = rule in case.failed_rules
            assert (compiled(bundle_id).text(rule.message) in outcome["notice"]) is failed, (answers, rule.id)
        assert all(expected in outcome["notice"] for expected in window if expected), answers
    assert not rjsf_page.problems


def test_rjsf_puts_a_broken_cross_field_rules_message_on_its_field_as_the_pre_check_does(rjsf_page, harness, built):
    """tests/corpus/good/field-rules.yaml through portal/rjsf: shares that add up to 99.99 (or
    100.01) are refused on the first share with the rule's message, 33.33 + 33.33 + 33.34 and
    10.1 + 64.1 + 25.8 are sent; a share of 0 (a rule JSON Schema states) reads the rule's message
    too; each verdict is the one writers.field_rules.rule_errors gives."""
    from configurator.writers.field_rules import rule_errors
    from tests.field_rule_cases import BUNDLE, application
    from tests.helpers import check_text, shipped_catalogues

    source = (ROOT / "tests/corpus/good" / f"{BUNDLE}.yaml").read_text(encoding="utf-8")
    c = Compiled(check_text(source, f"bundles/{BUNDLE}.yaml").bundle, shipped_catalogues())
    folder = built / "zh-CN" / BUNDLE
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in render_compiled(c).items():
        (folder / name).write_text(text, encoding="utf-8")
    validator = jsonschema.Draft202012Validator(json.loads((folder / "form.schema.json").read_text(encoding="utf-8")))
    cases = [(application([33.33, 33.33, 33.33]), "root_fields_share_1", "三位共有人的份额合计应为 100%"),
             (application([50, 50.01], "two"), "root_fields_share_1", "两位共有人的份额合计应为 100%"),
             (application([0, 100], "two"), "root_fields_share_1", "每位按份共有人的份额应大于 0"),
             (application([50, 50], "two", usable=100.01), "root_fields_usable_area", "套内建筑面积不能大于房屋建筑面积"),
             (application([33.33, 33.33, 33.34]), None, None),
             (application([10.1, 64.1, 25.8]), None, None)]
    for data, field_id, message in cases:
        ui = mount(rjsf_page, harness, built, BUNDLE)
        outcome = fill_and_submit(rjsf_page, data, ui)
        broken = rule_errors(c, data)
        if message is None:
            assert outcome["errors"] == {} and broken == [] and validator.is_valid(data), (data, outcome["errors"])
            assert normalised(outcome["submitted"]) == normalised(data)
        else:
            assert outcome["submitted"] is None and outcome["errors"].get(field_id) == message, (data, outcome["errors"])
            assert [e["message"] for e in broken] == [message]  # Python refuses it for the same rule
    assert not rjsf_page.problems


def test_rjsf_asks_for_an_upload_whose_requirement_depends_on_the_case_as_explain_does(rjsf_page, harness, built):
    """tests/corpus/good/varying-requirement.yaml through portal/rjsf: for every case and every
    material it hands in, the application without that upload is refused next to the upload
    exactly when ``configurator explain`` says the material is required in that case."""
    from tests.test_form_cases import VARYING, upload_cases, varying

    folder = built / "zh-CN" / VARYING
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in render_compiled(varying()).items():
        (folder / name).write_text(text, encoding="utf-8")
    for case, material_id, requirement, post in upload_cases():
        application = application_from_form(varying(), post)
        ui = mount(rjsf_page, harness, built, VARYING)
        outcome = fill_and_submit(rjsf_page, application, ui)
        marked = rjsf_page.evaluate("id => document.getElementById(id).required", f"root_uploads_{material_id}")
        assert marked is (requirement == "required"), (case.answers, material_id)
        if requirement == "required":
            assert outcome["submitted"] is None, (case.answers, material_id)
            assert "此项必填" in outcome["errors"].get(f"root_uploads_{material_id}", ""), outcome["errors"]
        else:
            assert outcome["errors"] == {}, (case.answers, material_id, outcome["errors"])
            assert normalised(outcome["submitted"]) == normalised(application)
    assert not rjsf_page.problems
