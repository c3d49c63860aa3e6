"""The working context (issue 24): the change request an official starts or picks stays theirs
across pages — bundles, catalogues, new bundles, retirements, regions — until they submit it or
switch; it is kept server side and checked on every request, never taken from the browser."""

import re
import shutil
import subprocess

import pytest

from configurator.workspace import git
from tests.helpers import ROOT
from tests.review_helpers import act, edit_item
from tests.web_helpers import csrf_token, login, make_site


@pytest.fixture
def site(tmp_path):
    site = make_site(tmp_path, git=True)
    shutil.copytree(ROOT / "regions", site.workspace / "regions")
    for args in (["add", "regions"], ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "地区"]):
        subprocess.run(["git", "-C", str(site.workspace), *args], check=True, capture_output=True)
    return site


def client_for(site, name):
    client = site.app.test_client()
    login(client, name)
    return client


def records(site):
    return site.app.extensions["configurator.workspace.store"].changes.records


def start(client, title, description=""):
    """Start a change request from the bar on the home page, as an official would."""
    page = client.get("/admin/").get_data(as_text=True)
    response = client.post("/admin/changes/new/", data={"csrf_token": csrf_token(page), "title": title,
                                                         "description": description, "next": "/admin/"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return max(r.id for r in records_of(client))


def records_of(client):
    return client.application.extensions["configurator.workspace.store"].changes.records.all()


def bar(page):
    found = re.search(r'<section[^>]*id="working-context".*?</section>', page, re.S)
    assert found, "no working-context bar on the page"
    return found.group(0)


def working_id(page):
    found = re.search(r'id="working-change" data-id="(\d*)"', page)
    assert found, page[-3000:]
    return int(found.group(1)) if found.group(1) else None


def add_entry(client, kind, entry_id, label):
    page = client.get("/admin/catalogues/").get_data(as_text=True)
    return client.post(f"/admin/catalogues/new/{kind}/", data={"csrf_token": csrf_token(page), "id": entry_id,
                                                               "label": label}, follow_redirects=True)


def changed_paths(site, number):
    store = site.app.extensions["configurator.workspace.store"]
    return sorted(store.changes.changed_paths(store.changes.get(number)))


ADMIN_PAGES = ("/admin/", "/admin/bundles/", "/admin/bundles/new/", "/admin/bundles/newborn/",
               "/admin/bundles/newborn/items/2/", "/admin/bundles/newborn/retire/", "/admin/catalogues/",
               "/admin/regions/", "/admin/regions/330106/source/", "/admin/changes/")


def test_every_admin_page_shows_the_working_change_request_by_its_title(site):
    alice = client_for(site, "alice")
    number = start(alice, "缩短出生登记时限 <b>试点</b>")
    for url in ADMIN_PAGES:
        page = alice.get(url).get_data(as_text=True)
        shown = bar(page)
        assert working_id(page) == number, url
        assert "缩短出生登记时限 &lt;b&gt;试点&lt;/b&gt;" in shown, url  # the title, escaped
        assert "<b>试点" not in shown


def test_one_request_holds_catalogue_entries_a_new_bundle_a_region_and_a_retirement(site):
    alice = client_for(site, "alice")
    number = start(alice, "企业注销登记一件事", "新建一件事，并补充两个部门")
    said = add_entry(alice, "departments", "tax_cancel", "税务注销专班").get_data(as_text=True)
    assert f'已保存到变更申请 <a href="/admin/changes/{number}/">#{number} 企业注销登记一件事</a>' in said
    add_entry(alice, "departments", "market_cancel", "市场监管注销专班")
    # the new departments are offered in the new bundle's form before anything is published
    form = alice.get("/admin/bundles/new/").get_data(as_text=True)
    assert "税务注销专班" in form and "市场监管注销专班" in form
    response = alice.post("/admin/bundles/new/", data={
        "csrf_token": csrf_token(form), "mode": "blank", "name": "企业注销登记一件事", "bundle_id": "qiye_zhuxiao",
        "service_object": "legal_person", "lead_department": "market_cancel", "item_department": "tax_cancel",
        "item_name": "税务注销", "promised": "10", "fallback_message": "请到综合窗口咨询。"})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    add_entry(alice, "materials", "qingshui_zhengming", "清税证明")
    picker = alice.get("/admin/bundles/qiye_zhuxiao/materials/new/").get_data(as_text=True)
    assert 'value="qingshui_zhengming"' in picker and "清税证明" in picker  # the material picker offers it
    # ... and in the new bundle's item form (department picker)
    item = alice.get("/admin/bundles/qiye_zhuxiao/items/0/").get_data(as_text=True)
    assert working_id(item) == number
    assert 'value="tax_cancel"' in item and "税务注销专班" in item
    schema_form = alice.get("/admin/bundles/qiye_zhuxiao/edit/").get_data(as_text=True)
    assert re.search(r'<option value="market_cancel"[^>]*>市场监管注销专班', schema_form)  # the form of every part too
    listed = alice.get("/admin/bundles/").get_data(as_text=True)  # the list shows the bundles as the request holds them
    assert re.search(r'qiye_zhuxiao/">企业注销登记一件事</a> <span class="badge badge-secondary in-change">', listed)
    page = alice.get("/admin/catalogues/delete/departments/tax_cancel/").get_data(as_text=True)
    assert "企业注销登记一件事" in page  # in use by the request's new bundle: named before deleting
    refused = alice.post("/admin/catalogues/delete/departments/tax_cancel/", data={"csrf_token": csrf_token(page)},
                         follow_redirects=True).get_data(as_text=True)
    assert "不能删除“税务注销专班”" in refused and "企业注销登记一件事" in refused  # by names, not ids
    overview = alice.get("/admin/bundles/qiye_zhuxiao/").get_data(as_text=True)
    assert 'class="alert alert-danger" role="alert" id="problems"' not in overview  # checked with the request's catalogues
    page = alice.get("/admin/regions/330106/source/").get_data(as_text=True)
    seen = page.split('name="seen" value="')[1].split('"')[0]
    text = git.read_file(site.workspace, "main", "regions/330106.yaml").decode("utf-8")
    alice.post("/admin/regions/330106/source/", data={"csrf_token": csrf_token(page), "seen": seen,
                                                       "text": text.replace("name:", "# 试点\nname:", 1)})
    retire = alice.get("/admin/bundles/restaurant/retire/").get_data(as_text=True)
    alice.post("/admin/bundles/restaurant/retire/", data={"csrf_token": csrf_token(retire),
                                                          "version": retire.split('name="version" value="')[1].split('"')[0]})
    assert [r.id for r in records(site).all()] == [number]  # no other request was opened
    assert changed_paths(site, number) == ["bundles/qiye_zhuxiao.yaml", "bundles/restaurant.yaml",
                                           "catalogues/departments.yaml", "catalogues/materials.yaml",
                                           "regions/330106.yaml"]
    assert records(site).get(number).title == "企业注销登记一件事"


def test_a_save_without_a_working_context_opens_one_with_a_title_and_keeps_it(site):
    alice = client_for(site, "alice")
    add_entry(alice, "departments", "tax_cancel", "税务注销专班")
    (first,) = records(site).all()
    assert first.title == "修改部门目录"
    status, _ = edit_item(alice, "2")
    assert status == 302
    assert [r.id for r in records(site).all()] == [first.id]  # the bundle edit followed it
    assert working_id(alice.get("/admin/regions/").get_data(as_text=True)) == first.id


def test_someone_elses_request_in_a_link_is_not_used_and_the_page_says_so(site):
    alice, bob_like = client_for(site, "alice"), client_for(site, "ada")
    theirs = start(bob_like, "ada 的修改")
    page = alice.get(f"/admin/catalogues/?change={theirs}").get_data(as_text=True)
    assert working_id(page) is None
    assert f"变更申请 #{theirs} 不是您的" in page and "ada 的修改" not in page  # not even its title
    status, body = edit_item(alice, "2", change=theirs)  # a save naming it is refused, nothing written
    assert status == 403 and "不是您的" in body
    assert git.ref(site.workspace, records(site).get(theirs).branch) is None  # nothing saved to it
    assert [r.author for r in records(site).all()] == ["ada"]


def test_a_forged_number_is_not_used(site):
    alice = client_for(site, "alice")
    mine = start(alice, "我的修改")
    page = alice.get("/admin/bundles/?change=987654").get_data(as_text=True)
    assert "变更申请 #987654 不是您的" in page and working_id(page) == mine  # the kept one stays
    page = alice.get("/admin/bundles/?change=1%20OR%201=1").get_data(as_text=True)
    assert "编号无效" in page and working_id(page) == mine
    # the switch form takes only the user's own open requests
    response = alice.post("/admin/changes/work/", data={"csrf_token": csrf_token(page), "to": "987654"})
    assert response.status_code == 409
    assert working_id(alice.get("/admin/").get_data(as_text=True)) == mine


def test_a_published_request_is_no_longer_used_and_the_page_says_so(site):
    alice, rita = client_for(site, "alice"), client_for(site, "rita")
    number = start(alice, "缩短时限")
    edit_item(alice, "2")
    act(alice, number, "submit")
    # submitting ends the piece of work: the next edit goes to a new request
    assert working_id(alice.get("/admin/").get_data(as_text=True)) is None
    # switching back to it explicitly, then it is published under the user's feet
    page = alice.get("/admin/").get_data(as_text=True)
    alice.post("/admin/changes/work/", data={"csrf_token": csrf_token(page), "to": str(number), "next": "/admin/"})
    assert working_id(alice.get("/admin/").get_data(as_text=True)) == number
    assert "已发布变更申请" in act(rita, number, "publish").get_data(as_text=True)
    page = alice.get("/admin/catalogues/").get_data(as_text=True)
    assert f"变更申请 #{number}“缩短时限”已发布" in page and working_id(page) is None
    assert f"#{number}" not in alice.get("/admin/catalogues/").get_data(as_text=True)  # said once, then forgotten
    status, _ = edit_item(alice, "1")
    assert status == 302
    assert records(site).all()[0].id != number  # a new request, not the published one


def test_a_request_withdrawn_by_a_reviewer_is_no_longer_used_and_the_page_says_so(site):
    alice, rita = client_for(site, "alice"), client_for(site, "rita")
    number = start(alice, "试点材料精简")
    edit_item(alice, "2")
    assert act(rita, number, "withdraw").status_code == 200
    page = alice.get("/admin/bundles/newborn/items/2/").get_data(as_text=True)
    assert f"变更申请 #{number}“试点材料精简”已撤回" in page and working_id(page) is None
    assert "您看到的是已发布的版本" in page  # and the form shows the published text again


def test_title_and_description_are_editable_by_the_author_until_publish(site):
    alice, rita = client_for(site, "alice"), client_for(site, "rita")
    number = start(alice, "临时标题")
    edit_item(alice, "2")
    body = act(alice, number, "edit", title="缩短出生登记时限", description="依据新规第三条").get_data(as_text=True)
    assert "已保存标题和说明" in body
    assert act(rita, number, "edit", title="别人的标题", description="").status_code == 403
    act(alice, number, "submit")
    page = rita.get(f"/admin/changes/{number}/").get_data(as_text=True)
    assert "缩短出生登记时限" in page and "依据新规第三条" in page  # the reviewer sees them
    act(rita, number, "publish")
    assert act(alice, number, "edit", title="改了", description="").status_code == 409
    assert records(site).get(number).title == "缩短出生登记时限"


def test_catalogue_and_region_saves_that_change_nothing_write_nothing(site):
    alice = client_for(site, "alice")
    main = git.ref(site.workspace, "main")
    page = alice.get("/admin/catalogues/edit/departments/police/").get_data(as_text=True)
    label = re.search(r'id="label"[^>]*value="([^"]*)"', page).group(1)
    body = alice.post("/admin/catalogues/edit/departments/police/", data={
        "csrf_token": csrf_token(page), "id": "police", "label": label}, follow_redirects=True).get_data(as_text=True)
    assert "没有改动，没有保存任何内容" in body
    page = alice.get("/admin/regions/330106/source/").get_data(as_text=True)
    seen = page.split('name="seen" value="')[1].split('"')[0]
    text = git.read_file(site.workspace, "main", "regions/330106.yaml").decode("utf-8")
    body = alice.post("/admin/regions/330106/source/", data={"csrf_token": csrf_token(page), "seen": seen, "text": text},
                      follow_redirects=True).get_data(as_text=True)
    assert "没有改动，没有保存任何内容" in body
    assert records(site).all() == [] and git.branches(site.workspace, "changes/") == {}
    assert git.ref(site.workspace, "main") == main


def test_a_database_from_before_the_working_context_is_upgraded_on_start(site, tmp_path):
    import sqlite3

    from configurator.web import create_app

    database = tmp_path / "admin.db"
    with sqlite3.connect(database) as connection:  # as an older version created it
        connection.execute("ALTER TABLE user_sessions DROP COLUMN working_change")
    app = create_app({"SECRET_KEY": "test-" + "k" * 40, "WORKSPACE": str(site.workspace),
                      "DATABASE_URL": f"sqlite:///{database}"})
    alice = app.test_client()
    login(alice, "alice")
    number = start(alice, "升级之后")
    assert working_id(alice.get("/admin/catalogues/").get_data(as_text=True)) == number
