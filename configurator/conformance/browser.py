"""form.html in Chromium: each case answered through the page, its script deciding what shows.

Per case the page is opened afresh, the case's answers are set as a citizen would (radio
buttons, boxes, typed numbers, each followed by its change event), and the page is read back:
which questions, fields and uploads are shown, which uploads are required, and whether the
fallback panel is shown. Needs Playwright (the test extra) and Debian's chromium; without them
the consumer is reported as skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from configurator.conformance.corpus import Target
from configurator.conformance.report import ConsumerResult

CONSUMER = "form.html (Chromium)"
RJSF = "portal/rjsf (Chromium)"
FORMCREATE = "portal/formcreate (Chromium)"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# Sets every answer through the page's own controls, then reports what the page shows.
_ANSWER_AND_READ = """([answers, situations, fields, uploads]) => {
  const fire = (el) => { el.dispatchEvent(new Event("input", {bubbles: true}));
                         el.dispatchEvent(new Event("change", {bubbles: true})); };
  for (const [id, value] of Object.entries(answers)) {
    const values = Array.isArray(value) ? value.map(String) : [value === true ? "true" : value === false ? "false" : String(value)];
    const boxes = document.querySelectorAll(`input[name="situations-${id}"]`);
    if (boxes.length && (boxes[0].type === "radio" || boxes[0].type === "checkbox")) {
      for (const box of boxes) { const on = values.includes(box.value); if (box.checked !== on) { box.click(); } }
    } else {
      const input = document.getElementById(`situations-${id}`);
      if (input) { input.value = values[0]; fire(input); }
    }
  }
  const shown = (id) => { const el = document.getElementById(id);
                          return !!el && el.checkVisibility({checkVisibilityCSS: true}); };
  const panel = document.getElementById("ineligible");
  return {
    situations: situations.filter((id) => shown(`situations-${id}`)),
    fields: fields.filter((id) => shown(`fields-${id}`)),
    uploads: uploads.filter((id) => shown(`uploads-${id}`)),
    required_uploads: uploads.filter((id) => shown(`uploads-${id}`) && document.getElementById(`uploads-${id}`).required),
    ineligible: !!panel && panel.checkVisibility({checkVisibilityCSS: true}),
  };
}"""



def _verdict(outcome: dict[str, Any]) -> str:
    """What a portal page did with an application: sent it, showed the fallback window with no
    submit button, or refused it with messages."""
    if outcome["submitted"] is not None:
        return "accepted"
    return "fallback" if not outcome["button"] and outcome["notice"] else "refused"

def chromium_path() -> str | None:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    return found if os.path.exists(found) else None


def run_form_html(target: Target, artifacts: Mapping[str, str], data: dict[str, Any], page: Any) -> ConsumerResult:
    """One target's cases on ``page`` (a Playwright page)."""
    result = ConsumerResult(CONSUMER, target.name)
    compiled = target.compiled
    situations = [s.id for s in compiled.bundle.situations]
    fields = [f.id for f in compiled.bundle.fields if compiled.on_form(f)]
    uploads = [m.id for m in compiled.bundle.materials if m.source == "applicant" and compiled.users(m.id, "materials")]
    with tempfile.TemporaryDirectory(prefix="conformance-form-") as folder:
        path = Path(folder) / "form.html"
        path.write_text(artifacts["form.html"], encoding="utf-8")
        for case in data["cases"]:
            result.checked += 1
            page.goto(path.as_uri())
            got = page.evaluate(_ANSWER_AND_READ, [case["answers"], situations, fields, uploads])
            expected = case["expected"]
            if case["kind"] == "ineligible":  # the page stops asking once a rule decidedly fails
                result.expect(case, "fallback shown", True, got["ineligible"])
                continue
            result.expect(case, "questions shown", sorted(expected["asked"]), sorted(got["situations"]))
            if case["kind"] == "partial":  # only what the answers so far decide is shown
                if expected["eligible"] is not False:
                    result.expect(case, "fields shown", sorted(expected["decided_form_fields"]), sorted(got["fields"]))
                    result.expect(case, "uploads shown", sorted(expected["decided_uploads"]), sorted(got["uploads"]))
                continue
            result.expect(case, "fallback shown", False, got["ineligible"])
            result.expect(case, "fields shown", sorted(expected["form_fields"]), sorted(got["fields"]))
            bring = [m for m in expected["materials"] if m["source"] == "applicant"]
            result.expect(case, "uploads shown", sorted(m["id"] for m in bring), sorted(got["uploads"]))
            result.expect(case, "uploads required", sorted(m["id"] for m in bring if m["requirement"] == "required"),
                          sorted(got["required_uploads"]))
    return result


