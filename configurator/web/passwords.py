"""What makes a password and a user name acceptable.

Passwords: at least 12 characters, not the user name, and not guessable — zxcvbn (its ranked
lists of common passwords, words, names, keyboard patterns, repeats and dates) must estimate
it at score 3 or more ("safely unguessable" against an online attack even without throttling).
"""

from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200  # hashing a megabyte-long password on every login would be a denial of service
MIN_SCORE = 3
# Letters (Chinese too), digits, "_" and "-": user names become parts of git branch names, URLs and
# audit entries, so no spaces, dots (``rev.``, ``ed.lock`` are not valid branch names), slashes or markup.
USERNAME = re.compile(r"[^\W_][\w-]{1,39}")

_WARNINGS = {
    "This is a top-10 common password.": lazy_gettext("这是最常见的十个密码之一"),
    "This is a top-100 common password.": lazy_gettext("这是最常见的一百个密码之一"),
    "This is a very common password.": lazy_gettext("这是很常见的密码"),
    "This is similar to a commonly used password.": lazy_gettext("这和常见密码很相似"),
    "Repeats like \"aaa\" are easy to guess.": lazy_gettext("“aaa”这样的重复很容易猜到"),
    "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\".": lazy_gettext("“abcabc”这样的重复很容易猜到"),
    "Sequences like abc or 6543 are easy to guess.": lazy_gettext("“abc”“6543”这样的顺序很容易猜到"),
    "Straight rows of keys are easy to guess.": lazy_gettext("键盘上连着的一排键很容易猜到"),
    "Short keyboard patterns are easy to guess.": lazy_gettext("键盘图案很容易猜到"),
    "Dates are often easy to guess.": lazy_gettext("日期很容易猜到"),
    "Recent years are easy to guess.": lazy_gettext("最近的年份很容易猜到"),
}


def username_problem(username: str) -> str | None:
    if not USERNAME.fullmatch(username):
        return str(gettext("用户名须为 2–40 个汉字、字母、数字、“_”或“-”，以汉字、字母或数字开头（不能有空格、点或其他符号）"))
    return None


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` may not be used (in Chinese, to show next to the field), or None."""
    if len(password) < MIN_LENGTH:
        return str(gettext("密码至少 %(num)d 个字符", num=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(gettext("密码最多 %(num)d 个字符", num=MAX_LENGTH))
    if username and username.casefold() in password.casefold():
        return str(gettext("密码不能包含用户名"))
    result = zxcvbn(password, user_inputs=[username] if username else [])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or ""
        reason = _WARNINGS.get(warning) or gettext("容易被猜到")
        return str(gettext("这个密码太容易猜到（%(reason)s）。请用几个不常见的词或更长的一句话组成密码", reason=reason))
    return None
