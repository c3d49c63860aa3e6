"""The OpenAPI description of the case endpoints (web/case_api.py), merged into /api/openapi.json."""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_APP_ID = {"name": "application_id", "in": "path", "required": True, "description": "The application's id (unguessable).",
           "schema": _TEXT}
_DEPARTMENT = {"name": "department", "in": "path", "required": True,
               "description": "Department id (catalogues/departments.yaml); the bearer token must be this department's.",
               "schema": _TEXT}
_TASK_ID = {"name": "task_id", "in": "path", "required": True, "description": "Task id: <application id>.<item id>.",
            "schema": _TEXT}
_BEARER: list[dict[str, list[str]]] = [{"departmentToken": []}]
_JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
_TASK = {"type": "object", "required": ["id", "application", "item", "state", "fields", "materials"], "properties": {
    "id": _TEXT, "application": _TEXT, "item": _TEXT, "state": _TEXT, "due_date": {"type": ["string", "null"]},
    "overdue": {"type": "boolean"},
    "fields": {"type": "object", "description": "Only the fields this task's item uses (as routing.json gives them)."},
    "materials": {"type": "object", "description": "Only the materials this task's item uses."},
    "handed": {"type": "object", "description": "Results of the tasks it waited for, by item."}}}


def case_paths(problem: dict[str, Any], application: dict[str, Any], bundle_id: dict[str, Any],
               lang: dict[str, Any]) -> dict[str, Any]:
    """The paths; ``problem``, ``application``, ``bundle_id`` and ``lang`` are the document's shared parts."""
    return {**_application_paths(problem, application, bundle_id, lang), **_department_paths(problem)}


def _refused(problem: dict[str, Any]) -> dict[str, Any]:
    return {code: problem for code in ("401", "403", "404", "409", "422", "503")}


def _application_paths(problem: dict[str, Any], application: dict[str, Any], bundle_id: dict[str, Any],
                       lang: dict[str, Any]) -> dict[str, Any]:
    """Submitting an application, its progress and a deferred material (the applicant's side)."""
    refused = _refused(problem)
    return {
        "/api/bundles/{bundle_id}/applications": {"post": {
            "summary": "Submit an application: a case on the engine", "operationId": "submitApplication",
            "parameters": [bundle_id, lang, {"name": "Idempotency-Key", "in": "header", "required": False,
                                             "description": ("The same key twice starts one case; the same key with a "
                                                             "different application is refused (422)."),
                                             "schema": {"type": "string", "minLength": 1, "maxLength": 200}}],
            "requestBody": {"required": True, "description": "As the pre-check takes it (received: today in China if absent).",
                            "content": {"application/json": {"schema": application}}},
            "responses": {
                "201": {"description": "The case, pinned to the published commit.", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["id", "links"], "properties": {
                        "id": _TEXT, "links": {"type": "object", "required": ["self"], "properties": {"self": _TEXT}}}}}}},
                "200": {"description": "Not eligible: the pre-check's answer with the fallback window; no case.",
                        "content": _JSON_OBJECT},
                "400": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem, "503": problem}}},
        "/api/applications/{application_id}": {"get": {
            "summary": "A case's progress: state, tasks, escalations", "operationId": "getApplication", "parameters": [_APP_ID],
            "responses": {"200": {"description": "The case.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["id", "state", "tasks", "escalations"], "properties": {
                    "id": _TEXT, "state": _TEXT, "tasks": {"type": "array", "items": {"type": "object", "required": [
                        "item", "department", "state", "due_date", "done_at"]}},
                    "escalations": {"type": "array"}}}}}}, "404": problem, "503": problem}}},
        "/api/applications/{application_id}/materials": {"post": {
            "summary": "Deliver a deferred material (容缺)", "operationId": "deliverMaterial", "parameters": [_APP_ID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["material"], "properties": {"material": _TEXT, "value": {}}}}}},
            "responses": {"200": {"description": "Delivered; returned tasks waiting for it are ready again.",
                                  "content": _JSON_OBJECT}, **refused}}},
    }


def _department_paths(problem: dict[str, Any]) -> dict[str, Any]:
    """A department system's side: its tasks, completing and returning one (with its token)."""
    refused = _refused(problem)
    return {
        "/api/departments/{department}/tasks": {"get": {
            "summary": "The department's tasks", "operationId": "departmentTasks", "security": _BEARER,
            "parameters": [_DEPARTMENT, {"name": "state", "in": "query", "required": False, "schema": {
                "type": "string", "enum": ["ready", "overdue", "returned", "done"]}}],
            "responses": {"200": {"description": "Its tasks.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["department", "tasks"], "properties": {
                    "department": _TEXT, "tasks": {"type": "array", "items": _TASK}}}}}}, "401": problem, "403": problem}}},
        "/api/departments/{department}/tasks/{task_id}/complete": {"post": {
            "summary": "Complete a task (again: harmless)", "operationId": "completeTask", "security": _BEARER,
            "parameters": [_DEPARTMENT, _TASK_ID],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"results": {"type": "object", "description": "Handed to the tasks waiting for it."}}}}}},
            "responses": {"200": {"description": "Done.", "content": _JSON_OBJECT}, **refused}}},
        "/api/departments/{department}/tasks/{task_id}/return": {"post": {
            "summary": "Return a task to the applicant for a correction", "operationId": "returnTask", "security": _BEARER,
            "parameters": [_DEPARTMENT, _TASK_ID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["reason"], "properties": {"reason": _TEXT, "materials": {
                    "type": "array", "items": _TEXT}}}}}},
            "responses": {"200": {"description": "Returned.", "content": _JSON_OBJECT}, **refused}}},
    }


SECURITY_SCHEMES = {"departmentToken": {"type": "http", "scheme": "bearer",
                                        "description": "A department's token (`configurator token add`)."}}
