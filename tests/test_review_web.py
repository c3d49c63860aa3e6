"""Change requests in the admin (git workspace): the review loop, history, catalogues, hostile refs."""

import re
import subprocess

import pytest

from configurator.workspace import git
from tests.review_helpers import act, change_of, edit_item
from tests.web_helpers import csrf_token, login, make_site


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path, git=True)


def clients(site, *names):
    found = []
    for name in names:
        client = site.app.test_client()
        login(client, name)
        found.append(client)
    return found


def published_text(site, path="bundles/newborn.yaml"):
    return git.read_file(site.workspace, "main", path).decode("utf-8")


def test_every_save_says_which_change_request_it_went_to(site):
    (alice,) = clients(site, "alice")
    status, location = edit_item(alice, "2")
    assert status == 302
    page = alice.get(location).get_data(as_text=True)
    number = change_of(location)
    assert "新建了变更申请" in page and f"#{number}" in page and "草稿" in page
    status, location = edit_item(alice, "1")
    page = alice.get(location).get_data(as_text=True)
    assert "已保存到变更申请" in page and change_of(location) == number  # the open one is reused
    assert "promised: 3, statutory: 20" in published_text(site)  # nothing published


def test_the_review_loop_send_back_resubmit_publish_four_eyes_and_history(site):
    alice, rita, ada, victor = clients(site, "alice", "rita", "ada", "victor")
    _, location = edit_item(alice, "2", message="按新规缩短出生登记时限")
    number = change_of(location)
    assert "只有“待审核”的变更申请可以发布" in act(rita, number, "publish").get_data(as_text=True)
    assert "已提交审核" in act(alice, number, "submit").get_data(as_text=True)
    page = rita.get(f"/admin/changes/{number}/").get_data(as_text=True)
    assert "承诺时限 3 个工作日 → 2 个工作日" in page and 'id="publish"' in page
    body = act(rita, number, "send-back", comment="请写明依据").get_data(as_text=True)
    assert "请写明依据" in body and 'id="publish"' not in body
    act(alice, number, "comment", comment="依据是新规第三条")
    act(alice, number, "submit")
    # rita resolves nothing and wrote nothing: she may publish; alice may not
    assert 'id="publish"' not in alice.get(f"/admin/changes/{number}/").get_data(as_text=True)
    body = act(rita, number, "publish").get_data(as_text=True)
    assert "已发布变更申请" in body and "newborn 版本 2" in body
    text = published_text(site)
    assert "promised: 2, statutory: 20" in text and "version: 2" in text
    history = ada.get("/admin/bundles/newborn/history/").get_data(as_text=True)
    assert re.search(r'class="authors">alice<', history) and re.search(r'class="reviewers">rita<', history)
    assert victor.get(f"/admin/changes/{number}/").status_code == 403  # viewers: published history only
    assert site.app.test_client().get("/api/bundles/newborn").headers["X-Bundle-Version"] == "2"


def test_a_reviewer_who_took_part_cannot_publish(site):
    (rita,) = clients(site, "rita")
    _, location = edit_item(rita, "2")
    number = change_of(location)
    act(rita, number, "submit")
    page = rita.get(f"/admin/changes/{number}/").get_data(as_text=True)
    assert "不能自己发布" in page and 'id="publish"' not in page
    assert "不能发布自己参与修改" in act(rita, number, "publish").get_data(as_text=True)
    assert "promised: 3, statutory: 20" in published_text(site)


