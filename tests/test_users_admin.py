"""Users and the audit log through flask-admin's SQLAlchemy views, over real HTTP against a served app
(and the Flask test client with a login): the rules of user management, paging, filters, search,
a CSV export that a spreadsheet cannot run, the roles and CSRF."""

import csv
import io
import re
import threading

import pytest
import requests

from configurator.web.accounts import UserError, change_role, create_user, delete_user
from configurator.web.models import AuditEntry, User, db
from configurator.web.users import spreadsheet_safe
from tests.pg import postgresql_url  # noqa: F401 - a fixture
from tests.served import prepare, start_app
from tests.served import session as served_session
from tests.web_helpers import PASSWORD, csrf_token, login, make_site, serve


@pytest.fixture
def site(tmp_path):
    site = serve(make_site(tmp_path))
    yield site
    site.server.shutdown()


def signed_in(site, username: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{site.url}/login")
    answer = http.post(f"{site.url}/login", data={"username": username, "password": PASSWORD,
                                                  "csrf_token": csrf_token(page.text)}, allow_redirects=False)
    assert answer.status_code == 302
    return http


def user(site, name: str) -> User | None:
    with site.app.app_context():
        found = db.session.execute(db.select(User).filter_by(username=name)).scalar_one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found


def add_audit_entries(site, count: int, **values) -> None:
    with site.app.app_context():
        db.session.add_all(AuditEntry(username=values.get("username", f"user{n % 7}"), action=values.get("action", "save"),
                                      target=values.get("target", f"bundles/b{n}.yaml"), detail=values.get("detail", ""))
                           for n in range(count))
        db.session.commit()


def test_the_last_admin_is_never_demoted_or_removed(site):
    with site.app.app_context():
        alice, ada = (db.session.execute(db.select(User).filter_by(username=n)).scalar_one() for n in ("alice", "ada"))
        with pytest.raises(UserError, match="最后一位管理员"):
            change_role(alice, ada, "viewer")
        with pytest.raises(UserError, match="最后一位管理员"):
            delete_user(alice, ada)
        with pytest.raises(UserError, match="不能降低自己的角色"):
            change_role(ada, ada, "editor")
        zoe = create_user("zoe", "admin", "quiet harbour lanterns 7", by="ada")
        change_role(ada, zoe, "editor")  # another admin remains: allowed
        assert db.session.get(User, zoe.id).role == "editor"
        assert db.session.execute(db.select(AuditEntry).filter_by(action="set-role", target="zoe")).scalar_one().detail \
            == "editor"


def demote_on(url: str, http: requests.Session, target_id: int, start: threading.Barrier) -> None:
    """Open the user's edit page, wait for the other admin, then make the user an editor."""
    page = http.get(f"{url}/admin/users/edit/?id={target_id}").text
    start.wait()
    http.post(f"{url}/admin/users/edit/?id={target_id}", data={"csrf_token": csrf_token(page), "role": "editor"})


def test_two_admins_demoting_each_other_at_once_leave_one_admin(site):
    """Over real HTTP, at the same moment, many times: never no admin at all."""
    with site.app.app_context():
        create_user("zoe", "admin", PASSWORD)
    for _ in range(4):
        sessions = {name: signed_in(site, name) for name in ("ada", "zoe")}
        ids = {name: user(site, name).id for name in ("ada", "zoe")}
        start = threading.Barrier(2)
        threads = [threading.Thread(target=demote_on, args=(site.url, sessions[actor], ids[target], start))
                   for actor, target in (("ada", "zoe"), ("zoe", "ada"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        roles = sorted(user(site, name).role for name in ("ada", "zoe"))
        assert roles == ["admin", "editor"]
        with site.app.app_context():  # both admins again for the next round
            db.session.execute(db.update(User).where(User.username.in_(["ada", "zoe"])).values(role="admin"))
            db.session.commit()


def test_two_admins_on_two_app_processes_on_postgresql_leave_one_admin(tmp_path, postgresql_url):  # noqa: F811
    """The same, as deployed behind a load balancer: each admin on their own app process, one
    PostgreSQL database (where the admins' rows are locked before the conditional UPDATE)."""
    workspace = prepare(tmp_path, postgresql_url, users={"ada": "admin", "zoe": "admin"})
    apps = [start_app(workspace, postgresql_url), start_app(workspace, postgresql_url)]
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(postgresql_url)
        with engine.connect() as connection:
            ids = dict(connection.execute(text("SELECT username, id FROM users")).all())
        for _ in range(4):
            sessions = {"ada": served_session(apps[0].url, "ada"), "zoe": served_session(apps[1].url, "zoe")}
            start = threading.Barrier(2)
            threads = [threading.Thread(target=demote_on, args=(app.url, sessions[actor], ids[target], start))
                       for app, actor, target in ((apps[0], "ada", "zoe"), (apps[1], "zoe", "ada"))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            with engine.begin() as connection:
                roles = sorted(connection.execute(text("SELECT role FROM users")).scalars())
                assert roles == ["admin", "editor"]
                connection.execute(text("UPDATE users SET role = 'admin'"))
        engine.dispose()
    finally:
        for app in apps:
            app.stop()


def test_a_role_change_through_the_edit_form_names_the_refusal_next_to_the_field(site):
    ada = signed_in(site, "ada")
    ada_id = user(site, "ada").id
    page = ada.get(f"{site.url}/admin/users/edit/?id={ada_id}")
    answer = ada.post(f"{site.url}/admin/users/edit/?id={ada_id}", data={"csrf_token": csrf_token(page.text), "role": "viewer"})
    assert answer.status_code == 200 and "不能降低自己的角色" in answer.text
    assert user(site, "ada").role == "admin"


def test_an_admin_adds_a_user_and_a_weak_password_is_refused_at_its_field(site):
    ada = signed_in(site, "ada")
    page = ada.get(f"{site.url}/admin/users/new/")
    weak = ada.post(f"{site.url}/admin/users/new/", data={"csrf_token": csrf_token(page.text), "username": "zhang-san",
                                                          "role": "editor", "password": "password1234"})
    assert weak.status_code == 200 and "太容易猜到" in weak.text and user(site, "zhang-san") is None
    assert 'value="zhang-san"' in weak.text  # what was typed is kept
    added = ada.post(f"{site.url}/admin/users/new/", data={"csrf_token": csrf_token(page.text), "username": "zhang-san",
                                                           "role": "editor", "password": "lanterns over the harbour"})
    assert "已添加用户“zhang-san”" in added.text and user(site, "zhang-san").role == "editor"
    again = ada.post(f"{site.url}/admin/users/new/", data={"csrf_token": csrf_token(page.text), "username": "ZHANG-SAN",
                                                           "role": "viewer", "password": "lanterns over the harbour"})
    assert "已存在" in again.text


def test_every_form_needs_the_csrf_token(site):
    ada = signed_in(site, "ada")
    victor_id = user(site, "victor").id
    posts = [("/admin/users/new/", {"username": "mallory", "role": "admin", "password": "lanterns over the harbour"}),
             ("/admin/users/delete/", {"id": victor_id}), ("/admin/users/reset/", {"id": victor_id}),
             (f"/admin/users/edit/?id={victor_id}", {"role": "admin"})]
    for url, data in posts:
        answer = ada.post(f"{site.url}{url}", data=data)
        assert answer.status_code == 400 and "安全令牌" in answer.text, url
    assert user(site, "mallory") is None and user(site, "victor").role == "viewer"
    assert user(site, "victor").check_password(PASSWORD)


@pytest.mark.parametrize(("username", "users", "audit"), [("victor", 403, 403), ("alice", 403, 403),
                                                          ("rita", 403, 200), ("ada", 200, 200)])
def test_the_pages_keep_their_roles(site, username, users, audit):
    http = signed_in(site, username)
    for url in ("/admin/users/", "/admin/users/new/"):
        assert http.get(f"{site.url}{url}", allow_redirects=False).status_code == users, url
    for url in ("/admin/audit/", "/admin/audit/export/csv/"):
        assert http.get(f"{site.url}{url}", allow_redirects=False).status_code == audit, url


def test_the_audit_log_pages_past_500_entries_and_is_searched_and_filtered(site):
    add_audit_entries(site, 640)
    add_audit_entries(site, 3, username="carol", action="publish", target="bundles/newborn.yaml")
    rita = signed_in(site, "rita")
    first = rita.get(f"{site.url}/admin/audit/").text
    assert first.count("<tr>") - 1 == 100  # a page of 100
    seen = set()
    for page in range(7):  # 644 entries: pages 0–6
        seen |= set(re.findall(r"bundles/b\d+\.yaml", rita.get(f"{site.url}/admin/audit/", params={"page": page}).text))
    assert len(seen) == 640  # every entry is reachable, none past a cut
    found = rita.get(f"{site.url}/admin/audit/", params={"search": "newborn"}).text
    assert found.count("bundles/newborn.yaml") == 3 and "bundles/b1.yaml" not in found
    # the filters flask-admin offers for a text column: here "操作 equals publish"
    filtered = rita.get(f"{site.url}/admin/audit/", params={"flt1_action_equals": "publish"}).text
    assert filtered.count("carol") == 3 and "bundles/b1.yaml" not in filtered


def test_the_csv_export_holds_every_entry_and_no_cell_runs_as_a_formula(site):
    # A person can put anything in the name they try to log in with: it is written to the audit log.
    hostile = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
               "＝１＋１"]
    for name in hostile:
        http = requests.Session()
        page = http.get(f"{site.url}/login")
        http.post(f"{site.url}/login", data={"username": name, "password": "x", "csrf_token": csrf_token(page.text)})
    add_audit_entries(site, 600)
    answer = signed_in(site, "rita").get(f"{site.url}/admin/audit/export/csv/")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"].startswith("attachment;filename=audit-")
    assert answer.headers["Cache-Control"] == "no-store"
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read the Chinese as UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["时间", "用户", "操作", "对象", "说明"]
    assert len(rows) - 1 > 600  # not cut at 500
    names = {row[1] for row in rows[1:]}
    for name in hostile:
        assert "'" + name in names, name  # shown as text by a spreadsheet
    assert not [row for row in rows[1:] for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "＝"))]


def test_a_cell_that_would_run_is_shown_as_text_and_others_are_left_alone():
    assert [spreadsheet_safe(v) for v in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "＝1", "＠A1")] == \
        ["'=1+1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1", "'＝1", "'＠A1"]
    assert [spreadsheet_safe(v) for v in ("出生登记", "a=b", "2026-12-05 08:00:00", "", None, 3)] == \
        ["出生登记", "a=b", "2026-12-05 08:00:00", "", "", "3"]


def test_the_export_of_a_search_holds_only_what_was_found(site):
    add_audit_entries(site, 30)
    add_audit_entries(site, 2, username="carol", action="publish")
    answer = signed_in(site, "ada").get(f"{site.url}/admin/audit/export/csv/", params={"search": "carol"})
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["carol", "carol"]


def test_the_users_list_searches_and_filters_by_role(site):
    client = site.app.test_client()
    login(client, "ada")
    listing = client.get("/admin/users/").get_data(as_text=True)
    assert "每页 50 条" in listing and "每页 100 条" in listing and "items" not in listing  # all in Chinese
    found = client.get("/admin/users/?search=ali").get_data(as_text=True)
    assert "alice" in found and "victor" not in found
    reviewers = client.get("/admin/users/?flt1_role_equals=reviewer").get_data(as_text=True)
    assert "rita" in reviewers and "alice" not in reviewers


def test_a_reset_from_the_list_shows_the_password_once_and_marks_the_user(site):
    ada = signed_in(site, "ada")
    page = ada.get(f"{site.url}/admin/users/").text
    answer = ada.post(f"{site.url}/admin/users/reset/", data={"csrf_token": csrf_token(page), "id": user(site, "victor").id})
    temporary = re.search(r"临时密码[^：]*：(\S+) 。", answer.text).group(1)
    assert user(site, "victor").check_password(temporary)
    rows = re.findall(r'<td class="col-username">\s*(\S+)\s*</td>.*?<td class="col-must_change_password">\s*(\S+)\s*</td>',
                      answer.text, re.S)
    assert dict(rows) == {"ada": "否", "alice": "否", "rita": "否", "victor": "是"}  # 须改密码
    assert temporary not in ada.get(f"{site.url}/admin/users/").text  # shown once
    with site.app.app_context():
        entry = db.session.execute(db.select(AuditEntry).filter_by(action="reset-password")).scalar_one()
        assert (entry.username, entry.target) == ("ada", "victor")
