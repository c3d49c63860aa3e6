"""Who may open a page and who may save: every admin page needs a login and a role."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from configurator.web.models import ROLE_NAMES


class Protected:
    """Every admin page needs a login; ``role`` is what it takes to use it at all."""

    role = "viewer"

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated and current_user.can(self.role))

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        if current_user.is_authenticated:
            abort(403, gettext("您的角色没有权限打开这个页面。"))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


# What a refused user was trying to do, in whole sentences (a translator sees each one); every
# require() names its action, so a publish refused says publish, not save.
REFUSALS = {
    "save": lazy_gettext("需要“%(role)s”或以上的角色才能保存。"),
    "restore": lazy_gettext("需要“%(role)s”或以上的角色才能恢复已发布的版本。"),
    "create": lazy_gettext("需要“%(role)s”或以上的角色才能新建一件事。"),
    "retire": lazy_gettext("需要“%(role)s”或以上的角色才能停用一件事。"),
    "add": lazy_gettext("需要“%(role)s”或以上的角色才能添加。"),
    "delete": lazy_gettext("需要“%(role)s”或以上的角色才能删除。"),
    "move": lazy_gettext("需要“%(role)s”或以上的角色才能调整顺序。"),
    "create-change": lazy_gettext("需要“%(role)s”或以上的角色才能新建变更申请。"),
    "switch-change": lazy_gettext("需要“%(role)s”或以上的角色才能切换变更申请。"),
    "update": lazy_gettext("需要“%(role)s”或以上的角色才能从发布版本更新变更申请。"),
    "submit": lazy_gettext("需要“%(role)s”或以上的角色才能提交审核。"),
    "withdraw": lazy_gettext("需要“%(role)s”或以上的角色才能撤回变更申请。"),
    "comment": lazy_gettext("需要“%(role)s”或以上的角色才能评论。"),
    "edit": lazy_gettext("需要“%(role)s”或以上的角色才能修改标题和说明。"),
    "push": lazy_gettext("需要“%(role)s”或以上的角色才能推送到远程仓库。"),
    "send-back": lazy_gettext("需要“%(role)s”或以上的角色才能退回修改。"),
    "publish": lazy_gettext("需要“%(role)s”或以上的角色才能发布。"),
}


def require(role: str, action: str) -> None:
    """403 unless the user has ``role``; the message says which role it takes to do ``action``."""
    if not current_user.can(role):
        abort(403, REFUSALS[action] % {"role": ROLE_NAMES[role]})

