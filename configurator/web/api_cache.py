"""What the portal API serves, worked out once per published version and kept with it.

Everything here is keyed by the published version (``Published.key``: the main commit of a git
workspace, or a stamp of the files of a plain one), so nothing is ever stale and nothing is worked
out twice while that version is served:

- the published bundles and catalogues (read again only when main or the files change);
- each artifact's ETag (the SHA-256 of its bytes: the same in every worker and after a restart),
  media type, headers and inline-script hashes, kept apart from its bytes, so that a conditional
  GET is answered 304 from this record alone, without reading, rendering or hashing the body;
- the bytes themselves, in a bounded cache (``API_BODY_CACHE_BYTES``, default 64 MiB; least
  recently used first out), rendered again when evicted;
- for the pre-check, each bundle's compiled model, request schema and its validator, and the
  working-day calendar;
- for the region API (region_api.py), the checked region files and each region's compiled bundles
  and artifacts (in a plain workspace also keyed on the stamp of regions/).

One cache per app (two apps in one process serve two workspaces); a new published version clears it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app

from configurator.model import Bundle, Catalogues
from configurator.web import store

T = TypeVar("T")
MEDIA_TYPES = {".json": "application/json", ".html": "text/html", ".md": "text/markdown", ".bpmn": "application/xml"}
BODY_CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Published:
    key: str  # the main commit, or a stamp of the files
    commit: str | None
    bundles: dict[str, Bundle]
    catalogues: Catalogues


@dataclass(frozen=True)
class Artifact:
    """What answering for one artifact needs besides its bytes."""

    etag: str  # SHA-256 of the bytes, hex
    content_type: str
    headers: dict[str, str]  # Cache-Control, ETag, X-Source-Commit, X-Bundle-Version, CORS
    script_hashes: tuple[str, ...]  # CSP hashes of form.html's inline scripts


class ApiCache:
    def __init__(self, body_budget: int) -> None:
        self.lock = threading.Lock()
        self.published: Published | None = None
        self.values: dict[tuple[str, ...], Any] = {}  # (kind, published key, ...) → value
        self.bodies: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self.body_bytes = 0
        self.body_budget = body_budget

    def reset(self, state: Published) -> None:
        with self.lock:
            self.published = state
            self.values.clear()
            self.bodies.clear()
            self.body_bytes = 0

    def value(self, key: tuple[str, ...], make: Callable[[], T]) -> T:
        """``make()`` once per key (two racing requests may both make it; either result is right)."""
        with self.lock:
            found = self.values.get(key)
        if found is None:
            found = make()
            with self.lock:
                self.values[key] = found
        return found

    def body(self, key: tuple[str, ...]) -> bytes | None:
        with self.lock:
            found = self.bodies.get(key)
            if found is not None:
                self.bodies.move_to_end(key)
            return found

    def keep_body(self, key: tuple[str, ...], body: bytes) -> None:
        with self.lock:
            if key in self.bodies or len(body) > self.body_budget:
                return
            self.bodies[key] = body
            self.body_bytes += len(body)
            while self.body_bytes > self.body_budget:
                _, dropped = self.bodies.popitem(last=False)
                self.body_bytes -= len(dropped)


def api_cache() -> ApiCache:
    found = current_app.extensions.get("configurator.api.cache")
    if found is None:
        budget = int(current_app.config.get("API_BODY_CACHE_BYTES", BODY_CACHE_BYTES))
        found = current_app.extensions.setdefault("configurator.api.cache", ApiCache(budget))
    return found  # type: ignore[no-any-return]


def folder_stamp(*folders: Path) -> str:
    """Name, size, modification time and inode of every YAML file in ``folders``: an edit (in
    place, or by the admin's rename) changes it, without reading any file."""
    parts = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            try:
                found = path.stat()
            except OSError:
                continue
            parts.append(f"{folder.name}/{path.name}:{found.st_size}:{found.st_mtime_ns}:{found.st_ino}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def published() -> Published:
    """The published bundles (valid ones only), read again only when main or the files change."""
    workspace = store()
    cache = api_cache()
    if workspace.git_mode:
        # Everything served comes from this one commit: read once, so a publish in between
        # cannot mix two versions.
        commit = workspace.published_commit()
        key = f"git:{commit}"
    else:
        commit = None
        key = "files:" + folder_stamp(workspace.workspace.bundles_dir, workspace.workspace.catalogues_dir)
    current = cache.published
    if current is not None and current.key == key:
        return current
    if commit is not None:
        from configurator.workspace.versions import version_at

        version = version_at(workspace.workspace.root, commit)
        state = Published(key, commit, dict(version.models), version.catalogues)
    else:
        models = {}
        for row in workspace.summaries():
            bundle, _ = workspace.model(row.id)
            if bundle is not None:
                models[row.id] = bundle
        state = Published(key, None, models, workspace.catalogues())
    cache.reset(state)
    return state


def artifact_headers(state: Published, bundle: Bundle | None, etag: str) -> dict[str, str]:
    headers = {"Cache-Control": "public, max-age=60, must-revalidate", "Vary": "Accept-Encoding",
               "X-Source-Commit": state.commit or "none", "Access-Control-Allow-Origin": "*", "ETag": f'"{etag}"'}
    if bundle is not None:
        headers["X-Bundle-Version"] = bundle.version
    return headers


def content_type(media_type: str) -> str:
    charset = "; charset=utf-8" if media_type.startswith("text/") or media_type.endswith(("json", "xml")) else ""
    return media_type + charset


def artifact(state: Published, bundle: Bundle, name: str, lang: str) -> tuple[Artifact, bytes | None]:
    """An artifact's record, and its bytes when this call had to render them (None: the caller
    asks ``artifact_body`` only if it needs them, so a 304 never touches them)."""
    cache = api_cache()
    key = ("artifact", state.key, bundle.id, name, lang)
    with cache.lock:
        found: Artifact | None = cache.values.get(key)
    if found is not None:
        return found, None
    body = artifact_body(state, bundle, name, lang)
    from configurator.web.security import script_hashes

    media_type = MEDIA_TYPES["." + name.rsplit(".", 1)[1]]
    etag = hashlib.sha256(body).hexdigest()
    hashes = tuple(sorted(script_hashes(body.decode("utf-8")))) if media_type == "text/html" else ()
    record = Artifact(etag, content_type(media_type), artifact_headers(state, bundle, etag), hashes)
    with cache.lock:
        if cache.published is not None and cache.published.key == state.key:
            cache.values[key] = record
    return record, body


def artifact_body(state: Published, bundle: Bundle, name: str, lang: str) -> bytes:
    """The artifact's bytes: from the bounded cache, or rendered from the compiled model."""
    from configurator.writers import WRITERS

    cache = api_cache()
    key = ("body", state.key, bundle.id, name, lang)
    body = cache.body(key)
    if body is None:
        body = WRITERS[name](compiled(state, bundle, lang)).encode("utf-8")
        if cache.published is not None and cache.published.key == state.key:
            cache.keep_body(key, body)
    return body


def compiled(state: Published, bundle: Bundle, lang: str) -> Any:
    """The bundle compiled once per published version and language (shared by writers and pre-check)."""
    from configurator.planning.compiled import Compiled

    return api_cache().value(("compiled", state.key, bundle.id, lang), lambda: Compiled(bundle, state.catalogues, lang))


def cached(kind: str, state: Published, *key: str, make: Callable[[], T]) -> T:
    """Any value worked out from the published version, kept while that version is served."""
    return api_cache().value((kind, state.key, *key), make)
