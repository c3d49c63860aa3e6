"""form.html in Chromium, case by case, filled in as a citizen fills it (clicks, typing, chosen
files) and submitted:

- every eligible case of the retirement bundle, and of tests/corpus/good/varying-requirement.yaml
  (a 容缺 that depends on the case), and a spread of the other shipped bundles' cases: the page
  shows exactly the questions the plan asks, the fields and uploads of the case, each marked
  required as the plan says (an upload as ``configurator explain`` states its requirement), lets
  the case be submitted, and what it posts is accepted by the server-side validation
  (form_wtforms) and is the application with the plan's answers;
- a baby aged 6.5 months is told to write a whole number (the schema's type), not sent to the
  fallback window.
"""

from __future__ import annotations

import functools
import os

import pytest

from configurator.planning.cases import scenarios
from configurator.planning.compiled import Compiled
from configurator.planning.resolution import resolve
from configurator.present.explain import explanation
from configurator.writers import render_compiled
from configurator.writers.form_wtforms import application_from_form, form_class
from configurator.writers.order import question_order
from tests.browser import CHROMIUM
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.test_form_agreement import MultiDict, post_for_case
from tests.test_form_cases import varying

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                                reason="chromium missing (Debian package)")
# Every case of these; of the other shipped bundles every SPREAD-th case (the same code paths;
# all of them take about 2.5 minutes more: TEST_EVERY_FORM_CASE=1 runs them).
EVERY_CASE = ("retirement", "varying-requirement")
SPREAD = 1 if os.environ.get("TEST_EVERY_FORM_CASE") else 8

# Runs after the page's own submit handler: what the browser would post, when it would post.
CAPTURE = """() => {
  const form = document.querySelector('form.application');
  window.__posted = null;
  form.addEventListener('submit', (event) => {
    if (!event.defaultPrevented) {
      window.__posted = [...new FormData(form)].map(([k, v]) => [k, typeof v === 'string' ? v : v.name]);
    }
    event.preventDefault();
  });
}"""


@functools.cache
def bundle(bundle_id: str) -> Compiled:
    return varying() if bundle_id == "varying-requirement" else compiled(bundle_id)


@functools.cache
def page_html(bundle_id: str) -> str:
    return render_compiled(bundle(bundle_id))["form.html"]


@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page()
    page.set_default_timeout(3000)  # an input that never shows fails at once, not after 30 s
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    page.close()


def visible_rows(page, group: str) -> dict[str, bool]:
    """Key → required, for the rows of a group on screen."""
    return dict(page.evaluate("""group => [...document.querySelectorAll('.row')].filter(r => !r.hidden
        && r.querySelector('[name^="' + group + '-"]')).map(r => [
          r.querySelector('[name^="' + group + '-"]').name.slice(group.length + 1), r.dataset.required !== undefined])""",
                              group))


def marked_wrongly(page) -> list[str]:
    """The rows on screen whose label says "(optional)" while they are required, or the reverse."""
    return page.evaluate("""() => [...document.querySelectorAll('.row')].filter(r => !r.hidden
        && (r.dataset.required !== undefined) === r.querySelector('.label').innerText.includes('（选填）')
        ).map(r => r.dataset.label)""")


def deferrable_notes(page) -> dict[str, bool]:
    """Upload → whether its hint on screen says it may follow later (容缺)."""
    return dict(page.evaluate("""() => [...document.querySelectorAll('.row')].filter(r => !r.hidden
        && r.querySelector('[name^="uploads-"]')).map(r => [r.querySelector('[name^="uploads-"]').name.slice(8),
          (r.querySelector('.help') || {innerText: ''}).innerText.includes('可容缺受理，承诺后补')])"""))


def as_sets(application):
    """Several choices are a set: the page posts them in the options' order."""
    return {group: {k: sorted(v) if isinstance(v, list) else v for k, v in values.items()}
            for group, values in application.items()}


def choose(page, name: str, values: list[str]) -> None:
    """Tick (radio, checkbox) or type (text, date, number) the values of one input."""
    kind = page.locator(f'[name="{name}"]').first.get_attribute("type")
    if kind in ("radio", "checkbox"):
        for value in values:
            page.check(f'[name="{name}"][value="{value}"]')
    elif kind == "file":
        page.set_input_files(f'[name="{name}"]', [{"name": v, "mimeType": "text/plain", "buffer": b"scan"} for v in values])
    else:
        page.fill(f'[name="{name}"]', values[0])
        page.dispatch_event(f'[name="{name}"]', "change")


