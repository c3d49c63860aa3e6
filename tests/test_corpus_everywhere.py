"""The bad-input corpus through the admin's source editor and the portal API: never a 500, the
error located (line and column) and named by its code, nothing written."""

import re
import shutil

import pytest

from tests.helpers import CORPUS
from tests.test_corpus import BAD, expected_code
from tests.web_helpers import csrf_token, login, make_site

# The browser's text box holds text: bytes that are not UTF-8 (E102) cannot be typed into it.
NOT_TYPEABLE = {"E102"}
TYPEABLE = [p for p in BAD if expected_code(p) not in NOT_TYPEABLE]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def editor(site):
    client = site.app.test_client()
    login(client, "alice")
    return client


@pytest.mark.parametrize("path", TYPEABLE, ids=lambda p: p.stem)
def test_the_source_editor_answers_each_bad_file_with_located_errors(site, editor, path):
    # E210 is about the id not matching the file's name: that file says newborn, so it goes to another.
    target = "restaurant" if expected_code(path) == "E210" else "newborn"
    before = site.bundle_file(target).read_bytes()
    text = path.read_text(encoding="utf-8").replace(f"id: {path.stem}", f"id: {target}", 1)
    page = editor.get(f"/admin/bundles/{target}/source/").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    answer = editor.post(f"/admin/bundles/{target}/source/", data={"csrf_token": csrf_token(page), "version": version,
                                                                   "text": text})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200, body[:500]
    problems = re.findall(r'<li class="problem[^"]*" data-line="(\d+)">.*?<code>([EW]\d{3})</code>', body, re.DOTALL)
    assert problems, body[:2000]
    assert "E900" not in {code for _, code in problems}
    assert any(code == expected_code(path) and int(line) >= 1 for line, code in problems), problems
    assert site.bundle_file(target).read_bytes() == before


def test_the_api_serves_the_good_bundles_beside_the_whole_corpus_and_refuses_the_bad_ones(tmp_path):
    site = make_site(tmp_path)
    for path in BAD:
        shutil.copy(path, site.workspace / "bundles" / path.name)
    client = site.app.test_client()
    listing = client.get("/api/bundles")
    assert listing.status_code == 200
    served = {b["id"] for b in listing.get_json()["bundles"]}
    assert "newborn" in served and not served & {p.stem for p in BAD}
    for path in BAD:
        for url in (f"/api/bundles/{path.stem}", f"/api/bundles/{path.stem}/form.schema.json",
                    f"/api/bundles/{path.stem}/check"):
            answer = client.post(url, json={}) if url.endswith("/check") else client.get(url)
            assert answer.status_code == 404, (url, answer.status_code)
            assert answer.get_json()["type"] == "urn:configurator:problem:unknown-bundle"
    assert CORPUS.exists()


def test_405_answers_name_the_allowed_methods(site):
    client = site.app.test_client()
    answer = client.delete("/api/bundles")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD", "OPTIONS"}
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    answer = client.get("/api/bundles/newborn/check")
    assert answer.status_code == 405 and "POST" in answer.headers["Allow"]
    answer = client.put("/login")
    assert answer.status_code == 405 and "POST" in answer.headers["Allow"]


def test_the_api_sees_a_catalogue_edit_at_once(site):
    client = site.app.test_client()
    before = client.get("/api/bundles/newborn/notice.md").get_data(as_text=True)
    catalogue = next(p for p in (site.workspace / "catalogues").glob("*.yaml") if "department" in p.name)
    text = catalogue.read_text(encoding="utf-8")
    name = re.search(r"name: (\S+)", text).group(1)
    assert name in before
    catalogue.write_text(text.replace(f"name: {name}", f"name: {name}（改名）", 1), encoding="utf-8")
    after = client.get("/api/bundles/newborn/notice.md").get_data(as_text=True)
    assert f"{name}（改名）" in after


def test_two_apps_in_one_process_keep_their_own_api_cache(tmp_path):
    first, second = make_site(tmp_path / "a"), make_site(tmp_path / "b")
    (second.workspace / "bundles" / "newborn.yaml").unlink()
    assert "newborn" in {b["id"] for b in first.app.test_client().get("/api/bundles").get_json()["bundles"]}
    assert "newborn" not in {b["id"] for b in second.app.test_client().get("/api/bundles").get_json()["bundles"]}
