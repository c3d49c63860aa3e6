"""The judge's walk (issue 24), in Chromium: a new official builds a bundle from nothing, with
catalogue additions, inside one titled change request, using only what the pages show (labels and
buttons; no URL typed but the login page, no YAML, no source editor); a reviewer finds that request
by its title, sees every file of the walk in it described in words, and publishes; the read API
then serves the new bundle and its form.

Along the way, on every page the official sees: the request's title is shown, and nothing speaks
programmer: no YAML line numbers, no error codes outside the 详情 toggle, no YAML fragments, no
generated pinyin ids the official never typed."""

from __future__ import annotations

import re

import pytest
import requests

from configurator.authoring.naming import suggest_id
from tests.browser import MISSING
from tests.web_helpers import PASSWORD, make_site, serve

pytestmark = pytest.mark.skipif(MISSING, reason="Debian chromium is not installed (make test installs it as root)")

TITLE = "新建个体工商户注销一件事"
DESCRIPTION = "按省里的要求，把个体工商户注销涉及的登记、清税和统计注销合成一件事。"
BUNDLE = "个体工商户注销一件事"
DEPARTMENT = "统计局"
CATALOGUE_MATERIAL = "个体工商户注销登记申请书"
OWN_MATERIAL = "委托代理人身份证明"
QUESTION = "是否委托他人代为办理？"
ITEMS = [("个体工商户注销登记", "市场监督管理局"), ("清税", "税务局"), ("统计登记注销", DEPARTMENT)]

LINE_NUMBER = re.compile(r"第\s*\d+\s*行|\bline \d+|:\d+:\d+")
CODE = re.compile(r"\b[EW]\d{3}\b")
YAML_FRAGMENT = re.compile(r"^\s*(- )?[a-z_]+:\s|\{[a-z_]+: ", re.MULTILINE)

# What a page shows the official, without the 详情 toggles (where codes may stay) and form values.
SHOWN = """() => { const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true); copy.querySelectorAll('details.detail, details.problem-detail, .problem-details, script, style')
    .forEach(e => e.remove()); document.body.appendChild(copy); const text = copy.innerText; copy.remove(); return text; }"""


class Official:
    """A browser page and what the walk asserts on every page it reaches."""

    def __init__(self, page, site, title: str | None = None) -> None:
        self.page, self.site, self.title = page, site, title
        page.set_default_timeout(10_000)
        self.generated: set[str] = set()  # ids the app made from names the official typed
        self.problems: list[str] = []

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.site.url}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/admin/.*"))

    def names(self, *names: str) -> None:
        self.generated.update(suggest_id(name) for name in names)

    def look(self) -> str:
        """The page as the official reads it, held to the issue's promises."""
        self.page.wait_for_load_state()
        url = self.page.url
        if self.title is not None:
            context = self.page.locator("#working-context")
            assert context.is_visible(), f"{url}: the working change request is not shown"
            assert self.title in context.inner_text(), f"{url}: the title is not shown"
        text: str = self.page.evaluate(SHOWN)
        # gathered, not raised at once: the walk goes on, and the end lists every page that spoke programmer
        for what, pattern in (("YAML line number", LINE_NUMBER), ("error code outside 详情", CODE),
                              ("YAML fragment", YAML_FRAGMENT)):
            self.problems.extend(f"{url}: {what}: {text[max(0, m.start() - 40):m.end() + 40]!r}" for m in pattern.finditer(text))
        for raw in sorted(i for i in self.generated if re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w/.-])", text)):
            at = text.find(raw)
            self.problems.append(f"{url}: generated id {raw!r} shown: …{text[max(0, at - 60):at + 30]}…")
        return text

    def go(self, link: str, exact: bool = True) -> str:
        """Follow a link by its words (in the menu or on the page)."""
        self.page.get_by_role("link", name=link, exact=exact).first.click()
        return self.look()

    def field(self, label: str, role: str = "textbox"):
        """A form field by the words of its label (not the "illustrative" ticks that repeat them)."""
        return self.page.locator("main").get_by_role(role, name=re.compile("^" + re.escape(label))).first

    def flash(self) -> str:
        found = self.page.locator(".flash, #form-errors, main .alert-danger")
        assert found.count(), f"{self.page.url}: no message after saving:\n{self.page.inner_text('main')[:2000]}"
        return found.first.inner_text()

    def save(self, button: str = "添加") -> str:
        self.page.locator("main").get_by_role("button", name=button, exact=True).last.click()
        self.look()
        return self.flash()


