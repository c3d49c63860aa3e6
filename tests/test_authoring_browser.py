"""A policy official builds 企业开办一件事 in Chromium through forms only; the creation flow works by
keyboard alone; review pages fit a 390 px phone. (Every admin page under axe-core, in both
languages and at both widths: tests/test_axe_every_page_browser.py.)"""

import re
import subprocess
import sys

import pytest
import yaml

from tests.browser import MISSING
from tests.helpers import ROOT
from tests.web_helpers import PASSWORD, make_site, serve

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(MISSING,
                                reason="Debian chromium is not installed (make test installs it as root)")
EXPECTED = ROOT / "tests" / "expected" / "qiyekaiban.yaml"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def site(tmp_path):
    site = serve(make_site(tmp_path))
    yield site
    site.server.shutdown()


def log_in(page, site, username="alice"):
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/.*"))


def flash(page):
    return page.locator(".flash").first.inner_text()


def add(page, site, where, fill, selects=(), checks=(), submit=True):
    page.goto(f"{site.url}/admin/bundles/qiyekaiban/add/{where}")
    for selector, value in fill:
        if selector == "#f-id":  # an id of one's own is set under 高级 (it is generated otherwise)
            page.click("details.advanced > summary")
        page.fill(selector, value)
    for selector, value in selects:
        page.select_option(selector, label=value)
    for selector in checks:
        page.check(selector)
    if submit:
        page.click("#node-form button[type=submit]")


def item_index(site, item_id):
    data = yaml.safe_load(site.bundle_file("qiyekaiban").read_text(encoding="utf-8"))
    return [i["id"] for i in data["items"]].index(item_id)


