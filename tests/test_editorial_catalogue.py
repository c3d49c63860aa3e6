"""Issue 24, what was left: catalogue pages, pickers and ids in the official's words. Each test reads
the page as the official sees it: names, not pinyin ids; a problem beside the field it concerns, with
the field's label and the fix; an id the official never typed, generated and valid."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from configurator.language.check import check_catalogues
from tests.review_helpers import act, change_of, edit_item
from tests.web_helpers import csrf_token, login, make_site

ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")  # the catalogue and bundle schemas' id pattern


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path)


@pytest.fixture
def client(site):
    client = site.app.test_client()
    login(client, "alice")
    return client


def post(client, url, data):
    """Post ``data`` as the page's form would, with its hidden fields (the version it showed)."""
    page = client.get(url).get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return client.post(url, data={**hidden, "csrf_token": csrf_token(page), **data})


def options(html: str, select_id: str) -> list[str]:
    found = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, select_id
    return [re.sub(r"<[^>]+>", "", o).strip() for o in re.findall(r"<option[^>]*>.*?</option>", found.group(1), re.S)]


def advanced(html: str) -> str:
    found = re.search(r"<details class=\"advanced[^\"]*\"\s*(open)?\s*><summary>高级</summary>(.*?)</details>", html, re.S)
    assert found, "no 高级 toggle"
    return found.group(0).replace(found.group(0).split(">")[0], "<details" + (" open" if found.group(1) else ""), 1)


def test_a_new_catalogue_entry_needs_only_its_name_and_gets_a_valid_unique_id(site, client):
    page = client.get("/admin/catalogues/new/departments/").get_data(as_text=True)
    toggle = advanced(page)
    assert " open>" not in toggle and 'name="id"' in toggle  # the id waits under a closed 高级
    for _ in range(2):  # the second 统计局 gets an id of its own
        response = post(client, "/admin/catalogues/new/departments/", {"label": "统计局"})
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    data = yaml.safe_load((site.workspace / "catalogues/departments.yaml").read_text(encoding="utf-8"))
    added = [d["id"] for d in data["departments"] if d["name"] == "统计局"]
    assert len(added) == 2 and len(set(added)) == 2 and all(ID.match(i) for i in added), added
    files = [(p.name, p.read_bytes()) for p in (site.workspace / "catalogues").glob("*.yaml")]
    assert not [d for d in check_catalogues(files).diagnostics if d.severity == "error"]
    listing = client.get("/admin/catalogues/").get_data(as_text=True)
    table = listing.split('id="catalogue-departments"')[1].split("</table>")[0]
    assert "统计局" in table and not any(f">{i}<" in table for i in added)  # named, no bare id


def test_a_duplicate_id_is_shown_beside_the_id_field_with_the_toggle_open_and_nothing_is_saved(site, client):
    before = (site.workspace / "catalogues/departments.yaml").read_bytes()
    body = post(client, "/admin/catalogues/new/departments/", {"label": "另一个公安局", "id": "police"}).get_data(as_text=True)
    assert (site.workspace / "catalogues/departments.yaml").read_bytes() == before
    top = body.split('id="problems"')[1].split("</div>")[0]
    assert "没有保存任何内容" in top and '<a href="#id" class="problem-field alert-link">标识（id）</a>' in top
    assert re.search(r"<details class=\"problem-detail\"><summary>详情</summary>错误代码 <code>E307</code>", top)
    assert " open>" in advanced(body)  # the field the problem is beside is not hidden
    beside = re.search(r'<div class="field-errors" data-severity="error" data-field="id">(.*?)</div>', body, re.S)
    assert beside and "重复" in beside.group(1) and "E307" not in beside.group(1) and "第 135 行" not in beside.group(1)
    assert 'value="另一个公安局"' in body  # what was typed is still there


