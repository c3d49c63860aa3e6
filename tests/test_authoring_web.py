"""Every save says what happened — one test per case — and deleting asks first, naming what uses the thing."""

import html
import re
from html.parser import HTMLParser

import pytest
import yaml
from werkzeug.datastructures import MultiDict

from configurator.workspace import git
from tests.helpers import ROOT
from tests.web_helpers import csrf_token, login, make_site


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path)


@pytest.fixture
def client(site):
    client = site.app.test_client()
    login(client, "alice")
    return client


class FormValues(HTMLParser):
    """What a browser would submit from the form with the given id, unchanged."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.select, self.values = form_id, False, None, []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.append((attrs["name"], attrs.get("value", "on")))
            else:
                self.values.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and "selected" in attrs:
            self.values.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.values.append((self.textarea, ""))

    def handle_data(self, data):
        if self.textarea:
            self.values[-1] = (self.textarea, self.values[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_of(page, form_id="node-form"):
    parser = FormValues(form_id)
    parser.feed(page)
    return MultiDict(parser.values)


def submit(client, url, changes, form_id="node-form"):
    data = form_of(client.get(url).get_data(as_text=True), form_id)
    for key, value in changes.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return client.post(url, data=data, follow_redirects=True)


def flashes(response):
    body = response.get_data(as_text=True)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).replace("×", "").strip()
            for m in re.findall(r'<div class="alert alert-(?:success|info|warning) flash"[^>]*>(.*?)</div>', body, re.S)]


ITEM = "/admin/bundles/restaurant/edit/items/1"


def test_a_save_says_which_change_request_it_went_to(tmp_path):
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    login(client, "alice")
    published = site.bundle_file("restaurant").read_bytes()
    response = submit(client, ITEM, {"time_limit.promised": "8"})
    said = flashes(response)
    assert len(said) == 1 and said[0].startswith("已保存：“食品经营许可新办”。新建了变更申请 #1")
    assert "#1 修改“开办餐饮店一件事”" in said[0]  # the request is titled by the bundle's name, not its id
    assert "没有保存" not in response.get_data(as_text=True)  # never both
    assert site.bundle_file("restaurant").read_bytes() == published  # published only after review
    again = submit(client, ITEM + "?change=1", {"time_limit.promised": "7"})
    assert flashes(again)[0].startswith("已保存：“食品经营许可新办”。已保存到变更申请 #1")


def test_the_whole_bundle_form_saves_though_the_bundle_has_a_version_key(site, client):
    """The page's hidden version token and the bundle's own version field once had one name: this
    form could never be saved (the token was read as the bundle's version, and refused)."""
    page = client.get("/admin/bundles/restaurant/edit/").get_data(as_text=True)
    fields = form_of(page)
    assert fields.getlist("version") == ["1"]  # the bundle's version, and only that
    response = submit(client, "/admin/bundles/restaurant/edit/", {"version": "2"})
    assert flashes(response)[0].startswith("已保存"), response.get_data(as_text=True)[-3000:]
    assert "\nversion: 2\n" in site.bundle_file("restaurant").read_text(encoding="utf-8")


def test_a_save_without_a_git_workspace_writes_the_file_and_says_so(site, client):
    response = submit(client, ITEM, {"time_limit.promised": "8"})
    assert flashes(response) == ["已保存：“食品经营许可新办”。"]
    assert "time_limit: {promised: 8, statutory: 20}  # [I]" in site.bundle_file("restaurant").read_text(encoding="utf-8")


def test_a_save_without_changes_says_nothing_changed(site, client):
    before = site.bundle_file("restaurant").read_bytes()
    response = submit(client, ITEM, {})
    assert flashes(response) == ["没有改动，没有保存任何内容。"]
    assert site.bundle_file("restaurant").read_bytes() == before
    assert "已保存" not in response.get_data(as_text=True)


def test_a_save_with_errors_counts_them_saves_nothing_and_keeps_what_was_typed(site, client):
    before = site.bundle_file("restaurant").read_bytes()
    response = submit(client, ITEM, {"time_limit.promised": "三", "visits": "two", "name.zh-CN": "食品经营许可（新）"})
    body = response.get_data(as_text=True)
    assert "有 2 个错误需要改正，没有保存任何内容" in body
    assert 'value="三"' in body and 'value="two"' in body and 'value="食品经营许可（新）"' in body
    assert body.count('class="field-errors"') == 2
    assert site.bundle_file("restaurant").read_bytes() == before
    assert "已保存" not in body


def test_a_save_with_check_errors_names_them_beside_the_field_and_saves_nothing(site, client):
    before = site.bundle_file("restaurant").read_bytes()
    response = submit(client, ITEM, {"when": "floor_area_sqm = 3", "time_limit.statutory": "20"})
    body = response.get_data(as_text=True)
    assert re.search(r'data-field="when">[^<]*==', body)  # the condition's problem sits beside it
    assert 'value="floor_area_sqm = 3"' in body
    assert site.bundle_file("restaurant").read_bytes() == before


def test_a_save_with_warnings_says_saved_and_counts_the_warnings(site, client):
    # a condition that always holds is a warning (W406): saved, and said so
    response = submit(client, ITEM, {"when": "sells_tobacco or not sells_tobacco"})
    said = flashes(response)
    assert len(said) == 1 and said[0].startswith("已保存：“食品经营许可新办”。有 1 个提醒")
    assert "sells_tobacco or not sells_tobacco" in site.bundle_file("restaurant").read_text(encoding="utf-8")
    assert "没有保存" not in response.get_data(as_text=True)


def test_english_mode_says_it_in_english(site, client):
    page = client.get("/admin/bundles/").get_data(as_text=True)
    client.post("/lang/en", data={"csrf_token": csrf_token(page), "next": "/admin/bundles/"})
    response = submit(client, ITEM, {"time_limit.promised": "9"})
    assert flashes(response) == ["Saved: “食品经营许可新办”."]


def test_deleting_asks_first_and_lists_what_uses_the_thing(site, client):
    page = client.get("/admin/bundles/restaurant/delete/materials/0").get_data(as_text=True)
    assert "此材料被 5 处使用" in page and "营业执照信息核验" in page
    before = site.bundle_file("restaurant").read_bytes()
    assert site.bundle_file("restaurant").read_bytes() == before  # asking changed nothing
    response = client.post("/admin/bundles/restaurant/delete/materials/0",
                           data=form_of(page, "delete-form"), follow_redirects=True)
    text = site.bundle_file("restaurant").read_text(encoding="utf-8")
    assert "  - id: business_licence\n" not in text and "business_licence," not in text
    assert flashes(response) == ["已保存：删除材料“营业执照”。"]


def test_deleting_a_situation_a_condition_uses_is_refused_with_the_reason(site, client):
    page = client.get("/admin/bundles/restaurant/delete/situations/5").get_data(as_text=True)
    assert "premises_ownership ==" in page
    before = site.bundle_file("restaurant").read_bytes()
    response = client.post("/admin/bundles/restaurant/delete/situations/5", data=form_of(page, "delete-form"))
    body = response.get_data(as_text=True)
    assert "有 2 个错误需要改正，没有保存任何内容" in body and "premises_ownership" in body
    assert site.bundle_file("restaurant").read_bytes() == before


def test_moving_an_entry_moves_its_lines(site, client):
    page = client.get("/admin/bundles/restaurant/edit/").get_data(as_text=True)
    version = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    client.post("/admin/bundles/restaurant/move/situations/2", data={"csrf_token": csrf_token(page), "seen": version,
                                                                     "step": "up"})
    text = site.bundle_file("restaurant").read_text(encoding="utf-8")
    assert text.index("id: floor_area_sqm") < text.index("id: has_business_licence")


def test_creating_with_mistakes_keeps_everything_typed(site, client):
    response = submit(client, "/admin/bundles/new/", {"name": "企业开办一件事", "bundle_id": "Bad Id", "item_name": "",
                                                     "lead_department": "market_regulation"}, "new-bundle-form")
    body = response.get_data(as_text=True)
    assert "有 3 个错误需要改正" in body  # the id, the first item's name, its department not chosen
    assert 'value="企业开办一件事"' in body and 'value="Bad Id"' in body
    assert not site.bundle_file("bad_id").exists()


def test_the_condition_check_answers_in_words(site, client):
    said = client.get("/admin/bundles/restaurant/condition-check/?what=items&text=sells_tobacco").get_json()
    assert said == {"ok": True, "problems": [], "sentence": "「是否销售卷烟、雪茄烟？」答“是”", "builder": {
        "kind": "group", "op": "and", "negate": False,
        "children": [{"kind": "row", "sit": "sells_tobacco", "op": "yes", "value": "", "values": []}]}}
    bad = client.get("/admin/bundles/restaurant/condition-check/?text=born_in_wedlock").get_json()
    assert not bad["ok"] and "born_in_wedlock" in bad["problems"][0]  # another bundle's situation is unknown here
    assert bad["builder"] is None  # the builder does not show what does not check


def test_a_new_bundle_in_a_git_workspace_is_a_change_request_and_edits_follow_it(tmp_path):
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    login(client, "alice")
    response = submit(client, "/admin/bundles/new/", {"name": "企业开办一件事", "lead_department": "market_regulation",
                                                     "item_department": "police", "item_name": "印章刻制"}, "new-bundle-form")
    said = flashes(response)
    assert said[0].startswith("已保存：新建一件事“企业开办一件事”。新建了变更申请 #1")
    assert not site.bundle_file("qiyekaiban").exists()  # nothing published before review
    response = submit(client, "/admin/bundles/qiyekaiban/add/situations?change=1",
                      {"label.zh-CN": "是否招用员工？", "id": "hires_staff", "type": "boolean"})
    assert flashes(response)[0].startswith("已保存：情形问题“是否招用员工？”。已保存到变更申请 #1")
    page = client.get("/admin/bundles/qiyekaiban/edit/?change=1").get_data(as_text=True)
    assert "是否招用员工？" in page and "印章刻制" in page
    # The reviewer sees exactly what would be published: the new bundle's preview at the request's head
    # (it is in no version of the reviewer's own), and no "published preview" of what was never published.
    reviewer = site.app.test_client()
    login(reviewer, "rita")
    review = reviewer.get("/admin/changes/1/").get_data(as_text=True)
    assert "已发布的预览" not in review and "新的一件事，还没有发布" in review
    head = re.search(r'data-head="([0-9a-f]{40})"', review).group(1)
    preview = reviewer.get(f"/admin/bundles/qiyekaiban/preview/?ref={head}")
    assert preview.status_code == 200 and "form-preview" in preview.get_data(as_text=True)
    assert reviewer.get(f"/admin/bundles/qiyekaiban/preview/parts/?ref={head}").status_code == 200


def test_deleting_a_catalogue_entry_asks_first_and_names_the_bundles_using_it(site, client):
    page = client.get("/admin/catalogues/delete/materials/resident_id_card/").get_data(as_text=True)
    assert "个一件事使用，不能删除" in page and "新生儿出生一件事" in page and 'id="delete-form"' not in page
    unused = client.get("/admin/catalogues/delete/fields/email/").get_data(as_text=True)
    assert "没有一件事使用它" in unused and 'id="delete-form"' in unused
    assert "email" in (site.workspace / "catalogues" / "fields.yaml").read_text(encoding="utf-8")  # asking changed nothing


def test_retiring_a_bundle_is_a_change_request(tmp_path):
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/bundles/restaurant/retire/").get_data(as_text=True)
    assert "停用会新建" in page
    response = client.post("/admin/bundles/restaurant/retire/", data=form_of(page, "retire-form"), follow_redirects=True)
    assert flashes(response)[0].startswith("已保存：停用一件事“开办餐饮店一件事”。新建了变更申请 #1")
    assert site.bundle_file("restaurant").exists()  # still published until a reviewer publishes the change


def test_errors_beside_their_fields_are_counted_at_the_top_and_nothing_is_saved(site, client):
    """A wrong condition was shown only beside its field, far down the page: no banner said that
    nothing had been saved."""
    before = site.bundle_file("newborn").read_bytes()
    response = submit(client, "/admin/bundles/newborn/edit/items/5", {"when": "enrol_health_insurance and 母亲参保 == 是"})
    body = response.get_data(as_text=True)
    banner = re.search(r'<div class="alert alert-danger" role="alert" id="problems">\s*<strong>(.*?)</strong>', body)
    assert banner and banner.group(1).startswith("有 2 个错误需要改正，没有保存任何内容"), body[:3000]
    assert body.index('id="problems"') < body.index("条件中的“母亲参保”不是本一件事的情形")
    assert body.count("个错误需要改正") == 1  # one banner, not one per kind of error
    assert site.bundle_file("newborn").read_bytes() == before


def test_an_add_page_is_headed_by_what_it_adds(site, client):
    for where, kind in (("situations", "情形问题"), ("items/0/special_stages", "特殊环节"), ("materials", "材料")):
        body = client.get(f"/admin/bundles/newborn/add/{where}").get_data(as_text=True)
        heading = re.sub(r"<[^>]+>", "", re.search(r"<h1.*?</h1>", body, re.S).group(0))
        assert heading.startswith(f"添加{kind}") and "None" not in body.split("<form")[0]


def test_two_tabs_on_one_entry_merge_what_each_changed_and_a_clash_never_reverts_the_other(tmp_path):
    """Tab B was opened before tab A saved. B's save carries only what B changed: A's change stays.
    Where both changed one field, B is told which, and B's form now holds A's other values, so
    saving it again cannot put back what A replaced (it did: a new official lost A's change so)."""
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    login(client, "alice")
    assert "新建了变更申请 #1" in flashes(submit(client, ITEM, {"visits": "3"}))[0]
    url = ITEM + "?change=1"
    tab_b = form_of(client.get(url).get_data(as_text=True))
    assert flashes(submit(client, url, {"steps": "7"}))[0].startswith("已保存")  # tab A
    tab_b.setlist("time_limit.promised", ["9"])
    merged = client.post(url, data=tab_b, follow_redirects=True)
    assert flashes(merged)[0].startswith("已保存"), merged.get_data(as_text=True)[-2000:]
    head = git.ref(site.workspace, "changes/1")
    text = git.read_file(site.workspace, head, "bundles/restaurant.yaml").decode("utf-8")
    item = yaml.safe_load(text)["items"][1]
    assert item["steps"] == 7 and item["time_limit"]["promised"] == 9 and item["visits"] == 3  # both kept

    tab_b = form_of(client.get(url).get_data(as_text=True))
    submit(client, url, {"steps": "2", "visits": "1"})  # tab A again
    tab_b.setlist("steps", ["5"])
    clash = client.post(url, data=tab_b, follow_redirects=True).get_data(as_text=True)
    assert 'id="clashes"' in clash and "环节" in clash.split('id="clashes"')[1].split("</div>")[0]
    again = form_of(clash)
    assert again.get("steps") == "5" and again.get("visits") == "1"  # B's own value; A's other change shown
    assert flashes(client.post(url, data=again, follow_redirects=True))[0].startswith("已保存")
    item = yaml.safe_load(git.read_file(site.workspace, git.ref(site.workspace, "changes/1"),
                                        "bundles/restaurant.yaml").decode("utf-8"))["items"][1]
    assert item["steps"] == 5 and item["visits"] == 1  # B chose steps; A's visits not put back


def test_a_choice_question_is_made_with_its_options_in_one_form(site, client):
    """A single-choice question needs two options, which were only editable after it existed: its
    add form sent the official to the YAML source."""
    url = "/admin/bundles/restaurant/add/situations"
    bad = submit(client, url, {"label.zh-CN": "房屋来源？", "id": "house_source", "type": "choice",
                               "options.lines": "自有\nRent=租用"}).get_data(as_text=True)
    assert "只能用小写字母开头" in bad and "Rent=租用" in bad  # told beside the box; what was typed is kept
    response = submit(client, url, {"label.zh-CN": "房屋来源？", "id": "house_source", "type": "choice",
                                    "options.lines": "自有\n\nrent=租用\n"})
    assert flashes(response)[0].startswith("已保存"), response.get_data(as_text=True)[-2000:]
    data = yaml.safe_load(site.bundle_file("restaurant").read_text(encoding="utf-8"))
    added = next(s for s in data["situations"] if s["id"] == "house_source")
    assert added["options"] == [{"value": "ziyou", "label": "自有"}, {"value": "rent", "label": "租用"}]


def test_a_stale_form_never_merges_into_another_entry_that_now_stands_at_its_place(tmp_path):
    """Someone added an item before the one being edited: the stale form's place names another item
    now. It must not be merged into that one: the save is refused as a conflict."""
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    login(client, "alice")
    submit(client, ITEM, {"visits": "3"})
    url = "/admin/bundles/restaurant/edit/items/0?change=1"
    stale = form_of(client.get(url).get_data(as_text=True))
    first_id = stale.get("id")
    moved = client.get("/admin/bundles/restaurant/edit/?change=1").get_data(as_text=True)
    seen = re.search(r'name="seen" value="([^"]+)"', moved).group(1)
    client.post("/admin/bundles/restaurant/move/items/1?change=1", data={"csrf_token": csrf_token(moved), "seen": seen,
                                                                         "step": "up"}, follow_redirects=True)
    stale.setlist("fee", ["9"])  # both items charge 0: without the id the two entries would look mergeable
    answer = client.post(url, data=stale, follow_redirects=True).get_data(as_text=True)
    assert 'id="conflict"' in answer and "已保存" not in answer
    items = yaml.safe_load(git.read_file(site.workspace, git.ref(site.workspace, "changes/1"),
                                         "bundles/restaurant.yaml").decode("utf-8"))["items"]
    assert items[1]["id"] == first_id and all(item.get("fee") != 9 for item in items)


def _added_item(site, client, promised):
    """A new item with the default "同时添加…办理环节" ticked; (its index, the added step)."""
    response = submit(client, "/admin/bundles/restaurant/add/items",
                      {"id": "tax_cancel", "name.zh-CN": "税务注销", "department": "market_regulation",
                       "time_limit.promised": promised, "time_limit.statutory": "20", "visits": "0", "steps": "1"})
    assert flashes(response)[0].startswith("已保存"), response.get_data(as_text=True)[-3000:]
    data = yaml.safe_load(site.bundle_file("restaurant").read_text(encoding="utf-8"))
    index = next(i for i, item in enumerate(data["items"]) if item["id"] == "tax_cancel")
    [step] = [s for s in data["steps"] if s.get("items") == ["tax_cancel"]]
    return index, step


def test_the_step_added_with_an_item_follows_its_promise_when_the_item_is_raised(site, client):
    """Issue 24: the step added by default was 1 day long; raising the item to 2 days was refused
    with E512 about a step the official never saw."""
    index, step = _added_item(site, client, "1")
    assert step["time_limit"] == 1
    response = submit(client, f"/admin/bundles/restaurant/edit/items/{index}", {"time_limit.promised": "2"})
    said = flashes(response)
    assert said and said[0].startswith("已保存") and "环节“办理税务注销”的时限随之改为 2 个工作日" in said[0], \
        response.get_data(as_text=True)[-3000:]
    data = yaml.safe_load(site.bundle_file("restaurant").read_text(encoding="utf-8"))
    assert data["items"][index]["time_limit"]["promised"] == 2
    assert next(s for s in data["steps"] if s["id"] == step["id"])["time_limit"] == 2
    # the item form of the items page keeps it in step too
    page = client.get(f"/admin/bundles/restaurant/items/{index}/").get_data(as_text=True)
    response = submit(client, f"/admin/bundles/restaurant/items/{index}/", {"promised": "10"}, form_id="item-form")
    assert "E512" not in response.get_data(as_text=True) and flashes(response)[0].startswith("已保存"), page[-500:]
    data = yaml.safe_load(site.bundle_file("restaurant").read_text(encoding="utf-8"))
    assert next(s for s in data["steps"] if s["id"] == step["id"])["time_limit"] == 10


def test_the_step_added_with_a_case_dependent_item_is_as_long_as_its_longest_promise(site, client):
    response = submit(client, "/admin/bundles/restaurant/add/items",
                      {"id": "tax_cancel", "name.zh-CN": "税务注销", "department": "market_regulation",
                       "time_limit.promised": "3", "time_limit.promised.cases.0.when": "has_business_licence",
                       "time_limit.promised.cases.0.value": "10", "time_limit.statutory": "20", "visits": "0",
                       "steps": "1"})
    body = response.get_data(as_text=True)
    assert "E512" not in body and flashes(response)[0].startswith("已保存"), body[-3000:]
    data = yaml.safe_load(site.bundle_file("restaurant").read_text(encoding="utf-8"))
    [step] = [s for s in data["steps"] if s.get("items") == ["tax_cancel"]]
    assert step["time_limit"] == 10


def test_errors_are_listed_before_warnings(site, client):
    """Issue 24: the one error that blocked the save was listed after the warnings."""
    url = "/admin/bundles/restaurant/source/"
    page = client.get(url).get_data(as_text=True)
    text = site.bundle_file("restaurant").read_text(encoding="utf-8")
    text = text.replace("    items: [outdoor_signboard]\n", "    items: []\n")  # a warning early in the file (W507)
    text = text.replace("    time_limit: 3\n    items: [staff_health_certificates]",
                        "    time_limit: 0\n    items: [staff_health_certificates]")  # an error late in it (E512)
    data = form_of(page, "source-form")
    data.setlist("text", [text])
    body = client.post(url, data=data).get_data(as_text=True)
    listed = re.findall(r'<li class="problem[^"]*"[^>]*>.*?<code>(\w+)</code>', body, re.S)
    assert listed == ["E512", "W507"], listed


def test_the_new_bundle_page_offers_every_shipped_bundle_as_a_starting_point(tmp_path):
    """Issue 28: a province starts from any bundle of the national library, the newest included."""
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/bundles/new/?mode=copy").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="copy_from".*?</select>', page, re.S).group(0)
    offered = set(re.findall(r'<option value="([^"]+)"', select))
    shipped = {p.stem for p in (ROOT / "bundles").glob("*.yaml")}
    assert {"employee_hiring", "utilities", "newborn"} <= shipped
    assert offered == shipped
