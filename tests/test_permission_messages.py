"""A refusal for want of a role names what the user tried to do (issue 25: every refusal said 才能保存,
"to save", even when a reviewer's publish was what an editor had tried)."""

import pytest

from tests.review_helpers import change_of, edit_item
from tests.web_helpers import csrf_token, login, make_site

# The actions of a change request that take more than the page's own role (editor: a viewer cannot
# open change requests at all), and the words of their refusal.
CHANGE_REQUEST_ACTIONS = {
    "send-back": ("才能退回修改", "Sending back for changes needs the role"),
    "publish": ("才能发布", "Publishing needs the role"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("permissions"), git=True)


def client_of(site, name, english=False):
    client = site.app.test_client()
    login(client, name)
    if english:
        page = client.get("/login").get_data(as_text=True)
        assert client.post("/lang/en", data={"csrf_token": csrf_token(page), "next": "/login"}).status_code == 302
    return client


@pytest.fixture(scope="module")
def change_request(site):
    _, location = edit_item(client_of(site, "alice"), "2")
    return change_of(location)


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
@pytest.mark.parametrize("action", sorted(CHANGE_REQUEST_ACTIONS))
def test_a_change_request_action_refused_names_that_action(site, change_request, action, english):
    chinese, in_english = CHANGE_REQUEST_ACTIONS[action]
    client = client_of(site, "alice", english)  # an editor, one role short
    refused = client.post(f"/admin/changes/{change_request}/{action}/",
                          data={"csrf_token": csrf_token(client.get("/admin/bundles/").get_data(as_text=True))})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 403
    if english:
        assert in_english in body and "Saving" not in body
    else:
        assert chinese in body and "才能保存" not in body


def test_the_editing_pages_refusals_name_their_action(site):
    victor = client_of(site, "victor")
    token = csrf_token(victor.get("/admin/bundles/").get_data(as_text=True))
    refusals = {
        "/admin/catalogues/new/departments/": "才能添加",
        "/admin/catalogues/delete/departments/police/": "才能删除",
        "/admin/bundles/restaurant/move/situations/1": "才能调整顺序",
    }
    for url, words in refusals.items():
        refused = victor.post(url, data={"csrf_token": token, "step": "up"})
        assert refused.status_code == 403 and words in refused.get_data(as_text=True), url
    status, body = edit_item(victor, "2")
    assert status == 403 and "才能保存" in body
