"""Saves racing publishes over real HTTP, two app processes on one change request's branch (as
behind a load balancer), on SQLite and on PostgreSQL: a save the admin acknowledges is never
stranded on a change request that is published or closed without it. Every acknowledged save is
reachable from main or from the head of a change request that is still open; every other save
got a clear refusal."""

from __future__ import annotations

import re
import time

from configurator.workspace import git
from configurator.workspace.changes import OPEN
from configurator.workspace.records import Records
from tests.pg import postgresql_url  # noqa: F401 - a fixture
from tests.served import AppProcess, prepare, session, source_form, start_app, token
from tests.test_review_concurrency import parallel

BUNDLES = ("newborn", "retirement", "restaurant", "disability")
ROUNDS = 10
SAVES_PER_BUNDLE = 2


def editing_change(page: str) -> int:
    found = re.search(r'id="editing-change".*?/admin/changes/(\d+)/', page, re.S)
    assert found, page[:500]
    return int(found.group(1))


def race(apps: list[AppProcess], workspace, database_url: str) -> None:
    editors = [session(app.url, "alice") for app in apps]
    reviewer = session(apps[-1].url, "rita")
    acknowledged: list[tuple[str, str]] = []  # (bundle, mark)
    refused, published = 0, 0
    records = Records.connect(database_url)
    for round_number in range(ROUNDS):
        # alice's next save goes to her open change request for newborn, or opens a new one
        url = f"{apps[0].url}/admin/bundles/newborn/source/"
        page = editors[0].get(url, timeout=60).text
        text, version = source_form(page)
        mark = f"# round {round_number} start\n"
        response = editors[0].post(url, data={"csrf_token": token(page), "version": version, "text": text + mark},
                                   allow_redirects=False, timeout=120)
        assert response.status_code == 302, response.text[:1000]
        acknowledged.append(("newborn", mark))
        change = editing_change(editors[0].get(url, timeout=60).text)
        detail = editors[0].get(f"{apps[0].url}/admin/changes/{change}/", timeout=60).text
        if 'id="submit"' in detail:
            editors[0].post(f"{apps[0].url}/admin/changes/{change}/submit/", data={"csrf_token": token(detail)},
                            timeout=60)
        review = reviewer.get(f"{apps[-1].url}/admin/changes/{change}/", timeout=60).text
        head = re.search(r'data-head="([0-9a-f]{40})"', review)
        main = re.search(r'data-main="([0-9a-f]{40})"', review)
        assert head and main and 'id="publish"' in review, review[:2000]

        seen = {"head": head.group(1), "main": main.group(1)}

        def publish(review=review, change=change, seen=seen) -> str:
            time.sleep(0.3)
            reviewer.post(f"{apps[-1].url}/admin/changes/{change}/publish/", timeout=300,
                          data={"csrf_token": token(review), **seen})
            return "publish"

        first = {}  # each bundle's first form, opened before the race so its save lands early
        for index, bundle in enumerate(BUNDLES):
            app = apps[index % len(apps)]
            first[bundle] = editors[index % len(apps)].get(f"{app.url}/admin/bundles/{bundle}/source/?change={change}",
                                                           timeout=60).text

        def saves(index: int, bundle: str, change=change, round_number=round_number, first=first) -> list[tuple[str, str, int, str]]:
            browser, app = editors[index % len(apps)], apps[index % len(apps)]
            answers = []
            # staggered from round to round, so that saves land before, during and after the publish
            time.sleep(0.1 + 0.06 * round_number + 0.02 * index)
            for number in range(SAVES_PER_BUNDLE):
                page = first[bundle] if number == 0 else browser.get(
                    f"{app.url}/admin/bundles/{bundle}/source/?change={change}", timeout=60).text
                text, version = source_form(page)
                mark = f"# round {round_number} {bundle} {number}\n"
                response = browser.post(f"{app.url}/admin/bundles/{bundle}/source/?change={change}", timeout=300,
                                        data={"csrf_token": token(page), "version": version, "text": text + mark},
                                        allow_redirects=False)
                answers.append((bundle, mark, response.status_code, response.text))
            return answers

        jobs = [publish, *(lambda i=i, b=b: saves(i, b) for i, b in enumerate(BUNDLES))]
        results = parallel(jobs)
        assert not [r for r in results if isinstance(r, Exception)], results
        for answers in results[1:]:
            for bundle, mark, status, body in answers:  # type: ignore[union-attr]
                if status == 302:
                    acknowledged.append((bundle, mark))
                else:  # refused, and said so: never a server error
                    assert status in (200, 409), body[:2000]
                    assert "变更申请" in body or "保存被拒绝" in body, body[:2000]
                    refused += 1
        state = records.get(change)
        assert state is not None
        published += state.state == "published"
    heads = [git.ref(workspace, r.branch) for r in records.all(OPEN)]
    places = [git.ref(workspace, git.MAIN), *(h for h in heads if h)]
    stranded = []
    for bundle, mark in acknowledged:
        texts = [(git.read_file(workspace, place, f"bundles/{bundle}.yaml") or b"").decode("utf-8")
                 for place in places]
        if not any(mark in t for t in texts):
            stranded.append(mark.strip())
    records.engine.dispose()
    assert published >= 2, f"only {published} of {ROUNDS} rounds published: the race was not run"
    assert not stranded, f"{len(stranded)} of {len(acknowledged)} acknowledged saves stranded: {stranded}"
    assert refused + len(acknowledged) == ROUNDS * (1 + len(BUNDLES) * SAVES_PER_BUNDLE)
    assert git.fsck(workspace) == ""


def test_saves_racing_publishes_two_app_processes(tmp_path):
    database = f"sqlite:///{tmp_path / 'admin.db'}"
    workspace = prepare(tmp_path, database)
    apps = [start_app(workspace, database), start_app(workspace, database)]
    try:
        race(apps, workspace, database)
    finally:
        for app in apps:
            app.stop()


def test_saves_racing_publishes_two_app_processes_on_postgresql(tmp_path, postgresql_url):  # noqa: F811
    workspace = prepare(tmp_path, postgresql_url)
    apps = [start_app(workspace, postgresql_url), start_app(workspace, postgresql_url)]
    try:
        race(apps, workspace, postgresql_url)
    finally:
        for app in apps:
            app.stop()
