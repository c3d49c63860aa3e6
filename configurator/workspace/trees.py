"""A commit being made: the base commit's tree with some files replaced, and the commit of it, built
and written with two git processes (through ``git.run``, the one git layer) instead of 4 + one per
file.

The base's trees along the changed paths are read in one ``git cat-file --batch``; the new blobs
and trees are formed here (git's object format: SHA-1 of ``<type> <size>\\0<content>``) and
written in one ``git unpack-objects --strict`` from a small pack on stdin. ``--strict`` has git
check every object before it writes any (a tree's order and names, that each entry it names
exists, and that a commit's author and committer are well formed), so an object formed wrongly
here is refused, never stored. The objects are flushed like every other git write
(``core.fsync=committed``) before the ref that names the commit is moved.

Paths come from the package (``bundles/<id>.yaml`` with checked ids); contents travel on stdin."""

from __future__ import annotations

import hashlib
import struct
import time
import zlib
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from configurator.workspace.git import GitError, Person, commit_id, run

_BLOB, _TREE, _COMMIT = b"blob", b"tree", b"commit"
_PACK_TYPES = {_COMMIT: 1, _TREE: 2, _BLOB: 3}
_FILE_MODE, _TREE_MODE = b"100644", b"40000"
Entries = dict[bytes, tuple[bytes, bytes]]  # name → (mode, binary object id)


def folder_names(base: str, paths: Collection[str]) -> list[str]:
    """The names of the trees ``write_commit`` reads (for a caller that reads them in its own batch)."""
    return [f"{commit_id(base)}^{{tree}}", *(f"{base}:{folder}" for folder in _folders(paths)[1:])]


def _folders(paths: Collection[str]) -> list[str]:
    if any(not part for path in paths for part in path.split("/")):
        raise GitError(f"路径不合法：{sorted(paths)}")
    return sorted({"/".join(path.split("/")[:depth]) for path in paths for depth in range(len(path.split("/")))})


def write_commit(repo: Path, base: str, files: Mapping[str, bytes | None], *, parents: Sequence[str], message: str,
                 author: Person, committer: Person | None = None, read: Sequence[bytes | None] | None = None) -> str:
    """A commit of the tree of ``base`` (a commit or tree id) with ``files`` replaced (None deletes),
    written with its new blobs and trees in one pack (``git commit-tree``'s object, formed here): one
    git process. No ref moves. ``read``: the contents of the trees ``folder_names`` names, read by
    the caller (None: missing)."""
    objects: dict[bytes, tuple[bytes, bytes]] = {}
    root = _form_tree(repo, base, files, read, objects)
    when, offset = int(time.time()), time.localtime().tm_gmtoff // 60
    stamp = f"{when} {'-' if offset < 0 else '+'}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
    lines = [f"tree {root.hex()}", *(f"parent {commit_id(p)}" for p in parents),
             f"author {_ident(author)} {stamp}", f"committer {_ident(committer or author)} {stamp}"]
    commit = _store(objects, _COMMIT, ("\n".join(lines) + "\n\n" + message).encode("utf-8"))
    run(repo, "unpack-objects", "-q", "--strict", input_bytes=_pack(objects))
    return commit.hex()


# git trims these from both ends of a name or address, and drops "<", ">" and line breaks inside.
_CRUD = " .,:;<>\"\\'\t\n"


def _ident(person: Person) -> str:
    """``name <email>`` as git writes it. A person git would rewrite (trimmed, brackets dropped) is
    refused instead, so a commit made here never names someone differently from one git makes;
    usernames (letters, digits, _ and -) never need it."""
    name, email = person
    if any(not part or part.strip(_CRUD) != part or any(c in part for c in "<>\n\0") for part in (name, email)):
        raise GitError(f"提交人不合法：{person!r}")
    return f"{name} <{email}>"


