"""The OpenAPI 3.1 description of the portal API (/api/openapi.json)."""

from __future__ import annotations

from typing import Any

from flask import Response

from configurator.jsontext import dump_json
from configurator.web.case_openapi import SECURITY_SCHEMES, case_paths
from configurator.writers import WRITERS

_TEXT = {"type": "string"}
_LANG = {"name": "lang", "in": "query", "required": False, "description": "Language of labels and messages.",
         "schema": {"type": "string", "enum": ["zh-CN", "en"], "default": "zh-CN"}}
_ID = {"name": "bundle_id", "in": "path", "required": True, "description": "Bundle id.",
       "schema": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,63}$"}}
_HEADERS = {
    "ETag": {"description": "Strong ETag: the SHA-256 of the body.", "schema": _TEXT},
    "Cache-Control": {"description": "Caching policy.", "schema": _TEXT},
    "X-Source-Commit": {"description": "The git commit published bundles come from, or none.", "schema": _TEXT},
}
_PROBLEM = {"description": "A problem (RFC 9457).", "content": {"application/problem+json": {"schema": {
    "type": "object", "required": ["type", "status", "title"],
    "properties": {"type": _TEXT, "status": {"type": "integer"}, "title": _TEXT,
                   "errors": {"type": "array", "items": {"type": "object", "required": ["pointer", "message"],
                                                          "properties": {
        "pointer": _TEXT, "message": _TEXT,
        "rule": {"type": "string", "description": "The cross-field rule broken (field_rules), if the error is one."},
        "pointers": {"type": "array", "items": _TEXT, "description": "Every field the broken rule reads."}}}}}}}}}
_RECEIVED = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
             "description": "Date the case was received (YYYY-MM-DD, China time). With it the answer carries due_date "
                            "(the case deadline), each item's due_date, special_stages, and due_dates: item id → end of its "
                            "due day (ISO 8601, +08:00) plus \"case\", ready as a Camunda process variable. Counting starts "
                            "on the first working day after receipt, on the official holiday arrangement."}
_DUE = {"due_date": {"type": "string", "format": "date"}, "received": {"type": "string", "format": "date"},
        "due_dates": {"type": "object", "additionalProperties": {"type": "string", "format": "date-time"}}}
_CODE = {"name": "code", "in": "path", "required": True, "description": "Region code (GB/T 2260).",
         "schema": {"type": "string", "pattern": "^[1-9][0-9]{5}$"}}
# Any bundle's application: its three parts (each bundle's own check path has the full schema).
_PARTS: dict[str, Any] = {group: {"type": "object"} for group in ("situations", "fields", "uploads")}
_APPLICATION: dict[str, Any] = {"type": "object", "required": list(_PARTS), "properties": _PARTS}
_NOT_MODIFIED = {"description": "Not modified (If-None-Match matched the ETag).", "headers": _HEADERS}
_REGION = {"type": "string", "description": (
    "Optional: the code of the region handling the case (GET /api/regions), one whose file names this bundle. "
    "The case then runs as that region carries the bundle out: its time limits, due dates on its calendar "
    "(local days off included), and its code kept with the case. Unknown, or not naming the bundle: 422 on /region.")}


