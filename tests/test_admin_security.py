"""Access, CSRF, roles and escaping, over HTTP with Flask's test client."""

import re

import pytest

from configurator.web import ConfigurationError, create_app
from tests.compile_helpers import compiled
from tests.web_helpers import csrf_token, login, make_site


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path)


def admin_urls(app):
    """Every page of the admin, with sample values for its URL variables."""
    samples = {"bundle_id": "newborn", "index": "2", "kind": "materials", "entry_id": "photo", "code": "en", "section": "fields",
               "change_id": "1", "action": "submit", "export_type": "csv",
               "filename": "x", "calendar": "2027", "where": "items/2"}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "admin.static", "auth.login") or rule.endpoint.endswith(".static"):
            continue
        if rule.rule.startswith("/api/"):
            continue  # the portal API is public by design (tests/test_api.py)
        url = rule.rule
        for argument in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{argument}>", samples[argument], url)
        urls.append((url, rule.methods - {"HEAD", "OPTIONS"}))
    return urls


def test_every_admin_url_sends_anonymous_users_to_the_login(site):
    client = site.app.test_client()
    urls = admin_urls(site.app)
    assert len(urls) >= 15
    for url, methods in urls:
        if "GET" in methods:
            response = client.get(url)
            assert response.status_code == 302, url
            assert "/login" in response.headers["Location"] or url == "/", url


def test_every_post_without_a_csrf_token_is_refused(site):
    client = site.app.test_client()
    login(client, "ada")  # an admin: the refusal is about the token, not the role
    before = site.bundle_file("newborn").read_bytes()
    posts = [url for url, methods in admin_urls(site.app) if "POST" in methods]
    assert len(posts) >= 6
    for url in posts:
        response = client.post(url, data={"text": "id: hacked\n", "username": "mallory", "role": "admin",
                                          "password": "x" * 12, "action": "add"})
        assert response.status_code == 400, url
        assert "安全令牌" in response.get_data(as_text=True)
    assert site.bundle_file("newborn").read_bytes() == before


def post_source(client, text):
    page = client.get("/admin/bundles/newborn/source/").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    return client.post("/admin/bundles/newborn/source/",
                       data={"csrf_token": csrf_token(page), "version": version, "text": text})


def test_a_viewer_cannot_save(site):
    client = site.app.test_client()
    login(client, "victor")
    before = site.bundle_file("newborn").read_text(encoding="utf-8")
    response = post_source(client, before.replace("version: 1", "version: 2"))
    assert response.status_code == 403
    assert site.bundle_file("newborn").read_text(encoding="utf-8") == before


def test_an_editor_can_save_but_cannot_manage_users(site):
    client = site.app.test_client()
    login(client, "alice")
    before = site.bundle_file("newborn").read_text(encoding="utf-8")
    assert post_source(client, before.replace("version: 1", "version: 2")).status_code == 302
    assert "version: 2" in site.bundle_file("newborn").read_text(encoding="utf-8")
    assert client.get("/admin/users/").status_code == 403
    page = client.get("/admin/bundles/").get_data(as_text=True)
    response = client.post("/admin/users/new/", data={"csrf_token": csrf_token(page), "username": "mallory",
                                                      "role": "admin", "password": "x" * 12})
    assert response.status_code == 403


def test_an_admin_adds_users_with_hashed_passwords(site):
    client = site.app.test_client()
    login(client, "ada")
    page = client.get("/admin/users/new/").get_data(as_text=True)
    client.post("/admin/users/new/", data={"csrf_token": csrf_token(page), "username": "张三",
                                           "role": "editor", "password": "secret-enough-1"})
    from configurator.web.models import User, db
    with site.app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="张三")).scalar_one()
        assert user.role == "editor" and "secret-enough-1" not in user.password_hash
        assert user.check_password("secret-enough-1")


