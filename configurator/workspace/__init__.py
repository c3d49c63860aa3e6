"""The workspace on disk: bundle and catalogue files, the git repository every change goes
through, the admin's store, and the build output folder."""

from configurator.workspace.files import Workspace, WorkspaceError

__all__ = ["Workspace", "WorkspaceError"]