@pytest.fixture
def site(tmp_path):
    site = serve(make_site(tmp_path, git=True))
    yield site
    site.server.shutdown()


def start_request(official: Official) -> None:
    page = official.page
    page.locator("#start-change summary").click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("说明（可选）").fill(DESCRIPTION)
    page.get_by_role("button", name="新建并使用").click()
    official.title = TITLE
    official.look()


def add_to_catalogues(official: Official) -> None:
    """A department and a material the shared catalogues do not have yet, by name only."""
    official.go("目录")
    page = official.page
    for kind, name in (("部门", DEPARTMENT), ("材料", CATALOGUE_MATERIAL)):
        page.get_by_label(f"{kind}：名称").fill(name)
        page.get_by_label(f"{kind}：名称").press("Enter")
        official.look()
        assert name in official.flash(), official.flash()
        official.names(name)


def create_bundle(official: Official) -> None:
    official.go("一件事")
    page = official.page
    page.get_by_role("link", name="新建一件事").first.click()
    official.look()
    page.get_by_label("名称（简体中文）").fill(BUNDLE)
    page.wait_for_function("() => document.querySelector('#bundle_id').value !== ''")
    assert page.is_checked("#mode-blank")  # from nothing, not a template
    page.select_option("#lead_department", label="市场监督管理局")
    page.select_option("#item_department", label=ITEMS[0][1])
    page.fill("#item_name", ITEMS[0][0])
    page.fill("#promised", "3")
    page.locator("#new-bundle-form button[type=submit]").click()
    text = official.look()
    assert f"新建一件事“{BUNDLE}”" in text
    official.names(ITEMS[0][0])  # the bundle's id the form showed and the official kept: it names its file


def add_items(official: Official) -> None:
    page = official.page
    for number, (name, department) in enumerate(ITEMS[1:]):
        official.go("概览")
        official.go("添加事项")
        official.field("事项名称").fill(name)
        official.field("办理部门", "combobox").select_option(label=department)
        official.field("承诺时限").fill("15" if number == 0 else "2")
        official.field("法定时限").fill("10")
        official.field("单独办理此事项时到现场的次数").fill("0")
        official.field("单独办理此事项时的环节数").fill("2")
        official.names(name)
        message = official.save()
        if number == 0:
            # the promise is longer than the statutory limit: said beside the field, in words, with the fix
            assert "没有保存" in message or "错误" in message, message
            beside = page.locator("#f-time_limit-promised").locator("xpath=ancestor::div[contains(@class,'form-group')][1]")
            said = beside.inner_text()
            assert "承诺时限" in said and "法定时限" in said, said
            official.field("承诺时限").fill("8")
            message = official.save()
        assert f"已保存：事项“{name}”" in message, message


def set_cooperating_departments(official: Official) -> None:
    """The cooperating departments, the new one among them: ticked because they handle an item."""
    page = official.page
    official.go("概览")
    official.go("编辑全部内容")
    group = page.get_by_role("group", name="配合部门")
    for department in ("税务局", DEPARTMENT):
        # each handles an item, so each is already ticked: shown, not left for the official to find out
        assert group.get_by_role("checkbox", name=re.compile(department)).is_checked(), department