def test_source_with_errors_is_not_written_and_the_input_is_kept(site):
    client = site.app.test_client()
    login(client, "alice")
    before = site.bundle_file("newborn").read_text(encoding="utf-8")
    broken = before.replace("department: police\n", "department: polise\n", 1)
    response = post_source(client, broken)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "E301" in body and "polise" in body
    assert "department: polise" in body  # the textarea still holds what was typed
    assert site.bundle_file("newborn").read_text(encoding="utf-8") == before


def test_saving_unchanged_source_writes_nothing(site):
    client = site.app.test_client()
    login(client, "alice")
    path = site.bundle_file("newborn")
    stamp = path.stat().st_mtime_ns
    post_source(client, path.read_text(encoding="utf-8"))
    assert path.stat().st_mtime_ns == stamp


def test_deleting_a_catalogue_entry_in_use_is_refused_with_the_users(site):
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/catalogues/").get_data(as_text=True)
    response = client.post("/admin/catalogues/delete/materials/resident_id_card/",
                           data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "不能删除" in body and "newborn" in body and "retirement" in body
    assert "resident_id_card" in (site.workspace / "catalogues/materials.yaml").read_text(encoding="utf-8")


def test_deleting_an_unused_catalogue_entry_removes_only_its_lines(site):
    client = site.app.test_client()
    login(client, "alice")
    path = site.workspace / "catalogues/fields.yaml"
    before = path.read_text(encoding="utf-8")
    page = client.get("/admin/catalogues/").get_data(as_text=True)
    client.post("/admin/catalogues/delete/fields/email/", data={"csrf_token": csrf_token(page)})
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("  - id: email\n    label: 电子邮箱\n    type: email\n", "")


def test_script_in_a_label_is_escaped(site):
    path = site.bundle_file("newborn")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  zh-CN: 新生儿出生一件事", '  zh-CN: "<script>alert(1)</script>"'), encoding="utf-8")
    client = site.app.test_client()
    login(client, "victor")
    for url in ("/admin/bundles/", "/admin/bundles/newborn/", "/admin/bundles/newborn/preview/"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body or "&amp;lt;script" in body, url


def test_session_cookie_is_httponly_and_samesite(site):
    client = site.app.test_client()
    page = client.get("/login")
    cookie = page.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_secret_key_is_required_outside_development(tmp_path):
    with pytest.raises(ConfigurationError):
        create_app({"WORKSPACE": str(tmp_path), "SECRET_KEY": None})


def test_bad_input_never_gives_a_500(site):
    client = site.app.test_client()
    login(client, "alice")
    for url in ("/admin/bundles/..%2F..%2Fetc%2Fpasswd/", "/admin/bundles/newborn/items/99/",
                "/admin/bundles/NEWBORN/source/", "/admin/bundles/newborn/items/-1/"):
        assert client.get(url).status_code in (404, 400), url
    page = client.get("/admin/bundles/newborn/source/").get_data(as_text=True)
    response = client.post("/admin/bundles/newborn/source/", data={"csrf_token": csrf_token(page),
                                                                   "version": "x", "text": "\x00\x01: ["})
    assert response.status_code == 200  # refused with a message (a conflict: the version is stale)


def section_post(client, section, changes):
    page = client.get(f"/admin/bundles/newborn/section/{section}/").get_data(as_text=True)
    version = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_token(page), "seen": version}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in ("csrf_token", "seen"):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                data.setdefault(name.group(1), []).append(value.group(1))
        else:
            data[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options) or re.search(r'value="([^"]*)"', options)
        data[name] = chosen.group(1)
    data.update(changes)
    return client.post(f"/admin/bundles/newborn/section/{section}/", data=data)


def test_sections_edit_only_the_lines_concerned(site):
    import difflib
    client = site.app.test_client()
    login(client, "alice")
    path = site.bundle_file("newborn")
    before = path.read_text(encoding="utf-8")
    response = section_post(client, "eligibility", {"1-require": "child_age_months < 12"})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    after = path.read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-    require: child_age_months < 6", "+    require: child_age_months < 12"]
    response = section_post(client, "identity", {"0-visits": "2"})
    assert response.status_code == 302
    assert "visits: 2  # 在助产机构一次办结" in path.read_text(encoding="utf-8")


def test_a_section_mistake_is_shown_beside_its_field_and_kept(site):
    client = site.app.test_client()
    login(client, "alice")
    before = site.bundle_file("newborn").read_text(encoding="utf-8")
    response = section_post(client, "situations", {"3-when": "born_in_wedlok"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-field="3-when"' in body and "born_in_wedlock" in body  # did-you-mean, beside the field
    assert 'value="born_in_wedlok"' in body
    assert site.bundle_file("newborn").read_text(encoding="utf-8") == before


def test_an_after_without_reason_or_in_a_cycle_is_refused_beside_the_field(site):
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/bundles/newborn/items/0/").get_data(as_text=True)
    from bench.admin import form_values
    data = {"csrf_token": csrf_token(page), **form_values(page), "after": "birth_registration：先登记户口"}
    body = client.post("/admin/bundles/newborn/items/0/", data=data).get_data(as_text=True)
    # beside the field, in words: the code only in the detail toggle (issue 24)
    assert 'data-field="after"' in body and "E501" not in re.sub(r"<details.*?</details>", "", body, flags=re.S)
    assert "成环" in body
    data["after"] = "vaccination_certificate：同一窗口先办"
    assert client.post("/admin/bundles/newborn/items/0/", data=data).status_code == 302
    assert "- item: vaccination_certificate" in site.bundle_file("newborn").read_text(encoding="utf-8") or \
        "after: [{item: vaccination_certificate" in site.bundle_file("newborn").read_text(encoding="utf-8")


def test_renaming_a_catalogue_entry_in_use_is_refused_and_renaming_a_name_works(site):
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/catalogues/edit/departments/police/").get_data(as_text=True)
    body = client.post("/admin/catalogues/edit/departments/police/", follow_redirects=True,
                       data={"csrf_token": csrf_token(page), "id": "public_security", "label": "公安局"}).get_data(as_text=True)
    assert "不能把“公安局”的标识改为“public_security”" in body and "新生儿出生一件事" in body
    path = site.workspace / "catalogues/departments.yaml"
    before = path.read_text(encoding="utf-8")
    client.post("/admin/catalogues/edit/departments/police/",
                data={"csrf_token": csrf_token(page), "id": "police", "label": "市公安局"})
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("      zh-CN: 公安局\n", "      zh-CN: 市公安局\n", 1)  # the English name stays


def test_editing_an_existing_material_changes_its_lines_only(site):
    import difflib

    from bench.admin import form_values
    client = site.app.test_client()
    login(client, "alice")
    path = site.bundle_file("newborn")
    before = path.read_text(encoding="utf-8")
    index = next(i for i, m in enumerate(compiled("newborn").bundle.materials) if m.id == "out_of_wedlock_statement")
    page = client.get(f"/admin/bundles/newborn/materials/{index}/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), **form_values(page), "requirement": "deferrable"}
    response = client.post(f"/admin/bundles/newborn/materials/{index}/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    changed = [line for line in difflib.unified_diff(before.splitlines(), path.read_text(encoding="utf-8").splitlines(),
                                                     lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["+    requirement: deferrable"]
    data["when"] = "not born_in_wedlok"
    body = client.post(f"/admin/bundles/newborn/materials/{index}/", data=data).get_data(as_text=True)
    assert 'data-field="when"' in body and "born_in_wedlock" in body


def test_adding_a_catalogue_entry_is_checked_and_written(site):
    client = site.app.test_client()
    login(client, "alice")
    page = client.get("/admin/catalogues/").get_data(as_text=True)
    client.post("/admin/catalogues/new/departments/", data={"csrf_token": csrf_token(page), "id": "statistics", "label": "统计局"})
    text = (site.workspace / "catalogues/departments.yaml").read_text(encoding="utf-8")
    assert text.endswith("  - id: statistics\n    name: 统计局\n")
    body = client.post("/admin/catalogues/new/departments/", follow_redirects=True,
                       data={"csrf_token": csrf_token(page), "id": "police", "label": "重复"}).get_data(as_text=True)
    assert "没有保存任何内容" in body and 'data-field="id"' in body and "重复" in body
    assert "E307" not in body.split('data-field="id"')[1].split("</div>")[0]  # the code only in 详情


def user_ids(site):
    from configurator.web.models import User, db
    with site.app.app_context():
        return {u.username: u.id for u in db.session.execute(db.select(User)).scalars()}


def test_an_admin_removes_a_user_but_not_themself(site):
    client = site.app.test_client()
    login(client, "ada")
    ids = user_ids(site)
    page = client.get("/admin/users/").get_data(as_text=True)
    assert f'name="id" value="{ids["victor"]}"' in page and f'name="id" value="{ids["ada"]}"' not in page  # no button
    client.post("/admin/users/delete/", data={"csrf_token": csrf_token(page), "id": ids["victor"]})
    refused = client.post("/admin/users/delete/", data={"csrf_token": csrf_token(page), "id": ids["ada"]},
                          follow_redirects=True).get_data(as_text=True)
    assert "不能删除自己" in refused
    assert set(user_ids(site)) == {"alice", "rita", "ada"}
    audit = client.get("/admin/audit/?search=delete-user").get_data(as_text=True)
    assert "delete-user" in audit and "victor" in audit


@pytest.mark.parametrize("user_id", ["x", "", "１", "-1", "99999", "9" * 30])
def test_a_user_action_naming_no_user_changes_nothing_and_says_so(site, user_id):
    client = site.app.test_client()
    login(client, "ada")
    before = user_ids(site)
    page = client.get("/admin/users/").get_data(as_text=True)
    for url in ("/admin/users/delete/", "/admin/users/reset/", f"/admin/users/edit/?id={user_id}"):
        answer = client.post(url, data={"csrf_token": csrf_token(page), "id": user_id, "role": "viewer"},
                             follow_redirects=True)
        body = answer.get_data(as_text=True)
        assert answer.status_code == 200, (url, user_id)  # the list again, never a 500
        # told why (an edit page without an id is only the list again)
        assert 'class="alert alert-danger' in body or (user_id == "" and "/edit/" in url), (url, user_id)
    assert user_ids(site) == before


def test_a_bundle_with_errors_sends_form_editors_to_its_source(site):
    path = site.bundle_file("newborn")
    path.write_text(path.read_text(encoding="utf-8").replace("department: police\n", "department: polise\n", 1),
                    encoding="utf-8")
    client = site.app.test_client()
    login(client, "alice")
    response = client.get("/admin/bundles/newborn/items/1/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/bundles/newborn/source/")
    body = client.get("/admin/bundles/newborn/source/").get_data(as_text=True)
    assert "E301" in body and "polise" in body


def test_serve_prepares_an_instance_with_a_git_workspace_and_a_private_key(tmp_path):
    import os
    import subprocess

    from configurator.web.serve import prepare_instance
    config = prepare_instance(tmp_path / "instance")
    assert len(config["SECRET_KEY"]) == 64
    assert oct(os.stat(tmp_path / "instance" / "secret_key").st_mode)[-3:] == "600"
    log = subprocess.run(["git", "log", "--oneline"], cwd=config["WORKSPACE"], capture_output=True, text=True, check=True)
    assert len(log.stdout.splitlines()) == 1
    again = prepare_instance(tmp_path / "instance")
    assert again == config  # a second start keeps the key, the workspace and the database
    app = create_app(config)
    from configurator.web.accounts import ensure_first_admin
    with app.app_context():
        first = ensure_first_admin()
        assert first is not None and first[0] == "admin" and len(first[1]) >= 16
        assert ensure_first_admin() is None  # printed once only
