"""Issue 24: axe-core finds no serious or critical violation on any admin page, in Chinese and in
English, at desktop width and on a 390 px phone, banners and flash messages included; no page
scrolls sideways on the phone.

The pages are listed from the app's own URL map: a GET route under /admin that is neither in
PAGES (with the arguments to open it) nor in NOT_PAGES (with why) fails the test, so a new page
cannot be forgotten. The workspace is a git repository holding a change request that is behind
the published version on the same item (the review, update and conflict pages), a published
change (history), regions and a calendar."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.browser import MISSING
from tests.helpers import ROOT
from tests.review_helpers import act, change_of, edit_item
from tests.test_authoring_browser import AXE, axe, log_in
from tests.web_helpers import login, make_site, serve

pytestmark = pytest.mark.skipif(MISSING, reason="Debian chromium is not installed (make test installs it as root)")

# endpoint → the pages it serves here (the change request numbers are those the fixture makes)
PAGES = {
    "root": ["/"],
    "auth.login": [],  # checked logged out, below
    "admin.index": ["/admin/"],
    "account.index": ["/admin/account/"],
    "audit.index_view": ["/admin/audit/"],
    "users.index_view": ["/admin/users/"],
    "users.create_view": ["/admin/users/new/"],
    "users.edit_view": ["/admin/users/edit/?id=1"],
    "cases.index": ["/admin/cases/"],
    "bundles.index": ["/admin/bundles/"],
    "bundles.create": ["/admin/bundles/new/"],
    "bundles.overview": ["/admin/bundles/restaurant/", "/admin/bundles/newborn/?change=1"],
    "bundles.node": ["/admin/bundles/restaurant/edit/", "/admin/bundles/restaurant/edit/items/1",
                     "/admin/bundles/restaurant/edit/situations/5", "/admin/bundles/restaurant/edit/situations/5/options/0",
                     "/admin/bundles/restaurant/edit/steps/1"],
    "bundles.add": ["/admin/bundles/restaurant/add/items", "/admin/bundles/restaurant/add/materials",
                    "/admin/bundles/restaurant/add/situations"],
    "bundles.delete": ["/admin/bundles/restaurant/delete/items/1"],
    "bundles.item": ["/admin/bundles/restaurant/items/1/"],
    "bundles.material": ["/admin/bundles/restaurant/materials/1/"],
    "bundles.new_material": ["/admin/bundles/restaurant/materials/new/"],
    "bundles.section": [f"/admin/bundles/restaurant/section/{s}/" for s in ("identity", "situations", "eligibility", "fields")],
    "bundles.source": ["/admin/bundles/restaurant/source/"],
    "bundles.preview": ["/admin/bundles/restaurant/preview/"],
    "bundles.simulate": ["/admin/bundles/restaurant/simulate/"],
    "bundles.history": ["/admin/bundles/newborn/history/"],
    "bundles.retire": ["/admin/bundles/restaurant/retire/"],
    "catalogues.index": ["/admin/catalogues/"],
    "catalogues.edit": ["/admin/catalogues/edit/departments/police/", "/admin/catalogues/edit/materials/resident_id_card/",
                        "/admin/catalogues/edit/fields/uscc/"],
    "catalogues.delete": ["/admin/catalogues/delete/materials/resident_id_card/"],
    "catalogues.new": ["/admin/catalogues/new/departments/", "/admin/catalogues/new/fields/"],
    "changes.index": ["/admin/changes/"],
    "changes.detail": ["/admin/changes/1/", "/admin/changes/2/"],
    "changes.update": ["/admin/changes/1/update/"],
    "regions.index": ["/admin/regions/"],
    "regions.source": ["/admin/regions/330106/source/"],
    "regions.calendar_source": ["/admin/regions/calendars/zhejiang/source/"],
}
NOT_PAGES = {
    "admin.static": "files",
    "bundles.condition_check": "JSON for the condition builder",
    "bundles.suggest": "JSON for the id suggestion",
    "bundles.preview_parts": "a fragment the preview page loads into itself (checked there)",
    "changes.legacy": "a redirect to the change request (opened below for its flash)",
    "regions.new": "a redirect to the new region's source (opened below with a bad code for its error flash)",
    "regions.new_calendar": "a redirect to the new calendar's source",
    "users.ajax_lookup": "flask-admin's JSON lookup (no field uses it)",
    "audit.ajax_lookup": "flask-admin's JSON lookup (no field uses it)",
    "users.export": "no export of users (can_export is off: a 404 or redirect)",
    "audit.export": "a CSV download (tests/test_users_admin.py checks its cells)",
    "users.details_view": "switched off (can_view_details = False): redirects to the list",
    "audit.details_view": "switched off: the audit log is read in its list",
    "audit.create_view": "switched off: nobody writes the audit log by hand",
    "audit.edit_view": "switched off: the audit log is never edited",
}
# Pages opened for what they flash: an error (danger) and a notice (info).
FLASHING = ["/admin/regions/new/?code=12", "/admin/changes/resolve/?branch=changes/1"]


def test_every_admin_page_is_listed():
    site = make_site(__import__("pathlib").Path(__import__("tempfile").mkdtemp()), git=True)
    routes = {r.endpoint for r in site.app.url_map.iter_rules()
              if "GET" in (r.methods or ()) and (r.rule.startswith("/admin") or r.rule in ("/", "/login"))}
    assert routes - set(PAGES) - set(NOT_PAGES) == set(), "a page to add to PAGES (or NOT_PAGES, saying why)"
    assert set(PAGES) | set(NOT_PAGES) <= routes | {"auth.login", "root"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("axe"), git=True)
    shutil.copytree(ROOT / "regions", site.workspace / "regions")  # published regions for their pages
    for command in (["add", "regions"], ["commit", "-q", "-m", "Regions"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *command],
                       cwd=site.workspace, check=True)
    serve(site)
    alice, ada, rita = (site.app.test_client() for _ in range(3))
    for client, name in ((alice, "alice"), (ada, "ada"), (rita, "rita")):
        login(client, name)
    mine = change_of(edit_item(alice, "2")[1])  # change request 1: alice's, still open
    theirs = change_of(edit_item(ada, "4")[1])  # change request 2: the same item, published first
    assert (mine, theirs) == (1, 2)
    act(ada, theirs, "submit")
    act(rita, theirs, "publish")
    yield site
    site.server.shutdown()


def overflowing(page) -> int:
    """How far the page scrolls sideways (0: it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def check(page, url, found, width):
    # After a form's save the redirected page may still be loading its stylesheets when its first
    # element appears; judged unstyled, the navbar's toggler shows and its links are small targets.
    page.wait_for_load_state("load")
    violations = axe(page)
    if violations:
        found[url] = violations
    if width < 500 and overflowing(page) > 0:
        found.setdefault(url, []).append(f"scrolls sideways by {overflowing(page)} px at {width} px")


def visit(page, site, url):
    response = page.goto(site.url + url)
    assert response is not None and response.status == 200, (url, response and response.status)
    if "/preview/" in url:  # its figures, diagram and notice arrive after the page: check them too
        page.wait_for_selector("#preview-parts[data-loaded]")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_admin_page_passes_axe_core(browser, site, language, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900}, locale=language)
    context.add_init_script(path=str(AXE))  # injected by the browser, outside the page's own scripts
    page = context.new_page()
    found: dict[str, list[str]] = {}
    page.goto(site.url + "/login")
    if language == "en":
        with page.expect_navigation():
            page.evaluate("document.querySelector(\"form[action$='/lang/en']\").submit()")
    check(page, "/login", found, width)
    log_in(page, site, "ada")  # an administrator sees every page; the language chosen before login is kept
    for url in [u for urls in PAGES.values() for u in urls] + FLASHING:
        visit(page, site, url)
        assert page.locator("html").get_attribute("lang") == language, url
        assert page.locator("main").count() == 1, url
        if url in FLASHING:
            assert page.locator(".flash").count() == 1, url
        check(page, url, found, width)
    if width < 500:  # the routing diagram is wider than a phone: all of it is reachable by scrolling, and said so
        visit(page, site, "/admin/bundles/restaurant/preview/")
        reach = page.evaluate("""() => { const d = document.querySelector('#diagram');
            return [d.scrollWidth, d.querySelector('svg').getBoundingClientRect().width, getComputedStyle(d).overflowX]; }""")
        assert reach[0] >= reach[1] and reach[2] == "auto" and page.locator("#diagram-hint").is_visible(), reach
    # a save refused (errors and warnings beside their fields, the list with its detail toggles),
    # then one saved with a warning (the flash, and the warning beside its field on the page again)
    item = "/admin/bundles/restaurant/items/1/"
    visit(page, site, item)
    page.fill("#when", "sells_tobacco or not sells_tobacco")
    page.fill("#statutory", "1")
    page.click("#item-form button[type=submit]")
    page.locator(".field-errors").first.wait_for()
    page.locator(".problem-detail summary").first.click()
    check(page, "item page with problems", found, width)
    page.fill("#statutory", "")
    page.click("#item-form button[type=submit]")
    page.locator(".flash").first.wait_for()
    assert page.locator(".field-warnings").count() >= 1
    check(page, "item page after a save with a warning", found, width)
    # an editor seeing the published version (the banner)
    page.goto(site.url + "/admin/bundles/restaurant/")
    check(page, "overview with its banner", found, width)
    context.close()
    assert found == {}, "\n".join(f"{url}: {v}" for url, vs in found.items() for v in vs)
