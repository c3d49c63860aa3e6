"""Logins that resist guessing and sessions that end, black-box over real HTTP against a served
app (port 0): throttling and lockout, server-side logout, password rules, forced change."""

import datetime as dt
import re

import pytest
import requests

from configurator.web.models import AuditEntry, User, db
from tests.web_helpers import PASSWORD, csrf_token, make_site, serve


@pytest.fixture
def site(tmp_path):
    site = serve(make_site(tmp_path))
    yield site
    site.server.shutdown()


def attempt(http: requests.Session, site, username: str, password: str) -> requests.Response:
    page = http.get(f"{site.url}/login")
    return http.post(f"{site.url}/login", data={"username": username, "password": password,
                                                "csrf_token": csrf_token(page.text)}, allow_redirects=False)


def end_waits(site) -> None:
    """Let time pass: every backoff and lockout ends now (the rows are what the server reads)."""
    from configurator.web.throttle import LoginThrottle

    with site.app.app_context():
        for row in db.session.execute(db.select(LoginThrottle)).scalars():
            row.blocked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        db.session.commit()


def audit_actions(site, action: str) -> list[AuditEntry]:
    with site.app.app_context():
        return list(db.session.execute(db.select(AuditEntry).filter_by(action=action)).scalars())


def test_thirty_wrong_passwords_are_throttled_and_the_right_one_is_refused_until_the_wait_ends(site):
    http = requests.Session()
    answers = [attempt(http, site, "alice", f"wrong guess number {i}") for i in range(30)]
    codes = [a.status_code for a in answers]
    assert codes[:5] == [200] * 5  # told "wrong user name or password"
    assert set(codes[5:]) == {429}, codes
    assert "登录失败次数过多" in answers[-1].text and int(answers[-1].headers["Retry-After"]) >= 1
    right = attempt(http, site, "alice", PASSWORD)
    assert right.status_code == 429  # the right password does not get in while the wait lasts
    assert http.get(f"{site.url}/admin/bundles/", allow_redirects=False).status_code == 302
    assert len(audit_actions(site, "login-failed")) == 5
    assert len(audit_actions(site, "login-throttled")) == 26
    end_waits(site)
    assert attempt(http, site, "alice", PASSWORD).status_code == 302
    assert http.get(f"{site.url}/admin/bundles/").status_code == 200


def test_backoff_grows_into_a_lockout_recorded_in_the_audit_log(site):
    from configurator.web.throttle import LoginThrottle

    http = requests.Session()
    waits = []
    for i in range(10):
        end_waits(site)  # an attacker who waits out every backoff
        answer = attempt(http, site, "rita", f"patient guess {i}")
        assert answer.status_code == 200
        with site.app.app_context():
            row = db.session.get(LoginThrottle, "account:rita")
            until = row.blocked_until.replace(tzinfo=dt.UTC) if row.blocked_until else None
            waits.append(max(0, round((until - dt.datetime.now(dt.UTC)).total_seconds())) if until else 0)
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [2, 4, 8, 16, 32]  # doubling backoff
    assert 890 <= waits[9] <= 900  # then a 15-minute lockout
    locked = attempt(http, site, "rita", PASSWORD)
    assert locked.status_code == 429 and "账户已暂时锁定" in locked.text
    entries = audit_actions(site, "login-locked")
    assert [e.username for e in entries] == ["rita"] and "10 failures" in entries[0].detail


def test_one_address_guessing_many_names_is_throttled_too(site):
    http = requests.Session()
    for i in range(25):  # five names, five guesses each: no single account reaches its backoff
        end_waits(site) if i % 5 == 0 else None
        attempt(http, site, f"name{i % 5}", f"wrong password {i}")
    answer = attempt(http, site, "victor", PASSWORD)
    assert answer.status_code == 429  # the address is throttled, whatever account it tries


def test_unknown_names_are_locked_like_known_ones(site):
    http = requests.Session()
    known = [attempt(http, site, "alice", f"guess {i}").status_code for i in range(7)]
    end_waits(site)
    other = requests.Session()
    unknown = [attempt(other, site, "nobody-here", f"guess {i}").status_code for i in range(7)]
    assert known == unknown == [200] * 5 + [429] * 2


def test_unknown_users_cost_the_same_password_hash_as_known_ones(site, monkeypatch):
    """Timing cannot tell names apart: both paths check one hash made by the same method
    (bench/login_timing.py measures the times)."""
    from configurator.web import auth

    checked = []
    real = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda h, p: checked.append(h.split("$", 1)[0]) or real(h, p))
    http = requests.Session()
    attempt(http, site, "alice", "not her password at all")
    attempt(http, site, "no-such-user", "not her password at all")
    assert len(checked) == 2 and checked[0] == checked[1]


