"""Per-region artifacts in the portal API, beside the provincial standard's URLs:

    GET  /api/regions                                         regions with a valid file
    GET  /api/regions/<code>/bundles/<bundle_id>/<artifact>   as `configurator build --region` writes it
    POST /api/regions/<code>/bundles/<bundle_id>/check        the pre-check as the region carries the
                                                              bundle out (its time limits and agencies,
                                                              its local holidays in the due dates)

Bundles come from what is published (as /api/bundles); region files from the workspace's
regions/ as published (main of a git workspace, where edits arrive through reviewed change
requests; the folder of a plain one). A region whose file (or a parent's) has errors is not served.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, request, url_for

from configurator.jsontext import dump_json
from configurator.model import Bundle
from configurator.planning.compiled import Compiled
from configurator.planning.resolution import in_region
from configurator.web import api_cache, store
from configurator.web.api import MEDIA_TYPES, Published, Regional, pre_check, problem, published, published_calendar, respond
from configurator.workspace import git
from configurator.workspace.regions import CALENDARS_DIR, REGIONS_DIR, RegionSet, check_region_sources
from configurator.writers import WRITERS
from configurator.writers.regional import REGION_ARTIFACT, render_region

blueprint = Blueprint("region_api", __name__, url_prefix="/api/regions")
ARTIFACTS = [*WRITERS, REGION_ARTIFACT]


def published_region_sources(commit: str | None = None) -> list[tuple[str, bytes]]:
    """regions/*.yaml as published: from main (or ``commit``, the one being served) in a git
    workspace, else from the folder."""
    root = store().workspace.root
    if store().git_mode:
        return sorted(git.tree_files(root, commit or store().published_commit(), (REGIONS_DIR,)).items())
    return [(f"{REGIONS_DIR}/{p.name}", p.read_bytes()) for p in sorted((root / REGIONS_DIR).glob("*.yaml"))]


def published_calendar_sources() -> list[tuple[str, bytes]]:
    """calendars/*.yaml as published (main of a git workspace, else the folder)."""
    root = store().workspace.root
    if store().git_mode:
        return sorted(git.tree_files(root, store().published_commit(), (CALENDARS_DIR,)).items())
    return [(f"{CALENDARS_DIR}/{p.name}", p.read_bytes()) for p in sorted((root / CALENDARS_DIR).glob("*.yaml"))]


def published_regions() -> RegionSet:
    return _regions(published())[1]


def _regions(state: Published) -> tuple[str, RegionSet]:
    """The published region files checked against the published bundles, kept in the app's API cache
    with the published version: read once per main commit in a git workspace; in a plain one, again
    only when a file in regions/ changes (its stamp is taken without reading the files). The key
    returned names that version for what is worked out from these regions."""
    workspace = store()
    stamp = "" if workspace.git_mode else api_cache.folder_stamp(workspace.workspace.root / REGIONS_DIR)
    regions = api_cache.cached("regions", state, stamp, make=lambda: check_region_sources(
        published_region_sources(state.commit), state.bundles, state.catalogues))
    return stamp, regions


def request_lang() -> str:
    lang = request.args.get("lang", "zh-CN")
    if lang not in ("zh-CN", "en"):
        abort(problem(400, "bad-language", "lang 只能是 zh-CN 或 en", "lang must be zh-CN or en"))
    return lang


@blueprint.get("")
def regions() -> Response:
    lang = request_lang()
    state = published()
    _, found = _regions(state)
    listed = []
    for code in found.valid_codes():
        resolved = found.resolved(code)
        listed.append({"code": code, "name": resolved.region.name.get(lang), "inherits": [r.code for r in resolved.chain[:-1]],
                       "bundles": {b: {name: url_for("region_api.artifact", code=code, bundle_id=b, name=name)
                                       for name in ARTIFACTS} for b in sorted(state.bundles)}})
    return respond(dump_json({"source_commit": state.commit, "regions": listed}).encode("utf-8"), "application/json", state)


def _region_and_bundle(state: Published, code: str, bundle_id: str) -> tuple[str, RegionSet, Bundle]:
    key, found = _regions(state)
    if code not in found.valid_codes():
        abort(problem(404, "unknown-region", f"没有可用的地区“{code}”（没有地区文件，或文件有错误）",
                      f"no usable region \"{code}\" (no region file, or it has errors)"))
    bundle = state.bundles.get(bundle_id)
    if bundle is None:
        abort(problem(404, "unknown-bundle", f"没有已发布的一件事“{bundle_id}”", f"no published bundle \"{bundle_id}\""))
    return key, found, bundle


@blueprint.post("/<code>/bundles/<bundle_id>/check")
def check(code: str, bundle_id: str) -> Response:
    """The pre-check as ``code`` carries the bundle out: the same answer as `configurator explain
    --region CODE` (its limits and agencies; due dates on its local holidays)."""
    lang = request_lang()
    state = published()
    key, found, bundle = _region_and_bundle(state, code, bundle_id)

    region, compiled, calendar, version = _version(state, key, found, code, bundle, lang)
    return pre_check(state, bundle, lang, compiled, calendar, version, region)


def _version(state: Published, key: str, found: RegionSet, code: str, bundle: Bundle, lang: str) -> Regional:
    """``bundle`` as ``code`` carries it out: the region, its compiled bundle, its calendar, the key naming them."""
    region = found.resolved(code)

    def compiled() -> Compiled:
        return api_cache.cached("region-compiled", state, key, code, bundle.id, lang,
                                make=lambda: in_region(Compiled(bundle, state.catalogues, lang), region))

    return region, compiled, lambda: published_calendar().for_region(code), f"{key}:{code}:{bundle.id}"


def named_region(state: Published, bundle: Bundle, lang: str) -> Callable[[Any], Response | Regional | None]:
    """Reads the optional "region" of an application to ``bundle`` (taking it out of it): None when it
    names none, the region's version of the bundle when it names a usable region that carries the
    bundle out, else a 422 naming the field and the regions that would do."""

    def choose(application: Any) -> Response | Regional | None:
        if not isinstance(application, dict) or application.get("region") is None:
            if isinstance(application, dict):
                application.pop("region", None)
            return None
        code = application.pop("region")
        key, found = _regions(state)
        usable = [c for c in found.valid_codes() if bundle.id in found.resolved(c).bindings]
        if isinstance(code, str) and code in usable:
            return _version(state, key, found, code, bundle, lang)
        shown = (code if isinstance(code, str) else json.dumps(code, ensure_ascii=False))[:40]
        listed = "、".join(usable) or "无"
        zh = (f"没有可用的地区“{shown}”办理“{bundle.id}”（可用：{listed}）；region 应为地区代码，"
              f"其地区文件（regions/<代码>.yaml）无错误并在 bundles 下写有该一件事")
        en = (f"no usable region \"{shown}\" for \"{bundle.id}\" (usable: {', '.join(usable) or 'none'}); region must be "
              f"the code of a region whose file (regions/<code>.yaml) has no errors and names the bundle under bundles")
        return problem(422, "invalid-application", "申请有需要改正的地方", "the application needs corrections",
                       [{"pointer": "/region", "message": en if lang == "en" else zh}])

    return choose


@blueprint.get("/<code>/bundles/<bundle_id>/<name>")
def artifact(code: str, bundle_id: str, name: str) -> Response:
    lang = request_lang()
    state = published()
    key, found, bundle = _region_and_bundle(state, code, bundle_id)
    if name not in ARTIFACTS:
        abort(problem(404, "unknown-artifact", f"没有产物“{name}”；可用：{', '.join(ARTIFACTS)}",
                      f"no artifact \"{name}\"; available: {', '.join(ARTIFACTS)}"))
    artifacts = api_cache.cached("region-artifacts", state, key, code, bundle_id, lang,
                                 make=lambda: render_region(bundle, state.catalogues, found.resolved(code), lang))
    media_type = MEDIA_TYPES["." + name.rsplit(".", 1)[1]]
    return respond(artifacts[name].encode("utf-8"), media_type, state, bundle)

