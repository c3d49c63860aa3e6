"""The OpenAPI description of the case endpoints (web/case_api.py), merged into /api/openapi.json."""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}


def case_paths(problem: dict[str, Any], application: dict[str, Any], bundle_id: dict[str, Any],
               lang: dict[str, Any]) -> dict[str, Any]:
    """The paths; ``problem``, ``application``, ``bundle_id`` and ``lang`` are the document's shared parts."""
    app_id = {"name": "application_id", "in": "path", "required": True, "description": "The application's id (unguessable).",
              "schema": _TEXT}
    department = {"name": "department", "in": "path", "required": True,
                  "description": "Department id (catalogues/departments.yaml); the bearer token must be this department's.",
                  "schema": _TEXT}
    task_id = {"name": "task_id", "in": "path", "required": True, "description": "Task id: <application id>.<item id>.",
               "schema": _TEXT}
    bearer: list[dict[str, list[str]]] = [{"departmentToken": []}]
    json_object = {"application/json": {"schema": {"type": "object"}}}
    refused = {"401": problem, "403": problem, "404": problem, "409": problem, "422": problem, "503": problem}
    task = {"type": "object", "required": ["id", "application", "item", "state", "fields", "materials"], "properties": {
        "id": _TEXT, "application": _TEXT, "item": _TEXT, "state": _TEXT, "due_date": {"type": ["string", "null"]},
        "overdue": {"type": "boolean"},
        "fields": {"type": "object", "description": "Only the fields this task's item uses (as routing.json gives them)."},
        "materials": {"type": "object", "description": "Only the materials this task's item uses."},
        "handed": {"type": "object", "description": "Results of the tasks it waited for, by item."}}}
    return {
        "/api/bundles/{bundle_id}/applications": {"post": {
            "summary": "Submit an application: a case on the engine", "operationId": "submitApplication",
            "parameters": [bundle_id, lang, {"name": "Idempotency-Key", "in": "header", "required": False,
                                             "description": "The same key twice starts one case.",
                                             "schema": {"type": "string", "minLength": 1, "maxLength": 200}}],
            "requestBody": {"required": True, "description": "As the pre-check takes it (received: today in China if absent).",
                            "content": {"application/json": {"schema": application}}},
            "responses": {
                "201": {"description": "The case, pinned to the published commit.", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["id", "links"], "properties": {
                        "id": _TEXT, "links": {"type": "object", "required": ["self"], "properties": {"self": _TEXT}}}}}}},
                "200": {"description": "Not eligible: the pre-check's answer with the fallback window; no case.",
                        "content": json_object},
                "400": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem, "503": problem}}},
        "/api/applications/{application_id}": {"get": {
            "summary": "A case's progress: state, tasks, escalations", "operationId": "getApplication", "parameters": [app_id],
            "responses": {"200": {"description": "The case.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["id", "state", "tasks", "escalations"], "properties": {
                    "id": _TEXT, "state": _TEXT, "tasks": {"type": "array", "items": {"type": "object", "required": [
                        "item", "department", "state", "due_date", "done_at"]}},
                    "escalations": {"type": "array"}}}}}}, "404": problem, "503": problem}}},
        "/api/applications/{application_id}/materials": {"post": {
            "summary": "Deliver a deferred material (容缺)", "operationId": "deliverMaterial", "parameters": [app_id],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["material"], "properties": {"material": _TEXT, "value": {}}}}}},
            "responses": {"200": {"description": "Delivered; returned tasks waiting for it are ready again.",
                                  "content": json_object}, **refused}}},
        "/api/departments/{department}/tasks": {"get": {
            "summary": "The department's tasks", "operationId": "departmentTasks", "security": bearer,
            "parameters": [department, {"name": "state", "in": "query", "required": False, "schema": {
                "type": "string", "enum": ["ready", "overdue", "returned", "done"]}}],
            "responses": {"200": {"description": "Its tasks.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["department", "tasks"], "properties": {
                    "department": _TEXT, "tasks": {"type": "array", "items": task}}}}}}, "401": problem, "403": problem}}},
        "/api/departments/{department}/tasks/{task_id}/complete": {"post": {
            "summary": "Complete a task (again: harmless)", "operationId": "completeTask", "security": bearer,
            "parameters": [department, task_id],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"results": {"type": "object", "description": "Handed to the tasks waiting for it."}}}}}},
            "responses": {"200": {"description": "Done.", "content": json_object}, **refused}}},
        "/api/departments/{department}/tasks/{task_id}/return": {"post": {
            "summary": "Return a task to the applicant for a correction", "operationId": "returnTask", "security": bearer,
            "parameters": [department, task_id],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["reason"], "properties": {"reason": _TEXT, "materials": {
                    "type": "array", "items": _TEXT}}}}}},
            "responses": {"200": {"description": "Returned.", "content": json_object}, **refused}}},
    }


SECURITY_SCHEMES = {"departmentToken": {"type": "http", "scheme": "bearer",
                                        "description": "A department's token (`configurator token add`)."}}
