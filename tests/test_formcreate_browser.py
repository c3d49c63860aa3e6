"""The Vue 3 + Element Plus form (form.formcreate.json with portal/formcreate and form-create),
bundled with esbuild and rendered in Chromium, on every shipped bundle:

- the file covers the whole form: every situation question, every field the form asks and every
  upload, each with its Element Plus component, in both languages;
- cases of the corpus (complete, partial, ineligible) answered through the page show what the
  plan resolves, and the applications filled in and submitted get the pre-check's verdict (the
  conformance runner's consumer, on a sample of each shipped bundle's corpus; `make conformance`
  runs every case);
- axe-core finds no serious or critical violation at 390 px, nothing scrolls sideways, in both
  languages, before and after the fallback window appears;
- a newborn aged 7 months sees the reasons and the fallback window (name, address, phone, hours)
  and no submit button; a wrong check digit and a broken cross-field rule are reported on their
  field with the pre-check's words;
- script cannot be brought in: not by a bundle's labels, help texts and messages, nor by a
  hand-edited file's option values or form-create's code-bearing keys.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re

import pytest

from configurator.conformance.browser import build_harness, run_formcreate
from configurator.conformance.corpus import Target, corpus
from configurator.planning.compiled import Compiled
from configurator.present.precheck import checker, pre_check
from configurator.workspace.files import check_file
from configurator.writers import render_compiled
from configurator.writers.field_rules import rule_errors
from tests.browser import CHROMIUM
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.helpers import ROOT, check_text, shipped_catalogues

NODE_MODULES = ROOT / "tests" / "js" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and (NODE_MODULES / ".bin" / "esbuild").exists()) and not os.environ.get("CI"),
    reason="chromium or tests/js/node_modules missing (make test installs both)")
LANGS = ("zh-CN", "en")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SAMPLE = 3  # complete cases per bundle, with the ineligible and partial ones (make conformance: all)
COMPONENTS = {"boolean": "radio", "choice": "radio", "multi_choice": "checkbox", "number": "inputNumber",
              "integer": "inputNumber", "date": "datePicker", "textarea": "input", "text": "input"}


@functools.cache
def compiled_in(bundle_id: str, lang: str) -> Compiled:
    base = compiled(bundle_id)
    return Compiled(base.bundle, base.catalogues, lang)


@functools.cache
def form_of(bundle_id: str, lang: str = "zh-CN") -> dict:
    return json.loads(render_compiled(compiled_in(bundle_id, lang))["form.formcreate.json"])


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    return build_harness(ROOT / "tests" / "js" / "formcreate_harness.js", tmp_path_factory.mktemp("formcreate"),
                         "form-create")


@pytest.fixture(scope="module")
def page(browser, harness):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (problems.append("dialog: " + dialog.message), dialog.dismiss()))
    page.problems = problems
    page.goto(harness.as_uri())
    yield page
    page.close()


def mount(page, form) -> None:
    page.evaluate("async (form) => await __mount(form)", form)


def fill(page, application, lenient=False) -> None:
    page.evaluate("async ([application, lenient]) => await __fill(application, lenient)", [application, lenient])


def submit(page) -> dict:
    return page.evaluate("async () => await __submit()")


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


# ------------------------------------------------------------------------------ the file itself


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_the_file_covers_the_whole_form_with_element_plus_components(bundle_id, lang):
    c, form = compiled_in(bundle_id, lang), form_of(bundle_id, lang)
    rules = {rule["field"]: rule for rule in form["rule"]}
    expected = ({f"situations__{s.id}" for s in c.bundle.situations}
                | {f"fields__{f.id}" for f in c.bundle.fields if c.on_form(f)}
                | {f"uploads__{m.id}" for m in c.bundle.materials if m.source == "applicant" and c.users(m.id, "materials")})
    assert set(rules) == expected == set(form["configurator"]["entries"])
    for s in c.bundle.situations:
        rule = rules[f"situations__{s.id}"]
        assert rule["type"] == COMPONENTS[s.type] and rule["title"] == s.label.get(lang)
        if s.type in ("choice", "multi_choice"):
            assert [o["label"] for o in rule["options"]] == [o.label.get(lang) for o in s.options]
    for field_id, resolved in c.fields.items():
        if f"fields__{field_id}" in rules:
            rule = rules[f"fields__{field_id}"]
            assert rule["title"] == resolved.label.get(lang)
            assert rule["type"] == COMPONENTS.get(resolved.type, "input")
            checks = {check["check"] for check in form["configurator"]["entries"][f"fields__{field_id}"]["checks"]}
            assert {"id_number": "gb11643", "uscc": "gb32100"}.get(resolved.type, "pattern" if resolved.patterns else None) \
                in checks | {None}
    assert all(rules[name]["type"] == "configuratorUpload" for name in rules if name.startswith("uploads__"))
    assert form["lang"] == lang and form["configurator"]["fallback"]["rows"]


# ---------------------------------------------------------------- agreement with the pre-check


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_every_case_and_application_agrees_with_the_pre_check(page, harness, bundle_id):
    """The conformance consumer on a seeded sample of the bundle's corpus (complete, partial and
    ineligible cases, and the applications built for them); `make conformance` reads it all."""
    target = Target(compiled(bundle_id), None, None, None)
    data = corpus(target, SAMPLE)
    artifacts = render_compiled(target.compiled)
    result = run_formcreate(target, artifacts, data, page, harness)
    assert result.checked >= len(data["cases"]) > 0
    assert [d.reproducer() for d in result.disagreements] == []
    assert page.problems == []


def test_what_it_submits_the_pre_check_accepts(page):
    """The application the page submits for a real case is one the pre-check API's library takes."""
    c = compiled("newborn")
    data = corpus(Target(c, None, None, None), 2)
    valid = [a for a in data["applications"] if a["kind"] == "valid" and a["expected"]["verdict"] == "accepted"]
    assert valid
    for application in valid:
        mount(page, form_of("newborn"))
        fill(page, application["application"])
        submitted = submit(page)["submitted"]
        assert submitted == application["application"]
        verdict = pre_check(checker(c), submitted, "zh-CN", calendar=lambda: None)
        assert verdict.status == 200, verdict.problems


