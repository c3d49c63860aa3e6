"""The read API for portals: published bundles and their artifacts, and an application pre-check.

Public (no login, no cookies, so no CSRF token); served from what is published — ``main`` of a
git workspace, or the files of a plain one. Every artifact is byte-identical to what
`configurator build` writes, with a strong ETag (its SHA-256), ``Cache-Control``, and headers
naming the bundle version and the source commit. The same URLs work on any static web server
holding a `build` output (docs/portals.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, request, url_for
from werkzeug.exceptions import MethodNotAllowed

from configurator.jsontext import dump_json
from configurator.language.regions import Resolved
from configurator.model import Bundle
from configurator.planning.calendar import WorkingCalendar
from configurator.planning.compiled import Compiled
from configurator.present import precheck
from configurator.present.precheck import checker
from configurator.web import api_cache, store
from configurator.web.api_cache import MEDIA_TYPES as MEDIA_TYPES
from configurator.web.api_cache import Published as Published
from configurator.web.api_cache import artifact_headers, content_type
from configurator.web.api_cache import published as published
from configurator.web.security import allow_script_hashes
from configurator.writers import WRITERS

blueprint = Blueprint("api", __name__, url_prefix="/api")
MAX_BODY = 256 * 1024
MAX_DEPTH = 32


def request_lang() -> str:
    lang = request.args.get("lang", "zh-CN")
    if lang not in ("zh-CN", "en"):
        abort(problem(400, "bad-language", "lang 只能是 zh-CN 或 en", "lang must be zh-CN or en"))
    return lang


def bundle_or_404(state: Published, bundle_id: str) -> Bundle:
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


def problem(status: int, code: str, zh: str, en: str, errors: list[dict[str, Any]] | None = None) -> Response:
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
    lang = request_lang()
    state = published()
    return _json({"source_commit": state.commit, "bundles": [
        {"id": b.id, "name": b.name.get(lang), "version": b.version, "lead_department": b.lead_department,
         "links": {"self": url_for("api.bundle", bundle_id=b.id), **_links(b.id)}}
        for b in sorted(state.bundles.values(), key=lambda b: b.id)]}, state)


@blueprint.get("/bundles/<bundle_id>")
def bundle(bundle_id: str) -> Response:
    lang = request_lang()
    state = published()
    found = bundle_or_404(state, bundle_id)
    return _json({"id": found.id, "name": found.name.get(lang), "version": found.version,
                  "summary": found.summary.get(lang) if found.summary else None,
                  "service_object": found.service_object, "lead_department": found.lead_department,
                  "cooperating_departments": list(found.cooperating_departments), "source_commit": state.commit,
                  "links": {"check": url_for("api.check", bundle_id=bundle_id), **_links(bundle_id)}}, state, found)


@blueprint.get("/bundles/<bundle_id>/<name>")
def artifact(bundle_id: str, name: str) -> Response:
    lang = request_lang()
    state = published()
    found = bundle_or_404(state, bundle_id)
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
    lang = request_lang()
    state = published()
    found = bundle_or_404(state, bundle_id)
    return pre_check(state, found, lang, lambda: api_cache.compiled(state, found, lang), published_calendar, found.id)


def pre_check(state: Published, found: Bundle, lang: str, compiled_of: Callable[[], Compiled],
              calendar_of: Callable[[], WorkingCalendar], key: str, region: Resolved | None = None) -> Response:
    """The pre-check of the application in the request, for ``found`` as ``compiled_of`` compiles it
    (the provincial standard, or ``region``'s version of it) and on ``calendar_of``'s working days.
    ``key`` names that version among the validators kept per published commit. The rules are
    present/precheck.py's; here the request is read and the verdict sent."""
    outcome = checked_application(found, lang, compiled_of, calendar_of, (state, key), region)
    if isinstance(outcome, Response):
        return outcome
    verdict = outcome[0]
    if verdict.answer is None:
        return problem(422, "invalid-application", "申请有需要改正的地方", "the application needs corrections",
                       list(verdict.problems))
    return _json(verdict.answer, state, found)


# A region's version of a bundle: the region, its compiled bundle, its calendar and the key naming it
Regional = tuple[Resolved, Callable[[], Compiled], Callable[[], WorkingCalendar], str]


def checked_application(found: Bundle, lang: str, compiled_of: Callable[[], Compiled],
                        calendar_of: Callable[[], WorkingCalendar], version: tuple[Published, str],
                        region: Resolved | None = None, received: str | None = None,
                        region_of: Callable[[Any], Response | Regional | None] | None = None,
                        ) -> Response | tuple[precheck.Verdict, Any]:
    """The request's application read and pre-checked: the verdict and the application as parsed, or
    the answer to a request that is not an application at all. ``received`` is the date of receipt
    when the application gives none (a submission always has one). ``region_of`` reads a region the
    application names (taking it out of it): the version to check it on, or the answer refusing it."""
    state, key = version
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
    if received is not None and isinstance(application, dict):
        application.setdefault("received", received)
    if region_of is not None:
        chosen = region_of(application)
        if isinstance(chosen, Response):
            return chosen
        if chosen is not None:
            region, compiled_of, calendar_of, key = chosen
    # The compiled bundle, its request schema and the validator: made once per published version.
    compiled = compiled_of()
    prepared = api_cache.cached("pre-check", state, key, lang, make=lambda: checker(compiled))
    return precheck.pre_check(prepared, application, lang, calendar_of, region), application


def published_calendar() -> WorkingCalendar:
    """The working-day calendar as published: calendars/ at main in a git workspace (read once per
    commit), else the folder (read again when a file in it changes)."""
    from configurator.planning.calendar_files import read_calendars
    from configurator.web.region_api import published_calendar_sources
    from configurator.workspace.regions import CALENDARS_DIR

    workspace = store()
    stamp = "" if workspace.git_mode else api_cache.folder_stamp(workspace.workspace.root / CALENDARS_DIR)
    return api_cache.cached("calendar", published(), stamp, make=lambda: read_calendars(published_calendar_sources())[0])


@blueprint.post("/bundles/<bundle_id>/form.html")
def form_post(bundle_id: str) -> Response:
    """form.html posted without script (its action is its own address): the page again with
    every problem next to its field and in the error summary (422); for a case outside the
    bundle, the page with the reasons and the fallback window and nothing to submit (200); for a
    valid application, the notice tailored to the case (200). Uploaded files count by name only:
    this is a pre-check, nothing is stored."""
    lang = request_lang()
    state = published()
    found = bundle_or_404(state, bundle_id)
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
