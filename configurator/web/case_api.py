"""Submitting applications as cases and the departments' task endpoints (issue 26).

Enabled when the app knows a Temporal server (``CONFIGURATOR_TEMPORAL`` or `serve --temporal`);
otherwise every endpoint here answers 404 saying how to enable it. The pre-check decides what is submitted
(invalid: 422 as it answers; ineligible: its fallback answer and no case); a valid application
becomes a case pinned to the published commit (and, when the application names a "region", resolved
as that region carries the bundle out: its limits, its calendar; the case keeps its code), whose id
(128 random bits) is the applicant's key.
Department systems authenticate with a bearer token of their department (`configurator token add`)
and see only their own tasks, each with only the fields and materials its item uses — what
routing.json gives that department.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for

from configurator.cases import store as cases_store
from configurator.jsontext import dump_json
from configurator.planning.casegraph import CHINA_STANDARD_TIME, case_graph
from configurator.web import api_cache
from configurator.web.api import bundle_or_404, checked_application, problem, published, published_calendar, request_lang
from configurator.web.region_api import named_region

blueprint = Blueprint("case_api", __name__, url_prefix="/api")
_REFUSALS = {"not-found": 404, "unavailable": 503}


def _engine() -> Any:
    """The client of the case engine, made once per app (None: not configured)."""
    address = current_app.config.get("TEMPORAL")
    if not address:
        return None
    if "configurator.cases" not in current_app.extensions:
        from configurator.cases.client import Cases

        current_app.extensions["configurator.cases"] = Cases(address)
    return current_app.extensions["configurator.cases"]


def _database() -> Any:
    if "configurator.cases.db" not in current_app.extensions:
        current_app.extensions["configurator.cases.db"] = cases_store.open_database(current_app.config["DATABASE_URL"])
    return current_app.extensions["configurator.cases.db"]


def _answer(value: Any, status: int = 200) -> Response:
    return Response(dump_json(value), status=status, content_type="application/json; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


def _unconfigured() -> Response:
    # Not enabled here: as if the endpoint did not exist (404), saying how to enable it.
    return problem(404, "no-case-engine", "未配置案件引擎：以 configurator serve --temporal HOST:PORT 启动（或设置 CONFIGURATOR_TEMPORAL）",
                   "no case engine configured: start with `configurator serve --temporal HOST:PORT` (or set CONFIGURATOR_TEMPORAL)")


def _refused(error: Any) -> Response:
    return problem(_REFUSALS.get(error.kind, 409), error.kind, str(error), str(error))


@blueprint.post("/bundles/<bundle_id>/applications")
def submit(bundle_id: str) -> Response:
    lang = request_lang()
    cases = _engine()
    if cases is None:
        return _unconfigured()
    state = published()
    found = bundle_or_404(state, bundle_id)
    today = dt.datetime.now(CHINA_STANDARD_TIME).date().isoformat()
    outcome = checked_application(found, lang, lambda: api_cache.compiled(state, found, lang), published_calendar,
                                  (state, found.id), received=today, region_of=named_region(state, found, lang))
    if isinstance(outcome, Response):
        return outcome
    verdict, application = outcome
    if verdict.answer is None:
        return problem(422, "invalid-application", "申请有需要改正的地方", "the application needs corrections",
                       list(verdict.problems))
    if verdict.case is None or verdict.case.eligible is not True:
        return _answer(verdict.answer)  # outside the bundle: the fallback window, no case
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 0 < len(key) <= 200:
        return problem(400, "bad-idempotency-key", "Idempotency-Key 应为 1–200 个字符", "Idempotency-Key must be 1–200 characters")
    graph = case_graph(verdict.case, state.commit or state.key, application.get("uploads")).as_json()
    row, _new = cases_store.add_application(_database(), {
        "id": cases_store.new_application_id(), "bundle": found.id, "idempotency_key": key, "commit": graph["commit"],
        "bundle_version": found.version, "region": graph["region"], "received": graph["received"],
        "promised_days": graph["promised_days"], "application": dump_json({"application": application, "graph": graph}),
        "state": "running", "submitted_at": cases_store.now()})
    if not _new and json.loads(row["application"])["application"] != json.loads(dump_json(application)):
        # the key names one submission: another body under it is a client bug, never a silent first case
        return problem(422, "idempotency-key-reused",
                       "这个 Idempotency-Key 已用于另一份不同的申请：重试时请发送原来的申请，新申请请换一个新的 key",
                       "this Idempotency-Key was already used for a different application: a retry must send the "
                       "same application, a new application needs a new key")
    from configurator.cases.client import CaseError

    try:
        # a retried submission (same key) starts the stored case again: the engine keeps one
        cases.start(row["id"], json.loads(row["application"])["graph"])
    except CaseError as error:
        return _refused(error)
    self_link = url_for("case_api.application_state", application_id=row["id"])
    return Response(dump_json({"id": row["id"], "links": {"self": self_link}}), status=201,
                    content_type="application/json; charset=utf-8", headers={"Location": self_link, "Cache-Control": "no-store"})


@blueprint.get("/applications/<application_id>")
def application_state(application_id: str) -> Response:
    cases = _engine()
    if cases is None:
        return _unconfigured()
    row = cases_store.application(_database(), application_id)
    if row is None:
        return problem(404, "unknown-application", "没有这个申请", "no such application")
    from configurator.cases.client import CaseError

    try:
        case = cases.state(application_id)
    except CaseError as error:
        return _refused(error)
    return _answer({
        "id": application_id, "state": case["state"], "bundle": row["bundle"], "bundle_version": row["bundle_version"],
        "commit": row["commit"], "received": row["received"], "promised_days": row["promised_days"],
        "tasks": [{key: task[key] for key in ("item", "name", "department", "state", "due_date", "ready_at", "done_at", "overdue")}
                  for task in case["tasks"]],
        "escalations": case["escalations"]})


@blueprint.post("/applications/<application_id>/materials")
def deliver(application_id: str) -> Response:
    """容缺: a deferred material delivered later; the task needing it can complete from now on."""
    cases = _engine()
    if cases is None:
        return _unconfigured()
    if cases_store.application(_database(), application_id) is None:
        return problem(404, "unknown-application", "没有这个申请", "no such application")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("material"), str):
        return problem(422, "invalid-delivery", "请以 JSON 提交 {\"material\": 材料 id, \"value\": …}",
                       "send JSON {\"material\": a material id, \"value\": …}")
    from configurator.cases.client import CaseError

    try:
        answer = cases.update(application_id, "deliver", body["material"])
    except CaseError as error:
        return _refused(error)
    # kept after the engine accepted it (an unknown material is refused there); the tasks' lists show it
    cases_store.add_delivery(_database(), application_id, body["material"], body.get("value"))
    return _answer(answer)


def _department_or_refusal(department: str) -> Response | None:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    owner = cases_store.token_department(_database(), token) if token else None
    if owner is None:
        return problem(401, "unauthorized", "需要本部门的令牌（Authorization: Bearer …）",
                       "a token of this department is required (Authorization: Bearer …)")
    if owner != department:
        return problem(403, "forbidden", f"该令牌属于部门“{owner}”，不能访问“{department}”",
                       f"this token belongs to {owner}, not {department}")
    return None


@blueprint.get("/departments/<department>/tasks")
def department_tasks(department: str) -> Response:
    refusal = _department_or_refusal(department)
    if refusal is not None:
        return refusal
    wanted = request.args.get("state")
    rows = cases_store.department_tasks(_database(), department, wanted)
    stored: dict[str, Any] = {}
    tasks = []
    for row in rows:
        if row["application"] not in stored:
            found = cases_store.application(_database(), row["application"])
            stored[row["application"]] = json.loads(found["application"]) if found else None
        kept = stored[row["application"]]
        if kept is None:
            continue
        spec = next(t for t in kept["graph"]["tasks"] if t["item"] == row["item"])
        fields = kept["application"].get("fields", {})
        uploads = kept["application"].get("uploads", {})
        tasks.append({"id": row["id"], "application": row["application"], "item": row["item"], "state": row["state"],
                      "due_date": row["due_date"], "overdue": bool(row["overdue"]),
                      "fields": {f: fields[f] for f in spec["fields"] if f in fields},
                      "materials": {m: uploads[m] for m in spec["materials"] if m in uploads},
                      "handed": json.loads(row["handed"])})
    return _answer({"department": department, "tasks": tasks})


def _task_action(department: str, task_id: str, update: str, *args: Any) -> Response:
    refusal = _department_or_refusal(department)
    if refusal is not None:
        return refusal
    row = cases_store.task(_database(), task_id)
    if row is None:
        return problem(404, "unknown-task", "没有这个任务（或尚未就绪）", "no such task (or not ready yet)")
    if row["department"] != department:
        return problem(403, "forbidden", "这不是本部门的任务", "this is not this department's task")
    from configurator.cases.client import CaseError

    try:
        return _answer(_engine().update(row["application"], update, row["item"], *args))
    except CaseError as error:
        return _refused(error)


@blueprint.post("/departments/<department>/tasks/<task_id>/complete")
def complete(department: str, task_id: str) -> Response:
    if _engine() is None:
        return _unconfigured()
    body = request.get_json(silent=True) if request.content_length else {}
    results = body.get("results", {}) if isinstance(body, dict) else None
    if not isinstance(results, dict):
        return problem(422, "invalid-results", "results 应为 JSON 对象", "results must be a JSON object")
    return _task_action(department, task_id, "complete", results)


@blueprint.post("/departments/<department>/tasks/<task_id>/return")
def return_task(department: str, task_id: str) -> Response:
    if _engine() is None:
        return _unconfigured()
    body = request.get_json(silent=True)
    reason = body.get("reason") if isinstance(body, dict) else None
    materials = body.get("materials", []) if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip() or not isinstance(materials, list):
        return problem(422, "invalid-return", "请以 JSON 提交 {\"reason\": 原因, \"materials\": [需补正的材料 id]}",
                       "send JSON {\"reason\": why, \"materials\": [ids of materials to correct]}")
    return _task_action(department, task_id, "return_task", reason, [str(m) for m in materials])