# --------------------------------------------------------------------- eligibility and messages


@pytest.mark.parametrize("lang", LANGS)
def test_a_newborn_aged_7_months_sees_the_fallback_window_and_no_submit(page, lang):
    mount(page, form_of("newborn", lang))
    fill(page, {"situations": {"born_in_province_hospital": True, "child_age_months": 7}, "fields": {}, "uploads": {}})
    outcome = submit(page)
    assert outcome["button"] is False and outcome["submitted"] is None
    fallback = compiled_in("newborn", lang).bundle.fallback
    for expected in (fallback.window.get(lang), fallback.address.get(lang), fallback.phone, fallback.hours.get(lang)):
        assert expected in outcome["notice"]
    shown = page.evaluate("() => __shown()")
    assert shown == [["situations", "born_in_province_hospital"], ["situations", "child_age_months"],
                     ["situations", "parents_province_household"]]  # the deciding questions only
    page.set_viewport_size({"width": 390, "height": 800})
    try:
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
    fill(page, {"situations": {"child_age_months": 3}, "fields": {}, "uploads": {}})  # a younger child: on it goes
    assert submit(page)["button"] is True


def test_check_digits_are_reported_on_their_field(page):
    mount(page, form_of("newborn"))
    fill(page, {"situations": {"born_in_province_hospital": True}, "fields": {"mother_id_number": "110105194912310021"},
                "uploads": {}})
    errors = submit(page)["errors"]
    assert errors["fields__mother_id_number"] == "校验位不符：按 GB 11643 最后一位应为 X，请核对号码"
    assert errors["situations__child_age_months"] == "此项必填"


def test_a_broken_cross_field_rule_is_reported_on_its_first_field_as_the_pre_check_does(page):
    checked = check_file(ROOT / "tests" / "corpus" / "good" / "field-rules.yaml", shipped_catalogues())
    assert checked.bundle is not None
    c = Compiled(checked.bundle, shipped_catalogues())
    data = corpus(Target(c, None, None, None), 4)
    broken = [a for a in data["applications"] if a["expected"].get("field_rules")]
    assert broken
    form = json.loads(render_compiled(c)["form.formcreate.json"])
    for application in broken:
        mount(page, form)
        fill(page, application["application"])
        outcome = submit(page)
        assert outcome["submitted"] is None
        verdict = pre_check(checker(c), application["application"], "zh-CN", calendar=lambda: None)
        assert verdict.status == 422
        errors = rule_errors(c, application["application"])
        for error in errors:  # the pre-check names each broken rule at its first field ...
            assert {"pointer": error["pointer"], "message": error["message"]} in \
                [{"pointer": p["pointer"], "message": p["message"]} for p in verdict.problems]
        for pointer in {error["pointer"] for error in errors}:  # ... where the page shows one of them
            group, key = pointer.split("/")[1:]
            assert outcome["errors"][f"{group}__{key}"] in [e["message"] for e in errors if e["pointer"] == pointer]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_every_form_passes_axe_at_390_px(page, bundle_id, lang):
    page.set_viewport_size({"width": 390, "height": 800})
    try:
        mount(page, form_of(bundle_id, lang))
        assert page.evaluate("() => __shown().length") > 0
        submit(page)  # with the messages of an empty form on screen
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
    assert page.problems == []


