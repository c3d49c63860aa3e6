"""Cases on the real Temporal engine (issue 26): the development server and the time-skipping test
server from the installed packages, workers as separate processes started by `configurator worker`.
No part of Temporal is mocked. Ports 7240-7259."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("temporalio")

from temporalio.testing import WorkflowEnvironment  # noqa: E402

from configurator.cases import store  # noqa: E402
from configurator.cases.client import CaseError, Cases  # noqa: E402
from configurator.cases.engine import binary, start_engine  # noqa: E402
from configurator.cases.worker import make_worker  # noqa: E402
from configurator.cases.workflow import TASK_QUEUE, WORKFLOW_NAME  # noqa: E402
from configurator.planning.casegraph import case_graph  # noqa: E402
from configurator.planning.resolution import resolve  # noqa: E402
from tests.compile_helpers import compiled  # noqa: E402

pytestmark = pytest.mark.temporal
TODAY = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def graph_of(bundle_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    c = compiled(bundle_id)
    return case_graph(resolve(c, answers, None, None, TODAY), "c0ffee").as_json()


def eligible_answer_sets(bundle_id: str, count: int) -> list[dict[str, Any]]:
    c = compiled(bundle_id)
    found = [dict(s.answers) for s in c.scenarios[0] if resolve(c, s.answers).eligible]
    return found[:: max(1, len(found) // count)][:count]


def start_worker(instance: Path, address: str) -> subprocess.Popen[bytes]:
    (instance / "workspace").mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "configurator", "worker", "--instance", str(instance),
                             "--temporal", address], stdout=subprocess.DEVNULL)


def stop(worker: subprocess.Popen[bytes]) -> None:
    worker.kill()
    worker.wait(30)


def wait_for(condition: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("the engine did not get there in time")


def run_to_the_end(cases: Cases, case_id: str, before_each: Any = None) -> list[str]:
    """Complete every ready task until the case is done; the order they were completed in."""
    done: list[str] = []
    while True:
        state = wait_for(lambda: (s := cases.state(case_id)) and (s["state"] == "done" or any(
            t["state"] == "ready" for t in s["tasks"])) and s)
        if state["state"] == "done":
            return done
        for task in state["tasks"]:
            if task["state"] == "ready":
                if before_each:
                    before_each(len(done))
                cases.update(case_id, "complete", task["item"], {"number": f"N-{task['item']}"})
                done.append(task["item"])


@pytest.fixture
def engine(tmp_path):
    process = start_engine(7250, tmp_path / "engine.db")
    yield "127.0.0.1:7250", process, tmp_path
    process.terminate()
    process.wait(30)


def test_several_answer_sets_run_exactly_the_plans_items_in_dependency_order(engine):
    address, _, tmp_path = engine
    worker = start_worker(tmp_path / "instance", address)
    cases = Cases(address)
    try:
        for n, answers in enumerate(eligible_answer_sets("newborn", 3) + eligible_answer_sets("restaurant", 2)):
            bundle_id = "newborn" if n < 3 else "restaurant"
            graph = graph_of(bundle_id, answers)
            cases.start(f"app_order{n}", graph)
            cases.start(f"app_order{n}", graph)  # a retried submission starts nothing more
            done = run_to_the_end(cases, f"app_order{n}")
            planned = [t for t in graph["tasks"] if not t["skipped"]]
            assert sorted(done) == sorted(t["item"] for t in planned)
            final = {t["item"]: t for t in cases.state(f"app_order{n}")["tasks"]}
            for task in planned:
                for before in task["after"]:
                    assert final[before]["done_at"] <= final[task["item"]]["ready_at"], (task["item"], before)
            for task in graph["tasks"]:
                if task["skipped"]:
                    assert final[task["item"]]["state"] == "skipped" and final[task["item"]]["ready_at"] is None
        # completing twice is harmless; a task not ready yet is refused with a reason
        again = cases.update("app_order0", "complete", planned_first(graph_of("newborn", eligible_answer_sets("newborn", 3)[0])), {})
        assert again["already_done"] is True
    finally:
        stop(worker)


def planned_first(graph: dict[str, Any]) -> str:
    return next(t["item"] for t in graph["tasks"] if not t["skipped"] and not t["after"])


def test_a_waiting_task_cannot_be_completed_and_the_department_list_shows_handed_results(engine):
    address, _, tmp_path = engine
    worker = start_worker(tmp_path / "instance", address)
    cases = Cases(address)
    try:
        from tests.test_working_days import FULL_NEWBORN

        cases.start("app_scoped", graph_of("newborn", FULL_NEWBORN))
        wait_for(lambda: any(t["state"] == "ready" for t in cases.state("app_scoped")["tasks"]))
        with pytest.raises(CaseError) as refused:
            cases.update("app_scoped", "complete", "birth_registration", {})
        assert refused.value.kind == "not-ready" and "issue_birth_certificate" in str(refused.value)
        cases.update("app_scoped", "complete", "issue_birth_certificate", {"certificate": "CN-1"})
        db = store.open_database(f"sqlite:///{tmp_path / 'instance' / 'configurator.db'}")
        police = wait_for(lambda: store.department_tasks(db, "police", "ready"))
        assert [row["item"] for row in police] == ["birth_registration"]
        assert '"CN-1"' in police[0]["handed"]
    finally:
        stop(worker)


def test_a_worker_killed_mid_case_is_replaced_and_the_engine_restarted_on_its_db_keeps_the_case(engine):
    address, process, tmp_path = engine
    from tests.test_working_days import FULL_NEWBORN

    instance = tmp_path / "instance"
    workers = [start_worker(instance, address)]
    cases = Cases(address)
    graph = graph_of("newborn", FULL_NEWBORN)
    cases.start("app_killed", graph)

    try:
        # half the case, a SIGKILL, a new worker
        first = wait_for(lambda: [t["item"] for t in cases.state("app_killed")["tasks"] if t["state"] == "ready"])
        for n, item in enumerate(first):
            if n == 1:  # one task done: the worker dies without warning, a new one takes over
                os.kill(workers[-1].pid, signal.SIGKILL)
                workers[-1].wait()
                workers.append(start_worker(instance, address))
            cases.update("app_killed", "complete", item, {})
        assert len(first) > 1 and len(workers) == 2
        # the engine stops and starts again on its database file
        process.terminate()
        process.wait(30)
        restarted = start_engine(7250, tmp_path / "engine.db")
        try:
            cases = Cases(address)
            done = run_to_the_end(cases, "app_killed")
            assert sorted(first + done) == sorted(t["item"] for t in graph["tasks"] if not t["skipped"])
        finally:
            restarted.terminate()
            restarted.wait(30)
    finally:
        for worker in workers:
            stop(worker)


def test_a_ten_working_day_limit_escalates_to_the_lead_department_exactly_at_its_due_time(tmp_path):
    c = compiled("restaurant")
    answers = next(a for a in eligible_answer_sets("restaurant", 50)
                   if any(t["promised_days"] == 10 and not t["after"] and not t["skipped"]
                          for t in graph_of("restaurant", a)["tasks"]))
    graph = graph_of("restaurant", answers)
    ten = next(t for t in graph["tasks"] if t["promised_days"] == 10 and not t["after"])
    database = f"sqlite:///{tmp_path / 'cases.db'}"

    async def scenario() -> dict[str, Any]:
        env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binary("temporal-test-server")),
                                                            port=7251)
        async with env:
            with concurrent.futures.ThreadPoolExecutor(4) as executor:
                async with make_worker(env.client, database, executor):
                    handle = await env.client.start_workflow(WORKFLOW_NAME, graph, id="app_timer", task_queue=TASK_QUEUE)
                    deadline = dt.datetime.fromisoformat(ten["deadline"])
                    await env.sleep(deadline - await env.get_current_time() - dt.timedelta(minutes=1))
                    before: dict[str, Any] = await handle.query("state")
                    await env.sleep(dt.timedelta(minutes=2))
                    after: dict[str, Any] = await handle.query("state")
                    return {"before": before, "after": after}

    states = asyncio.run(scenario())
    assert not any(e["item"] == ten["item"] for e in states["before"]["escalations"])
    escalation = next(e for e in states["after"]["escalations"] if e["item"] == ten["item"])
    assert escalation["to"] == c.bundle.lead_department
    # the timer fires at the deadline; the workflow's clock reads the moment its task ran (well within a second)
    late = dt.datetime.fromisoformat(escalation["at"]) - dt.datetime.fromisoformat(ten["deadline"])
    assert dt.timedelta(0) <= late < dt.timedelta(seconds=1)
    assert next(t for t in states["after"]["tasks"] if t["item"] == ten["item"])["state"] == "overdue"
    db = store.open_database(database)
    assert [row["state"] for row in store.department_tasks(db, ten["department"], "overdue")] == ["overdue"]
