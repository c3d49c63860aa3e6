"""The read API for portals: published bundles and their artifacts, and an application pre-check.

Public (no login, no cookies, so no CSRF token); served from what is published — ``main`` of a
git workspace, or the files of a plain one. Every artifact is byte-identical to what
`configurator build` writes, with a strong ETag (its SHA-256), ``Cache-Control``, and headers
naming the bundle version and the source commit. The same URLs work on any static web server
holding a `build` output (docs/portals.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import sys
from collections.abc import Callable
from typing import Any

import jsonschema
from flask import Blueprint, Response, abort, request, url_for
from werkzeug.exceptions import MethodNotAllowed

from configurator.jsontext import dump_json
from configurator.language.patterns import safe_validator
from configurator.model import Bundle
from configurator.planning.calendar import WorkingCalendar
from configurator.planning.compiled import Compiled
from configurator.present.explain import explanation
from configurator.web import api_cache, store
from configurator.web.api_cache import MEDIA_TYPES as MEDIA_TYPES
from configurator.web.api_cache import Published as Published
from configurator.web.api_cache import artifact_headers, content_type
from configurator.web.api_cache import published as published
from configurator.web.api_messages import say
from configurator.web.security import allow_script_hashes
from configurator.writers import WRITERS
from configurator.writers.field_checks import field_errors
from configurator.writers.field_rules import rule_errors
from configurator.writers.form_schema import decided_failures, form_schema

blueprint = Blueprint("api", __name__, url_prefix="/api")
MAX_BODY = 256 * 1024
MAX_DEPTH = 32
_LARGEST = int(sys.float_info.max)


def _lang() -> str:
    lang = request.args.get("lang", "zh-CN")
    if lang not in ("zh-CN", "en"):
        abort(problem(400, "bad-language", "lang 只能是 zh-CN 或 en", "lang must be zh-CN or en"))
    return lang


def _bundle_or_404(state: Published, bundle_id: str) -> Bundle:
    bundle = state.bundles.get(bundle_id)
    if bundle is None:
        abort(problem(404, "unknown-bundle", f"没有已发布的一件事“{bundle_id}”", f"no published bundle \"{bundle_id}\""))
    return bundle


def respond(body: bytes, media_type: str, state: Published, bundle: Bundle | None = None) -> Response:
    """A document made for this request (lists, the pre-check's answer): ETag from its bytes."""
    etag = hashlib.sha256(body).hexdigest()
    headers = artifact_headers(state, bundle, etag)
    # RFC 9110 13.1.2: If-None-Match compares weakly, and a 304 answers GET and HEAD only (the
    # pre-check's POST always gets its answer: a portal cannot show an empty one).
    if request.method in ("GET", "HEAD") and request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    return Response(body, content_type=content_type(media_type), headers=headers)


def _json(value: Any, state: Published, bundle: Bundle | None = None) -> Response:
    return respond(dump_json(value).encode("utf-8"), "application/json", state, bundle)


def problem(status: int, code: str, zh: str, en: str, errors: list[dict[str, str]] | None = None) -> Response:
    """Errors as RFC 9457 problem details, in the requested language."""
    lang = request.args.get("lang", "zh-CN")
    body: dict[str, Any] = {"type": f"urn:configurator:problem:{code}", "status": status,
                            "title": en if lang == "en" else zh}
    if errors is not None:
        body["errors"] = errors
    return Response(dump_json(body), status=status, content_type="application/problem+json; charset=utf-8",
                    headers={"Access-Control-Allow-Origin": "*"})


def _links(bundle_id: str) -> dict[str, str]:
    return {name: url_for("api.artifact", bundle_id=bundle_id, name=name) for name in WRITERS}


@blueprint.get("/bundles")
def bundles() -> Response:
    lang = _lang()
    state = published()
    return _json({"source_commit": state.commit, "bundles": [
        {"id": b.id, "name": b.name.get(lang), "version": b.version, "lead_department": b.lead_department,
         "links": {"self": url_for("api.bundle", bundle_id=b.id), **_links(b.id)}}
        for b in sorted(state.bundles.values(), key=lambda b: b.id)]}, state)


@blueprint.get("/bundles/<bundle_id>")
def bundle(bundle_id: str) -> Response:
    lang = _lang()
    state = published()
    found = _bundle_or_404(state, bundle_id)
    return _json({"id": found.id, "name": found.name.get(lang), "version": found.version,
                  "summary": found.summary.get(lang) if found.summary else None,
                  "service_object": found.service_object, "lead_department": found.lead_department,
                  "cooperating_departments": list(found.cooperating_departments), "source_commit": state.commit,
                  "links": {"check": url_for("api.check", bundle_id=bundle_id), **_links(bundle_id)}}, state, found)


@blueprint.get("/bundles/<bundle_id>/<name>")
def artifact(bundle_id: str, name: str) -> Response:
    lang = _lang()
    state = published()
    found = _bundle_or_404(state, bundle_id)
    if name == "check":
        raise MethodNotAllowed(valid_methods=["POST"], description="the check takes an application: POST it as JSON")
    if name not in WRITERS:
        abort(problem(404, "unknown-artifact", f"没有产物“{name}”；可用：{', '.join(WRITERS)}",
                       f"no artifact \"{name}\"; available: {', '.join(WRITERS)}"))
    record, body = api_cache.artifact(state, found, name, lang)
    if record.script_hashes:
        allow_script_hashes(record.script_hashes)  # form.html's own lines, by hash; nothing else inline
    # The ETag is kept with the artifact: a conditional GET is answered before any body work.
    # Weakly (RFC 9110 13.1.2): a proxy that compresses the answer makes the ETag weak.
    if request.if_none_match.contains_weak(record.etag):
        return Response(status=304, headers=record.headers)
    if body is None:
        body = api_cache.artifact_body(state, found, name, lang)
    return Response(body, content_type=record.content_type, headers=record.headers)


class _NotJson(ValueError):
    """NaN, Infinity or -Infinity, which Python's json reads and JSON (RFC 8259) has not."""


def _not_json(literal: str) -> Any:
    raise _NotJson(literal)


def _out_of_range(value: Any) -> list[str]:
    """JSON pointers of the numbers no double holds (1e999, 10⁴⁰⁰), in document order."""
    found = []
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        at, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((f"{at}/{_escape(str(k))}", v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((f"{at}/{i}", v) for i, v in reversed(list(enumerate(node))))
        elif _unheld(node):
            found.append(at or "/")
    return found


def _unheld(node: Any) -> bool:
    if isinstance(node, float):
        return not math.isfinite(node)
    return isinstance(node, int) and not isinstance(node, bool) and abs(node) > _LARGEST


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _depth(value: Any, limit: int) -> bool:
    """True when nesting stays within ``limit`` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


@blueprint.post("/bundles/<bundle_id>/check")
def check(bundle_id: str) -> Response:
    """Validate an application; answer every problem, or the plan of the case."""
    lang = _lang()
    state = published()
    found = _bundle_or_404(state, bundle_id)
    return pre_check(state, found, lang, lambda: api_cache.compiled(state, found, lang), published_calendar, found.id)


def pre_check(state: Published, found: Bundle, lang: str, compiled_of: Callable[[], Compiled],
              calendar_of: Callable[[], WorkingCalendar], key: str) -> Response:
    """The pre-check of the application in the request, for ``found`` as ``compiled_of`` compiles it
    (the provincial standard, or a region's version of it) and on ``calendar_of``'s working days.
    ``key`` names that version among the validators kept per published commit."""
    if not request.mimetype or request.mimetype != "application/json":
        return problem(415, "unsupported-media-type", "请以 application/json 提交申请", "send the application as application/json")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return problem(413, "too-large", f"申请不能超过 {MAX_BODY} 字节", f"the application must not exceed {MAX_BODY} bytes")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        return problem(413, "too-large", f"申请不能超过 {MAX_BODY} 字节", f"the application must not exceed {MAX_BODY} bytes")
    try:
        application = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except _NotJson as literal:
        return problem(400, "invalid-json", f"申请不是有效的 JSON：{literal} 不是 JSON 的数", f"the application is not "
                       f"valid JSON: {literal} is not a JSON number")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return problem(400, "invalid-json", "申请不是有效的 JSON", "the application is not valid JSON")
    if not _depth(application, MAX_DEPTH):
        return problem(400, "too-deep", f"申请嵌套超过 {MAX_DEPTH} 层", f"the application is nested deeper than {MAX_DEPTH}")
    out_of_range = _out_of_range(application)
    if out_of_range:
        # No double holds them (a JavaScript portal reads Infinity): refused where they are,
        # rather than compared as infinities or echoed back as null.
        message = ("this number is out of range: write a finite number smaller than 1e308 in size" if lang == "en"
                   else "数值超出范围：请填写绝对值小于 1e308 的有限数")
        return problem(422, "invalid-application", "申请有需要改正的地方", "the application needs corrections",
                       [{"pointer": at, "message": message} for at in out_of_range])
    received, received_problem = _received(application, lang)
    # The compiled bundle, its request schema and the validator: made once per published version.
    compiled = compiled_of()
    schema, validator = api_cache.cached("pre-check", state, key, lang, make=lambda: _validator(compiled))
    # What is wrong, by where the error comes from: the shape of the application ("base"), an
    # answer, field or upload every case needs left out ("asked"), a question, field or upload
    # missing ("presence") or present ("absent") against its condition, or an eligibility rule.
    # Eligibility is never a refusal: the published request schema (form_schema.request_schema)
    # leaves it out. A case that decidedly fails a rule (every question it reads answered) needs
    # nothing more and is answered with the reasons and the fallback window; its shape, and the
    # absence of what does not apply, must still be right.
    found_errors: dict[str, list[dict[str, Any]]] = {"base": [], "asked": [], "presence": [], "absent": [],
                                                     "eligibility": [], "field_rule": []}
    for error in sorted(validator.iter_errors(application),
                        key=lambda e: [str(p) for p in e.absolute_path]):
        found_errors[_origin(schema, error)].append(
            {"pointer": "/" + "/".join(str(p) for p in error.absolute_path), "message": say(error, lang)})
    answers = application.get("situations") if isinstance(application, dict) else None
    out = decided_failures(compiled, answers) if isinstance(answers, dict) and not found_errors["base"] else []
    problems = found_errors["base"] + found_errors["absent"]
    if not out:
        problems += found_errors["asked"] + found_errors["presence"]
    problems += received_problem
    if isinstance(application, dict) and not out:
        # Cross-field rules, all of them checked here with the rule's message on its first field
        # (the schema's clauses for some of them, found_errors["field_rule"], would say less);
        # a rule reads numbers only, so a value of the wrong type leaves it unchecked.
        problems += [{"pointer": e["pointer"], "message": e["message"], "rule": e["rule"], "pointers": e["pointers"]}
                     for e in rule_errors(compiled, application)]
    if not problems and not out:
        # Check characters JSON Schema cannot express (GB 11643, GB 32100): errors on their fields.
        problems = [{"pointer": e["pointer"], "message": e["message"]}
                    for e in field_errors(compiled, application["fields"])]
    if problems:
        return problem(422, "invalid-application", "申请有需要改正的地方", "the application needs corrections", problems)
    from configurator.planning.calendar import CalendarError

    try:
        data = explanation(compiled, application["situations"], calendar_of(), received)
    except CalendarError as error:
        return problem(422, "invalid-application", "申请有需要改正的地方", "the application needs corrections",
                       [{"pointer": "/received", "message": error.text(lang)}])
    if out:
        decided = {rule.id for rule in out}
        data["not_eligible_because"] = [r for r in data["not_eligible_because"] if r["rule"] in decided]
    return _json(data, state, found)


def _validator(compiled: Compiled) -> tuple[dict[str, Any], Any]:
    schema = form_schema(compiled)
    return schema, safe_validator(schema)


def published_calendar() -> WorkingCalendar:
    """The working-day calendar as published: calendars/ at main in a git workspace (read once per
    commit), else the folder (read again when a file in it changes)."""
    from configurator.planning.calendar_files import read_calendars
    from configurator.web.region_api import published_calendar_sources
    from configurator.workspace.regions import CALENDARS_DIR

    workspace = store()
    stamp = "" if workspace.git_mode else api_cache.folder_stamp(workspace.workspace.root / CALENDARS_DIR)
    return api_cache.cached("calendar", published(), stamp, make=lambda: read_calendars(published_calendar_sources())[0])


def _received(application: Any, lang: str) -> tuple[dt.date | None, list[dict[str, str]]]:
    """The optional "received" date (YYYY-MM-DD), taken out of the application before the form check."""
    if not isinstance(application, dict) or "received" not in application:
        return None, []
    from configurator.planning.calendar import parse_date

    value = application.pop("received")
    try:
        if not isinstance(value, str):
            raise ValueError("received 应是 YYYY-MM-DD 格式的日期")
        return parse_date(value), []
    except ValueError as error:
        message = "received must be a date written YYYY-MM-DD" if lang == "en" else str(error)
        return None, [{"pointer": "/received", "message": message}]


@blueprint.post("/bundles/<bundle_id>/form.html")
def form_post(bundle_id: str) -> Response:
    """form.html posted without script (its action is its own address): the page again with
    every problem next to its field and in the error summary (422); for a case outside the
    bundle, the page with the reasons and the fallback window and nothing to submit (200); for a
    valid application, the notice tailored to the case (200). Uploaded files count by name only:
    this is a pre-check, nothing is stored."""
    lang = _lang()
    state = published()
    found = _bundle_or_404(state, bundle_id)
    if request.content_length is not None and request.content_length > MAX_BODY:
        return problem(413, "too-large", f"申请不能超过 {MAX_BODY} 字节", f"the application must not exceed {MAX_BODY} bytes")
    if request.mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return problem(415, "unsupported-media-type", "请以表单（multipart/form-data）提交",
                       "send the form as multipart/form-data")
    from werkzeug.datastructures import MultiDict

    from configurator.writers.form_html import render_form_page
    from configurator.writers.form_wtforms import application_from_form, form_class
    from configurator.writers.notice import notice_document

    formdata = MultiDict(request.form)
    for name in request.files:
        for upload in request.files.getlist(name):
            if upload.filename:
                formdata.add(name, upload.filename)
    compiled = api_cache.compiled(state, found, lang)
    form = form_class(compiled)(formdata=formdata)
    if form.validate():
        answers = application_from_form(compiled, formdata.to_dict(flat=False))["situations"]
        body, status = notice_document(compiled, answers).html(lang), 200
    else:
        body, status = render_form_page(compiled, form), 200 if form.ineligible else 422
    return Response(body, status=status, content_type="text/html; charset=utf-8",
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"})


def _origin(schema: dict[str, Any], error: jsonschema.ValidationError) -> str:
    """Where a validation error comes from (see ``check``)."""
    path = list(error.absolute_schema_path)
    if len(path) >= 2 and path[0] == "allOf" and isinstance(path[1], int):
        if str(schema["allOf"][path[1]].get("$comment", "")).startswith("field_rule:"):
            return "field_rule"
        if "if" not in schema["allOf"][path[1]]:
            return "eligibility"
        return "absent" if len(path) >= 3 and path[2] == "else" else "presence"
    if len(path) == 3 and path[0] == "properties" and path[2] == "required":
        return "asked"  # an answer, field or upload every eligible case needs
    return "base"
