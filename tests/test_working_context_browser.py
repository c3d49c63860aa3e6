"""Issue 24 as an official lives it, in Chromium: a new official starts one titled change request,
adds two departments to the catalogue, creates a bundle that uses them, edits a region — every
page showing that one request — and a reviewer sees all of it in that request and publishes it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from configurator.workspace import git
from tests.browser import MISSING
from tests.helpers import ROOT
from tests.test_authoring_browser import AXE, axe
from tests.web_helpers import PASSWORD, make_site, serve

pytestmark = pytest.mark.skipif(MISSING, reason="Debian chromium is not installed (make test installs it as root)")

TITLE = "企业注销登记一件事（试点）"


@pytest.fixture
def site(tmp_path):
    site = make_site(tmp_path, git=True)
    shutil.copytree(ROOT / "regions", site.workspace / "regions")
    for args in (["add", "regions"], ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "地区"]):
        subprocess.run(["git", "-C", str(site.workspace), *args], check=True, capture_output=True)
    with site.app.app_context():
        from configurator.web.accounts import create_user

        create_user("zhang", "editor", PASSWORD)  # the new official: no change request, nothing saved yet
    serve(site)
    yield site
    site.server.shutdown()


def log_in(page, site, username):
    page.goto(f"{site.url}/admin/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/?$"))


def submit(page, selector: str) -> None:
    """Click a form's button and wait for the page it leads to (never read the old page)."""
    with page.expect_navigation():
        page.click(selector)


def shown_change(page) -> str:
    return page.locator("#working-change").inner_text().strip()


def test_a_new_official_builds_a_bundle_with_catalogue_additions_in_one_titled_request(browser, site):
    context = browser.new_context(bypass_csp=True, locale="zh-CN")
    context.add_init_script(path=str(AXE))
    official = context.new_page()
    log_in(official, site, "zhang")
    assert "还没有选定" in shown_change(official)
    assert axe(official) == []  # the bar, in its empty state, passes axe
    official.click("#start-change summary")
    official.fill("#start-title", TITLE)
    official.fill("#start-description", "新建企业注销登记一件事；补充两个专班部门；西湖区试点。")
    submit(official, "#start-change button[type=submit]")
    assert shown_change(official) == TITLE
    assert axe(official) == []  # ... and with a request and its switch
    official.set_viewport_size({"width": 390, "height": 900})
    official.click("#start-change summary")  # open: its form is checked too
    assert axe(official) == []  # ... and on a phone's width
    official.click("#start-change summary")
    official.set_viewport_size({"width": 1280, "height": 900})

    official.goto(f"{site.url}/admin/catalogues/")
    for entry_id, name in (("tax_cancel", "税务注销专班"), ("market_cancel", "市场监管注销专班")):
        official.fill("#new-departments input[name=label]", name)
        official.click("#new-departments details.advanced summary")  # the id is an advanced choice
        official.fill("#new-departments input[name=id]", entry_id)
        submit(official, "#new-departments button[type=submit]")
        assert TITLE in official.locator(".alert-success").inner_text()
        assert shown_change(official) == TITLE

    official.goto(f"{site.url}/admin/bundles/new/")
    assert shown_change(official) == TITLE
    official.fill("#name", "企业注销登记一件事")
    official.click("#new-bundle-form details.advanced summary")  # a chosen id, not the pinyin default
    official.fill("#bundle_id", "qiye_zhuxiao")
    # the departments added in this request are offered before anything is published
    official.select_option("#lead_department", "market_cancel")
    official.select_option("#item_department", "tax_cancel")
    official.fill("#item_name", "税务注销")
    official.fill("#promised", "10")
    submit(official, "#new-bundle-form button[type=submit]")
    assert TITLE in official.locator(".flash").first.inner_text()
    assert shown_change(official) == TITLE
    official.goto(f"{site.url}/admin/bundles/qiye_zhuxiao/items/0/")
    assert official.locator("#department option:checked").inner_text().strip().startswith("税务注销专班")
    assert official.locator("#problems.alert-danger").count() == 0

    official.goto(f"{site.url}/admin/regions/330106/source/")
    assert shown_change(official) == TITLE
    text = official.locator("textarea[name=text]").input_value()
    official.fill("textarea[name=text]", text.replace("name:", "# 企业注销登记试点\nname:", 1))
    submit(official, "#region-source-form button[type=submit]")
    assert TITLE in official.locator(".alert-success").inner_text()

    number = int(official.locator("#working-change").get_attribute("data-id"))
    official.goto(f"{site.url}/admin/changes/{number}/")
    submit(official, "#submit")
    assert "已提交审核" in official.locator(".alert-success").inner_text()
    assert "还没有选定" in shown_change(official)  # submitting ends the piece of work

    reviewer = browser.new_context(locale="zh-CN").new_page()
    log_in(reviewer, site, "rita")
    reviewer.goto(f"{site.url}/admin/changes/")
    reviewer.click(f"text={TITLE}")
    assert TITLE in reviewer.locator("#change-title").inner_text()
    assert "西湖区试点" in reviewer.locator("#description").inner_text()
    files = reviewer.locator("#changed-files").inner_text()
    for shown in ("新增 一件事“企业注销登记一件事”", "修改 部门目录", "修改 地区“330106”"):
        assert shown in files, files
    said = reviewer.locator(".semantic-diff").inner_text()
    assert "税务注销专班" in said and "市场监管注销专班" in said, said
    reviewer.click("text=逐行差异")
    assert "+# 企业注销登记试点" in reviewer.locator("#line-diff").inner_text()
    submit(reviewer, "#publish")
    assert "已发布变更申请" in reviewer.locator(".alert-success").inner_text()

    store = site.app.extensions["configurator.workspace.store"]
    assert [(r.id, r.title, r.state) for r in store.changes.records.all()] == [(number, TITLE, "published")]
    departments = git.read_file(site.workspace, "main", "catalogues/departments.yaml").decode("utf-8")
    assert "tax_cancel" in departments and "market_cancel" in departments
    assert git.read_file(site.workspace, "main", "bundles/qiye_zhuxiao.yaml") is not None
    assert "企业注销登记试点" in git.read_file(site.workspace, "main", "regions/330106.yaml").decode("utf-8")
    context.close()
