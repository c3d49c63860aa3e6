"""The preview page shows at once what is cheap and fetches the figures, diagram and notice after
it has loaded; those are worked out once per bundle text, even when asked for in parallel, follow
each save, and are guarded like the page (login, who may see which commit)."""

import html
import re
import threading

import pytest
import requests

from configurator.planning import compiled as compiled_module
from configurator.workspace import git
from tests.review_helpers import change_of, edit_item
from tests.served import session
from tests.web_helpers import login, make_site, serve

PAGE = "/admin/bundles/newborn/preview/"


@pytest.fixture
def searches(monkeypatch):
    """How many times the bundle's cases are enumerated (the costly part)."""
    calls = []
    real = compiled_module.search

    def counted(bundle, *planner):
        calls.append(bundle.id)
        return real(bundle, *planner)

    monkeypatch.setattr(compiled_module, "search", counted)
    return calls


def parts_url(page: str) -> str:
    found = re.search(r'data-fragment="([^"]+)"', page)
    assert found, page[:500]
    return html.unescape(found.group(1))


def test_the_page_leaves_the_cases_to_its_parts_which_are_made_once(tmp_path, searches):
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    login(client, "alice")
    page = client.get(PAGE)
    assert page.status_code == 200 and searches == []
    body = page.get_data(as_text=True)
    assert 'id="form-preview"' in body and 'id="figures"' not in body
    assert "preview-parts.js" in body
    parts = client.get(parts_url(body))
    assert parts.status_code == 200 and parts.headers["Cache-Control"] == "private, no-store"
    found = parts.get_json()
    assert set(found) == {"figures", "diagram", "notice"}
    assert 'id="figures"' in found["figures"] and 'id="figures-legend"' in found["figures"]
    assert found["diagram"].startswith("<svg") and 'id="notice-preview"' in found["notice"]
    assert searches == ["newborn"]
    assert client.get(parts_url(body)).get_json() == found and searches == ["newborn"]


def test_parts_follow_each_save(tmp_path):
    site = make_site(tmp_path, git=True)
    client = site.app.test_client()
    login(client, "alice")
    before = client.get(parts_url(client.get(PAGE).get_data(as_text=True))).get_json()["notice"]
    status, location = edit_item(client, "2")  # 出生登记: 3 → 2 days
    assert status == 302
    number = change_of(location)
    page = client.get(f"{PAGE}?change={number}").get_data(as_text=True)
    assert f"change={number}" in parts_url(page)
    after = client.get(parts_url(page)).get_json()["notice"]
    assert after != before
    assert html.unescape(after).count("2 个工作日") == html.unescape(before).count("2 个工作日") + 1


def test_parts_asked_for_at_once_enumerate_the_cases_once(tmp_path, searches):
    site = serve(make_site(tmp_path, git=True))
    try:
        browser = session(site.url, "alice")
        url = site.url + parts_url(browser.get(site.url + PAGE, timeout=60).text)
        answers: list[requests.Response] = []
        threads = [threading.Thread(target=lambda: answers.append(browser.get(url, timeout=120))) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [a.status_code for a in answers] == [200] * 4
        assert len({a.text for a in answers}) == 1
        assert searches == ["newborn"]
    finally:
        site.server.shutdown()


def test_parts_are_guarded_like_the_page(tmp_path):
    site = make_site(tmp_path, git=True)
    anonymous = site.app.test_client()
    assert anonymous.get(PAGE + "parts/").status_code == 302  # to the login
    alice, victor = site.app.test_client(), site.app.test_client()
    login(alice, "alice")
    login(victor, "victor")
    _, location = edit_item(alice, "2")
    head = git.ref(site.workspace, f"changes/{change_of(location)}")
    assert alice.get(f"{PAGE}parts/?ref={head}").status_code == 200
    assert victor.get(f"{PAGE}parts/?ref={head}").status_code == 403  # an unpublished change of someone else
    assert victor.get(f"{PAGE}parts/?ref=--output=x").status_code == 400
    assert victor.get(f"{PAGE}parts/?ref=main").status_code == 200