def test_a_cookie_from_before_logout_gets_the_login_page(site):
    http = requests.Session()
    assert attempt(http, site, "alice", PASSWORD).status_code == 302
    old_cookie = http.cookies.get("session")
    page = http.get(f"{site.url}/admin/bundles/")
    http.post(f"{site.url}/logout", data={"csrf_token": csrf_token(page.text)}, allow_redirects=False)
    replay = requests.get(f"{site.url}/admin/bundles/", cookies={"session": old_cookie}, allow_redirects=False)
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_a_password_change_ends_every_other_session_and_keeps_this_one(site):
    laptop, phone = requests.Session(), requests.Session()
    attempt(laptop, site, "alice", PASSWORD)
    attempt(phone, site, "alice", PASSWORD)
    page = laptop.get(f"{site.url}/admin/account/")
    new = "a violet kettle sings at noon"
    done = laptop.post(f"{site.url}/admin/account/", data={"csrf_token": csrf_token(page.text), "current": PASSWORD,
                                                          "new": new, "repeat": new}, allow_redirects=False)
    assert done.status_code == 302
    assert laptop.get(f"{site.url}/admin/bundles/", allow_redirects=False).status_code == 200
    assert phone.get(f"{site.url}/admin/bundles/", allow_redirects=False).status_code == 302
    assert attempt(requests.Session(), site, "alice", new).status_code == 302
    assert audit_actions(site, "change-password")


@pytest.mark.parametrize(("new", "says"), [
    ("short-one", "至少 12 个字符"),
    ("aaaaaaaaaaaaaaaa", "太容易猜到"),
    ("password12345", "太容易猜到"),
    ("qwertyuiop1234", "太容易猜到"),
    ("alice-and-some-more", "不能包含用户名"),
])
def test_weak_new_passwords_are_refused_with_the_reason(site, new, says):
    http = requests.Session()
    attempt(http, site, "alice", PASSWORD)
    page = http.get(f"{site.url}/admin/account/")
    answer = http.post(f"{site.url}/admin/account/", data={"csrf_token": csrf_token(page.text), "current": PASSWORD,
                                                          "new": new, "repeat": new})
    assert answer.status_code == 200 and says in answer.text
    assert attempt(requests.Session(), site, "alice", PASSWORD).status_code == 302  # unchanged


def test_a_role_change_ends_the_users_sessions(site):
    admin, rita = requests.Session(), requests.Session()
    attempt(admin, site, "ada", PASSWORD)
    attempt(rita, site, "rita", PASSWORD)
    with site.app.app_context():
        rita_id = db.session.execute(db.select(User.id).filter_by(username="rita")).scalar_one()
    page = admin.get(f"{site.url}/admin/users/edit/?id={rita_id}")
    admin.post(f"{site.url}/admin/users/edit/?id={rita_id}", data={"csrf_token": csrf_token(page.text), "role": "viewer"})
    assert rita.get(f"{site.url}/admin/changes/", allow_redirects=False).status_code == 302


def test_an_admin_reset_forces_a_new_password_at_next_login(site):
    admin, victor = requests.Session(), requests.Session()
    attempt(admin, site, "ada", PASSWORD)
    attempt(victor, site, "victor", PASSWORD)
    with site.app.app_context():
        victor_id = db.session.execute(db.select(User.id).filter_by(username="victor")).scalar_one()
    page = admin.get(f"{site.url}/admin/users/")
    shown = admin.post(f"{site.url}/admin/users/reset/", data={"csrf_token": csrf_token(page.text), "id": victor_id}).text
    temporary = re.search(r"临时密码[^：]*：(\S+) 。", shown).group(1)
    assert victor.get(f"{site.url}/admin/bundles/", allow_redirects=False).status_code == 302  # logged out
    assert attempt(victor, site, "victor", PASSWORD).status_code == 200  # old password gone
    answer = attempt(victor, site, "victor", temporary)
    assert answer.headers["Location"].endswith("/admin/account/")
    for url in ("/admin/", "/admin/bundles/newborn/"):
        assert victor.get(f"{site.url}{url}", allow_redirects=False).headers["Location"].endswith("/admin/account/")
    page = victor.get(f"{site.url}/admin/account/")
    assert "管理员重置了您的密码" in page.text
    new = "lanterns over the quiet harbour"
    victor.post(f"{site.url}/admin/account/", data={"csrf_token": csrf_token(page.text), "current": temporary,
                                                    "new": new, "repeat": new})
    assert victor.get(f"{site.url}/admin/bundles/", allow_redirects=False).status_code == 200


