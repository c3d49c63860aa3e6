"""`configurator worker`: runs the case workflow and its activities against a Temporal server.

Workers hold no state of their own: the engine keeps every case's history and gives each task
queue's work to whichever worker polls, so several workers on several machines share the load
and a worker that dies is replaced by starting another (its unfinished activities time out and
run again elsewhere: they are idempotent, cases/handovers.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from configurator.cases.handovers import HandOvers
from configurator.cases.store import open_database
from configurator.cases.workflow import TASK_QUEUE, CaseWorkflow

NAMESPACE = "default"


async def connect(address: str, namespace: str = NAMESPACE) -> Client:
    return await Client.connect(address, namespace=namespace)


def make_worker(client: Client, database_url: str, executor: concurrent.futures.Executor) -> Worker:
    activities = HandOvers(open_database(database_url))
    # The workflow module itself keeps the sandbox's rules (cases/workflow.py); the package around it
    # reads its own files at import, once, outside any workflow: it is passed through, not re-imported.
    runner = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules("configurator"))
    return Worker(client, task_queue=TASK_QUEUE, workflows=[CaseWorkflow], activities=activities.all(),
                  activity_executor=executor, workflow_runner=runner)


async def run_worker(address: str, database_url: str) -> None:
    client = await connect(address)
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as executor:
        await make_worker(client, database_url, executor).run()


def serve_worker(address: str, database_url: str) -> None:
    asyncio.run(run_worker(address, database_url))
