"""Bundle and catalogue files on disk, as the admin reads and writes them.

- Every read returns the text with its version (the SHA-256 of the bytes); a save names the
  version it started from, and is refused with the difference when the file changed since
  (two people editing one bundle never silently overwrite each other).
- Nothing is written while the new text has errors; saving unchanged text writes nothing.
- Writes are atomic: the new text goes to a temporary file in the same folder, is flushed to
  disk, and replaces the old file in one rename, so a crash leaves the previous file intact.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configurator.diagnostics import Diagnostic, has_errors
from configurator.language.check import BundleCheck, CatalogueCheck, check_bundle, check_catalogues
from configurator.model import Bundle, Catalogues
from configurator.workspace import git
from configurator.workspace.changes import ChangeRequests, Stale
from configurator.workspace.files import Workspace
from configurator.workspace.records import Record

BUNDLE_ID = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_TOKEN = re.compile(r"^(?:main|cr(\d*))@([0-9a-f]{40})$")


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Conflict(Exception):
    """The file changed since the editor opened it."""

    current_text: str
    current_version: str
    difference: str  # unified diff from the version the user edited to the current file


@dataclass(frozen=True)
class SaveResult:
    saved: bool  # False when the text was unchanged (or had errors)
    check: BundleCheck
    version: str
    change: Record | None = None  # git workspaces: the change request the save went to
    created: bool = False  # ... opened by this save

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.check.diagnostics


@dataclass(frozen=True)
class Summary:
    """One row of the bundle list."""

    id: str
    name: str
    lead_department: str
    items: int
    materials: int
    errors: int
    warnings: int
    modified: float
    version: str


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Check results kept by content. Each holds a bundle model and its source map (some 20,000 objects
# for a 200-item bundle), and the cyclic GC walks every kept object at each full collection: with
# 64 kept, saves of a big bundle paused for half a second every few rounds.
CHECKS_KEPT = 8
SUMMARIES_KEPT = 4096  # a row is a few numbers: every bundle in a few versions of the catalogues


@dataclass
class BundleStore:
    workspace: Workspace
    # A bundle's row by (file, content and catalogues): the published list and a change request's
    # list (other catalogues) are both kept, so officials in different requests do not evict each other.
    _summaries: OrderedDict[tuple[Path, tuple[object, ...]], Summary] = field(default_factory=OrderedDict)
    _catalogues: tuple[tuple[object, ...], CatalogueCheck] | None = None
    # Recent check results by content: the page shown after a save checks the same text again.
    _checks: OrderedDict[tuple[str, str, tuple[object, ...]], BundleCheck] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    changes: ChangeRequests | None = None  # git workspaces: where saves go
    _published: tuple[str, dict[str, bytes], float] | None = None
    _git_paths: tuple[str, str] | None = None
    _files: OrderedDict[tuple[str, str], bytes | None] = field(default_factory=OrderedDict)  # (commit, path)
    # A change request's head → its catalogues (catalogues_at), and the published catalogue files.
    _change_catalogues: OrderedDict[str, tuple[tuple[object, ...], CatalogueCheck]] = field(default_factory=OrderedDict)
    _published_catalogue_files: dict[str, bytes] = field(default_factory=dict)
    _change_bundles: tuple[str, dict[str, bytes], float] | None = None  # the last change request head listed

    def _catalogue_stamp(self) -> tuple[object, ...]:
        if self.git_mode:
            return ("git", self.published_commit())
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in self.workspace.catalogue_files())

    def catalogue_stamp(self) -> tuple[object, ...]:
        """What the catalogues are now: main's commit (git), or the files' state; a cache key."""
        return self._catalogue_stamp()

    def catalogue_check(self) -> CatalogueCheck:
        """The catalogues (as published in a git workspace), read again only when they changed."""
        stamp = self._catalogue_stamp()
        if self._catalogues is None or self._catalogues[0] != stamp:
            if self.git_mode:
                files = git.tree_files(self.workspace.root, str(stamp[1]), ("catalogues",))
                fresh = check_catalogues([(Path(n).name, b) for n, b in files.items()])
                self._published_catalogue_files = files
            else:
                fresh = Workspace(self.workspace.root, self.workspace.catalogues_dir).catalogue_check
            self._catalogues = (stamp, fresh)
        return self._catalogues[1]

    def catalogues_at(self, where: Record | str | None) -> tuple[tuple[object, ...], CatalogueCheck]:
        """The catalogues as a change request (or a commit) holds them, with a cache key: what a
        request added is offered to, and checked with, the bundles edited in it before anything is
        published. The published catalogues when ``where`` is None or changes none of them."""
        published = self.catalogue_check()
        if where is None or self.changes is None or not self.git_mode:
            return self._catalogue_stamp(), published
        head = self.changes.head(where) if isinstance(where, Record) else where
        with self._lock:
            found = self._change_catalogues.get(head)
        if found is not None:
            return found
        files = git.tree_files(self.workspace.root, head, ("catalogues",))
        if files == self._published_catalogue_files:
            found = (self._catalogue_stamp(), published)
        else:  # keyed by content: a save of a bundle in the request leaves its bundles' checks valid
            digest = hashlib.sha256(repr(sorted(files.items())).encode("utf-8")).hexdigest()
            found = (("catalogues", digest), check_catalogues([(Path(n).name, b) for n, b in files.items()]))
        with self._lock:
            self._change_catalogues[head] = found
            while len(self._change_catalogues) > CHECKS_KEPT:
                self._change_catalogues.popitem(last=False)
        return found

    def catalogues(self) -> Catalogues:
        return self.catalogue_check().catalogues

    @property
    def git_mode(self) -> bool:
        """A workspace that is a git repository keeps change requests: saves go to a branch."""
        return os.path.exists(self._paths()[0])

    def _paths(self) -> tuple[str, str]:
        """The workspace's .git and the loose ref file of main (asked on every API request)."""
        if self._git_paths is None:
            dot_git = self.workspace.root / ".git"
            self._git_paths = (str(dot_git), str(dot_git / "refs" / "heads" / git.MAIN))
        return self._git_paths

    def published_commit(self) -> str:
        # Asked on every API request: the loose ref file read directly (git replaces it
        # atomically); git itself when main is packed.
        try:
            with open(self._paths()[1], encoding="ascii") as ref_file:
                text = ref_file.read(41).strip()
            if git.is_full_id(text):
                return text
        except (OSError, UnicodeDecodeError):
            pass
        found = git.ref(self.workspace.root, git.MAIN)
        if found is None:
            raise NotFound("main")
        return found

    def editing(self, bundle_id: str, user: str | None, change: int | None = None) -> Record | None:
        """The change request a user's edits of this bundle go to (None: a save opens one)."""
        if not (self.git_mode and user and self.changes):
            return None
        return self.changes.for_editing(user, f"bundles/{bundle_id}.yaml", change)

    def path(self, bundle_id: str) -> Path:
        if not BUNDLE_ID.match(bundle_id):
            raise NotFound(bundle_id)
        path = self.workspace.bundles_dir / f"{bundle_id}.yaml"
        if not self.git_mode and not path.is_file():
            raise NotFound(bundle_id)
        return path

    def read(self, bundle_id: str, user: str | None = None, change: int | None = None) -> tuple[str, str]:
        """The bundle as this user edits it, with its version. In a git workspace: from the change
        request the edit goes to (version ``cr<id>@<commit>``) or from published main (``main@<commit>``)."""
        path = self.path(bundle_id)
        if not self.git_mode:
            data = path.read_bytes()
            return data.decode("utf-8", errors="replace"), version_of(data)
        chosen = self.editing(bundle_id, user, change)
        if chosen is not None and self.changes is not None:
            commit, token = self.changes.head(chosen), f"cr{chosen.id}@"
        else:
            commit, token = self.published_commit(), "main@"
        found = self._file_at(commit, f"bundles/{bundle_id}.yaml")
        if found is None:
            raise NotFound(bundle_id)
        return found.decode("utf-8", errors="replace"), token + commit

    def _file_at(self, commit: str, path: str, known: bytes | None = None) -> bytes | None:
        """A file at a commit; kept, as a commit never changes (``known``: what a save just wrote there)."""
        key = (commit, path)
        with self._lock:
            if known is not None:
                self._files[key] = known
            if key in self._files:
                self._files.move_to_end(key)
                return self._files[key]
        found = git.read_file(self.workspace.root, commit, path)
        with self._lock:
            self._files[key] = found
            while len(self._files) > 64:
                self._files.popitem(last=False)
        return found

    def check(self, bundle_id: str, text: str, where: Record | str | None = None) -> BundleCheck:
        """The bundle's check, against the catalogues of a change request or commit ``where``
        (the published ones: None)."""
        data = text.encode("utf-8")
        stamp, catalogues = self.catalogues_at(where)
        key = (bundle_id, version_of(data), stamp)
        with self._lock:
            cached = self._checks.get(key)
        if cached is not None:
            return cached
        result = check_bundle(data, f"bundles/{bundle_id}.yaml", catalogues.catalogues, shared=True)
        with self._lock:
            self._checks[key] = result
            while len(self._checks) > CHECKS_KEPT:
                self._checks.popitem(last=False)
        return result

    def model(self, bundle_id: str) -> tuple[Bundle | None, BundleCheck]:
        data = self.path(bundle_id).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # checked as the bytes they are (E102), never "repaired" into a model
            result = check_bundle(data, f"bundles/{bundle_id}.yaml", self.catalogues())
            return result.bundle, result
        result = self.check(bundle_id, text)
        return result.bundle, result

    def save(self, bundle_id: str, text: str, expected_version: str, *, user: str | None = None,
             email: str = "", message: str = "", change: int | None = None) -> SaveResult:
        """Validate and write (in a git workspace: commit to a change request). Raises Conflict when
        the bundle changed since ``expected_version``; ChangeError when the change request refuses."""
        path = self.path(bundle_id)
        if self.git_mode and user:
            where = self.editing(bundle_id, user, change)
            result = self.check(bundle_id, text, where)
            return self._save_change(bundle_id, text, expected_version, result, user, message, change, where)
        result = self.check(bundle_id, text)
        with self._lock:
            current = path.read_bytes()
            current_version = version_of(current)
            if current_version != expected_version:
                raise Conflict(current.decode("utf-8", errors="replace"), current_version,
                               _difference(text, current.decode("utf-8", errors="replace")))
            if has_errors(result.diagnostics):
                return SaveResult(False, result, current_version)
            if text.encode("utf-8") == current:
                return SaveResult(False, result, current_version)
            atomic_write(path, text)
        return SaveResult(True, result, version_of(text.encode("utf-8")))

    def create(self, bundle_id: str, text: str, *, user: str | None = None, message: str = "",
               change: int | None = None) -> SaveResult:
        """A new bundle (in a git workspace: in the user's change request ``change``, or a new one).
        Nothing is written while the text has errors; FileExistsError when the id is taken."""
        if not BUNDLE_ID.match(bundle_id):
            raise NotFound(bundle_id)
        try:
            self.read(bundle_id, user, change)
        except NotFound:
            pass
        else:
            raise FileExistsError(bundle_id)
        target = self.editing(bundle_id, user, change) if self.git_mode else None
        result = self.check(bundle_id, text, target)
        file = self.workspace.bundles_dir / f"{bundle_id}.yaml"
        if has_errors(result.diagnostics):
            return SaveResult(False, result, "")
        if self.git_mode and user and self.changes is not None:
            seen = self.changes.head(target) if target is not None else self.published_commit()
            outcome = self.changes.save(user, {f"bundles/{bundle_id}.yaml": text.encode("utf-8")}, seen=seen,
                                        message=message or f"{bundle_id}: 新建", change_id=target.id if target else None,
                                        title=f"新建“{_named(result, bundle_id)}”")
            return SaveResult(outcome.saved, result, f"cr{outcome.change.id}@{outcome.commit}", outcome.change,
                              outcome.created)
        with self._lock:
            if file.exists():
                raise FileExistsError(bundle_id)
            atomic_write(file, text)
        return SaveResult(True, result, version_of(text.encode("utf-8")))

    def text_seen(self, bundle_id: str, version: str) -> str | None:
        """The bundle's text at the version a form was opened at (None: a plain workspace, where
        a version names no text, or a version naming none)."""
        match = _TOKEN.match(version)
        if not self.git_mode or not match:
            return None
        found = self._file_at(match.group(2), f"bundles/{bundle_id}.yaml")
        return None if found is None else found.decode("utf-8", "replace")

    def seen_commit(self, bundle_id: str, version: str, user: str, change: int | None) -> tuple[int | None, str]:
        """The change request and commit a form's version names. An old-style version (the text's
        SHA-256) is matched against the text the user would read now."""
        match = _TOKEN.match(version)
        if match:
            return (int(match.group(1)) if match.group(1) else None), match.group(2)
        text, token = self.read(bundle_id, user, change)
        if version_of(text.encode("utf-8")) != version:
            raise Conflict(text, token, "")
        return self.seen_commit(bundle_id, token, user, change)

    def _save_change(self, bundle_id: str, text: str, expected_version: str, result: BundleCheck, user: str,
                     message: str, change: int | None, where: Record | None) -> SaveResult:
        assert self.changes is not None
        file = f"bundles/{bundle_id}.yaml"
        try:
            change_id, seen = self.seen_commit(bundle_id, expected_version, user, change)
        except Conflict as conflict:
            raise Conflict(conflict.current_text, conflict.current_version, _difference(text, conflict.current_text)) from None
        if has_errors(result.diagnostics):
            return SaveResult(False, result, expected_version)
        if self._file_at(seen, file) == text.encode("utf-8"):  # nothing changed: no commit, no new change request
            return SaveResult(False, result, expected_version)
        def said(before: Mapping[str, bytes | None]) -> str:  # from the file as the save read it (no extra git read)
            catalogues = self.catalogues_at(where)[1].catalogues  # as the check just read them (cached)
            return default_message(bundle_id, (before.get(file) or b"").decode("utf-8", "replace"), text, catalogues)

        try:
            outcome = self.changes.save(user, {file: text.encode("utf-8")}, seen=seen, change_id=change_id or change,
                                        message=message or said, title=f"修改“{_named(result, bundle_id)}”")
        except Stale as stale:
            latest = (stale.current or b"").decode("utf-8", "replace")
            raise Conflict(latest, f"cr{change_id or ''}@{stale.head}", _difference(text, latest)) from None
        self._file_at(outcome.commit, file, text.encode("utf-8"))  # the page shown next reads it there
        return SaveResult(outcome.saved, result, f"cr{outcome.change.id}@{outcome.commit}", outcome.change, outcome.created)

    def _published_files(self) -> tuple[str, dict[str, bytes], float]:
        commit = self.published_commit()
        cached = self._published
        if cached is None or cached[0] != commit:
            when = float(git.git(self.workspace.root, "log", "-1", "--format=%ct", commit).strip() or 0)
            cached = (commit, git.tree_files(self.workspace.root, commit, ("bundles",)), when)
            self._published = cached
        return cached

    def bundle_sources(self, change: Record | None = None) -> list[tuple[Path, bytes, float]]:
        """Every bundle file (path, bytes, when its commit was made) as published, or as a change
        request holds them (its new bundles with the rest, its retired ones gone)."""
        if not self.git_mode:
            return [(p, p.read_bytes(), p.stat().st_mtime) for p in self.workspace.bundle_files()]
        if change is not None and self.changes is not None:
            head = self.changes.head(change)
            cached = self._change_bundles
            if cached is None or cached[0] != head:
                when = float(git.git(self.workspace.root, "log", "-1", "--format=%ct", head).strip() or 0)
                cached = (head, git.tree_files(self.workspace.root, head, ("bundles",)), when)
                self._change_bundles = cached
        else:
            cached = self._published_files()
        _, files, when = cached
        return [(Path(name), data, when) for name, data in sorted(files.items())]

    def summaries(self, change: Record | None = None) -> list[Summary]:
        """Every bundle with its figures (as published, or as ``change`` holds them); files
        unchanged since the last call are not re-read."""
        catalogue_stamp, catalogue_check = self.catalogues_at(change)
        catalogues = catalogue_check.catalogues
        rows = []
        for path, data, modified in self.bundle_sources(change):
            key = (path, (version_of(data), catalogue_stamp))
            cached = self._summaries.get(key)
            if cached is None:
                result = check_bundle(data, f"bundles/{path.name}", catalogues)
                bundle = result.bundle
                errors = sum(1 for d in result.diagnostics if d.severity == "error")
                name, lead, items, materials = path.stem, "", 0, 0
                if bundle is not None:
                    name, lead = bundle.name.get(), bundle.lead_department
                    items, materials = len(bundle.items), len(bundle.materials)
                cached = Summary(path.stem, name, lead, items, materials, errors, len(result.diagnostics) - errors,
                                 modified, version_of(data))
                with self._lock:
                    self._summaries[key] = cached
                    while len(self._summaries) > SUMMARIES_KEPT:
                        self._summaries.popitem(last=False)
            rows.append(cached)
        return rows


