"""Faults on a served app in git mode: a process killed (SIGKILL) at chosen points of a save and
of a publish, and locks left behind. After each, a restarted app recovers by itself: `git fsck`
is clean, main is never half-published, and every acknowledged save is there."""

from __future__ import annotations

import os
import shutil
import time

import pytest
import requests

from configurator.workspace import git
from tests.served import prepare, session, source_form, start_app, token

REAL_GIT = shutil.which("git") or "/usr/bin/git"
# A git that kills the app process calling it once, before or after running the matching command.
FAULTY_GIT = """#!/bin/sh
case "$*" in
  *"$FAULT_MATCH"*)
    if [ -e "$FAULT_ARMED" ]; then
      rm -f "$FAULT_ARMED"
      if [ "$FAULT_WHEN" = before ]; then kill -9 $PPID; exit 1; fi
      "$REAL_GIT" "$@"; code=$?; kill -9 $PPID; exit $code
    fi;;
esac
exec "$REAL_GIT" "$@"
"""


@pytest.fixture
def world(tmp_path):
    database = f"sqlite:///{tmp_path / 'admin.db'}"
    workspace = prepare(tmp_path, database)
    started = []

    def start(match: str = "", when: str = "after"):
        env = {}
        if match:
            folder = tmp_path / "faulty-bin"
            folder.mkdir(exist_ok=True)
            (folder / "git").write_text(FAULTY_GIT, encoding="utf-8")
            os.chmod(folder / "git", 0o755)
            (tmp_path / "armed").write_text("", encoding="utf-8")
            env = {"PATH": f"{folder}:{os.environ['PATH']}", "FAULT_MATCH": match, "FAULT_WHEN": when,
                   "FAULT_ARMED": str(tmp_path / "armed"), "REAL_GIT": REAL_GIT}
        app = start_app(workspace, database, env)
        started.append(app)
        return app

    yield workspace, start
    for app in started:
        app.stop()


def save(url, browser, bundle, mark, change=None):
    query = f"?change={change}" if change else ""
    page = browser.get(f"{url}/admin/bundles/{bundle}/source/{query}", timeout=60).text
    text, version = source_form(page)
    return browser.post(f"{url}/admin/bundles/{bundle}/source/{query}", allow_redirects=False, timeout=60,
                        data={"csrf_token": token(page), "version": version, "text": text + f"# {mark}\n"})


def change_of(response) -> int:
    return int(response.headers["Location"].split("change=")[1])


def consistent(workspace, url):
    """fsck clean, and what the API serves is main's commit in full."""
    assert git.fsck(workspace) == ""
    main = git.ref(workspace, "main")
    response = requests.get(f"{url}/api/bundles", timeout=60)
    assert response.status_code == 200 and response.json()["source_commit"] == main
    return main


SAVE_REF = "update-ref --end-of-options refs/heads/changes/"


# A save writes its blob, trees and commit in one unpack-objects, then moves its branch.
@pytest.mark.parametrize("point,when", [(SAVE_REF, "before"), (SAVE_REF, "after"), ("unpack-objects", "before"),
                                        ("unpack-objects", "after")])
def test_sigkill_during_a_save_loses_no_acknowledged_save(world, point, when):
    workspace, start = world
    app = start(point, when)
    alice = session(app.url, "alice")
    with pytest.raises(requests.ConnectionError):  # the kill point of the first save stops the app
        save(app.url, alice, "newborn", "killed save")
    assert app.process.wait(timeout=30) == -9
    app = start()
    alice = session(app.url, "alice")
    acknowledged = save(app.url, alice, "newborn", "acknowledged save")
    assert acknowledged.status_code == 302
    head = git.ref(workspace, f"changes/{change_of(acknowledged)}")
    text = git.read_file(workspace, head, "bundles/newborn.yaml").decode("utf-8")
    assert "# acknowledged save" in text
    # Only a kill after the branch moved leaves the killed save on it (never acknowledged); a kill
    # while its objects are written, or before the ref moves, leaves no trace on the branch.
    assert ("# killed save" in text) == (point == SAVE_REF and when == "after")
    consistent(workspace, app.url)