# Vue's compile-time flags, as a portal's bundler sets them for a production build.
_VUE_DEFINES = ["--define:__VUE_OPTIONS_API__=true", "--define:__VUE_PROD_DEVTOOLS__=false",
                "--define:__VUE_PROD_HYDRATION_MISMATCH_DETAILS__=false"]


def build_harness(harness: Path, folder: Path, title: str) -> Path | None:
    """A harness script (tests/js/*_harness.js) and what it imports bundled by esbuild from
    tests/js/node_modules into ``folder``, with a page that loads it (and its CSS, if it imports
    any); None when esbuild is not installed."""
    modules = harness.parent / "node_modules"
    esbuild = modules / ".bin" / "esbuild"
    if not esbuild.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(esbuild), str(harness), "--bundle", "--minify", "--format=iife", *_VUE_DEFINES,
                    "--define:process.env.NODE_ENV=\"production\"", "--log-level=warning", f"--outfile={folder / 'harness.js'}"],
                   check=True, env={**os.environ, "NODE_PATH": str(modules)})
    style = '<link rel="stylesheet" href="harness.css">' if (folder / "harness.css").exists() else ""
    page = folder / "index.html"
    page.write_text('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                    '<meta name="viewport" content="width=device-width, initial-scale=1">'
                    f'<title>{title}</title>{style}</head>'
                    '<body><main><h1>一表申请</h1><div id="root"></div></main><script src="harness.js"></script></body></html>',
                    encoding="utf-8")
    return page


def _representable(application: dict[str, Any]) -> bool:
    """Whether a person can enter the application through a form: not a field the form does not
    show, nor a number where text is asked (typed, it is text again)."""
    if application["kind"] == "not-asked-field":
        return False
    if application["kind"] == "ill-typed":
        named = application["note"].split(" ")[0]
        return all(isinstance(value, str) for group in application["application"].values()
                   for key, value in group.items() if key == named)
    return True


def _answer_until_decided(page: Any, answers: dict[str, Any], ui: dict[str, Any]) -> None:
    """The answers one by one in the form's order, until the page stops asking (a rule decidedly
    failed: it shows the fallback and asks nothing more)."""
    for key in ui["situations"]["ui:order"]:
        if key not in answers:
            continue
        if not page.evaluate("(id) => !!document.getElementById(id)", f"root_situations_{key}"):
            return
        page.evaluate("async ([application, ui]) => { await __fill(application, ui); }",
                      [{"situations": {key: answers[key]}, "fields": {}, "uploads": {}}, ui])


def run_rjsf(target: Target, artifacts: Mapping[str, str], data: dict[str, Any], page: Any, harness: Path) -> ConsumerResult:
    """The RJSF integration (portal/rjsf): each application filled in through the DOM and submitted."""
    result = ConsumerResult(RJSF, target.name)
    schema, ui = json.loads(artifacts["form.schema.json"]), json.loads(artifacts["form.ui.json"])
    page.goto(harness.as_uri())
    for application in data["applications"]:
        if not _representable(application):
            continue
        result.checked += 1
        page.evaluate("([schema, ui]) => __mount(schema, ui)", [schema, ui])
        try:
            if application["expected"]["verdict"] == "fallback":
                _answer_until_decided(page, application["application"]["situations"], ui)
                outcome = page.evaluate("async () => await __submit()")
            else:
                outcome = page.evaluate("async ([application, ui]) => { await __fill(application, ui); return await __submit(); }",
                                        [application["application"], ui])
        except Exception as error:  # the page could not take the application: an entry it should show is missing
            result.differ(application, "filled in", True, str(error).splitlines()[0][:300])
            continue
        got = _verdict(outcome)
        result.expect(application, "verdict", application["expected"]["verdict"], got)
    return result


def _as_sets(application: dict[str, Any]) -> dict[str, Any]:
    """Several choices are a set (uniqueItems): compared whatever their order."""
    return {group: {key: sorted(value) if isinstance(value, list) and group != "uploads" else value
                    for key, value in values.items()} for group, values in application.items()}