def test_a_policy_official_builds_qiyekaiban_through_forms_only(browser, site):
    page = browser.new_page(locale="zh-CN")
    log_in(page, site)

    # The statistics bureau is not in the shared catalogue yet: the official adds it there.
    page.goto(f"{site.url}/admin/catalogues/")
    page.fill("#new-departments input[name=label]", "统计局")  # its id is generated from the name
    page.click("#new-departments button[type=submit]")
    assert "添加部门“统计局”" in flash(page)

    # A new bundle from the businesses template; the id is suggested from the Chinese name.
    page.goto(f"{site.url}/admin/bundles/")
    page.click("#new-bundle")
    page.wait_for_load_state()
    page.fill("#name", "企业开办一件事")
    page.wait_for_function("() => document.querySelector('#bundle_id').value === 'qiyekaiban'")
    page.check("#mode-template")
    page.select_option("#template", "legal_person")
    page.select_option("#lead_department", label="市场监督管理局")
    page.select_option("#item_department", label="市场监督管理局")
    page.fill("#item_name", "营业执照")
    page.fill("#promised", "1")
    page.fill("#fallback_message", "请到政务服务中心企业开办专区，工作人员会帮您逐项办理。")
    page.click("#new-bundle-form button[type=submit]")
    assert "已保存：新建一件事“企业开办一件事”" in flash(page)

    # Two situation questions, ids suggested from the question.
    for question in ("是否招用员工？", "是否需要发票？"):
        add(page, site, "situations", [("#f-label-zh-CN", question)], [("#f-type", "是/否")], submit=False)
        page.wait_for_function("() => document.querySelector('#f-id').value.startsWith('shifou')")
        page.click("#node-form button[type=submit]")
        assert "已保存：情形问题“" + question + "”" in flash(page)

    # Items: each brings its department and a handling step.
    items = [("印章刻制", "公安局", "yinzhangkezhi"), ("发票申领", "税务局", "fapiaoshenling"),
             ("社保登记", "人力资源和社会保障局", "shebaodengji"), ("公积金缴存登记", "住房公积金管理中心", "gongjijinjiaocundengji"),
             ("银行开户预约", "市场监督管理局", "yinhangkaihuyuyue")]
    for name, department, expected_id in items:
        add(page, site, "items", [("#f-name-zh-CN", name), ("#f-time_limit-promised", "1"), ("#f-visits", "0"),
                                  ("#f-steps", "2")], [("#f-department", department)], submit=False)
        page.wait_for_function(f"() => document.querySelector('#f-id').value === '{expected_id}'")
        if name == "社保登记":
            # the condition from the builder: pick the question by its text, the answer from its options
            builder = "[data-for=f-when] "
            page.click(builder + ".cb-open")
            page.select_option(builder + ".cb-area select[aria-label=情形问题]", label="是否招用员工？")
            page.select_option(builder + ".cb-area select[aria-label=比较方式]", label="答“是”")
            assert page.input_value("#f-when") == "shifouzhaoyongyuangong"
            page.wait_for_function("() => document.querySelector('#f-when-said').textContent.includes('是否招用员工')")
            assert "「是否招用员工？」答“是”" in page.inner_text("#f-when-said")
        if name == "发票申领":
            page.fill("#f-when", "shifouxuyaofapiao")  # the expert's text mode, checked live
            page.wait_for_function("() => document.querySelector('#f-when-said').textContent.includes('是否需要发票')")
        if name == "公积金缴存登记":
            page.fill("#f-when", "shifouzhaoyongyuangong")
            page.wait_for_function("() => document.querySelector('#f-when-said').textContent.includes('是否招用员工')")
        page.click("#node-form button[type=submit]")
        assert f"已保存：事项“{name}”" in flash(page), flash(page)

    # 营业执照 produces the business licence, a material 印章刻制 and 发票申领 then use.
    page.goto(f"{site.url}/admin/bundles/qiyekaiban/edit/items/{item_index(site, 'yingyezhizhao')}")
    page.fill("#f-result-name-zh-CN", "营业执照")
    page.check("#f-result-materials input[value=business_licence]")
    page.click("#node-form button[type=submit]")
    assert "已保存" in flash(page)
    add(page, site, "materials", [("#f-id", "business_licence")],
        [("#f-material", "营业执照"), ("#f-source", "由本一件事中前面的事项产生")], ["#f-produced_by input[value=yingyezhizhao]"])
    assert "已保存：材料“营业执照”" in flash(page), page.content()[:3000]
    for item_id in ("yinzhangkezhi", "fapiaoshenling"):
        page.goto(f"{site.url}/admin/bundles/qiyekaiban/edit/items/{item_index(site, item_id)}")
        page.check("#f-materials input[value=business_licence]")
        page.click("#node-form button[type=submit]")
        assert "已保存" in flash(page)

    # A dependency chosen by name: 发票申领 waits for 印章刻制 (the invoice seal).
    add(page, site, f"items/{item_index(site, 'fapiaoshenling')}/after",
        [("#f-reason-zh-CN", "领用发票需加盖发票专用章")], [("#f-item", "印章刻制")])
    assert "已保存" in flash(page)

    # One item deleted again: the confirmation names what uses it.
    page.goto(f"{site.url}/admin/bundles/qiyekaiban/edit/")
    page.locator("table[data-list=items] tr", has_text="银行开户预约").get_by_role("link", name="删除：银行开户预约").click()
    assert "环节“办理银行开户预约”办理它" in page.inner_text("#uses")
    page.click("#delete-form button[type=submit]")
    assert "已保存：删除事项“银行开户预约”" in flash(page)

    # The overview and the simulator show names, not ids.
    page.goto(f"{site.url}/admin/bundles/qiyekaiban/")
    assert "营业执照" in page.inner_text("#materials") and "business_licence" not in page.inner_text("#items")

    written = site.bundle_file("qiyekaiban").read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "configurator", "check", str(site.bundle_file("qiyekaiban"))],
                          cwd=site.workspace, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "qiyekaiban.yaml").write_text(written, encoding="utf-8")
    assert yaml.safe_load(written) == yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))  # by meaning
    assert "\n\nitems:\n  - id: yingyezhizhao\n" in written and "time_limit: {promised: 1}" in written  # as a person writes it
    assert written.index("cooperating_departments:") < written.index("situations:")


