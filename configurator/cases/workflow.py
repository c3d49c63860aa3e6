"""The case workflow: one submitted application, run across its departments on Temporal.

This module is workflow code and keeps Temporal's rules: it is deterministic (no I/O, no clock
but ``workflow.now()``, no randomness, nothing read from outside but its input, the signals and
updates it is sent and the results of its activities), so the engine can replay it from its
history on any worker. Everything that touches the world is an activity (cases/handovers.py),
called by name so that this module imports nothing that does I/O.

The input is the case's task graph (planning/casegraph.py, as JSON), made at submission from the
bundle version published then: a later publish never changes a running case. A task becomes
``ready`` when every task it waits for is ``done`` (tasks that wait for nothing start at once, so
the plan's parallel items run in parallel); items that do not apply are ``skipped`` and never
start. A task with a deadline has a durable timer: at the end of its due day it is marked
``overdue`` and escalated to the lead department (督办). Departments ``complete`` and ``return``
tasks and the applicant delivers deferred materials (容缺) through updates; ``state`` is a query.

Versioning: the workflow type is named with its version (``configurator.case.v1``). A change that
alters the commands a running case replays (a new activity, timer or order) is a new class with a
new name, registered beside this one until the last v1 case has finished; smaller fixes go
through ``workflow.patched``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

WORKFLOW_NAME = "configurator.case.v1"
TASK_QUEUE = "configurator-cases"
# The activities, by name (cases/handovers.py registers them): each is at-least-once and idempotent.
HAND_OVER = "configurator.hand_over"
RECORD_TASK = "configurator.record_task"
ESCALATE = "configurator.escalate"
FINISH_CASE = "configurator.finish_case"

WAITING, READY, OVERDUE, RETURNED, DONE, SKIPPED = "waiting", "ready", "overdue", "returned", "done", "skipped"
_OPEN = (READY, OVERDUE, RETURNED)
_RETRY = RetryPolicy(initial_interval=dt.timedelta(seconds=1), maximum_interval=dt.timedelta(seconds=10))


async def _activity(name: str, arg: dict[str, Any]) -> None:
    """Run one hand-over activity: retried until it succeeds (it is idempotent), 30 s per attempt."""
    await workflow.execute_activity(name, arg, start_to_close_timeout=dt.timedelta(seconds=30), retry_policy=_RETRY)


@dataclass
class _Task:
    spec: dict[str, Any]
    state: str
    ready_at: str | None = None
    done_at: str | None = None
    overdue: bool = False  # stays true once the deadline passed, done or not
    results: dict[str, Any] = field(default_factory=dict)
    returned: dict[str, Any] | None = None  # {"reason", "materials"} while returned


@workflow.defn(name=WORKFLOW_NAME)
class CaseWorkflow:
    @workflow.init
    def __init__(self, case: dict[str, Any]) -> None:
        self._case = case
        self._tasks = {t["item"]: _Task(t, SKIPPED if t["skipped"] else WAITING) for t in case["tasks"]}
        self._delivered: list[str] = []
        self._escalations: list[dict[str, Any]] = []
        self._state = "running"
        self._finished_at: str | None = None

    @workflow.run
    async def run(self, case: dict[str, Any]) -> dict[str, Any]:
        await asyncio.gather(*(self._run_task(task) for task in self._tasks.values() if task.state != SKIPPED))
        self._state, self._finished_at = "done", workflow.now().isoformat()
        await _activity(FINISH_CASE, {"application": self._id(), "state": self._state, "at": self._finished_at})
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state()

    async def _run_task(self, task: _Task) -> None:
        await workflow.wait_condition(lambda: all(self._tasks[before].state == DONE for before in task.spec["after"]))
        task.state, task.ready_at = READY, workflow.now().isoformat()
        await self._record(task, HAND_OVER, handed={before: self._tasks[before].results for before in task.spec["after"]})
        deadline = task.spec["deadline"]
        if deadline is not None:
            remaining = dt.datetime.fromisoformat(deadline) - workflow.now()
            try:
                if remaining <= dt.timedelta(0):
                    raise TimeoutError
                await workflow.wait_condition(lambda: task.state == DONE, timeout=remaining)
            except TimeoutError:
                await self._escalate(task)
        await workflow.wait_condition(lambda: task.state == DONE)

    async def _escalate(self, task: _Task) -> None:
        task.overdue = True
        task.state = OVERDUE if task.state == READY else task.state
        escalation = {"task": self._task_id(task), "item": task.spec["item"], "department": task.spec["department"],
                      "to": self._case["lead_department"], "due_date": task.spec["due_date"], "at": workflow.now().isoformat()}
        self._escalations.append(escalation)
        await _activity(ESCALATE, {"application": self._id(), **escalation})
        if task.state == OVERDUE:
            await self._record(task, RECORD_TASK)

    async def _record(self, task: _Task, activity: str, **extra: Any) -> None:
        """Tell the instance database (the departments' task lists) what the task's state is now."""
        await _activity(activity, {
            "id": self._task_id(task), "application": self._id(), "item": task.spec["item"],
            "department": task.spec["department"], "state": task.state, "ready_at": task.ready_at,
            "done_at": task.done_at, "due_date": task.spec["due_date"], "overdue": task.overdue,
            "results": task.results, "returned": task.returned, **extra})

    # -- what departments and the applicant send -------------------------------------------------

    @workflow.update
    async def complete(self, item: str, results: dict[str, Any]) -> dict[str, Any]:
        task = self._tasks[item]
        if task.state == DONE:  # completing twice is harmless: the first results stay
            return {"task": self._task_id(task), "state": DONE, "already_done": True}
        task.state, task.done_at, task.results, task.returned = DONE, workflow.now().isoformat(), dict(results), None
        await self._record(task, RECORD_TASK)
        return {"task": self._task_id(task), "state": DONE, "already_done": False}

    @complete.validator
    def _can_complete(self, item: str, results: dict[str, Any]) -> None:
        task = self._known(item)
        if task.state == DONE:
            return
        if task.state not in _OPEN:
            raise ApplicationError(f"task {item} is {task.state}: it becomes ready when "
                                   f"{', '.join(task.spec['after'])} are done", type="not-ready")
        if task.state == RETURNED:
            raise ApplicationError(f"task {item} was returned to the applicant: it is ready again when the correction "
                                   "is delivered", type="returned")
        missing = [m for m in task.spec["deferred"] if m not in self._delivered]
        if missing:
            raise ApplicationError(f"task {item} needs the deferred material(s) {', '.join(missing)}: deliver them "
                                   "first (POST /api/applications/<id>/materials)", type="material-missing")

    @workflow.update
    async def return_task(self, item: str, reason: str, materials: list[str]) -> dict[str, Any]:
        task = self._tasks[item]
        task.state, task.returned = RETURNED, {"reason": reason, "materials": list(materials)}
        await self._record(task, RECORD_TASK)
        return {"task": self._task_id(task), "state": RETURNED}

    @return_task.validator
    def _can_return(self, item: str, reason: str, materials: list[str]) -> None:
        task = self._known(item)
        if task.state not in (READY, OVERDUE):
            raise ApplicationError(f"task {item} is {task.state}: only a ready task can be returned", type="not-ready")
        unknown = [m for m in materials if m not in task.spec["materials"]]
        if unknown:
            raise ApplicationError(f"task {item} does not use {', '.join(unknown)}: name materials of the task",
                                   type="unknown-material")

    @workflow.update
    async def deliver(self, material: str) -> dict[str, Any]:
        if material not in self._delivered:
            self._delivered.append(material)
        resumed = []
        for task in self._tasks.values():
            wanted = task.returned["materials"] if task.returned else []
            if task.state == RETURNED and (not wanted or all(m in self._delivered for m in wanted)):
                task.state, task.returned = (OVERDUE if task.overdue else READY), None
                resumed.append(task.spec["item"])
                await self._record(task, RECORD_TASK)
        return {"material": material, "resumed": resumed}

    @deliver.validator
    def _can_deliver(self, material: str) -> None:
        if not any(material in t.spec["materials"] for t in self._tasks.values() if t.state != SKIPPED):
            raise ApplicationError(f"no task of this case uses the material {material}", type="unknown-material")

    @workflow.query
    def state(self) -> dict[str, Any]:
        return {
            "id": self._id(), "state": self._state, "bundle": self._case["bundle"],
            "bundle_version": self._case["bundle_version"], "commit": self._case["commit"],
            "region": self._case["region"], "received": self._case["received"],
            "promised_days": self._case["promised_days"], "finished_at": self._finished_at,
            "delivered": list(self._delivered), "escalations": list(self._escalations),
            "tasks": [{"id": self._task_id(t), "item": t.spec["item"], "name": t.spec["name"],
                       "department": t.spec["department"], "state": t.state, "after": t.spec["after"],
                       "promised_days": t.spec["promised_days"], "due_date": t.spec["due_date"],
                       "ready_at": t.ready_at, "done_at": t.done_at, "overdue": t.overdue,
                       "deferred": [m for m in t.spec["deferred"] if m not in self._delivered],
                       "returned": t.returned} for t in self._tasks.values()],
        }

    def _known(self, item: str) -> _Task:
        task = self._tasks.get(item)
        if task is None:
            raise ApplicationError(f"this case has no task {item}", type="unknown-task")
        if task.state == SKIPPED:
            raise ApplicationError(f"task {item} does not apply in this case", type="skipped")
        return task

    def _id(self) -> str:
        return workflow.info().workflow_id

    def _task_id(self, task: _Task) -> str:
        return f"{self._id()}.{task.spec['item']}"
