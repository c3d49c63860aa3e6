"""The command line's own words, in Chinese and English: how diagnostics are printed (text and
GitHub annotations), the summary line, and each command's messages.

Plain bilingual strings picked by ``--lang`` / ``CONFIGURATOR_LANG``, like writers/phrases.py
(the CLI is not Flask, so not gettext). Kept apart from writers/phrases.py so that a plain
`configurator check` still loads no writer.
"""

from __future__ import annotations

from typing import Any

from configurator.diagnostics import Diagnostic

WORDS: dict[str, tuple[str, str]] = {
    "checked_clean": ("检查了 {files} 个文件，没有发现问题。", "{files} file(s) checked, no problems found."),
    "checked": ("检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告。",
                "{files} file(s) checked: {errors} error(s), {warnings} warning(s)."),
    "building": ("构建", "Building"),
    "built": ("构建了 {built} 个一件事到 {where}/；{failed} 个因有错误未构建。",
              "Built {built} bundle(s) into {where}/; {failed} not built because of errors."),
    "built_regions": ("构建了 {built} 个地区一件事到 {where}/regions/。", "Built {built} regional bundle(s) into {where}/regions/."),
    "exported_api": ("导出了 {bundles} 个一件事的接口文件（{files} 个）到 {where}/；请重新加载 nginx（nginx -s reload）。",
                     "Exported the API of {bundles} bundle(s) ({files} files) into {where}/; reload nginx (nginx -s reload)."),
    "exported_commit": ("已发布的提交：{commit}", "published commit: {commit}"),
    "no_bundle": ("找不到一件事“{name}”；已有：{known}", "there is no bundle “{name}”; there are: {known}"),
    "serving": ("一件事配置器：{url}  （工作区：{workspace}）", "One-thing configurator: {url}  (workspace: {workspace})"),
    "first_admin": ("首次运行，已创建管理员。用户名：{name}  密码：{password}",
                    "First run: an admin was created. User name: {name}  password: {password}"),
    "first_admin_note": ("（密码只显示这一次，请登录后在“用户”页另建账号，或用 configurator user add 添加。）",
                         "(The password is shown only this once. Log in and add accounts on the Users page, "
                         "or with configurator user add.)"),
    "password": ("密码", "Password"),
    "user_added": ("已添加用户“{name}”（{role}）。", "Added user “{name}” ({role})."),
    "no_user": ("没有用户“{name}”", "there is no user “{name}”"),
    "user_reset": ("已重置“{name}”的密码。临时密码（只显示这一次）：{password}\n下次登录时必须设置新密码。",
                   "Reset the password of “{name}”. Temporary password (shown only this once): {password}\n"
                   "A new password must be set at the next login."),
    "initialised": ("已创建工作区 {directory}（git 提交 {commit}）。", "Created the workspace {directory} (git commit {commit})."),
}


def words(lang: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English for "en", Chinese otherwise), filled in."""
    return WORDS[key][1 if lang == "en" else 0].format(**values)


def format_text(diagnostic: Diagnostic, lang: str) -> str:
    place = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}" if diagnostic.line else diagnostic.file
    return f"{place}: {diagnostic.severity}[{diagnostic.code}]: {diagnostic.message(lang)} — {diagnostic.fix(lang)}"


def escape_github(text: str, *, in_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diagnostic: Diagnostic, lang: str) -> str:
    """A GitHub Actions workflow command, shown as an annotation on the file's line."""
    props = [f"file={escape_github(diagnostic.file, in_property=True)}"]
    if diagnostic.line:
        props += [f"line={diagnostic.line}", f"col={diagnostic.column}"]
    props.append(f"title={diagnostic.code}")
    message = escape_github(f"{diagnostic.message(lang)} — {diagnostic.fix(lang)}")
    return f"::{diagnostic.severity} {','.join(props)}::{message}"


def summary(files: int, errors: int, warnings: int, lang: str) -> str:
    if not errors and not warnings:
        return words(lang, "checked_clean", files=files)
    return words(lang, "checked", files=files, errors=errors, warnings=warnings)