@pytest.mark.parametrize("point,when", [
    ("update-ref --end-of-options refs/heads/main", "before"),
    ("update-ref --end-of-options refs/heads/main", "after"),
    ("unpack-objects", "before"),  # the merge commit, with any version bumps
    ("read-tree -m -u", "before"),
])
def test_sigkill_during_a_publish_never_half_publishes(world, point, when):
    workspace, start = world
    app = start()
    alice, rita = session(app.url, "alice"), session(app.url, "rita")
    response = save(app.url, alice, "newborn", "to publish")
    number = change_of(response)
    page = alice.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    alice.post(f"{app.url}/admin/changes/{number}/submit/", data={"csrf_token": token(page)}, timeout=60)
    before = git.ref(workspace, "main")
    app.stop()

    app = start(point, when)
    rita = session(app.url, "rita")
    page = rita.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    head = page.split('data-head="')[1][:40]
    with pytest.raises(requests.ConnectionError):
        rita.post(f"{app.url}/admin/changes/{number}/publish/", timeout=60, allow_redirects=False,
                  data={"csrf_token": token(page), "head": head, "main": before})
    app.process.wait(timeout=30)

    app = start()
    main = consistent(workspace, app.url)
    published = main != before
    assert published == (point != "unpack-objects" and not (point.startswith("update-ref") and when == "before"))
    rita = session(app.url, "rita")
    state = rita.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    if published:  # all of it: the merge commit on main, the state recorded on restart, the API serving it
        assert git.is_ancestor(workspace, head, main) and 'data-state="published"' in state
        assert requests.get(f"{app.url}/api/bundles/newborn", timeout=60).headers["X-Bundle-Version"] == "2"
    else:  # none of it: main as it was, and the change request can be published now
        assert 'data-state="submitted"' in state
        response = rita.post(f"{app.url}/admin/changes/{number}/publish/", timeout=60, allow_redirects=False,
                             data={"csrf_token": token(state), "head": head, "main": before})
        assert "已发布变更申请" in rita.get(app.url + response.headers["Location"], timeout=60).text
    assert "# to publish" in git.read_file(workspace, "main", "bundles/newborn.yaml").decode("utf-8")


def age(path, seconds=3600):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_stale_index_lock_does_not_stop_a_publish_and_the_files_catch_up(world):
    workspace, start = world
    app = start()
    alice, rita = session(app.url, "alice"), session(app.url, "rita")
    number = change_of(save(app.url, alice, "newborn", "index lock"))
    page = alice.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    alice.post(f"{app.url}/admin/changes/{number}/submit/", data={"csrf_token": token(page)}, timeout=60)
    lock = workspace / ".git" / "index.lock"
    lock.write_text("", encoding="utf-8")  # fresh: a git command of someone else's is running
    page = rita.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    response = rita.post(f"{app.url}/admin/changes/{number}/publish/", timeout=60, allow_redirects=False, data={
        "csrf_token": token(page), "head": page.split('data-head="')[1][:40], "main": page.split('data-main="')[1][:40]})
    assert "已发布变更申请" in rita.get(app.url + response.headers["Location"], timeout=60).text  # served from main's commit
    assert "# index lock" not in (workspace / "bundles/newborn.yaml").read_text(encoding="utf-8")  # files wait
    consistent(workspace, app.url)
    age(lock)  # now it is stale: the next publish removes it and the files catch up
    number = change_of(save(app.url, alice, "retirement", "second"))
    page = alice.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    alice.post(f"{app.url}/admin/changes/{number}/submit/", data={"csrf_token": token(page)}, timeout=60)
    page = rita.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    rita.post(f"{app.url}/admin/changes/{number}/publish/", timeout=60, allow_redirects=False, data={
        "csrf_token": token(page), "head": page.split('data-head="')[1][:40], "main": page.split('data-main="')[1][:40]})
    assert not lock.exists()
    assert "# index lock" in (workspace / "bundles/newborn.yaml").read_text(encoding="utf-8")
    assert "# second" in (workspace / "bundles/retirement.yaml").read_text(encoding="utf-8")


def test_stale_ref_locks_are_recovered_and_fresh_ones_answered_clearly(world):
    workspace, start = world
    app = start()
    alice, rita = session(app.url, "alice"), session(app.url, "rita")
    first = save(app.url, alice, "newborn", "first")
    number = change_of(first)
    branch_lock = workspace / ".git" / "refs" / "heads" / "changes" / f"{number}.lock"
    branch_lock.write_text("", encoding="utf-8")
    age(branch_lock)  # left by a killed process an hour ago
    assert save(app.url, alice, "newborn", "second").status_code == 302 and not branch_lock.exists()
    page = alice.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    alice.post(f"{app.url}/admin/changes/{number}/submit/", data={"csrf_token": token(page)}, timeout=60)
    main_lock = workspace / ".git" / "refs" / "heads" / "main.lock"
    main_lock.write_text("", encoding="utf-8")  # fresh: refused with a clear answer, nothing changed
    page = rita.get(f"{app.url}/admin/changes/{number}/", timeout=60).text
    fields = {"csrf_token": token(page), "head": page.split('data-head="')[1][:40], "main": page.split('data-main="')[1][:40]}
    response = rita.post(f"{app.url}/admin/changes/{number}/publish/", timeout=60, allow_redirects=False, data=fields)
    assert "main 分支被锁定" in rita.get(app.url + response.headers["Location"], timeout=60).text
    assert git.ref(workspace, "main") == fields["main"]
    age(main_lock)
    response = rita.post(f"{app.url}/admin/changes/{number}/publish/", timeout=60, allow_redirects=False, data=fields)
    assert "已发布变更申请" in rita.get(app.url + response.headers["Location"], timeout=60).text
    consistent(workspace, app.url)
