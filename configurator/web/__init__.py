"""The web admin: a thin Flask shell over the library.

    create_app(test_config=None)

Configuration comes from a mapping of defaults, then environment variables prefixed
``CONFIGURATOR_`` (``CONFIGURATOR_SECRET_KEY``, ``CONFIGURATOR_WORKSPACE``,
``CONFIGURATOR_DATABASE_URL``...), then ``test_config``. A secret key is required unless
``DEV`` is set; `configurator serve` keeps one in ``instance/secret_key``.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Any

from flask import Flask, redirect, render_template, request, session, url_for
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import Babel, format_date, gettext, lazy_gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from configurator.web import security
from configurator.web.models import db, upgrade_schema
from configurator.web.not_modified import NotModified
from configurator.workspace.files import Workspace
from configurator.workspace.git import GitError
from configurator.workspace.store import BundleStore

LANGUAGES = {"zh-CN": "zh_Hans_CN", "en": "en"}


class ConfigurationError(RuntimeError):
    pass


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    configure(app, test_config)
    attach_workspace(app)
    attach_database(app)
    csrf, limiter = attach_extensions(app)
    register_pages(app, csrf, limiter)
    register_error_handlers(app)
    return app


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Defaults, then CONFIGURATOR_* environment variables, then ``test_config``; refuses to start
    without a secret key (unless DEV) or a workspace."""
    app.config.from_mapping(
        SECRET_KEY=None,
        DEV=False,
        WORKSPACE=None,
        DATABASE_URL="sqlite:///configurator.db",
        TEMPORAL=None,  # HOST:PORT of the case engine: enables submitting applications (web/case_api.py)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        WTF_CSRF_TIME_LIMIT=None,  # a long editing session must not lose its work to a token expiry
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        **security.settings(),
    )
    app.config.from_prefixed_env("CONFIGURATOR")
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        if not app.config["DEV"]:
            raise ConfigurationError(
                "A secret key is required: set CONFIGURATOR_SECRET_KEY (or run `configurator serve`, "
                "which keeps one in instance/secret_key).")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if not app.config["WORKSPACE"]:
        raise ConfigurationError("Set CONFIGURATOR_WORKSPACE to the folder holding bundles/ and catalogues/.")
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]


def attach_workspace(app: Flask) -> None:
    """The store of the workspace's bundles, and the WSGI layers in front of Flask."""
    workspace_root = Path(app.config["WORKSPACE"])
    bundle_store = BundleStore(Workspace.find(workspace_root))
    refusal = security.require_git(bundle_store.git_mode)
    if refusal:
        raise ConfigurationError(refusal)
    app.extensions["configurator.workspace.store"] = bundle_store
    if bundle_store.git_mode:  # inside ProxyFix, so the scheme it keys on is the client's
        app.wsgi_app = NotModified(app.wsgi_app, bundle_store.published_commit)  # type: ignore[method-assign]
    if int(app.config["PROXY_FIX"]):
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    app.session_interface = security.SessionInterface()


def attach_database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        from configurator.web import throttle  # noqa: F401  (its table)

        db.create_all()
        attach_change_requests(app)
        upgrade_schema()


def attach_extensions(app: Flask) -> tuple[CSRFProtect, Limiter]:
    """CSRF, the login's rate limit, translations and logins."""
    csrf = CSRFProtect(app)
    from configurator.web.throttle import keep_wait

    app.after_request(keep_wait)  # registered first, so it runs after the limiter's own headers
    limiter = Limiter(get_remote_address, app=app)
    # Only the login is limited; the public API skips the limiter's per-request bookkeeping.
    limiter.request_filter(lambda: request.path.startswith("/api/"))
    Babel(app, locale_selector=lambda: LANGUAGES.get(language(), "zh_Hans_CN"))

    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = lazy_gettext("请先登录。")
    from configurator.web import auth

    login.user_loader(auth.load_session_user)
    app.before_request(auth.must_change_password_first)
    return csrf, limiter