def _loaded(text: str) -> Any:
    """A text's YAML data, as the save's check (new text) and the previous save (old text) loaded it."""
    from configurator.language.documents import load_shared

    return load_shared(text.encode("utf-8"), "text").data


def default_message(bundle_id: str, old_text: str, new_text: str, catalogues: Catalogues | None = None) -> str:
    """What changed, in words (the semantic diff: the bundle and what it refers to by name, not id)."""
    from configurator.present.semantic_diff import file_in_words, message_lines
    old, new, file = _loaded(old_text), _loaded(new_text), f"bundles/{bundle_id}.yaml"
    lines = message_lines(file, old, new, catalogues, 5) or [f"{file_in_words(file, new if isinstance(new, dict) else old)}: 修改"]
    return "\n".join(lines)


def _difference(mine: str, theirs: str) -> str:
    return "".join(difflib.unified_diff(mine.splitlines(keepends=True), theirs.splitlines(keepends=True),
                                        fromfile="您编辑的版本", tofile="文件现在的内容"))


def _named(result: BundleCheck, bundle_id: str) -> str:
    """A bundle as a change request's title names it: by its name, as officials know it (its id
    when it has none that reads)."""
    return result.bundle.name.get() if result.bundle is not None and result.bundle.name.get() else bundle_id
