"""The case workflow's activities: every hand-over between the engine and the instance database.

Activities are at-least-once: a worker can die after an activity wrote and before the engine
recorded it, and the engine then runs it again, on this worker or another. Each one is therefore
idempotent (cases/store.py says how: upserts by task id, states set rather than toggled, one
escalation per task), so running one twice leaves what running it once leaves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from temporalio import activity

from configurator.cases import store
from configurator.cases.workflow import ESCALATE, FINISH_CASE, HAND_OVER, RECORD_TASK


class HandOvers:
    """The activities, bound to one instance database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=HAND_OVER)
    def hand_over(self, task: dict[str, Any]) -> None:
        store.hand_over(self.engine, task)

    @activity.defn(name=RECORD_TASK)
    def record_task(self, task: dict[str, Any]) -> None:
        store.record_task(self.engine, task)

    @activity.defn(name=ESCALATE)
    def escalate(self, escalation: dict[str, Any]) -> None:
        store.escalate(self.engine, escalation)

    @activity.defn(name=FINISH_CASE)
    def finish_case(self, case: dict[str, Any]) -> None:
        store.finish_application(self.engine, case["application"], case["state"], case["at"])

    def all(self) -> list[Any]:
        return [self.hand_over, self.record_task, self.escalate, self.finish_case]
