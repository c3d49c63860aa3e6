"""Bundle version numbers at publish: each bundle a change request changes gets the next version.

``version`` is an integer (3) or a dotted text ("1.2.0"): the last number goes up by one, from
the version that is published now. An editor who set the version by hand keeps it (a change
request that already moved it is not bumped twice). The edit is a located edit of the one line,
so comments and layout stay as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from configurator.authoring.textedits import EditError, SetValue, apply_edit
from configurator.language.loader import load_yaml
from configurator.workspace import git

_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


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
