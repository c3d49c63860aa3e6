"""Concurrent saves over real HTTP against served apps in git mode (one process, and two
processes sharing the workspace and the database): every acknowledged save is on its branch,
none dangles, and every other save got a clear conflict answer."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable

from configurator.workspace import git
from tests.pg import postgresql_url  # noqa: F401 - a fixture
from tests.served import AppProcess, prepare, session, source_form, start_app, token

EDITORS = ("alice", "bob", "carol")
SAVES = 20
BUNDLES = ("newborn", "retirement", "restaurant", "disability")


def parallel(jobs: list[Callable[[], object]]) -> list[object]:
    results: list[object] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = jobs[index]()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def branch_texts(workspace, branch: str, path: str) -> str:
    """Every version of a file on a branch's history, concatenated (a save is found by its mark)."""
    out = subprocess.run(["git", "-c", "core.quotepath=false", "log", "-p", "--format=%H", branch, "--", path],
                         cwd=workspace, capture_output=True, text=True, check=True).stdout
    return out


def hammer(apps: list[AppProcess], workspace) -> None:
    url_of = {editor: apps[index % len(apps)].url for index, editor in enumerate(EDITORS)}
    browsers = {editor: session(url_of[editor], editor) for editor in EDITORS}
    # Round 1: each editor opens the source once, then fires 20 saves of it at the same moment.
    forms = {}
    for editor in EDITORS:
        page = browsers[editor].get(f"{url_of[editor]}/admin/bundles/newborn/source/", timeout=60).text
        forms[editor] = (*source_form(page), token(page))
    jobs = []
    for editor in EDITORS:
        text, version, csrf = forms[editor]
        for number in range(SAVES):
            mark = f"# save {editor} {number}\n"

            def save(editor=editor, text=text, version=version, csrf=csrf, mark=mark):
                response = browsers[editor].post(f"{url_of[editor]}/admin/bundles/newborn/source/", timeout=120,
                                                 data={"csrf_token": csrf, "version": version, "text": text + mark},
                                                 allow_redirects=False)
                return editor, mark, response.status_code, response.text
            jobs.append(save)
    results = parallel(jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    acknowledged: dict[str, list[str]] = {editor: [] for editor in EDITORS}
    for editor, mark, status, body in results:  # type: ignore[misc]
        if status == 302:
            acknowledged[editor].append(mark)
        else:
            assert status == 200 and 'id="conflict"' in body and "保存被拒绝" in body, body[:2000]
    changes = {}
    for editor in EDITORS:
        # the same starting version: exactly one of the 20 saves can be built on it
        assert len(acknowledged[editor]) == 1, acknowledged[editor]
        page = browsers[editor].get(f"{url_of[editor]}/admin/bundles/newborn/source/", timeout=60).text
        changes[editor] = int(page.split('id="editing-change"')[1].split("/admin/changes/")[1].split("/")[0])
        branch = f"changes/{changes[editor]}"
        history = branch_texts(workspace, branch, "bundles/newborn.yaml")
        for mark in acknowledged[editor]:
            assert "+" + mark.strip() in history
    # Round 2: each editor saves four bundles in one change request at the same moment: the branch
    # moves under each save, and every one of them must still land.
    jobs = []
    for editor in EDITORS:
        for bundle in BUNDLES:
            def save_bundle(editor=editor, bundle=bundle):
                url = f"{url_of[editor]}/admin/bundles/{bundle}/source/?change={changes[editor]}"
                page = browsers[editor].get(url, timeout=60).text
                text, version = source_form(page)
                mark = f"# parallel {editor} {bundle}\n"
                response = browsers[editor].post(url, data={"csrf_token": token(page), "version": version,
                                                            "text": text + mark}, allow_redirects=False, timeout=120)
                return editor, bundle, mark, response.status_code
            jobs.append(save_bundle)
    results = parallel(jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    for editor, bundle, mark, status in results:  # type: ignore[misc]
        assert status == 302, (editor, bundle)
        assert "+" + mark.strip() in branch_texts(workspace, f"changes/{changes[editor]}", f"bundles/{bundle}.yaml")
    # Nothing acknowledged was lost later: each branch head holds every acknowledged mark.
    for editor in EDITORS:
        head = git.ref(workspace, f"changes/{changes[editor]}")
        for bundle in BUNDLES:
            text = git.read_file(workspace, head, f"bundles/{bundle}.yaml").decode("utf-8")
            assert f"# parallel {editor} {bundle}" in text
        assert all(mark in git.read_file(workspace, head, "bundles/newborn.yaml").decode("utf-8")
                   for mark in acknowledged[editor])
    # A refused save builds nothing; a save that lost a compare-and-swap race leaves an
    # unacknowledged commit object behind (git gc removes it); the repository is consistent.
    assert git.fsck(workspace) == ""


def test_three_editors_twenty_parallel_saves_one_app(tmp_path):
    database = f"sqlite:///{tmp_path / 'admin.db'}"
    workspace = prepare(tmp_path, database)
    app = start_app(workspace, database)
    try:
        hammer([app], workspace)
    finally:
        app.stop()


def test_three_editors_twenty_parallel_saves_two_app_processes(tmp_path):
    database = f"sqlite:///{tmp_path / 'admin.db'}"
    workspace = prepare(tmp_path, database)
    apps = [start_app(workspace, database), start_app(workspace, database)]
    try:
        hammer(apps, workspace)
    finally:
        for app in apps:
            app.stop()


def test_three_editors_twenty_parallel_saves_two_app_processes_on_postgresql(tmp_path, postgresql_url):  # noqa: F811
    workspace = prepare(tmp_path, postgresql_url)
    apps = [start_app(workspace, postgresql_url), start_app(workspace, postgresql_url)]
    try:
        hammer(apps, workspace)
    finally:
        for app in apps:
            app.stop()
