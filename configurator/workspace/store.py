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
from dataclasses import dataclass, field
from pathlib import Path

from configurator.diagnostics import Diagnostic, has_errors
from configurator.language.check import BundleCheck, CatalogueCheck, check_bundle
from configurator.model import Bundle, Catalogues
from configurator.workspace.files import Workspace

BUNDLE_ID = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


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


@dataclass
class BundleStore:
    workspace: Workspace
    _summaries: dict[Path, tuple[tuple[object, ...], Summary]] = field(default_factory=dict)
    _catalogues: tuple[tuple[object, ...], CatalogueCheck] | None = None
    # Recent check results by content: the page shown after a save checks the same text again.
    _checks: OrderedDict[tuple[str, str, tuple[object, ...]], BundleCheck] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _catalogue_stamp(self) -> tuple[object, ...]:
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in self.workspace.catalogue_files())

    def catalogue_check(self) -> CatalogueCheck:
        """The catalogues, read again only when one of their files changed."""
        stamp = self._catalogue_stamp()
        if self._catalogues is None or self._catalogues[0] != stamp:
            fresh = Workspace(self.workspace.root, self.workspace.catalogues_dir).catalogue_check
            self._catalogues = (stamp, fresh)
        return self._catalogues[1]

    def catalogues(self) -> Catalogues:
        return self.catalogue_check().catalogues

    @property
    def git_mode(self) -> bool:
        """A workspace that is a git repository keeps drafts: saves go to the editor's branch."""
        return (self.workspace.root / ".git").exists()

    def _draft_text(self, bundle_id: str, user: str | None) -> tuple[str, str | None] | None:
        """The bundle on the user's draft branch (text, branch commit), if the user has a draft."""
        if not (self.git_mode and user):
            return None
        from configurator.workspace.drafts import draft_branch, read_file, ref

        branch_commit = ref(self.workspace.root, draft_branch(user))
        if branch_commit is None:
            return None
        data = read_file(self.workspace.root, branch_commit, f"bundles/{bundle_id}.yaml")
        return (data.decode("utf-8", errors="replace"), branch_commit) if data is not None else None

    def path(self, bundle_id: str) -> Path:
        if not BUNDLE_ID.match(bundle_id):
            raise NotFound(bundle_id)
        path = self.workspace.bundles_dir / f"{bundle_id}.yaml"
        if not path.is_file():
            raise NotFound(bundle_id)
        return path

    def read(self, bundle_id: str, user: str | None = None) -> tuple[str, str]:
        """The bundle as this user edits it: their draft if they have one, else the published file."""
        path = self.path(bundle_id)
        draft = self._draft_text(bundle_id, user)
        if draft is not None:
            return draft[0], version_of(draft[0].encode("utf-8"))
        data = path.read_bytes()
        return data.decode("utf-8", errors="replace"), version_of(data)

    def check(self, bundle_id: str, text: str) -> BundleCheck:
        data = text.encode("utf-8")
        key = (bundle_id, version_of(data), self._catalogue_stamp())
        with self._lock:
            cached = self._checks.get(key)
        if cached is not None:
            return cached
        result = check_bundle(data, f"bundles/{bundle_id}.yaml", self.catalogues())
        with self._lock:
            self._checks[key] = result
            while len(self._checks) > 64:
                self._checks.popitem(last=False)
        return result

    def model(self, bundle_id: str) -> tuple[Bundle | None, BundleCheck]:
        text, _ = self.read(bundle_id)
        result = self.check(bundle_id, text)
        return result.bundle, result

    def save(self, bundle_id: str, text: str, expected_version: str, *, user: str | None = None,
             email: str = "", message: str = "") -> SaveResult:
        """Validate and write (to the user's draft in a git workspace). Raises Conflict when the
        bundle changed since ``expected_version``."""
        path = self.path(bundle_id)
        result = self.check(bundle_id, text)
        if self.git_mode and user:
            return self._save_draft(bundle_id, text, expected_version, result, user, email, message)
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

    def _save_draft(self, bundle_id: str, text: str, expected_version: str, result: BundleCheck, user: str,
                    email: str, message: str) -> SaveResult:
        from configurator.workspace.drafts import StaleBranch, commit_files, draft_branch, ref

        current_text, current_version = self.read(bundle_id, user)
        if current_version != expected_version:
            raise Conflict(current_text, current_version, _difference(text, current_text))
        if has_errors(result.diagnostics) or text == current_text:
            return SaveResult(False, result, current_version)
        branch = draft_branch(user)
        expected_commit = ref(self.workspace.root, branch)
        try:
            commit_files(self.workspace.root, branch, {f"bundles/{bundle_id}.yaml": text.encode("utf-8")},
                         author=user, email=email or f"{user}@localhost",
                         message=message or default_message(bundle_id, current_text, text),
                         expected=expected_commit or ref(self.workspace.root, "main"))
        except StaleBranch:
            latest, latest_version = self.read(bundle_id, user)
            raise Conflict(latest, latest_version, _difference(text, latest)) from None
        return SaveResult(True, result, version_of(text.encode("utf-8")))

    def summaries(self) -> list[Summary]:
        """Every bundle with its figures; files unchanged since the last call are not re-read."""
        catalogues = self.catalogues()
        catalogue_stamp = self._catalogue_stamp()
        rows = []
        for path in self.workspace.bundle_files():
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, catalogue_stamp)
            cached = self._summaries.get(path)
            if cached is None or cached[0] != stamp:
                data = path.read_bytes()
                result = check_bundle(data, f"bundles/{path.name}", catalogues)
                bundle = result.bundle
                errors = sum(1 for d in result.diagnostics if d.severity == "error")
                name, lead, items, materials = path.stem, "", 0, 0
                if bundle is not None:
                    name, lead = bundle.name.get(), bundle.lead_department
                    items, materials = len(bundle.items), len(bundle.materials)
                cached = (stamp, Summary(path.stem, name, lead, items, materials, errors,
                                         len(result.diagnostics) - errors, stat.st_mtime, version_of(data)))
                self._summaries[path] = cached
            rows.append(cached[1])
        return rows


def default_message(bundle_id: str, old_text: str, new_text: str) -> str:
    """A commit message saying what changed, from the semantic diff."""
    from configurator.language.loader import load_yaml
    from configurator.present.semantic_diff import diff_data

    old, new = load_yaml(old_text.encode("utf-8"), "old").data, load_yaml(new_text.encode("utf-8"), "new").data
    changes = diff_data(bundle_id, old, new) if isinstance(old, dict) and isinstance(new, dict) else []
    lines = [change.text() for change in changes[:5]] or [f"{bundle_id}: 修改"]
    if len(changes) > 5:
        lines.append(f"（另有 {len(changes) - 5} 处改动）")
    return "\n".join(lines)


def _difference(mine: str, theirs: str) -> str:
    return "".join(difflib.unified_diff(mine.splitlines(keepends=True), theirs.splitlines(keepends=True),
                                        fromfile="您编辑的版本", tofile="文件现在的内容"))
