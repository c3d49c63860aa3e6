"""Talking to the engine from synchronous code (the web API, the CLI, benchmarks).

The Temporal client is asynchronous; the web app runs in threads. ``Cases`` keeps one client on
an event loop of its own (a daemon thread) and gives the API plain blocking calls, each turning
the engine's refusals into ``CaseError`` values with a kind the API maps to an HTTP status.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from configurator.cases.workflow import TASK_QUEUE, WORKFLOW_NAME, CaseWorkflow

_T = TypeVar("_T")
TIMEOUT = 30.0


class CaseError(Exception):
    """``kind``: not-found, unavailable, or the workflow's refusal (not-ready, returned, material-missing,
    unknown-material, unknown-task, skipped)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Cases:
    def __init__(self, address: str, namespace: str = "default") -> None:
        self.address = address
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="temporal-client", daemon=True).start()
        self._namespace = namespace
        self._client: Client | None = None

    def _run(self, work: Coroutine[Any, Any, _T]) -> _T:
        try:
            return asyncio.run_coroutine_threadsafe(work, self._loop).result(TIMEOUT)
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if isinstance(cause, ApplicationError):
                raise CaseError(cause.type or "refused", cause.message) from None
            raise CaseError("refused", str(cause or error)) from None
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise CaseError("not-found", "no such case on the engine") from None
            raise CaseError("unavailable", f"the case engine at {self.address} answered: {error.message}") from None
        except (TimeoutError, ConnectionError, RuntimeError) as error:
            raise CaseError("unavailable", f"the case engine at {self.address} did not answer ({error})") from None

    async def client(self) -> Client:
        if self._client is None:
            self._client = await Client.connect(self.address, namespace=self._namespace)
        return self._client

    def start(self, application_id: str, graph: dict[str, Any]) -> None:
        """Start the case's workflow; starting it again (a retried submission) is harmless."""
        async def go() -> None:
            client = await self.client()
            await client.start_workflow(WORKFLOW_NAME, graph, id=application_id, task_queue=TASK_QUEUE,
                                        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
        self._run(go())

    def state(self, application_id: str) -> dict[str, Any]:
        async def go() -> dict[str, Any]:
            client = await self.client()
            return await client.get_workflow_handle(application_id).query(CaseWorkflow.state)
        return self._run(go())

    def update(self, application_id: str, name: str, *args: Any) -> dict[str, Any]:
        async def go() -> dict[str, Any]:
            client = await self.client()
            result: dict[str, Any] = await client.get_workflow_handle(application_id).execute_update(name, args=list(args))
            return result
        try:
            return self._run(go())
        except CaseError as error:
            if error.kind != "not-found":
                raise
            # A finished case takes no updates; its state still answers (completing twice is harmless).
            state = self.state(application_id)
            task = next((t for t in state["tasks"] if name == "complete" and t["item"] == args[0]), None)
            if task is not None and task["state"] == "done":
                return {"task": task["id"], "state": "done", "already_done": True}
            raise CaseError("finished", "the case is finished: it takes nothing more") from None