def axe(page):
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})""")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


def test_the_condition_builder_opens_on_the_condition_already_written(browser, site):
    """Opened on an existing condition, the builder shows it and edits it; one it cannot show (a
    named condition) is left as it is until the official asks for a new one in its place."""
    page = browser.new_page(locale="zh-CN")
    log_in(page, site)
    builder = "[data-for=f-when] "
    page.goto(f"{site.url}/admin/bundles/newborn/edit/materials/11")  # 亲子鉴定报告
    assert page.input_value("#f-when") == 'not born_in_wedlock and register_with == "father"'
    page.click(builder + ".cb-open")
    questions = page.locator(builder + ".cb-area select[aria-label=情形问题]")
    questions.nth(1).wait_for()
    assert [questions.nth(n).input_value() for n in range(2)] == ["born_in_wedlock", "register_with"]
    operators = page.locator(builder + ".cb-area select[aria-label=比较方式]")
    assert [operators.nth(n).input_value() for n in range(2)] == ["no", "=="]
    assert page.input_value(builder + ".cb-area select[aria-label=选项]") == "father"
    assert page.input_value("#f-when") == 'not born_in_wedlock and register_with == "father"'  # opening changes nothing
    page.select_option(builder + ".cb-area select[aria-label=选项]", "mother")
    assert page.input_value("#f-when") == 'not born_in_wedlock and register_with == "mother"'  # the rest kept

    page.goto(f"{site.url}/admin/bundles/newborn/edit/materials/1")  # 父亲身份证: when father_known (named)
    page.click(builder + ".cb-open")
    page.locator(builder + ".cb-unreadable").wait_for()
    assert page.input_value("#f-when") == "father_known"
    page.click(builder + ".cb-replace")
    page.select_option(builder + ".cb-area select[aria-label=情形问题]", "born_in_wedlock")
    assert page.input_value("#f-when") == "born_in_wedlock"  # replaced only once asked, and by a whole row


def tab_to(page, selector, limit=80):
    """Press Tab until ``selector`` has the focus: it is reachable by keyboard, in a sensible order."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_a_bundle_can_be_created_by_keyboard_alone(browser, site):
    page = browser.new_page(locale="zh-CN")
    log_in(page, site)
    page.goto(f"{site.url}/admin/bundles/")
    tab_to(page, "#new-bundle")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/admin/bundles/new/$"))
    tab_to(page, "#name")
    page.keyboard.type("开办书店一件事")
    page.wait_for_function("() => document.querySelector('#bundle_id').value === 'kaibanshudian'")
    tab_to(page, "#mode-blank")
    page.keyboard.press("ArrowDown")  # radio group: the arrow moves to "template"
    assert page.is_checked("#mode-template")
    for select in ("#lead_department", "#item_department"):
        tab_to(page, select)
        position = "(s) => [...document.querySelectorAll(s + ' option')].findIndex(o => o.value === 'market_regulation')"
        for _ in range(page.evaluate(position, select)):
            page.keyboard.press("ArrowDown")
    tab_to(page, "#item_name")
    page.keyboard.type("出版物经营许可")
    tab_to(page, "#new-bundle-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/admin/bundles/kaibanshudian/edit/$"))
    assert "已保存：新建一件事“开办书店一件事”" in flash(page)
    text = site.bundle_file("kaibanshudian").read_text(encoding="utf-8")
    assert "lead_department: market_regulation" in text and "name: 出版物经营许可" in text
    # the first focusable thing is the skip link, and it lands on the main content
    page.keyboard.press("Tab")
    page.goto(f"{site.url}/admin/bundles/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


REVIEW_PAGES = ["/admin/changes/", "/admin/bundles/restaurant/history/", "/admin/bundles/restaurant/",
                "/admin/bundles/restaurant/edit/", "/admin/bundles/restaurant/delete/items/1", "/admin/bundles/restaurant/preview/"]


def test_review_pages_fit_a_390_px_phone(browser, site):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    log_in(page, site, "rita")
    for url in REVIEW_PAGES:
        page.goto(site.url + url)
        if url.endswith("/preview/"):
            page.wait_for_selector("#preview-parts[data-loaded]")
        overflow = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e => {
            const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1
              && !e.closest('.table-responsive, pre, .diff, #diagram, iframe, .preview-frame');
          }).map(e => e.tagName + '.' + e.className).slice(0, 5)""")
        assert overflow == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url


def test_diagram_labels_never_overlap_and_a_legend_explains_it(browser, site):
    page = browser.new_page(locale="zh-CN")
    log_in(page, site, "victor")
    for bundle_id in ("newborn", "restaurant", "retirement", "disability"):
        page.goto(f"{site.url}/admin/bundles/{bundle_id}/preview/")
        page.wait_for_selector("#preview-parts[data-loaded]")
        boxes = page.evaluate("""() => {
            const svg = document.querySelector('#diagram svg'); const frame = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text.label')].map(t => { const r = t.getBoundingClientRect();
              return {text: t.textContent, left: r.left - frame.left, right: r.right - frame.left,
                      top: r.top - frame.top, bottom: r.bottom - frame.top, width: frame.width, height: frame.height}; }); }""")
        assert len(boxes) > 5
        for box in boxes:  # nothing cut off
            assert box["left"] >= 0 and box["right"] <= box["width"] + 1 and box["bottom"] <= box["height"] + 1, (bundle_id, box)
        for index, a in enumerate(boxes):
            for b in boxes[index + 1:]:
                apart = a["right"] <= b["left"] + 1 or b["right"] <= a["left"] + 1 or \
                    a["bottom"] <= b["top"] + 1 or b["bottom"] <= a["top"] + 1
                assert apart, (bundle_id, a["text"], b["text"])
        legend = page.evaluate("[...document.querySelectorAll('#diagram svg .legend text')].map(t => t.textContent).join('|')")
        assert "泳道" in legend and "色条" in legend and "箭头" in legend
        assert "减材料" in page.inner_text("#figures-legend")
        # every bar keeps the full name as its tooltip, shortened on the drawing or not
        tips = page.evaluate("[...document.querySelectorAll('#diagram svg .task')].map(g => [g.querySelector('text').textContent, "
                             "g.querySelector('title').textContent])")
        assert tips and all(tip.startswith(label.rstrip("…")) for label, tip in tips)