def test_a_revert_from_history_is_a_change_request(site):
    alice, bob_like, rita = clients(site, "alice", "ada", "rita")
    _, location = edit_item(alice, "2")
    number = change_of(location)
    act(alice, number, "submit")
    act(rita, number, "publish")
    body = alice.get("/admin/bundles/newborn/history/").get_data(as_text=True)
    commits = re.findall(r"commit=([0-9a-f]{40})", body)
    assert len(commits) == 2
    compare = alice.get(f"/admin/bundles/newborn/history/?commit={commits[-1]}").get_data(as_text=True)
    assert "一件事“新生儿出生一件事”: 事项“出生登记（户口）” — 承诺时限 3 个工作日 → 2 个工作日" in compare  # in words
    response = alice.post("/admin/bundles/newborn/history/", data={"csrf_token": csrf_token(compare), "commit": commits[-1]},
                          follow_redirects=True)
    assert "变更申请" in response.get_data(as_text=True)
    assert "promised: 2, statutory: 20" in published_text(site)  # waits for review
    records = site.app.extensions["configurator.workspace.store"].changes.records.all(["draft"])
    assert records and records[0].title.startswith("恢复一件事“新生儿出生一件事”到 ")


def test_a_change_request_is_pushed_to_a_configured_remote(site, tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "-C", str(site.workspace), "remote", "add", "origin", str(remote)], check=True)
    (alice,) = clients(site, "alice")
    _, location = edit_item(alice, "2")
    number = change_of(location)
    act(alice, number, "push")
    assert git.ref(remote, f"changes/{number}") is not None


def test_two_change_requests_on_one_field_conflict_field_by_field_and_go_back_to_review(site):
    alice, ada, rita, admin2 = clients(site, "alice", "ada", "rita", "rita")
    a = change_of(edit_item(alice, "2")[1])
    b = change_of(edit_item(ada, "1")[1])
    act(alice, a, "submit")
    act(ada, b, "submit")
    act(rita, a, "publish")
    page = ada.get(f"/admin/changes/{b}/").get_data(as_text=True)
    assert "发布版本已更新" in page and 'id="publish"' not in rita.get(f"/admin/changes/{b}/").get_data(as_text=True)
    update = ada.get(f"/admin/changes/{b}/update/").get_data(as_text=True)
    # named in words, as the official knows it, not as a YAML path (issue 24)
    assert 'data-label="一件事“新生儿出生一件事” · 事项“出生登记（户口）” · 承诺时限"' in update, update[-3000:]
    assert "time_limit.promised" not in update and "items[" not in update and "<<<<<<<" not in update
    assert re.search(r'value-published">2<', update) and re.search(r'value-mine">1<', update)
    assert re.search(r'value-original">3<', update)
    fields = {"csrf_token": csrf_token(update),
              "head": re.search(r'name="head" value="([0-9a-f]{40})"', update).group(1),
              "main": re.search(r'name="main" value="([0-9a-f]{40})"', update).group(1)}
    kept = ada.post(f"/admin/changes/{b}/update/", data=fields).get_data(as_text=True)
    assert "一件事“新生儿出生一件事” · 事项“出生登记（户口）” · 承诺时限：请选择保留哪一个值" in kept
    response = ada.post(f"/admin/changes/{b}/update/", data={**fields, "choice-0": "custom", "custom-0": "1"})
    assert response.status_code == 302, re.findall(r'alert[^>]*>([^<]*)', response.get_data(as_text=True))
    page = rita.get(f"/admin/changes/{b}/").get_data(as_text=True)
    assert "发布版本已更新" not in page  # only ada's change, in words, the bundle by its name:
    assert "一件事“新生儿出生一件事”: 事项“出生登记（户口）” — 承诺时限 2 个工作日 → 1 个工作日" in page
    act(rita, b, "publish")
    assert "promised: 1, statutory: 20" in published_text(site)