def add_situation_and_materials(official: Official) -> None:
    page = official.page
    official.go("概览")
    official.go("编辑全部内容")
    official.go("添加：情形", exact=False)
    official.field("问题的文字").fill(QUESTION)
    official.field("回答类型", "combobox").select_option(label="是/否")
    official.names(QUESTION)
    assert f"已保存：情形问题“{QUESTION}”" in official.save()

    official.go("概览")
    official.go("添加材料")  # the new catalogue material, picked by its name
    official.field("材料目录中的材料", "combobox").select_option(label=CATALOGUE_MATERIAL)
    official.field("来源", "combobox").select_option(index=1)
    assert f"已保存：材料“{CATALOGUE_MATERIAL}”" in official.save()

    official.go("概览")
    official.go("添加材料")  # one of the bundle's own, needed only when someone acts for the owner
    official.field("名称").fill(OWN_MATERIAL)
    official.field("来源", "combobox").select_option(index=1)
    builder = "[data-for=f-when] "
    page.click(builder + ".cb-open")
    page.select_option(builder + ".cb-area select[aria-label=情形问题]", label=QUESTION)
    page.select_option(builder + ".cb-area select[aria-label=比较方式]", label="答“是”")
    page.wait_for_function(f"() => document.querySelector('#f-when-said').textContent.includes('{QUESTION[:4]}')")
    official.names(OWN_MATERIAL)
    assert f"已保存：材料“{OWN_MATERIAL}”" in official.save()


def require_materials(official: Official) -> None:
    """The registration item asks for both materials, ticked by their names."""
    page = official.page
    official.go("概览")
    official.go(f"编辑：{ITEMS[0][0]}")
    group = page.get_by_role("group", name=re.compile("^此事项需要的材料"))
    for name in (CATALOGUE_MATERIAL, OWN_MATERIAL):
        group.get_by_role("checkbox", name=re.compile(re.escape(name))).check()
    assert f"已保存：“{ITEMS[0][0]}”" in official.save("检查并保存")


def check_preview_and_submit(official: Official) -> None:
    page = official.page
    official.go("预览")
    page.wait_for_selector("#preview-parts[data-loaded]")
    text = official.look()
    # the form and the notice are shown as the citizen gets them, each in its own sandboxed frame
    form = page.frame_locator("#form-preview").locator("body").inner_text()
    notice = page.frame_locator("#notice-preview").locator("body").inner_text()
    for name, _ in ITEMS:
        assert name in text and name in notice, name
    assert CATALOGUE_MATERIAL in notice and OWN_MATERIAL in notice
    assert QUESTION in form
    assert "None" not in text + form + notice
    page.locator("#working-change").click()
    official.look()
    page.get_by_role("button", name="提交审核").click()
    assert "已提交" in official.look() or "待审核" in page.inner_text("#change-title")


def review_and_publish(browser, site) -> Official:
    reviewer = Official(browser.new_page(locale="zh-CN"), site)
    reviewer.log_in("rita")
    reviewer.go("变更申请")
    page = reviewer.page
    rows = page.locator("tr.change")
    titles = [rows.nth(n).locator("td").nth(1).inner_text() for n in range(rows.count())]
    assert titles == [TITLE], titles  # exactly one request holds everything: no auto-titled extras
    reviewer.go(TITLE)
    text = reviewer.look()
    assert DESCRIPTION in text
    files = page.locator("#changed-files").inner_text()
    for words in ("部门", "材料", BUNDLE):
        assert words in files, files
    assert ".yaml" not in files, files
    page.get_by_role("button", name="发布").click()
    assert "已发布" in reviewer.look()
    return reviewer


def test_a_new_official_builds_a_bundle_from_nothing_in_one_titled_request(browser, site):
    official = Official(browser.new_page(locale="zh-CN"), site)
    official.log_in("alice")
    official.look()
    start_request(official)
    add_to_catalogues(official)
    create_bundle(official)
    add_items(official)
    set_cooperating_departments(official)
    add_situation_and_materials(official)
    require_materials(official)
    check_preview_and_submit(official)
    reviewer = review_and_publish(browser, site)

    listed = requests.get(f"{site.url}/api/bundles", timeout=10).json()
    found = [b for b in (listed["bundles"] if isinstance(listed, dict) else listed) if BUNDLE in str(b)]
    assert len(found) == 1, listed
    bundle_id = found[0]["id"]
    served = requests.get(f"{site.url}/api/bundles/{bundle_id}", timeout=10)
    assert served.status_code == 200 and BUNDLE in served.text
    form = requests.get(f"{site.url}/api/bundles/{bundle_id}/form.html", timeout=10)
    assert form.status_code == 200 and CATALOGUE_MATERIAL in form.text and QUESTION in form.text
    # what the official and the reviewer read, held to the promises on every page
    assert official.problems + reviewer.problems == [], "\n".join(official.problems + reviewer.problems)
