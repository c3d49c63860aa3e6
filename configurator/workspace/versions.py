"""Versions of the workspace above the git layer: the bundles and catalogues at a revision, loaded
and checked (``version_at``: for diff, review and the API); and bundle version numbers at publish.

Each bundle a change request changes gets the next version number.

``version`` is an integer (3) or a dotted text ("1.2.0"): the last number goes up by one, from
the version that is published now. An editor who set the version by hand keeps it (a change
request that already moved it is not bumped twice). The edit is a located edit of the one line,
so comments and layout stay as they were.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configurator.authoring.textedits import EditError, SetValue, apply_edit
from configurator.language.loader import load_yaml
from configurator.workspace import git

if TYPE_CHECKING:
    from configurator.present.semantic_diff import Version

_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def version_at(repo: Path, revision: str, only: Collection[str] | None = None) -> Version:
    """The bundles (all, or the ids in ``only``) and catalogues at a revision (or ``git.WORKTREE``),
    loaded and checked; a bundle that does not load is left out, one with errors has data but no model."""
    from configurator.language.check import check_bundle, check_catalogues
    from configurator.present.semantic_diff import Version

    files = git.bundle_files(repo, revision)
    catalogues = check_catalogues([(n, b) for n, b in files.items() if n.startswith("catalogues/")]).catalogues
    data, models = {}, {}
    for name, raw in files.items():
        if not name.startswith("bundles/"):
            continue
        bundle_id = name[len("bundles/"):-len(".yaml")]
        if only is not None and bundle_id not in only:
            continue
        loaded = load_yaml(raw, name)
        if loaded.usable:
            data[bundle_id] = loaded.data
            result = check_bundle(raw, name, catalogues)
            if result.bundle is not None:
                models[bundle_id] = result.bundle
    return Version(data, models, catalogues)


def next_version(version: Any) -> Any:
    if isinstance(version, int) and not isinstance(version, bool):
        return version + 1
    text = str(version)
    match = _LAST_NUMBER.search(text)
    if match is None:
        return f"{text}.1"
    return text[:match.start()] + str(int(match.group(1)) + 1) + text[match.end():]


def _version(data: bytes | None) -> Any:
    if data is None:
        return None
    loaded = load_yaml(data, "version").data
    return loaded.get("version") if isinstance(loaded, dict) else None


def bump_versions(repo: Path, published: str, merged_tree: str, paths: Sequence[str]
                  ) -> tuple[dict[str, bytes | None], dict[str, str]]:
    """The bundle files of ``merged_tree`` with their version bumped; and bundle id → new version."""
    files: dict[str, bytes | None] = {}
    bumped: dict[str, str] = {}
    for path in paths:
        merged = git.read_file(repo, merged_tree, path)
        if merged is None:
            continue
        old, current = _version(git.read_file(repo, published, path)), _version(merged)
        if old is None or current != old:  # a new bundle, or the version was already changed
            continue
        new = next_version(old)
        try:
            text = apply_edit(merged.decode("utf-8"), SetValue(("version",), new))
        except (EditError, UnicodeDecodeError):
            continue
        files[path] = text.encode("utf-8")
        bumped[path[len("bundles/"):-len(".yaml")]] = str(new)
    return files, bumped