def test_a_missing_name_is_shown_beside_the_name_field(site, client):
    body = post(client, "/admin/catalogues/new/materials/", {"label": ""}).get_data(as_text=True)
    assert '<a href="#label" class="problem-field alert-link">名称</a>' in body
    assert 'data-field="label"' in body and 'id="label" name="label"' in body and "is-invalid" in body


def test_an_entry_with_a_problem_shows_it_beside_its_field_when_reopened(site, client):
    """A problem the file already has is shown on the entry's page when it opens, not only after a save."""
    path = site.workspace / "catalogues/departments.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - id: police\n    name: 重复的公安局\n", encoding="utf-8")
    body = client.get("/admin/catalogues/edit/departments/police/").get_data(as_text=True)
    assert 'id="problems"' in body and "E307" in body.split('id="problems"')[1].split("</div>")[0]


def test_renaming_an_id_in_use_is_refused_beside_the_id_naming_the_bundles(site, client):
    body = post(client, "/admin/catalogues/edit/departments/police/",
                {"id": "public_security", "label": "公安局"}).get_data(as_text=True)
    beside = re.search(r'data-field="id">(.*?)</div>', body, re.S)
    assert beside and "新生儿出生一件事" in beside.group(1) and "newborn" not in beside.group(1)
    assert " open>" in advanced(body)


def test_the_delete_page_names_the_entry_and_the_bundles_not_their_ids(client):
    page = client.get("/admin/catalogues/delete/materials/resident_id_card/").get_data(as_text=True)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "居民身份证" in heading and "resident_id_card" not in heading


def test_pickers_show_names_only(client):
    item = client.get("/admin/bundles/newborn/items/2/").get_data(as_text=True)
    departments = options(item, "department")
    assert "公安局" in departments and not any("（" in d and "）" in d and re.search(r"[a-z_]{3,}", d) for d in departments)
    material = client.get("/admin/bundles/newborn/materials/new/").get_data(as_text=True)
    for select in ("material", "shared_from", "produced_by"):
        assert not [o for o in options(material, select) if re.search(r"[a-z]{3,}_|（[a-z_]+）", o)], select
    node = client.get("/admin/bundles/newborn/add/items").get_data(as_text=True)
    shown = [o for o in options(node, "f-department") if o != "（不填）"]
    assert "公安局" in shown and not [o for o in shown if "（" in o]


def test_two_equal_names_are_told_apart_in_a_picker(site, client):
    post(client, "/admin/catalogues/new/departments/", {"label": "公安局", "id": "police_county"})
    shown = options(client.get("/admin/bundles/newborn/items/2/").get_data(as_text=True), "department")
    assert "公安局（police）" in shown and "公安局（police_county）" in shown
    assert "卫生健康委员会" in shown  # the others keep their bare names


@pytest.mark.parametrize("where, source", [("situations", "f-label-zh-CN"), ("items", "f-name-zh-CN"),
                                           ("steps", "f-name-zh-CN"), ("fields", "f-label-zh-CN")])
def test_add_pages_keep_the_id_under_a_closed_advanced_toggle(client, where, source):
    page = client.get(f"/admin/bundles/newborn/add/{where}").get_data(as_text=True)
    toggle = advanced(page)
    assert " open>" not in toggle and 'id="f-id"' in toggle and f'id="{source}"' not in toggle
    assert re.search(r'id="f-id"[^>]*data-taken="\[', page)  # the suggestion avoids the ids taken


def test_a_new_option_gets_its_value_from_its_words(site, client):
    path = site.bundle_file("newborn")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    index = next(i for i, s in enumerate(data["situations"]) if s.get("options"))
    page = client.get(f"/admin/bundles/newborn/add/situations/{index}/options").get_data(as_text=True)
    assert " open>" not in advanced(page) and 'id="f-value"' in advanced(page)
    response = post(client, f"/admin/bundles/newborn/add/situations/{index}/options", {"label.zh-CN": "其他情况"})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    added = yaml.safe_load(path.read_text(encoding="utf-8"))["situations"][index]["options"][-1]
    assert added["label"] in ("其他情况", {"zh-CN": "其他情况"}) and ID.match(added["value"])


