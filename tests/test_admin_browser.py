"""The admin in a real browser (Debian chromium driven by Playwright), as policy staff use it.

Screenshots of the main pages go to test-artifacts/ (not committed).
"""

import difflib

import pytest
import yaml

from tests.browser import MISSING
from tests.helpers import ROOT
from tests.web_helpers import PASSWORD, make_site, serve

pytestmark = pytest.mark.skipif(MISSING,
                                reason="Debian chromium is not installed (make test installs it as root)")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def site(tmp_path):
    site = serve(make_site(tmp_path))
    yield site
    site.server.shutdown()


def log_in(page, site, username="alice"):
    page.goto(f"{site.url}/admin/bundles/")
    assert "/login" in page.url  # anonymous: sent to the login page first
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/admin/bundles/")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_edit_an_item_with_a_mistake_then_fix_it_and_see_preview_and_simulator(browser, site):
    before = site.bundle_file("newborn").read_text(encoding="utf-8")
    page = browser.new_page(locale="zh-CN")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, site)
    assert page.locator("#bundle-list").get_by_text("新生儿出生一件事").is_visible()
    shot(page, "bundle-list")

    page.click("text=新生儿出生一件事")
    page.locator("#items tr", has_text="预防接种证办理").wait_for()  # is_visible() does not wait for the new page
    index = [i["id"] for i in yaml.safe_load(before)["items"]].index("vaccination_certificate")
    page.goto(f"{site.url}/admin/bundles/newborn/items/{index}/")  # the item form of issue 4
    # Add a material to the item, and make a mistake: promised longer than... a negative visit count.
    page.check("#item-form input[name=materials][value=mother_id_card]")
    page.fill("#promised", "1")
    page.fill("#when", "enrol_health_insurance = true")
    page.click("#item-form button[type=submit]")
    error = page.locator(".field-errors[data-field=when]")
    assert "==" in error.inner_text()  # the error sits next to the field it concerns
    assert page.input_value("#when") == "enrol_health_insurance = true"  # nothing typed is lost
    assert page.input_value("#promised") == "1"
    assert page.is_checked("#item-form input[name=materials][value=mother_id_card]")
    assert site.bundle_file("newborn").read_text(encoding="utf-8") == before  # nothing written
    shot(page, "item-with-error")

    page.fill("#when", "")
    page.click("#item-form button[type=submit]")
    assert "已保存" in page.locator(".alert-success").inner_text()
    after = site.bundle_file("newborn").read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == [
        "-    time_limit: {promised: 0}  # 即办件",
        "+    time_limit: {promised: 1}  # 即办件",
        "+    materials: [mother_id_card]",
    ]

    page.click("text=预览")
    page.wait_for_selector("#preview-parts[data-loaded]")  # figures, diagram and notice come after the page
    notice = page.frame_locator("#notice-preview")
    row = notice.locator("tr", has_text="预防接种证办理")
    assert "1 个工作日" in row.inner_text()  # the preview shows the saved change
    assert page.locator("#diagram svg").is_visible()
    assert page.frame_locator("#form-preview").locator("h1").inner_text().startswith("新生儿出生一件事")
    shot(page, "preview")

    page.click("text=模拟办理")
    form = page.locator("#simulate-form")
    for situation, value in [("born_in_province_hospital", "true"), ("parents_province_household", "true"),
                             ("born_in_wedlock", "false"), ("register_with", "father"), ("surname", "father"),
                             ("household_kind", "family"),
                             ("enrol_health_insurance", "true"), ("apply_social_security_card", "true"),
                             ("parents_different_ethnicity", "false"), ("mother_maternity_insurance", "false"),
                             ("want_parenting_guidance", "false")]:
        form.locator(f"input[name={situation}][value={value}]").check()
    form.locator("input[name=child_age_months]").fill("1")
    form.locator("button[type=submit]").click()
    assert "亲子鉴定证明" in page.locator("#checklist").inner_text()
    assert "社会保障卡申领" in page.locator("#timeline").inner_text()
    shot(page, "simulator")

    form = page.locator("#simulate-form")
    form.locator("input[name=child_age_months]").fill("9")
    form.locator("button[type=submit]").click()
    assert "兜底" in page.locator("#fallback").inner_text()
    assert dialogs == []


def test_two_browsers_editing_one_bundle_the_second_save_is_refused_and_kept(browser, site):
    first, second = browser.new_context().new_page(), browser.new_context().new_page()
    for page, user in ((first, "alice"), (second, "ada")):
        log_in(page, site, user)
        page.goto(f"{site.url}/admin/bundles/newborn/items/2/")
    first.fill("#promised", "2")
    second.fill("#promised", "1")
    first.click("#item-form button[type=submit]")
    assert "已保存" in first.locator(".alert-success").inner_text()
    second.click("#item-form button[type=submit]")
    assert "保存被拒绝" in second.locator("#conflict").inner_text()
    assert "promised: 2" in second.locator("#conflict .diff").inner_text()  # the difference is shown
    assert second.input_value("#promised") == "1"  # and the second user's input is kept
    text = site.bundle_file("newborn").read_text(encoding="utf-8")
    assert "time_limit: {promised: 2, statutory: 20}" in text and "promised: 1, statutory: 20" not in text
    shot(second, "conflict")