def register_pages(app: Flask, csrf: CSRFProtect, limiter: Limiter) -> None:
    """The login pages, the public portal API (no cookies, so no CSRF) and the admin's views."""
    from configurator.web import api, auth, openapi, region_api
    from configurator.web.bundles import BundlesView, HomeView
    from configurator.web.catalogues import CataloguesView
    from configurator.web.regions import RegionsView
    from configurator.web.review import ChangesView
    from configurator.web.users import AuditView, UsersView

    limiter.limit(lambda: str(app.config["LOGIN_RATE_LIMIT"]), methods=["POST"])(auth.blueprint)
    app.register_blueprint(auth.blueprint)
    # The portal API is public and uses no cookies: a CSRF token means nothing there.
    csrf.exempt(api.blueprint)
    app.register_blueprint(api.blueprint)
    csrf.exempt(region_api.blueprint)
    app.register_blueprint(region_api.blueprint)
    from configurator.web import case_api

    csrf.exempt(case_api.blueprint)
    app.register_blueprint(case_api.blueprint)
    app.add_url_rule("/api/openapi.json", "api_openapi", openapi.serve)
    admin = Admin(app, name=lazy_gettext("一件事配置器"), theme=Bootstrap4Theme(swatch="default", base_template="configurator/base.html"),
                  index_view=HomeView(name=lazy_gettext("首页"), url="/admin"), csp_nonce_generator=security.nonce)
    admin.add_view(BundlesView(name=lazy_gettext("一件事"), endpoint="bundles", url="/admin/bundles"))
    admin.add_view(ChangesView(name=lazy_gettext("变更申请"), endpoint="changes", url="/admin/changes"))
    admin.add_view(CataloguesView(name=lazy_gettext("目录"), endpoint="catalogues", url="/admin/catalogues"))
    admin.add_view(RegionsView(name=lazy_gettext("地区"), endpoint="regions", url="/admin/regions"))
    admin.add_view(UsersView(name=lazy_gettext("用户"), endpoint="users", url="/admin/users"))
    admin.add_view(AuditView(name=lazy_gettext("操作记录"), endpoint="audit", url="/admin/audit"))
    from configurator.web.cases import CasesView

    admin.add_view(CasesView(name=lazy_gettext("办件"), endpoint="cases", url="/admin/cases"))
    admin.add_view(auth.AccountView(name=lazy_gettext("账户"), endpoint="account", url="/admin/account"))

    @app.route("/")
    def root() -> Response:
        return redirect(url_for("admin.index"))

    from configurator.web import working
    from configurator.web.labels import STATE_NAMES

    # Worked out before the view, so that what it says (a request published since) is flashed
    # on this page, and the view and the page's bar agree on the one change request.
    app.before_request(working.check_request)

    @app.context_processor
    def helpers() -> dict[str, Any]:
        lang = language()
        return {"lang": lang, "current_user": current_user, "long_date": long_date,
                "csp_nonce": security.nonce, "working_context": working.current,
                "labels_state": lambda state: STATE_NAMES[state]}

    app.after_request(lambda response: security.add_headers(app, response))


def register_error_handlers(app: Flask) -> None:
    """Every error told in words: a page in the admin, a problem+json under /api, never a traceback."""
    from configurator.web import api

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        message = gettext("表单已失效（缺少或错误的安全令牌）。请返回上一页刷新后再提交；"
                          "您填写的内容在浏览器的返回页中仍可找到。")
        return render_template("configurator/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int, list[tuple[str, str]]] | Response:
        # Keep the exception's own headers: Allow on 405, Retry-After on 429, WWW-Authenticate...
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if request.path.startswith("/api/"):
            zh = en = error.description or ""
            if error.code == 405:
                allowed = dict(headers).get("Allow", "")
                zh, en = f"这个地址不接受 {request.method} 请求；可用：{allowed}", f"{request.method} is not allowed here; use {allowed}"
            answer = api.problem(error.code or 500, "method-not-allowed" if error.code == 405 else "http-error", zh, en)
            answer.headers.extend(headers)
            return answer
        return render_template("configurator/error.html", code=error.code or 500,
                               message=error.description or ""), error.code or 500, headers

    @app.errorhandler(GitError)
    def git_fault(error: GitError) -> tuple[str, int] | Response:
        if shutil.which("git") is None:  # removed while the server runs: say so rather than 500
            return machine_fault(FileNotFoundError(2, "git not found", "git"))
        return unexpected(error)

    @app.errorhandler(OSError)
    def machine_fault(error: OSError) -> tuple[str, int] | Response:
        words = security.filesystem_message(error)
        if words is None:
            return unexpected(error)
        if request.method == "POST":
            words = (words[0] + "（您提交的内容可用浏览器的“返回”找回。）",
                     words[1] + " (Your browser's Back button still has what you submitted.)")
        app.logger.error("file system fault on %s: %s", request.path, error)
        if request.path.startswith("/api/"):
            return api.problem(503, "server-fault", words[0], words[1])
        return render_template("configurator/error.html", code=503, message=words[1] if language() == "en" else words[0]), 503

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int] | Response:
        app.logger.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return api.problem(500, "internal", "服务器内部错误，已记录", "internal error; it has been logged")
        return render_template("configurator/error.html", code=500,
                               message=gettext("服务器内部错误，已记录。您的文件没有被改动。")), 500


def attach_change_requests(app: Flask) -> None:
    """In a git workspace every save goes to a change request; their metadata lives in the
    admin's database (configurator/workspace/records.py), the arbiter between app processes."""
    from configurator.workspace.changes import ChangeRequests
    from configurator.workspace.records import Records

    found = app.extensions["configurator.workspace.store"]
    if found.git_mode:
        found.changes = ChangeRequests(found.workspace.root, Records.connect(app.config["SQLALCHEMY_DATABASE_URI"]),
                                       four_eyes=bool(app.config.get("FOUR_EYES", True)))
        found.changes.reconcile()


def language() -> str:
    lang = session.get("lang") if request else None
    return lang if lang in LANGUAGES else "zh-CN"


def long_date(iso: str) -> str:
    """A date as the user's language writes it: the CLDR pattern itself is translated
    ("M 月 d 日" → 12 月 3 日; "MMMM d, y" → December 3, 2026)."""
    import datetime as dt

    return str(format_date(dt.date.fromisoformat(iso), gettext("M 月 d 日")))


def store() -> BundleStore:
    from flask import current_app

    found: BundleStore = current_app.extensions["configurator.workspace.store"]
    return found
