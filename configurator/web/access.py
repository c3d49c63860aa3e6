"""Who may open a page and who may save: every admin page needs a login and a role."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from flask_babel import gettext
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


def require(role: str) -> None:
    if not current_user.can(role):
        abort(403, gettext("需要“%(role)s”或以上的角色才能保存。", role=ROLE_NAMES[role]))

