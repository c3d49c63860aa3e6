"""Conditional GETs of the portal API over real HTTP: the ETag is kept with the artifact, so a 304
does no body work; it follows the content (a publish that changes the artifact changes it, one that
does not keeps it), and it is the same in every worker and after a restart."""

import hashlib

import pytest
import requests

from configurator import writers
from configurator.workspace import git, trees
from tests.served import start_app
from tests.web_helpers import make_site, serve

ARTIFACT = "/api/bundles/newborn/metrics.json"


def publish(workspace, path: str, old: str, new: str) -> str:
    """A commit on main changing one line of a file (as a publish does); the new main."""
    main = git.ref(workspace, git.MAIN)
    text = git.read_file(workspace, main, path).decode("utf-8")
    assert old in text
    commit = trees.write_commit(workspace, main, {path: text.replace(old, new, 1).encode("utf-8")}, parents=[main],
                                message="发布\n", author=("rita", "rita@localhost"))
    git.update_ref(workspace, git.MAIN, commit, main)
    return commit


@pytest.fixture
def site(tmp_path):
    served = serve(make_site(tmp_path, git=True))
    served.app.config["API_BODY_CACHE_BYTES"] = 0  # no bytes kept: a 200 must render again
    yield served
    served.server.shutdown()


def test_304_comes_from_the_kept_etag_without_rendering_or_hashing_the_body(site, monkeypatch):
    first = requests.get(site.url + ARTIFACT, timeout=30)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha256(first.content).hexdigest()}"'

    def broken(_compiled):
        raise RuntimeError("the body was rendered")

    # From here the artifact cannot be made: any request that needs its bytes fails.
    monkeypatch.setitem(writers.WRITERS, "metrics.json", broken)
    for _ in range(3):
        again = requests.get(site.url + ARTIFACT, headers={"If-None-Match": etag}, timeout=30)
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == etag and again.headers["Access-Control-Allow-Origin"] == "*"
        assert "frame-ancestors" in again.headers["Content-Security-Policy"]
        assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(site.url + ARTIFACT, headers={"If-None-Match": '"other"'}, timeout=30).status_code == 500
    assert requests.get(site.url + ARTIFACT, timeout=30).status_code == 500  # the probe works: a 200 needs the body


def test_a_publish_changes_the_etag_of_what_it_changes_only(site):
    before = {name: requests.get(f"{site.url}/api/bundles/{name}/metrics.json", timeout=30) for name in ("newborn", "restaurant")}
    etag = before["newborn"].headers["ETag"]
    commit = publish(site.workspace, "bundles/newborn.yaml", "promised: 3, statutory: 20", "promised: 2, statutory: 20")
    answer = requests.get(site.url + ARTIFACT, headers={"If-None-Match": etag}, timeout=30)
    assert answer.status_code == 200 and answer.headers["X-Source-Commit"] == commit
    assert answer.headers["ETag"] != etag and answer.content != before["newborn"].content
    assert answer.headers["ETag"] == f'"{hashlib.sha256(answer.content).hexdigest()}"'
    # restaurant's bytes did not change: a portal's cached copy stays valid across the publish
    other = requests.get(f"{site.url}/api/bundles/restaurant/metrics.json",
                         headers={"If-None-Match": before["restaurant"].headers["ETag"]}, timeout=30)
    assert other.status_code == 304 and other.headers["X-Source-Commit"] == commit


def test_api_answers_read_no_session_and_do_not_vary_by_cookie(site):
    browser = requests.Session()
    browser.cookies.set("session", "not-a-valid-session-cookie", domain="127.0.0.1")
    answer = browser.get(site.url + ARTIFACT, timeout=30)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert "cookie" not in answer.headers.get("Vary", "").lower()
    assert "nonce-" not in answer.headers["Content-Security-Policy"]
    page = browser.get(site.url + "/api/bundles/newborn/form.html", timeout=30)
    assert "'sha256-" in page.headers["Content-Security-Policy"]  # form.html's own scripts, by hash