def test_the_material_page_names_the_material_and_hides_the_id(client):
    page = client.get("/admin/bundles/newborn/materials/0/").get_data(as_text=True)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "<code>" not in heading and "编辑材料" in heading
    new = client.get("/admin/bundles/newborn/materials/new/").get_data(as_text=True)
    assert 'id="id"' in advanced(new) and " open>" not in advanced(new)


def test_the_new_bundle_page_generates_the_id(site, client):
    page = client.get("/admin/bundles/new/").get_data(as_text=True)
    assert 'id="bundle_id"' in advanced(page) and " open>" not in advanced(page)


def test_history_restore_and_review_name_things_by_their_names(tmp_path):
    site = make_site(tmp_path, git=True)
    alice, rita = site.app.test_client(), site.app.test_client()
    login(alice, "alice")
    login(rita, "rita")
    number = change_of(edit_item(alice, "2")[1])
    review = alice.get(f"/admin/changes/{number}/").get_data(as_text=True)
    header = review.split('class="card-header">')[1].split("</div>")[0]
    assert header.startswith("新生儿出生一件事") and "<code>newborn</code>" not in header
    act(alice, number, "submit")
    act(rita, number, "publish")
    log = subprocess.run(["git", "log", "--format=%B", "main"], cwd=site.workspace, capture_output=True, text=True,
                         check=True).stdout
    assert "一件事“新生儿出生一件事”: 事项“出生登记（户口）” — 承诺时限 3 个工作日 → 2 个工作日" in log
    assert "newborn:" not in log
    history = alice.get("/admin/bundles/newborn/history/").get_data(as_text=True)
    assert "新生儿出生一件事" in re.search(r"<h1[^>]*>(.*?)</h1>", history, re.S).group(1)
    first = re.findall(r'name="commit" value="([0-9a-f]{40})"', history)[0]
    alice.post("/admin/bundles/newborn/history/", data={"csrf_token": csrf_token(history), "commit": first})
    branches = subprocess.run(["git", "log", "--format=%B", "--branches=changes/*", "^main"], cwd=site.workspace,
                              capture_output=True, text=True, check=True).stdout
    assert re.search(r"恢复一件事“新生儿出生一件事”到 \d{4}-\d\d-\d\d \d\d:\d\d 发布的版本", branches), branches
    assert "承诺时限 2 个工作日 → 3 个工作日" in branches and not re.search(r"[0-9a-f]{10}", branches.split("\n")[0])


def test_a_new_field_offers_its_type_in_words_and_saves_the_type_chosen(site, client):
    page = client.get("/admin/catalogues/new/fields/").get_data(as_text=True)
    offered = options(page, "type")
    assert "公民身份号码" in offered and "手机号" in offered and "多行文本" in offered
    assert not {"id_number", "mobile", "textarea", "postal_code"} & set(offered)  # no schema keys shown
    listing = client.get("/admin/catalogues/").get_data(as_text=True)
    assert '<option value="uscc">统一社会信用代码</option>' in listing.split('id="new-fields"')[1].split("</form>")[0]
    response = post(client, "/admin/catalogues/new/fields/", {"label": "紧急联系人手机", "type": "mobile"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    data = yaml.safe_load((site.workspace / "catalogues/fields.yaml").read_text(encoding="utf-8"))
    assert [f["type"] for f in data["fields"] if f["label"] == "紧急联系人手机"] == ["mobile"]


def test_the_bundle_list_names_each_bundle_without_its_file_id(client):
    listing = client.get("/admin/bundles/").get_data(as_text=True)
    table = listing.split('id="bundle-list"')[1].split("</table>")[0]
    assert "新生儿出生一件事" in table and "<th>id</th>" not in table
    assert not re.search(r">\s*newborn\s*<", table)  # the id only in the link's address
