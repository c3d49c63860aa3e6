"""Change-request states and the kinds of their events as the admin shows them, in the user's
language (gettext; the workspace layer keeps its own Chinese names for commit messages and the
CLI, and its events' kinds as short English words)."""

from __future__ import annotations

from flask_babel import lazy_pgettext

from configurator.workspace.changes import DRAFT, PUBLISHED, PUBLISHING, RETURNED, SUBMITTED, WITHDRAWN

STATE_NAMES = {
    DRAFT: lazy_pgettext("change request state", "草稿"),
    SUBMITTED: lazy_pgettext("change request state", "待审核"),
    PUBLISHING: lazy_pgettext("change request state", "正在发布"),
    RETURNED: lazy_pgettext("change request state", "退回修改"),
    PUBLISHED: lazy_pgettext("change request state", "已发布"),
    WITHDRAWN: lazy_pgettext("change request state", "已撤回"),
}

EVENT_NAMES = {
    "create": lazy_pgettext("change request event", "新建"),
    "comment": lazy_pgettext("change request event", "评论"),
    "submit": lazy_pgettext("change request event", "提交审核"),
    "resubmit": lazy_pgettext("change request event", "再次提交审核"),
    "send-back": lazy_pgettext("change request event", "退回修改"),
    "withdraw": lazy_pgettext("change request event", "撤回"),
    "update": lazy_pgettext("change request event", "从发布版本更新"),
    "publish": lazy_pgettext("change request event", "发布"),
}