def test_a_catalogue_edit_goes_through_review_and_reaches_the_api_only_after_publish(site):
    alice, rita = clients(site, "alice", "rita")
    api = site.app.test_client()
    before = api.get("/api/bundles/newborn/notice.md").get_data(as_text=True)
    page = alice.get("/admin/catalogues/edit/departments/police/").get_data(as_text=True)
    response = alice.post("/admin/catalogues/edit/departments/police/", follow_redirects=True,
                          data={"csrf_token": csrf_token(page), "id": "police", "label": "市公安局户政科"})
    body = response.get_data(as_text=True)
    number = int(re.search(r"新建了变更申请 <a href=\"/admin/changes/(\d+)/", body).group(1))
    assert "市公安局户政科" not in (site.workspace / "catalogues/departments.yaml").read_text(encoding="utf-8")
    assert "市公安局户政科" not in published_text(site, "catalogues/departments.yaml")
    assert api.get("/api/bundles/newborn/notice.md").get_data(as_text=True) == before
    act(alice, number, "submit")
    review = rita.get(f"/admin/changes/{number}/").get_data(as_text=True)
    # the one department that changed, in words (not the whole list before and after)
    assert re.search(r"<li>部门目录: 部门“市公安局户政科” — 名称 “[^”]+” → “市公安局户政科”</li>", review)
    act(rita, number, "publish")
    assert "市公安局户政科" in api.get("/api/bundles/newborn/notice.md").get_data(as_text=True)


@pytest.mark.parametrize("hostile", ["--output=x", "-x", "..", "@{-1}", "main~1", "HEAD", "drafts/../main", "0" * 40])
def test_hostile_refs_are_refused_and_write_nothing(site, hostile):
    (victor,) = clients(site, "victor")
    before = sorted(p.name for p in site.workspace.iterdir())
    response = victor.get(f"/admin/bundles/newborn/preview/?ref={hostile}")
    assert response.status_code in (400, 404)
    assert sorted(p.name for p in site.workspace.iterdir()) == before and not (site.workspace / "x").exists()


def test_unpublished_commits_are_hidden_from_viewers_and_other_editors_drafts(site):
    alice, victor, ada = clients(site, "alice", "victor", "ada")
    _, location = edit_item(alice, "2")
    number = change_of(location)
    head = git.ref(site.workspace, f"changes/{number}")
    assert victor.get(f"/admin/bundles/newborn/preview/?ref={head}").status_code == 403
    assert alice.get(f"/admin/bundles/newborn/preview/?ref={head}").status_code == 200
    assert ada.get(f"/admin/bundles/newborn/preview/?ref={head}").status_code == 200  # admins review
    assert victor.get("/admin/changes/").status_code == 403
    main = git.ref(site.workspace, "main")
    assert victor.get(f"/admin/bundles/newborn/preview/?ref={main}").status_code == 200
    # saving into someone else's change request, or a revert of an unpublished commit: refused
    (rita,) = clients(site, "rita")
    assert edit_item(rita, "1", change=number)[0] == 403
    assert git.ref(site.workspace, f"changes/{number}") == head
    page = alice.get("/admin/bundles/newborn/history/").get_data(as_text=True)
    assert alice.post("/admin/bundles/newborn/history/", data={"csrf_token": csrf_token(page), "commit": head}).status_code == 404
    assert alice.post("/admin/bundles/newborn/history/", data={"csrf_token": csrf_token(page), "commit": "--output=x"}).status_code == 404
    assert alice.post(f"/admin/changes/{number}/publish/", data={"csrf_token": csrf_token(page)}).status_code == 403
    assert alice.get("/admin/changes/999/").status_code == 404


