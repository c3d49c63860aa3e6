"""Response headers, cookies behind a reverse proxy, and faults of the machine told in words.

* Every response carries a Content-Security-Policy without inline script: scripts come from this
  site, or carry the request's nonce, or match the hash of a known inline script (the generated
  form's few lines, shown in the preview's sandboxed frame); ``frame-ancestors 'none'``.
* The session cookie is marked Secure whenever the request came over HTTPS (directly, or through a
  reverse proxy that says so and that ``PROXY_FIX`` trusts), or always with ``SESSION_COOKIE_SECURE``.
* Filesystem errors (read-only, missing, full disk, no permission) and a missing git become a page
  (or an API problem) that says what happened and what to do, never a 500 with a traceback.
"""

from __future__ import annotations

import base64
import errno
import functools
import hashlib
import re
import secrets
import shutil
from collections.abc import Iterable
from typing import Any

from flask import Flask, Request, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.wrappers import Response

_SCRIPT = re.compile(r"<script(?:\s[^>]*)?>(.*?)</script>", re.DOTALL)


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (request.is_secure if request else False)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # The portal API is public and cookie-free: no session is read, none written, and its
        # answers do not vary by Cookie (so shared caches keep them).
        if request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def nonce() -> str:
    """This request's CSP nonce (for the rare script a template must write inline)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    found: str = g.csp_nonce
    return found


def script_hashes(html: str) -> set[str]:
    """The CSP source expressions (``'sha256-…'``) of a document's inline scripts."""
    return {"'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"
            for body in _SCRIPT.findall(html)}


def allow_inline_scripts_of(html: str) -> None:
    """Let the inline scripts of a generated document shown in this response run (by hash): the
    preview frame's ``srcdoc`` inherits this page's policy."""
    allow_script_hashes(script_hashes(html))


def allow_script_hashes(hashes: Iterable[str]) -> None:
    """Let inline scripts with these CSP hashes run in this response (hashes worked out once, kept)."""
    found: set[str] = g.setdefault("csp_hashes", set())
    found.update(hashes)


def policy(frame_ancestors: str) -> str:
    scripts = " ".join(["'self'", f"'nonce-{nonce()}'", *sorted(g.get("csp_hashes", ()))])
    return "; ".join([
        "default-src 'self'", f"script-src {scripts}",
        # Bootstrap and flask-admin set style attributes; styles cannot run code.
        "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:",
        "object-src 'none'", "base-uri 'self'", "form-action 'self'", f"frame-ancestors {frame_ancestors}",
    ])


@functools.lru_cache(maxsize=64)
def api_policy(frame_ancestors: str, hashes: tuple[str, ...]) -> str:
    """The API's policy: its documents hold no nonce-bearing script, so the policy depends only on
    the setting and the artifact's script hashes, and is built once for each."""
    return "; ".join([
        "default-src 'self'", " ".join(["script-src 'self'", *hashes]),
        "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self' data:",
        "object-src 'none'", "base-uri 'self'", "form-action 'self'", f"frame-ancestors {frame_ancestors}",
    ])


def add_headers(app: Flask, response: Response) -> Response:
    headers = response.headers
    if request.path.startswith("/api/"):
        # Portals fetch these documents (and may frame form.html where API_FRAME_ANCESTORS allows).
        headers.setdefault("Content-Security-Policy",
                           api_policy(app.config["API_FRAME_ANCESTORS"], tuple(sorted(g.get("csp_hashes", ())))))
    else:
        headers.setdefault("Content-Security-Policy", policy("'none'"))
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")  # admin pages hold work in progress and tokens
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


# errno → (Chinese, English) explanation with what to do.
_FILESYSTEM = {
    errno.EROFS: ("工作区所在的文件系统是只读的，无法保存。请让运维人员把工作区挂载为可写，然后重新提交；您的修改没有保存。",
                  "the workspace is on a read-only file system, so nothing could be saved. Have it mounted writable, then submit "
                  "again; your change was not saved."),
    errno.EACCES: ("服务器没有写入工作区文件的权限。请让运维人员检查工作区文件和文件夹的所有者与权限，然后重新提交；您的修改没有保存。",
                   "the server may not write to the workspace files. Have the owner and permissions of the workspace checked, "
                   "then submit again; your change was not saved."),
    errno.EPERM: ("服务器没有写入工作区文件的权限。请让运维人员检查工作区文件和文件夹的所有者与权限，然后重新提交；您的修改没有保存。",
                  "the server may not write to the workspace files. Have the owner and permissions checked, then submit again; "
                  "your change was not saved."),
    errno.ENOSPC: ("服务器磁盘已满，无法保存。请让运维人员清理磁盘空间，然后重新提交；您的修改没有保存，原文件没有改动。",
                   "the server's disk is full, so nothing could be saved. Have space freed, then submit again; your change was "
                   "not saved and the file is unchanged."),
    errno.EDQUOT: ("工作区的磁盘配额已用完，无法保存。请让运维人员提高配额或清理空间，然后重新提交；您的修改没有保存。",
                   "the workspace's disk quota is used up. Have it raised or space freed, then submit again; your change was "
                   "not saved."),
    errno.ENOENT: ("工作区中的文件或文件夹不见了（可能被移走或删除）。请让运维人员检查 CONFIGURATOR_WORKSPACE 指向的文件夹，然后刷新页面。",
                   "a file or folder of the workspace is missing (moved or deleted?). Have the folder CONFIGURATOR_WORKSPACE names "
                   "checked, then reload the page."),
}


def filesystem_message(error: OSError) -> tuple[str, str] | None:
    """What to tell a user about a failed file or program operation, or None if it is not one we know."""
    if isinstance(error, FileNotFoundError) and str(error.filename) in ("git", "git.exe"):
        return ("服务器找不到 git 程序。请让运维人员安装 git（或把它加入 PATH）后重启配置器。",
                "the server cannot find the git program. Have git installed (or put on PATH) and the configurator restarted.")
    return _FILESYSTEM.get(error.errno or 0)


def require_git(workspace_uses_git: bool) -> str | None:
    """Why the server must not start (git missing for a git workspace), or None."""
    if workspace_uses_git and shutil.which("git") is None:
        return ("git was not found on PATH, and the workspace is a git repository: drafts, review and publishing all "
                "run git. Install git (Debian: apt-get install git) or add it to PATH, then start the server again. "
                "（找不到 git 程序：请安装 git 或把它加入 PATH 后再启动。）")
    return None


def settings() -> dict[str, Any]:
    """Defaults of the security settings (each can be set as a CONFIGURATOR_ environment variable)."""
    return {
        "PROXY_FIX": 0,  # how many reverse proxies to trust for X-Forwarded-For/-Proto/-Host/-Port
        "API_FRAME_ANCESTORS": "'none'",  # e.g. "https://portal.example.gov.cn" to let a portal frame form.html
        "SESSION_MAX_AGE_SECONDS": 12 * 3600,  # a login ends after this long, whatever happens
        # Flask-Limiter: a flood guard per address in front of the login (the SQL throttle does the counting
        # that must hold across processes). memory:// is per process; see docs/operations.md for shared storage.
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "60 per minute",
        "RATELIMIT_HEADERS_ENABLED": True,
    }