def test_a_script_in_a_label_shows_as_text_and_never_runs(browser, site):
    path = site.bundle_file("newborn")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  zh-CN: 新生儿出生一件事", '  zh-CN: "新生儿<script>alert(1)</script>"'), encoding="utf-8")
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, site)
    assert "新生儿<script>alert(1)</script>" in page.locator("#bundle-list").inner_text()
    page.goto(f"{site.url}/admin/bundles/newborn/preview/")
    page.wait_for_selector("#preview-parts[data-loaded]")
    page.wait_for_timeout(300)
    assert dialogs == []


def test_a_change_request_from_start_to_publish_with_a_send_back(browser, tmp_path):
    """An editor starts a change request with a title and description, edits two bundles and a
    catalogue entry and submits; the reviewer sees the description and the figure deltas with the
    worsening flagged, comments and sends back; the editor fixes and resubmits; the reviewer
    publishes; history shows both people; the API serves the new version."""
    import json
    import urllib.request

    from tests.web_helpers import make_site
    site = serve(make_site(tmp_path, git=True))
    try:
        editor = browser.new_context().new_page()
        log_in(editor, site, "alice")
        editor.goto(f"{site.url}/admin/changes/")
        editor.fill("#title", "缩短出生登记时限")
        editor.fill("#description", "依据新规第三条，出生登记 3 个工作日改为 2 个。")
        editor.click("#new-change button[type=submit]")
        number = int(editor.url.rstrip("/").split("/")[-1])
        editor.goto(f"{site.url}/admin/bundles/newborn/items/2/?change={number}")
        assert f"#{number}" in editor.locator("#editing-change").inner_text()
        editor.fill("#promised", "2")
        editor.click("#item-form button[type=submit]")
        assert f"已保存到变更申请 #{number}" in editor.locator(".alert-success").inner_text()
        editor.goto(f"{site.url}/admin/bundles/retirement/section/identity/?change={number}")
        editor.fill("input[name='0-visits']", "2")  # a slip: more trips for citizens
        editor.click("#section-form button[type=submit]")
        assert f"#{number}" in editor.locator(".alert-success").inner_text()
        editor.goto(f"{site.url}/admin/catalogues/edit/departments/police/?change={number}")
        editor.fill("#label", "公安局（户政）")
        editor.click("#entry-form button[type=submit]")
        assert f"#{number}" in editor.locator(".alert-success").inner_text()
        editor.goto(f"{site.url}/admin/changes/{number}/")
        editor.click("#submit")
        assert "已提交审核" in editor.locator(".alert-success").inner_text()
        assert editor.locator("#publish").count() == 0  # an editor cannot publish

        reviewer = browser.new_context().new_page()
        log_in(reviewer, site, "rita")
        reviewer.goto(f"{site.url}/admin/changes/{number}/")
        assert "依据新规第三条" in reviewer.locator("#description").inner_text()
        assert "承诺时限 3 个工作日 → 2 个工作日" in reviewer.locator(".semantic-diff").inner_text()
        worse = reviewer.locator(".bundle-change[data-bundle='retirement'] tr.worse")
        assert worse.count() == 1 and "对群众更不利" in worse.inner_text()
        assert reviewer.locator(".bundle-change[data-bundle='newborn'] tr.worse").count() == 0
        shot(reviewer, "change-request")
        reviewer.fill("textarea[name=comment]", "退休为什么要多跑两次？")
        reviewer.locator("form[action$='/comment/'] button").click()
        reviewer.fill("input[name=comment]", "请改回 0 次")
        reviewer.click("#send-back")
        assert reviewer.locator("#publish").count() == 0

        editor.goto(f"{site.url}/admin/changes/{number}/")
        assert "请改回 0 次" in editor.locator("#events").inner_text()
        editor.goto(f"{site.url}/admin/bundles/retirement/section/identity/?change={number}")
        editor.fill("input[name='0-visits']", "0")
        editor.click("#section-form button[type=submit]")
        editor.goto(f"{site.url}/admin/changes/{number}/")
        editor.click("#submit")

        reviewer.goto(f"{site.url}/admin/changes/{number}/")
        assert reviewer.locator("tr.worse").count() == 0
        reviewer.click("#publish")
        assert "已发布" in reviewer.locator(".alert-success").inner_text()
        reviewer.goto(f"{site.url}/admin/bundles/newborn/history/")
        first = reviewer.locator("#history tbody tr").first
        assert "alice" in first.locator(".authors").inner_text() and "rita" in first.locator(".reviewers").inner_text()
        with urllib.request.urlopen(f"{site.url}/api/bundles/newborn") as response:
            assert response.headers["X-Bundle-Version"] == "2"
            assert json.loads(response.read())["version"] == "2"
    finally:
        site.server.shutdown()