def fill_and_submit(page, c: Compiled, case) -> MultiDict:
    post = post_for_case(c, case)
    page.set_content(page_html(c.bundle.id))
    page.evaluate(CAPTURE)
    for situation in question_order(c.bundle):  # in the page's order, as a citizen answers
        name = f"situations-{situation.id}"
        if post.get(name):
            choose(page, name, post[name])
    for name, values in post.items():
        # a field that is a question's answer (from_situation) is not asked again
        if not name.startswith("situations-") and page.locator(f'[name="{name}"]').count():
            choose(page, name, values)
    page.click("button[type=submit]")
    posted = page.evaluate("window.__posted")
    assert posted is not None, (case.answers, page.locator(".error-summary").inner_text())
    data = MultiDict()
    for name, value in posted:
        data.add(name, value)
    return data


@pytest.mark.parametrize("bundle_id", [*EVERY_CASE, *(b for b in SHIPPED_IDS if b not in EVERY_CASE)])
def test_form_html_asks_what_the_plan_asks_and_submits_every_case(page, bundle_id):
    c = bundle(bundle_id)
    cases = scenarios(c.bundle)[0]
    indices = range(len(cases)) if bundle_id in EVERY_CASE else range(0, len(cases), SPREAD)
    for index in indices:
        case = cases[index]
        plan = case.plan
        data = fill_and_submit(page, c, case)
        # what was on screen when it was sent: the plan's questions, fields and uploads
        asked = {s.id: not s.allow_none for s in c.bundle.situations if s.id in plan.answers}
        assert visible_rows(page, "situations") == asked, (index, case.answers)
        assert visible_rows(page, "fields") == {f.id: c.fields[f.id].required for f in plan.fields
                                                if c.on_form(f)}, (index, case.answers)
        stated = {m["id"]: m["requirement"] == "required" for m in explanation(c, dict(case.answers))["materials"]
                  if m["hand_in"]}
        assert visible_rows(page, "uploads") == stated, (index, case.answers)
        assert marked_wrongly(page) == [], (index, case.answers)
        notes = {m["id"]: m["requirement"] == "deferrable" for m in explanation(c, dict(case.answers))["materials"]
                 if m["hand_in"]}
        assert deferrable_notes(page) == notes, (index, case.answers)
        # what was posted: accepted by the server, the application of the plan's answers
        form = form_class(c)(formdata=data)
        assert form.validate(), (index, case.answers, {k: f.errors for k, f in form._fields.items() if f.errors})
        application = as_sets(application_from_form(c, data))
        assert application == as_sets(application_from_form(c, post_for_case(c, case))), index
        assert application["situations"] == as_sets({"situations": plan.answers})["situations"], index
    assert not page.problems


@pytest.mark.parametrize("skipped", ["born_in_wedlock", "register_with"])
def test_an_upload_waiting_for_an_unanswered_question_is_not_asked_for(page, skipped):
    """Issue 24: the newborn form asked for 非婚生育说明 before the marriage question was answered.
    Every case that asks the question, filled in with it left unanswered: the page shows the
    fields and uploads the answers so far decide, as the one resolved case says, nothing more."""
    c = bundle("newborn")
    cases = [case for case in scenarios(c.bundle)[0] if skipped in case.plan.answers]
    assert cases
    for case in cases:
        answers = {k: v for k, v in case.answers.items() if k != skipped}
        post = post_for_case(c, case)
        page.set_content(page_html("newborn"))
        for situation in question_order(c.bundle):
            name = f"situations-{situation.id}"
            if situation.id != skipped and post.get(name) and page.locator(f'[name="{name}"]').first.is_visible():
                choose(page, name, post[name])
        resolved = resolve(c, answers)
        assert skipped in resolved.unanswered, answers
        assert set(visible_rows(page, "uploads")) == {m.id for m in resolved.materials if m.source == "applicant"}, answers
        assert set(visible_rows(page, "fields")) == {f.id for f in resolved.fields if c.on_form(f)}, answers
    assert not page.problems


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_baby_aged_6_5_months_is_told_to_write_a_whole_number(page, lang):
    base = compiled("newborn")
    c = Compiled(base.bundle, base.catalogues, lang)
    page.set_content(render_compiled(c)["form.html"])
    page.check("#situations-born_in_province_hospital-0")
    page.fill("#situations-child_age_months", "6.5")
    page.dispatch_event("#situations-child_age_months", "change")
    row = page.locator(".row:has(#situations-child_age_months)")
    message = "Enter a whole number" if lang == "en" else "请填写整数"
    assert row.locator(".type-error").inner_text() == message
    assert page.locator("#ineligible").is_hidden()  # an ill-typed answer decides nothing
    page.evaluate(CAPTURE)
    page.click("button[type=submit]")
    assert page.evaluate("window.__posted") is None
    assert message in page.locator(".error-summary").inner_text()
    page.fill("#situations-child_age_months", "7")  # a whole number over the limit: the fallback window
    page.dispatch_event("#situations-child_age_months", "change")
    assert row.locator(".type-error").is_hidden() and page.locator("#ineligible").is_visible()
    assert not page.problems
