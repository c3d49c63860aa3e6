"""The admin in English: a walk over every GET route an admin can reach (and the links on those
pages), with the shipped bundles in a git workspace and a real change request in review, fails
on any Chinese text that is not content (see tests/english_walk.py for what content is)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from werkzeug.exceptions import HTTPException

from configurator.authoring.formedits import SECTIONS
from tests.english_walk import Content, untranslated, walk, yaml_strings
from tests.review_helpers import act, change_of, edit_item
from tests.web_helpers import csrf_token, login, make_site

SKIPPED_ENDPOINTS = {"static", "admin.static", "root"}  # files and a redirect; /api has its own ?lang=


def english(client: Any, back: str = "/login") -> None:
    page = client.get("/login").get_data(as_text=True)
    answer = client.post("/lang/en", data={"csrf_token": csrf_token(page), "next": back})
    assert answer.status_code == 302


def records(tmp: Path, workspace: Path) -> list[str]:
    """What people wrote, kept as records: every text cell of the admin database and every commit message."""
    out: list[str] = []
    with sqlite3.connect(tmp / "admin.db") as db:
        for (table,) in db.execute("select name from sqlite_master where type = 'table'").fetchall():
            for row in db.execute(f'select * from "{table}"').fetchall():
                out.extend(cell for cell in row if isinstance(cell, str))
    log = subprocess.run(["git", "log", "--all", "--format=%B"], cwd=workspace, capture_output=True, text=True, check=True)
    return out + log.stdout.splitlines()


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    tmp = tmp_path_factory.mktemp("english")
    site = make_site(tmp, git=True)
    app = site.app
    alice = app.test_client()
    login(alice, "alice")
    # The editor works in English and writes her own commit message: the records people wrote count as
    # content, so none may be a copy of text the admin generates (the semantic diff made the default message).
    english(alice, "/admin/")
    status, location = edit_item(alice, "2", message="Birth registration within two days")
    assert status == 302, location
    change = change_of(location)
    assert act(alice, change, "submit").status_code == 200
    admin = app.test_client()
    login(admin, "ada")
    english(admin, "/admin/")  # the switch in the menu bar (the login page's is tested below)
    workspace = site.workspace
    calendars = sorted(p.stem for p in (workspace / "calendars").glob("*.yaml")) or ["2026"]
    departments = yaml_strings_of(workspace / "catalogues" / "departments.yaml")
    values = {"bundle_id": "newborn", "where": "items/0", "index": "0", "section": next(iter(SECTIONS)),
              "kind": "departments", "entry_id": departments, "change_id": str(change),
              "code": "330106", "calendar": calendars[0], "export_type": "csv"}
    seeds, endpoints = [], set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS or rule.rule.startswith("/api"):
            continue
        endpoints.add(rule.endpoint)
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<{name}>", values[name]).replace(f"<int:{name}>", values[name]).replace(
                f"<path:{name}>", values[name])
        seeds.append(url)
    seeds += ["/admin/bundles/no_such_bundle/", "/admin/changes/999999/", "/admin/bundles/newborn/items/99/",
              "/admin/bundles/newborn/condition-check/?text=birth_place%20%3D%3D%20%22x%22",
              "/admin/bundles/suggest-id/?name=%E4%BC%81%E4%B8%9A%E5%BC%80%E5%8A%9E", "/admin/regions/new/?code=1",
              "/admin/regions/calendars/new/?name=%20", "/admin/changes/resolve/?branch=x"]
    adapter = app.url_map.bind("localhost")

    def endpoint_of(url: str) -> str | None:
        try:
            endpoint = str(adapter.match(url.split("?")[0], method="GET")[0])
        except HTTPException:
            return None
        return None if endpoint in SKIPPED_ENDPOINTS else endpoint

    def get(url: str) -> tuple[int, str, str]:
        answer = admin.get(url, follow_redirects=True)
        try:
            return answer.status_code, answer.content_type, answer.get_data(as_text=True)
        finally:
            answer.close()

    content = Content(yaml_strings(workspace) + records(tmp, workspace))
    result = walk(get, endpoint_of, seeds, content, per_endpoint=8)
    return result, (endpoints, app, content, get)


def yaml_strings_of(path: Path) -> str:
    import yaml

    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["departments"][0]["id"])


def test_every_admin_page_in_english_has_no_chinese_outside_content(walked: tuple[Any, Any]) -> None:
    result, (endpoints, _, _, _) = walked
    assert not endpoints - set(result.endpoints), f"GET routes the walk never reached: {endpoints - set(result.endpoints)}"
    report = "\n".join(f"{url}: {texts[:6]}" for url, texts in result.found.items())
    assert not result.found, f"Chinese UI text on {len(result.found)} English pages:\n{report}"
    assert result.statuses[500] == 0
    assert len(result.visited) > 100 and result.statuses[404] >= 3, (len(result.visited), result.statuses)


def test_login_403_and_csrf_pages_in_english(walked: tuple[Any, Any]) -> None:
    _, (_, app, content, _) = walked
    anonymous = app.test_client()
    english(anonymous)
    login_page = anonymous.get("/login")
    assert "Log in" in login_page.get_data(as_text=True) and not untranslated(login_page.get_data(as_text=True), content)
    bad_login = anonymous.post("/login", data={"username": "nobody", "password": "x"})
    assert bad_login.status_code in (200, 400) and not untranslated(bad_login.get_data(as_text=True), content)
    login(anonymous, "rita")  # the language chosen on the login page stays after logging in
    home = anonymous.get("/admin/").get_data(as_text=True)
    assert '<html lang="en">' in home and not untranslated(home, content)
    viewer = app.test_client()
    login(viewer, "victor")
    english(viewer, "/admin/")
    forbidden = viewer.get("/admin/users/")
    assert forbidden.status_code == 403 and not untranslated(forbidden.get_data(as_text=True), content)
    csrf = viewer.post("/admin/changes/new/", data={"title": "x"})
    assert csrf.status_code == 400 and not untranslated(csrf.get_data(as_text=True), content)


def test_the_walk_catches_an_untranslated_string() -> None:
    content = Content(["食品经营许可新办", "出生\n登记"])
    assert untranslated("<p>保存</p>", content) == ["保存"]
    assert untranslated("<td>食品经营许可新办</td><td>出生</td>", content) == []
    assert untranslated("<td>Edit: 食品经营许可新办（3）</td>", content) == ["Edit: 食品经营许可新办（3）"]
    assert untranslated('<a title="编辑" href="/x">Edit</a>', content) == ["编辑"]
    assert untranslated("<textarea>名称: 保存</textarea><pre>保存</pre>", content) == []
    assert untranslated('{"problems": ["条件有错误"]}', content, is_json=True) == ["条件有错误"]
    # The walker itself: one page with an untranslated word among English pages is reported by URL.
    pages = {"/admin/": '<a href="/admin/a/">A</a><a href="/admin/b/">B</a>', "/admin/a/": "<p>Saved</p>",
             "/admin/b/": "<p>Saved</p><p>已保存</p>"}
    result = walk(lambda url: (200, "text/html", pages[url]), lambda url: url, ["/admin/"], content)
    assert result.visited == ["/admin/", "/admin/a/", "/admin/b/"] and result.found == {"/admin/b/": ["已保存"]}


def test_form_errors_and_flashes_in_english(walked: tuple[Any, Any]) -> None:
    _, (_, app, content, _) = walked
    editor = app.test_client()
    login(editor, "alice")
    english(editor, "/admin/")
    page = editor.get("/admin/bundles/new/").get_data(as_text=True)
    empty = editor.post("/admin/bundles/new/", data={"csrf_token": csrf_token(page), "mode": "blank", "name": ""})
    said = empty.get_data(as_text=True)
    assert "Enter a name" in said and not untranslated(said, content)
    item = "/admin/bundles/newborn/items/0/"
    page = editor.get(item).get_data(as_text=True)
    from bench.admin import form_values

    negative = editor.post(item, data={**form_values(page), "csrf_token": csrf_token(page), "promised": "-1"})
    said = negative.get_data(as_text=True)
    assert "Must not be negative" in said and not untranslated(said, content)
    simulate = "/admin/bundles/newborn/simulate/"
    page = editor.get(simulate).get_data(as_text=True)
    wrong = editor.post(simulate, data={"csrf_token": csrf_token(page), "child_age_months": "abc"}).get_data(as_text=True)
    assert "takes a number" in wrong and not untranslated(wrong, content)
    page = editor.get(item).get_data(as_text=True)
    unchanged = editor.post(item, data={**form_values(page), "csrf_token": csrf_token(page)}, follow_redirects=True)
    said = unchanged.get_data(as_text=True)
    assert "Nothing changed; nothing was saved." in said and not untranslated(said, content)