def test_etags_are_the_same_in_every_process_and_after_a_restart(tmp_path):
    from tests.served import prepare

    database = f"sqlite:///{tmp_path / 'admin.db'}"
    workspace = prepare(tmp_path, database)
    first = start_app(workspace, database)
    try:
        answer = requests.get(first.url + ARTIFACT, timeout=60)
        etag = answer.headers["ETag"]
    finally:
        first.stop()
    second = start_app(workspace, database)  # a restart, or another worker
    try:
        assert requests.get(second.url + ARTIFACT, headers={"If-None-Match": etag}, timeout=60).status_code == 304
        assert requests.get(second.url + ARTIFACT, timeout=60).content == answer.content
    finally:
        second.stop()


@pytest.mark.parametrize("header", ['W/{etag}', '"other", W/{etag}', 'W/"other", {etag}', "*"])
def test_if_none_match_compares_weakly_so_a_weakened_etag_still_gets_304(site, header):
    """RFC 9110 13.1.2: If-None-Match uses the weak comparison. A proxy compressing the answer
    (nginx's gzip) turns the ETag weak; the portal sends it back weak and must get its 304."""
    etag = requests.get(site.url + ARTIFACT, timeout=30).headers["ETag"]
    answer = requests.get(site.url + ARTIFACT, headers={"If-None-Match": header.format(etag=etag)}, timeout=30)
    assert answer.status_code == 304 and answer.content == b"" and answer.headers["ETag"] == etag
    listing = requests.get(site.url + "/api/bundles", timeout=30).headers["ETag"]
    assert requests.get(site.url + "/api/bundles", headers={"If-None-Match": "W/" + listing}, timeout=30).status_code == 304
    other = requests.get(site.url + ARTIFACT, headers={"If-None-Match": 'W/"other", garbage'}, timeout=30)
    assert other.status_code == 200 and other.headers["ETag"] == etag


def without_date(headers) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() != "date"}


def test_a_repeated_304_is_flasks_own_answer_replayed_until_main_moves(site):
    """The second conditional GET of an address is answered before Flask (web/not_modified.py):
    with exactly the headers Flask gave the first, and never once main has moved."""
    etag = requests.get(site.url + ARTIFACT, timeout=30).headers["ETag"]
    through_flask = requests.get(site.url + ARTIFACT, headers={"If-None-Match": etag}, timeout=30)
    replayed = requests.get(site.url + ARTIFACT, headers={"If-None-Match": etag}, timeout=30)
    assert through_flask.status_code == replayed.status_code == 304 and replayed.content == b""
    assert without_date(replayed.headers) == without_date(through_flask.headers)
    assert "frame-ancestors" in replayed.headers["Content-Security-Policy"]
    # another language is another document: the Chinese ETag does not validate the English one
    english = requests.get(site.url + ARTIFACT + "?lang=en", headers={"If-None-Match": etag}, timeout=30)
    assert english.status_code == 200 and english.headers["ETag"] != etag
    # a publish that changes the artifact: the kept 304 is not replayed, the new bytes come
    commit = publish(site.workspace, "bundles/newborn.yaml", "promised: 3, statutory: 20", "promised: 2, statutory: 20")
    after = requests.get(site.url + ARTIFACT, headers={"If-None-Match": etag}, timeout=30)
    assert after.status_code == 200 and after.headers["X-Source-Commit"] == commit and after.headers["ETag"] != etag
    # a publish that leaves restaurant's bytes alone: still 304, now naming the new commit
    other = requests.get(f"{site.url}/api/bundles/restaurant/metrics.json", timeout=30).headers["ETag"]
    publish(site.workspace, "bundles/newborn.yaml", "promised: 2, statutory: 20", "promised: 1, statutory: 20")
    for _ in range(2):
        again = requests.get(f"{site.url}/api/bundles/restaurant/metrics.json", headers={"If-None-Match": other}, timeout=30)
        assert again.status_code == 304 and again.headers["X-Source-Commit"] == git.ref(site.workspace, git.MAIN)
    # a non-matching or wrong-method request is never answered from what was kept
    assert requests.get(site.url + ARTIFACT, headers={"If-None-Match": '"other"'}, timeout=30).status_code == 200
    assert requests.post(site.url + ARTIFACT, headers={"If-None-Match": etag}, timeout=30).status_code == 405