def _form_tree(repo: Path, base: str | None, files: Mapping[str, bytes | None], read: Sequence[bytes | None] | None,
               objects: dict[bytes, tuple[bytes, bytes]]) -> bytes:
    """The new root tree's id; it and every new blob and tree below it are added to ``objects``."""
    folders = _folders(list(files)) or [""]  # no files: the base's tree as it is
    trees: dict[str, Entries] = {folder: {} for folder in folders}
    if base:
        found = read if read is not None else [t[1] if t and t[0] == _TREE else None
                                               for t in _read(repo, folder_names(base, list(files)))]
        if found[0] is None:
            raise GitError(f"{base} 不是一个提交")
        for folder, content in zip(folders, found, strict=True):
            trees[folder] = _parse_tree(content) if content is not None else {}
    for path, data in files.items():
        folder, _, name = path.rpartition("/")
        if data is None:
            trees[folder].pop(name.encode("utf-8"), None)
        else:
            trees[folder][name.encode("utf-8")] = (_FILE_MODE, _store(objects, _BLOB, data))
    for folder in sorted(folders, key=lambda f: -f.count("/") - (f != "")):  # deepest first, the root last
        if folder == "":
            continue
        parent, _, name = folder.rpartition("/")
        if trees[folder]:
            trees[parent][name.encode("utf-8")] = (_TREE_MODE, _store(objects, _TREE, _format_tree(trees[folder])))
        else:  # git keeps no empty folders
            trees[parent].pop(name.encode("utf-8"), None)
    return _store(objects, _TREE, _format_tree(trees[""]))


def _read(repo: Path, names: list[str]) -> list[tuple[bytes, bytes] | None]:
    """Each named object's (type, content) in one process; None where it does not exist."""
    _, out = run(repo, "cat-file", "--batch", input_bytes="".join(f"{name}\n" for name in names).encode("utf-8"))
    found: list[tuple[bytes, bytes] | None] = []
    position = 0
    for _ in names:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        if len(header) != 3 or not header[2].isdigit():  # "<name> missing"
            found.append(None)
            position = header_end + 1
            continue
        size = int(header[2])
        found.append((header[1], out[header_end + 1:header_end + 1 + size]))
        position = header_end + 1 + size + 1
    return found


def _parse_tree(content: bytes) -> Entries:
    entries: Entries = {}
    position = 0
    while position < len(content):
        space, nul = content.find(b" ", position), content.find(b"\0", position)
        if not 0 < space < nul or nul + 21 > len(content):
            raise GitError("读到的不是一个目录树")  # a blob where a folder was expected
        entries[content[space + 1:nul]] = (content[position:space], content[nul + 1:nul + 21])
        position = nul + 21
    return entries


def _format_tree(entries: Entries) -> bytes:
    # git orders a tree's entries by name, a folder's name read as if it ended in "/"
    ordered = sorted(entries.items(), key=lambda item: item[0] + b"/" if item[1][0] == _TREE_MODE else item[0])
    return b"".join(mode + b" " + name + b"\0" + oid for name, (mode, oid) in ordered)


def _store(objects: dict[bytes, tuple[bytes, bytes]], kind: bytes, content: bytes) -> bytes:
    oid = hashlib.sha1(kind + b" %d\0" % len(content) + content, usedforsecurity=False).digest()
    objects[oid] = (kind, content)
    return oid


def _pack(objects: Mapping[bytes, tuple[bytes, bytes]]) -> bytes:
    """A version 2 pack of whole (undeltified) objects."""
    parts = [b"PACK" + struct.pack(">II", 2, len(objects))]
    for kind, content in objects.values():
        size = len(content)
        header = bytearray([(_PACK_TYPES[kind] << 4) | (size & 0x0F)])
        size >>= 4
        while size:
            header[-1] |= 0x80
            header.append(size & 0x7F)
            size >>= 7
        parts.append(bytes(header) + zlib.compress(content, 1))
    pack = b"".join(parts)
    return pack + hashlib.sha1(pack, usedforsecurity=False).digest()