def bundle_check_paths() -> dict[str, Any]:
    """One check path per published bundle, whose request body is that bundle's own form schema,
    so that a client (or a fuzzer) knows exactly what an acceptable application is."""
    from configurator.planning.compiled import Compiled
    from configurator.web.api import published
    from configurator.writers.form_schema import request_schema

    state = published()
    paths: dict[str, Any] = {}
    received = _received_in_known_years()
    for bundle_id, bundle in sorted(state.bundles.items()):
        body = {k: v for k, v in request_schema(Compiled(bundle, state.catalogues)).items() if k not in ("$schema", "$id")}
        if isinstance(body.get("properties"), dict):
            body["properties"] = {**body["properties"], "received": received}
        paths[f"/api/bundles/{bundle_id}/check"] = {"post": {
            "summary": f"Check an application for {bundle_id}", "operationId": f"check_{bundle_id.replace('-', '_')}",
            "parameters": [_LANG],
            "requestBody": {"required": True, "description": "An application as this bundle's form.schema.json "
                            "describes it, except that a case outside the bundle (an eligibility rule fails on answers "
                            "given) needs nothing more and is answered 200 with the fallback. The formats "
                            "gb11643-id-number and gb32100-credit-code are asserted: the last character is the "
                            "check character of GB 11643 (citizen ID number) or GB 32100 (unified social credit "
                            "code). The bundle's cross-field rules (routing.json field_rules: JsonLogic over the "
                            "application) hold too; a broken one is a 422 error naming the rule and its fields.",
                            "content": {"application/json": {"schema": body}}},
            "responses": {"200": {"description": "The plan, or the fallback when not eligible.", "headers": _HEADERS,
                                  "content": {"application/json": {"schema": {"type": "object",
                                                                               "required": ["eligible"]}}}},
                          "400": _PROBLEM, "413": _PROBLEM, "415": _PROBLEM, "422": _PROBLEM}}}
    return paths


def _received_in_known_years() -> dict[str, Any]:
    """``received`` as the published calendar can count it: every day of a known year but the last
    (so that deadlines stay inside known years) up to the 28th; other dates may still be answered."""
    from configurator.web.api import published_calendar

    years = published_calendar().known_years()[:-1]
    pattern = "^(?:" + "|".join(str(y) for y in years) + ")-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])$"
    return {**_RECEIVED, "pattern": pattern}


def _check(summary: str, operation: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "summary": summary, "operationId": operation, "parameters": parameters,
        "requestBody": {"required": True, "description": "An application as form.schema.json describes it, "
                        "and optionally the date it was received.",
                        "content": {"application/json": {"schema": {**_APPLICATION, "properties": {
                            **_PARTS, "received": _RECEIVED}}}}},
        "responses": {"200": {"description": "The plan: items, materials, tasks per department, or the "
                                             "fallback when not eligible.", "headers": _HEADERS,
                              "content": {"application/json": {"schema": {
                                  "type": "object", "required": ["bundle", "answers", "eligible"],
                                  "properties": {"eligible": {"type": "boolean"}, **_DUE}}}}},
                      "400": _PROBLEM, "404": _PROBLEM, "413": _PROBLEM, "415": _PROBLEM, "422": _PROBLEM}}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "一件事配置器：门户接口 (portal API)", "version": "1",
                 "description": "Published one-thing bundles and their generated artifacts, and an application "
                                "pre-check. Artifacts are byte-identical to `configurator build` output."},
        "paths": {
            **_bundle_paths(),
            **_region_paths(),
            "/api/openapi.json": {"get": {"summary": "This document", "operationId": "getOpenApi",
                                          "responses": {"200": {"description": "OpenAPI 3.1.",
                                                                "content": {"application/json": {"schema": {}}}}}}},
            **case_paths(_PROBLEM, {**_APPLICATION, "properties": {**_PARTS, "received": _RECEIVED, "region": _REGION}}, _ID, _LANG),
        },
        "components": {"securitySchemes": SECURITY_SCHEMES},
    }


