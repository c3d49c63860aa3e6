"""Running the admin on one machine with nothing else installed: an instance folder holds the
secret key, the SQLite database and a workspace: a git repository seeded with the shipped bundles."""

from __future__ import annotations

import gc
import os
import secrets
from pathlib import Path

from configurator.web import ConfigurationError
from configurator.web.security import require_git
from configurator.workspace.git import init_workspace


def prepare_instance(instance: Path, workspace: Path | None = None) -> dict[str, str]:
    """The configuration for `configurator serve`: create what is missing, keep what exists."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        os.chmod(key_file, 0o600)
    if workspace is None:
        workspace = instance / "workspace"
        if not (workspace / "bundles").exists():
            refusal = require_git(True)
            if refusal:
                raise ConfigurationError(refusal)
            init_workspace(workspace)  # a git repository of the shipped bundles, one commit
    return {
        "SECRET_KEY": key_file.read_text(encoding="utf-8").strip(),
        "WORKSPACE": str(workspace),
        "DATABASE_URL": os.environ.get("CONFIGURATOR_DATABASE_URL",
                                       f"sqlite:///{(instance / 'configurator.db').resolve()}"),
    }


def reset_user(instance: Path, username: str) -> str | None:
    """`configurator user reset`: a temporary password for ``username`` (None if there is no such user)."""
    from configurator.web import create_app
    from configurator.web.accounts import reset_password
    from configurator.web.models import User, db

    app = create_app(prepare_instance(instance))
    with app.app_context():
        found = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
        if found is None:
            return None
        temporary = reset_password(found, by="(command line)")
    return temporary


def settle_before_serving() -> None:
    """Set the objects of start-up (modules, classes, functions, the app: some 90,000) aside from
    the cyclic garbage collector, as servers that keep caches do. Every full collection walks every
    object it tracks, and these never become garbage; left in, each full collection in the middle
    of a save took longer than the rest of the save (docs/performance.md, the admin section).
    Reference counting still frees them as usual; only cycles among them would be kept."""
    gc.collect()
    gc.freeze()