# ------------------------------------------------------------------------------------ injection

PAYLOADS = ("{{window.__pwned='template'}}", "<img src=x onerror=\\\"window.__pwned='img'\\\">",
            "[[FORM-CREATE-PREFIX-function(){window.__pwned='prefix'}-FORM-CREATE-SUFFIX]]",
            "$FN:window.__pwned='fn'", "function(){window.__pwned='function'}", "$EXEC:window.__pwned='exec'")
TEXT_KEYS = ("label", "name", "message", "help", "summary", "note", "window", "address", "hours", "zh-CN", "en")


def payload_bundle() -> str:
    """newborn.yaml with a payload in every text value (each text its own, in turn)."""
    text = (ROOT / "bundles" / "newborn.yaml").read_text(encoding="utf-8")
    keys = "|".join(re.escape(k) for k in TEXT_KEYS)
    count = iter(range(10_000))
    return re.sub(rf'^(\s*(?:- )?(?:{keys}):[ ]+)(?![\[{{|>])(\S.*)$',
                  lambda m: f'{m.group(1)}"{PAYLOADS[next(count) % len(PAYLOADS)]}"', text, flags=re.MULTILINE)


def test_labels_help_and_messages_from_a_bundle_cannot_run_script(page):
    result = check_text(payload_bundle(), "bundles/newborn.yaml")
    assert result.bundle is not None, [d.message("en") for d in result.diagnostics]
    form = json.loads(render_compiled(Compiled(result.bundle, shipped_catalogues(), "zh-CN"))["form.formcreate.json"])
    assert sum(json.dumps(form, ensure_ascii=False).count(p.replace('\\"', '"')) for p in PAYLOADS) > 30
    mount(page, form)
    fill(page, {"situations": {"born_in_province_hospital": True, "child_age_months": 7}, "fields": {}, "uploads": {}})
    outcome = submit(page)
    assert page.evaluate("window.__pwned") is None
    text = page.inner_text("#root")
    shown = [p for p in PAYLOADS if p.replace('\\"', '"') in text]  # shown as the text it is, not run
    assert "{{window.__pwned='template'}}" in shown and len(shown) >= 3, shown
    assert outcome["notice"] and any(p.replace('\\"', '"') in outcome["notice"] for p in PAYLOADS)
    assert page.evaluate("document.querySelectorAll('#root img').length") == 0
    assert page.problems == []


def test_a_hand_edited_file_cannot_bring_in_code(page):
    """Option values and form-create's code-bearing keys (update, control, computed, on, effect,
    inject, emit) in a file edited by hand: dropped or shown as text, never run."""
    form = copy.deepcopy(form_of("newborn"))
    hostile = "{{window.__pwned='value'}}"
    rule = next(r for r in form["rule"] if r["field"] == "situations__register_with")
    rule["options"][0]["value"] = hostile
    rule["options"][1]["label"] = "[[FORM-CREATE-PREFIX-function(){window.__pwned='label'}-FORM-CREATE-SUFFIX]]"
    rule.update({"update": "$FN:window.__pwned='update'", "computed": {"hidden": "window.__pwned='computed'"},
                 "control": [{"value": "father", "handle": "function(){window.__pwned='control'}", "rule": []}],
                 "on": {"change": "$FN:window.__pwned='on'"}, "emit": ["change"], "inject": True,
                 "effect": {"loadData": {"attr": "window.__pwned='effect'", "to": "title"}}})
    rule["props"]["onClick"] = "$FN:window.__pwned='props'"
    form["option"]["onMounted"] = "$FN:window.__pwned='option'"
    form["option"]["submitBtn"]["click"] = "$FN:window.__pwned='click'"
    mount(page, form)
    fill(page, {"situations": {"born_in_province_hospital": True, "child_age_months": 1,
                               "parents_province_household": True, "born_in_wedlock": True, "register_with": hostile},
                "fields": {}, "uploads": {}})
    submit(page)
    assert page.evaluate("window.__pwned") is None
    assert "FORM-CREATE-PREFIX" in page.inner_text("#root .configurator-situations__register_with")
    assert page.problems == []
