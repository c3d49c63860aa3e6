"""Change-request states as the admin shows them, in the user's language (gettext; the workspace
layer keeps its own Chinese names for commit messages and the CLI)."""

from __future__ import annotations

from flask_babel import lazy_pgettext

from configurator.workspace.changes import DRAFT, PUBLISHED, RETURNED, SUBMITTED, WITHDRAWN

STATE_NAMES = {
    DRAFT: lazy_pgettext("change request state", "草稿"),
    SUBMITTED: lazy_pgettext("change request state", "待审核"),
    RETURNED: lazy_pgettext("change request state", "退回修改"),
    PUBLISHED: lazy_pgettext("change request state", "已发布"),
    WITHDRAWN: lazy_pgettext("change request state", "已撤回"),
}
