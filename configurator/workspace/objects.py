"""Many git objects read in one process: ``git cat-file --batch`` (through ``git.run``, the one
git layer). A save reads the file at the branch head and at the commit the editor saw, and checks
that commit exists: one process instead of four, each of which costs more than the reading.

Names are ``<commit>:<path>`` or ``<commit>^{commit}`` built by the caller from validated commit
ids and paths; they travel on stdin, one a line, never as options."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from configurator.workspace.git import GitError, run


def read_objects(repo: Path, names: Sequence[str]) -> list[bytes | None]:
    """Each named object's content, None where it does not exist."""
    if any("\n" in name or not name for name in names):
        raise GitError("对象名不能为空或含换行")
    if not names:
        return []
    _, out = run(repo, "cat-file", "--batch", input_bytes="".join(f"{name}\n" for name in names).encode("utf-8"))
    found: list[bytes | None] = []
    position = 0
    for _ in names:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        if len(header) != 3 or not header[2].isdigit():  # "<name> missing" (or ambiguous)
            found.append(None)
            position = header_end + 1
            continue
        size = int(header[2])
        found.append(out[header_end + 1:header_end + 1 + size])
        position = header_end + 1 + size + 1
    if len(found) != len(names):
        raise GitError(f"git cat-file --batch answered {len(found)} of {len(names)} objects")
    return found