@pytest.mark.parametrize("name", ["a b", "<b>x</b>", "rev.", "ed.lock", "a/b", "-x", "x", "a" * 41])
def test_bad_user_names_are_refused_at_creation(site, name):
    admin = requests.Session()
    attempt(admin, site, "ada", PASSWORD)
    page = admin.get(f"{site.url}/admin/users/new/")
    answer = admin.post(f"{site.url}/admin/users/new/", data={"csrf_token": csrf_token(page.text), "username": name,
                                                              "role": "editor", "password": PASSWORD})
    assert answer.status_code == 200 and "用户名须为" in answer.text
    with site.app.app_context():
        assert db.session.execute(db.select(User).filter_by(username=name)).first() is None


def test_html_answers_carry_a_policy_without_inline_script(site):
    http = requests.Session()
    urls = ["/login", "/admin/no-such-page", "/admin/bundles/"]
    answers = [http.get(f"{site.url}{u}") for u in urls]
    attempt(http, site, "ada", PASSWORD)
    answers += [http.get(f"{site.url}{u}") for u in ("/admin/", "/admin/bundles/", "/admin/users/", "/admin/account/",
                                                       "/admin/bundles/newborn/preview/", "/admin/audit/")]
    for answer in answers:
        policy = answer.headers["Content-Security-Policy"]
        script = re.search(r"script-src ([^;]+)", policy).group(1)
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, answer.url
        assert "frame-ancestors 'none'" in policy, answer.url
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_secure_behind_an_https_proxy(tmp_path):
    """With PROXY_FIX=1 (one trusted proxy, docs/operations.md) X-Forwarded-Proto: https marks the cookie Secure."""
    import shutil

    from configurator.web import create_app
    from tests.helpers import ROOT

    for part in ("bundles", "catalogues"):
        shutil.copytree(ROOT / part, tmp_path / "ws" / part)
    app = create_app({"SECRET_KEY": "k" * 40, "WORKSPACE": str(tmp_path / "ws"), "PROXY_FIX": 1,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    client = app.test_client()
    plain = client.get("/login")
    assert "Secure" not in plain.headers["Set-Cookie"] and "Strict-Transport-Security" not in plain.headers
    proxied = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in proxied.headers["Set-Cookie"] and "HttpOnly" in proxied.headers["Set-Cookie"]
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")


def test_thirty_guesses_at_the_same_moment_all_count(site):
    """Parallel attempts over real HTTP: no 500, every failure counted, then the lockout holds."""
    import threading

    sessions = [requests.Session() for _ in range(30)]
    tokens = [csrf_token(s.get(f"{site.url}/login").text) for s in sessions]
    barrier = threading.Barrier(len(sessions))
    codes: list[int] = []

    def guess(index: int) -> None:
        barrier.wait()
        answer = sessions[index].post(f"{site.url}/login", allow_redirects=False, data={
            "username": "alice", "password": f"parallel guess {index}", "csrf_token": tokens[index]})
        codes.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(codes)) <= [200, 429] and len(codes) == 30, codes
    failed = len(audit_actions(site, "login-failed"))
    assert failed + len(audit_actions(site, "login-throttled")) == 30
    from configurator.web.throttle import LoginThrottle

    with site.app.app_context():
        assert db.session.get(LoginThrottle, "account:alice").failures == failed >= 5
    assert attempt(requests.Session(), site, "alice", PASSWORD).status_code == 429


def test_the_command_line_resets_a_locked_out_admin(tmp_path):
    from click.testing import CliRunner

    from configurator.cli import main
    from configurator.web import create_app
    from configurator.web.serve import prepare_instance

    instance = tmp_path / "instance"
    runner = CliRunner()
    added = runner.invoke(main, ["user", "add", "boss", "--role", "admin", "--password-stdin", "--instance", str(instance)],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    app = create_app(prepare_instance(instance))
    client = app.test_client()

    def log_in(password):
        page = client.get("/login").get_data(as_text=True)
        return client.post("/login", data={"username": "boss", "password": password, "csrf_token": csrf_token(page)})

    codes = [log_in(f"forgotten {i}").status_code for i in range(7)]
    assert codes[-1] == 429
    done = runner.invoke(main, ["user", "reset", "boss", "--instance", str(instance)])
    assert done.exit_code == 0, done.output
    temporary = re.search(r"临时密码（只显示这一次）：(\S+)", done.output).group(1)
    answer = log_in(temporary)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/account/")
    assert runner.invoke(main, ["user", "reset", "nobody", "--instance", str(instance)]).exit_code != 0
