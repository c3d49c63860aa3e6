"""The smaller defects of issue 24, each as an official meets it in the admin."""

from __future__ import annotations

import re

import pytest

from configurator.workspace import git
from tests.test_authoring_web import form_of
from tests.web_helpers import csrf_token, login, make_site


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path)


@pytest.fixture
def client(site):
    client = site.app.test_client()
    login(client, "alice")
    return client


def create_from_template(client, template: str) -> str:
    page = client.get("/admin/bundles/new/?mode=template").get_data(as_text=True)
    data = form_of(page, "new-form") if 'id="new-form"' in page else {}
    data = {**dict(data), "csrf_token": csrf_token(page), "mode": "template", "template": template,
            "name": "企业注销登记一件事", "bundle_id": "company_closure", "lead_department": "market_regulation",
            "item_name": "税务注销", "item_department": "market_regulation", "promised": "10",
            "fallback_message": "请到政务服务中心综合窗口咨询。"}
    response = client.post("/admin/bundles/new/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return "company_closure"


@pytest.mark.parametrize("template", ["legal_person", "natural_person"])
def test_the_preview_of_a_bundle_from_a_template_never_shows_none(client, template):
    """Issue 24: “跑动（次） None” in the preview of a bundle made from the business template
    (the bundle does not state its visits yet)."""
    bundle_id = create_from_template(client, template)
    parts = client.get(f"/admin/bundles/{bundle_id}/preview/parts/").get_json()
    figures = re.sub(r"<[^>]+>", " ", parts["figures"])
    assert "None" not in figures, figures
    row = re.search(r"跑动（次）(.*?)$", figures, re.M | re.S).group(1).split()
    assert row[:2] == ["1", "未写明"], row


def english(client) -> None:
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/lang/en", data={"csrf_token": csrf_token(page), "next": "/admin/"})


@pytest.mark.parametrize("section", ["items", "materials", "situations", "steps"])
def test_an_add_page_in_english_says_add_and_what_with_a_space(client, section):
    """Issue 24: the heading read “Additem” in English (two phrases glued as Chinese glues them)."""
    english(client)
    page = client.get(f"/admin/bundles/newborn/add/{section}").get_data(as_text=True)
    heading = re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)).split()
    assert heading[0] == "Add" and len(heading) > 1, heading


def test_retry_after_of_a_throttled_login_is_the_real_wait(site):
    """Issue 24: after a throttled login, Retry-After carried the flood guard's window (about a
    minute), not the wait the page states (2 s after the fifth failure)."""
    client = site.app.test_client()
    for _ in range(5):
        page = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"username": "alice", "password": "wrong", "csrf_token": csrf_token(page)})
    page = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={"username": "alice", "password": "wrong", "csrf_token": csrf_token(page)})
    assert answer.status_code == 429
    said = re.search(r"请在 (\d+) 秒后再试", answer.get_data(as_text=True))
    assert said, answer.get_data(as_text=True)[-2000:]
    assert 1 <= int(answer.headers["Retry-After"]) <= int(said.group(1)) <= 2


NUL_SAID = "看不见的控制字符"


def nothing_written(site) -> bool:
    return git.branches(site.workspace, "changes/") == {} and git.ref(site.workspace, "main") == site.main


@pytest.fixture
def git_site(tmp_path):
    site = make_site(tmp_path, git=True)
    site.main = git.ref(site.workspace, "main")
    return site


@pytest.mark.parametrize(("url", "form_id", "field", "value", "beside"), [
    ("/admin/bundles/restaurant/edit/items/1", "node-form", "name.zh-CN", "食品\x00经营许可", 'data-field="name.zh-CN"'),
    ("/admin/bundles/restaurant/edit/items/1", "node-form", "message", "说明\x00", 'data-field="message"'),
    ("/admin/bundles/restaurant/add/situations", "node-form", "label.zh-CN", "有\x00吗？", 'data-field="label.zh-CN"'),
    ("/admin/bundles/restaurant/items/1/", "item-form", "name", "食品\x00经营许可", 'data-field="name"'),
])
def test_a_nul_typed_into_a_form_is_refused_beside_its_field_and_nothing_is_written(git_site, url, form_id, field,
                                                                                    value, beside):
    """Issue 24: a NUL in a label or in the change description reached the git commit message and
    the page answered HTTP 500."""
    client = git_site.app.test_client()
    login(client, "alice")
    data = form_of(client.get(url).get_data(as_text=True), form_id)
    data.setlist(field, [value])
    if field != "message" and form_id == "node-form" and "add/" in url:
        data.setlist("id", ["has_thing"])
        data.setlist("type", ["boolean"])
    if field == "message":
        data.setlist("time_limit.promised", ["8"])
    answer = client.post(url, data=data)
    body = answer.get_data(as_text=True)
    assert answer.status_code in (200, 400), body[-2000:]
    assert NUL_SAID in body and beside in body, body[-3000:]
    assert nothing_written(git_site)


def test_a_nul_in_the_change_description_of_the_source_editor_is_a_clear_refusal(git_site):
    client = git_site.app.test_client()
    login(client, "alice")
    url = "/admin/bundles/restaurant/source/"
    data = form_of(client.get(url).get_data(as_text=True), "source-form")
    data.setlist("text", [data["text"] + "# 一处修改\n"])
    data.setlist("message", ["说明\x00"])
    answer = client.post(url, data=data)
    assert answer.status_code == 400 and "控制字符" in answer.get_data(as_text=True)
    assert nothing_written(git_site)


def test_a_save_that_changes_nothing_opens_no_change_request(git_site):
    """Issue 24: saving a form unchanged opened an empty change request."""
    client = git_site.app.test_client()
    login(client, "alice")
    for url, form_id in (("/admin/bundles/restaurant/edit/items/1", "node-form"),
                         ("/admin/bundles/restaurant/items/1/", "item-form"),
                         ("/admin/bundles/restaurant/source/", "source-form")):
        data = form_of(client.get(url).get_data(as_text=True), form_id)
        body = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
        assert "没有改动，没有保存任何内容" in body, (url, body[-2000:])
    assert nothing_written(git_site)
    assert git_site.app.extensions["configurator.workspace.store"].changes.records.all() == []


def test_the_switch_bar_names_change_requests_by_their_titles(git_site):
    """Issue 24: the bar offering the editor's other change requests showed bare numbers."""
    client = git_site.app.test_client()
    login(client, "alice")
    for title in ("企业注销登记材料精简", "出生登记时限"):
        page = client.get("/admin/changes/").get_data(as_text=True)
        client.post("/admin/changes/new/", data={"csrf_token": csrf_token(page), "title": title})
    page = client.get("/admin/bundles/restaurant/").get_data(as_text=True)
    bar = re.search(r'id="working-context".*?</section>', page, re.S).group(0)
    assert re.search(r'data-id="2"[^>]*>出生登记时限</a>', bar), bar  # the current one
    assert re.search(r'<option value="1">企业注销登记材料精简（草稿）</option>', bar), bar  # the one to switch to