def run_formcreate(target: Target, artifacts: Mapping[str, str], data: dict[str, Any], page: Any,
                   harness: Path) -> ConsumerResult:
    """portal/formcreate (Vue 3, Element Plus, form-create): each case answered through the page,
    what it shows compared with the case; each application filled in and submitted, its outcome
    compared with the verdict the pre-check reaches."""
    result = ConsumerResult(FORMCREATE, target.name)
    form = json.loads(artifacts["form.formcreate.json"])
    page.goto(harness.as_uri())
    for case in data["cases"]:
        result.checked += 1
        page.evaluate("async (form) => await __mount(form)", form)
        page.evaluate("async (answers) => await __fill({situations: answers, fields: {}, uploads: {}}, true)", case["answers"])
        shown = page.evaluate("() => __shown()")
        marked = page.evaluate("() => __marked()")
        outcome = page.evaluate("async () => await __submit()")
        expected = case["expected"]
        if case["kind"] == "ineligible":
            result.expect(case, "fallback shown", True, outcome["notice"] is not None and not outcome["button"])
            continue
        result.expect(case, "questions shown", sorted(expected["asked"]), sorted(k for g, k in shown if g == "situations"))
        if case["kind"] == "partial":
            continue
        result.expect(case, "fallback shown", False, outcome["notice"] is not None)
        result.expect(case, "fields shown", sorted(expected["form_fields"]), sorted(k for g, k in shown if g == "fields"))
        bring = [m for m in expected["materials"] if m["source"] == "applicant"]
        result.expect(case, "uploads shown", sorted(m["id"] for m in bring), sorted(k for g, k in shown if g == "uploads"))
        required = sorted(m["id"] for m in bring if m["requirement"] == "required")
        result.expect(case, "uploads required", required,
                      sorted(key.split("__", 1)[1] for key in outcome["errors"] if key.startswith("uploads__")))
        result.expect(case, "uploads marked required", required, sorted(k for g, k in marked if g == "uploads"))
    for application in data["applications"]:
        if not _representable(application):
            continue
        result.checked += 1
        page.evaluate("async (form) => await __mount(form)", form)
        try:
            outcome = page.evaluate("async ([application, lenient]) => { await __fill(application, lenient); return await __submit(); }",
                                    [application["application"], application["expected"]["verdict"] == "fallback"])
        except Exception as error:  # the page could not take the application: an entry it should show is missing
            result.differ(application, "filled in", True, str(error).splitlines()[0][:300])
            continue
        got = _verdict(outcome)
        result.expect(application, "verdict", application["expected"]["verdict"], got)
        if got == "accepted" and application["expected"]["verdict"] == "accepted":
            result.expect(application, "application submitted", _as_sets(application["application"]),
                          _as_sets(outcome["submitted"]))
    return result


def run_browser(runs: list[tuple[Target, Mapping[str, str], dict[str, Any]]],
                harnesses: Path | None = None) -> list[ConsumerResult]:
    """form.html of every target in one Chromium, and with ``harnesses`` (tests/js, holding
    rjsf_harness.js, formcreate_harness.js and node_modules) the RJSF and form-create integrations."""
    chromium = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        return [ConsumerResult(name, target.name, skipped="needs Playwright (the test extra) and chromium")
                for target, _, _ in runs for name in (CONSUMER, RJSF, FORMCREATE)]
    results = []
    with tempfile.TemporaryDirectory(prefix="conformance-portals-") as folder, sync_playwright() as playwright:
        rjsf = formcreate = None
        if harnesses is not None:
            rjsf = build_harness(harnesses / "rjsf_harness.js", Path(folder) / "rjsf", "RJSF")
            formcreate = build_harness(harnesses / "formcreate_harness.js", Path(folder) / "formcreate", "form-create")
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page()
            for target, artifacts, data in runs:
                results.append(run_form_html(target, artifacts, data, page))
                for name, harness, run in ((RJSF, rjsf, run_rjsf), (FORMCREATE, formcreate, run_formcreate)):
                    if harness is None:
                        results.append(ConsumerResult(name, target.name, skipped="needs esbuild, React and Vue (tests/js)"))
                    else:
                        results.append(run(target, artifacts, data, page, harness))
        finally:
            browser.close()
    return results