def test_catalogue_pages_show_the_editors_own_unpublished_version(site):
    """After a catalogue save the editor sees what they saved (with where it waits for review),
    can edit or delete an entry they added before it is published; others see the published one."""
    alice, rita = clients(site, "alice", "rita")
    page = alice.get("/admin/catalogues/edit/departments/police/").get_data(as_text=True)
    response = alice.post("/admin/catalogues/edit/departments/police/", follow_redirects=True,
                          data={"csrf_token": csrf_token(page), "id": "police", "label": "市公安局户政科"})
    number = int(re.search(r"新建了变更申请 <a href=\"/admin/changes/(\d+)/", response.get_data(as_text=True)).group(1))
    mine = alice.get("/admin/catalogues/").get_data(as_text=True)
    assert "市公安局户政科" in mine and 'id="pending-departments.yaml"' in mine
    assert f'href="/admin/changes/{number}/"' in mine
    theirs = rita.get("/admin/catalogues/").get_data(as_text=True)
    assert "市公安局户政科" not in theirs and "pending-" not in theirs
    page = alice.get("/admin/catalogues/").get_data(as_text=True)
    added = alice.post("/admin/catalogues/new/departments/", follow_redirects=True,
                       data={"csrf_token": csrf_token(page), "id": "statistics", "label": "市统计局"}).get_data(as_text=True)
    assert "市统计局" in added and 'data-id="statistics"' in added  # shown at once, though not published
    assert alice.get("/admin/catalogues/edit/departments/statistics/").status_code == 200
    assert rita.get("/admin/catalogues/edit/departments/statistics/").status_code == 404
    page = alice.get("/admin/catalogues/delete/departments/statistics/").get_data(as_text=True)
    gone = alice.post("/admin/catalogues/delete/departments/statistics/", follow_redirects=True,
                      data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert 'data-id="statistics"' not in gone and "市公安局户政科" in gone
    head = git.ref(site.workspace, f"changes/{number}")
    text = git.read_file(site.workspace, head, "catalogues/departments.yaml").decode("utf-8")
    assert "市公安局户政科" in text and "statistics" not in text  # all three saves went to the one change request
    assert "市公安局户政科" not in published_text(site, "catalogues/departments.yaml")


def test_the_reviewer_reads_each_saves_explanation_and_a_published_request_keeps_its_changes(site):
    """What the editor wrote as 修改说明 reached only the commit: the reviewer never saw it; and
    once published, the request's page said 还没有改动 (the branch was part of main)."""
    alice, rita = clients(site, "alice", "rita")
    _, location = edit_item(alice, "2", message="按新规定缩短到 2 个工作日")
    number = change_of(location)
    act(alice, number, "submit")
    review = rita.get(f"/admin/changes/{number}/").get_data(as_text=True)
    saves = review.split('id="saves"')[1].split("</ol>")[0]
    assert "按新规定缩短到 2 个工作日" in saves and "alice" in saves
    act(rita, number, "publish")
    published = rita.get(f"/admin/changes/{number}/").get_data(as_text=True)
    assert 'data-state="published"' in published and "还没有改动" not in published
    assert "承诺时限" in published.split('class="semantic-diff"')[1].split("</ul>")[0]  # what it changed, in words
    assert "按新规定缩短到 2 个工作日" in published.split('id="saves"')[1]


def test_the_record_of_a_request_is_in_words_not_event_codes(site):
    alice, rita = clients(site, "alice", "rita")
    number = change_of(edit_item(alice, "2")[1])
    act(alice, number, "submit")
    act(rita, number, "send-back", comment="请写明依据")
    events = rita.get(f"/admin/changes/{number}/").get_data(as_text=True).split('id="events"')[1].split("</ul>")[0]
    said = [re.sub(r"<[^>]+>", "", e).split("：")[0].split(None, 3)[-1] for e in re.findall(r"<li.*?</li>", events)]
    assert said == ["新建", "提交审核", "退回修改"], said


def test_the_home_page_says_what_waits_for_each_user(site):
    """An editor was not told a request had been sent back, nor a reviewer that one waited."""
    alice, rita, victor = clients(site, "alice", "rita", "victor")
    number = change_of(edit_item(alice, "2")[1])
    home = rita.get("/admin/").get_data(as_text=True)
    assert 'id="work"' not in home  # a draft is its author's business
    act(alice, number, "submit")
    waiting = rita.get("/admin/").get_data(as_text=True).split('id="work"')[1].split("</ul>")[0]
    assert 'data-state="submitted"' in waiting and f'href="/admin/changes/{number}/"' in waiting
    act(rita, number, "send-back", comment="请写明依据")
    mine = alice.get("/admin/").get_data(as_text=True).split('id="work"')[1].split("</ul>")[0]
    assert 'data-state="returned"' in mine and "审核意见：请写明依据" in mine
    assert 'id="work"' not in victor.get("/admin/").get_data(as_text=True)  # a viewer: nothing waits for him