def _bundle_paths() -> dict[str, Any]:
    """The published bundles, their artifacts, the script-free form post and the pre-check."""
    links = {"type": "object", "additionalProperties": _TEXT}
    summary = {"type": "object", "required": ["id", "name", "version", "lead_department", "links"],
               "properties": {"id": _TEXT, "name": _TEXT, "version": _TEXT, "lead_department": _TEXT, "links": links}}
    return {
        "/api/bundles": {"get": {
            "summary": "Published bundles", "operationId": "listBundles", "parameters": [_LANG],
            "responses": {"200": {"description": "The published bundles.", "headers": _HEADERS, "content": {
                "application/json": {"schema": {"type": "object", "required": ["bundles", "source_commit"],
                                                "properties": {"source_commit": {"type": ["string", "null"]},
                                                               "bundles": {"type": "array", "items": summary}}}}}},
                          "304": _NOT_MODIFIED, "400": _PROBLEM}}},
        "/api/bundles/{bundle_id}": {"get": {
            "summary": "One bundle's metadata and links", "operationId": "getBundle", "parameters": [_ID, _LANG],
            "responses": {"200": {"description": "The bundle.", "headers": _HEADERS, "content": {
                "application/json": {"schema": {"type": "object", "required": ["id", "name", "version", "links"],
                                                "properties": {"id": _TEXT, "name": _TEXT, "version": _TEXT,
                                                               "links": links}}}}},
                          "304": _NOT_MODIFIED, "400": _PROBLEM, "404": _PROBLEM}}},
        "/api/bundles/{bundle_id}/{artifact}": {"get": {
            "summary": "An artifact, as `configurator build` writes it", "operationId": "getArtifact",
            "parameters": [_ID, {"name": "artifact", "in": "path", "required": True, "description": "File name.",
                                 "schema": {"type": "string", "enum": list(WRITERS)}}, _LANG],
            "responses": {"200": {"description": "The artifact.", "headers": _HEADERS, "content": {
                "application/json": {"schema": {}}, "text/html": {"schema": _TEXT},
                "text/markdown": {"schema": _TEXT}, "application/xml": {"schema": _TEXT}}},
                          "304": _NOT_MODIFIED, "400": _PROBLEM, "404": _PROBLEM}}},
        "/api/bundles/{bundle_id}/form.html": {"post": {
            "summary": "form.html posted without script", "operationId": "postForm",
            "parameters": [_ID, _LANG],
            "requestBody": {"required": True, "description": "The fields of form.html (situations-<id>, "
                            "fields-<id>, uploads-<id>).", "content": {
                                "multipart/form-data": {"schema": {"type": "object"}},
                                "application/x-www-form-urlencoded": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "The notice for the case; or, for a case outside the bundle, "
                                                 "the form with the reasons and the fallback window.",
                                  "content": {"text/html": {"schema": _TEXT}}},
                          "422": {"description": "The form again, each problem next to its field and in the "
                                                 "error summary.", "content": {"text/html": {"schema": _TEXT}}},
                          "400": _PROBLEM, "404": _PROBLEM, "413": _PROBLEM, "415": _PROBLEM}}},
        "/api/bundles/{bundle_id}/check": {"post": _check("Check an application and answer with its plan",
                                                          "checkApplication", [_ID, _LANG])},
    }


def _region_paths() -> dict[str, Any]:
    """The regions and each region's artifacts and pre-check."""
    return {
        "/api/regions": {"get": {
            "summary": "Regions with a valid region file, and links to their artifacts", "operationId": "listRegions",
            "parameters": [_LANG],
            "responses": {"200": {"description": "The regions.", "headers": _HEADERS, "content": {
                "application/json": {"schema": {"type": "object", "required": ["regions"]}}}},
                          "304": _NOT_MODIFIED, "400": _PROBLEM}}},
        "/api/regions/{code}/bundles/{bundle_id}/{artifact}": {"get": {
            "summary": "An artifact as one region carries the bundle out (local agencies, fallback window, "
                       "allowed deviations); as `configurator build --region` writes it", "operationId": "getRegionArtifact",
            "parameters": [_CODE, _ID, {"name": "artifact", "in": "path", "required": True, "description": "File name.",
                                        "schema": {"type": "string", "enum": [*WRITERS, "region.json"]}}, _LANG],
            "responses": {"200": {"description": "The artifact.", "headers": _HEADERS, "content": {
                "application/json": {"schema": {}}, "text/html": {"schema": _TEXT},
                "text/markdown": {"schema": _TEXT}, "application/xml": {"schema": _TEXT}}},
                          "304": _NOT_MODIFIED, "400": _PROBLEM, "404": _PROBLEM}}},
        "/api/regions/{code}/bundles/{bundle_id}/check": {"post": _check(
            "Check an application as one region carries the bundle out: its time limits and agencies, and due "
            "dates on its local days off; as `configurator explain --region` answers", "checkRegionApplication",
            [_CODE, _ID, _LANG])},
    }


def serve() -> Response:
    full = document()
    full["paths"].update(bundle_check_paths())
    return Response(dump_json(full), content_type="application/json; charset=utf-8",
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"})
