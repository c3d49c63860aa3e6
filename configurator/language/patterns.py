"""Field patterns that no input can make slow, read alike by the server and by a portal.

An author's ``pattern`` runs on every pre-check request; Python's backtracking ``re`` can
take seconds on one short value for a pattern like ``(a|aa)+``. Patterns are therefore
limited to what RE2 (linear time; the google-re2 binding) accepts, and every server-side
match goes through RE2. The same pattern goes into form.schema.json for ajv in a portal, so it
must also be valid ECMA-262 with the same meaning: constructs RE2 accepts but ECMAScript
reads differently or rejects are refused too (``pattern_problem``).

A portal's browser (and ajv on a Node server unless told to use RE2) matches with a
backtracking engine, where ``^(a|aa)+$`` took ajv 3.8 s on 38 characters. So a pattern must also
be free of super-linear backtracking as form.schema.json anchors it (``backtracking.verdict``,
redoctor's analysis; no Node needed).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import re2

from configurator.diagnostics import localized
from configurator.language.backtracking import verdict

if TYPE_CHECKING:
    import jsonschema

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported as a diagnostic, not logged

# RE2 syntax that ECMAScript rejects or reads otherwise (checked on the pattern text; the
# pattern already compiled in RE2, so these are the only differences left to refuse).
_NOT_ECMA = [
    (re.compile(r"\(\?P?<[A-Za-z_]|\(\?P="), localized("命名分组 (?P<…>)", "named groups (?P<…>)")),
    (re.compile(r"\(\?[imsU-]+[:)]"), localized("内联标志 (?i) 等", "inline flags such as (?i)")),
    (re.compile(r"\\[AzCQEpP]"), localized("\\A、\\z、\\C、\\Q…\\E、\\p{…} 等 RE2 专有写法",
                                          "RE2-only escapes such as \\A, \\z, \\C, \\Q…\\E, \\p{…}")),
    (re.compile(r"\[\[:[a-z]+:\]\]|\[:[a-z]+:\]"), localized("POSIX 字符类 [[:alpha:]]", "POSIX classes [[:alpha:]]")),
    (re.compile(r"[*+?}][+]"), localized("占有量词 a++", "possessive quantifiers a++")),
]
# The ending every anchored pattern has in form.schema.json (see fieldtypes.anchored): needed by
# Python's ``re`` and ECMAScript alike; RE2's ``$`` already means "end of text".
_END = "$(?![\\s\\S])"


def pattern_problem(pattern: str) -> dict[str, str] | None:
    """Why the pattern cannot be used (in the reader's language), or None if it can."""
    try:
        re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        detail = str(error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else error)
        if "(?=" in pattern or "(?!" in pattern or "(?<" in pattern:
            return localized("用了环视 (?=…)/(?!…)，线性时间引擎不支持", "it uses look-around, which a linear-time engine "
                             "does not support")
        if re.search(r"\\[1-9]", pattern):
            return localized("用了反向引用 \\1，线性时间引擎不支持", "it uses a back-reference, which a linear-time "
                             "engine does not support")
        return localized(f"线性时间引擎不接受它（{detail}）", f"a linear-time engine does not accept it ({detail})")
    for construct, words in _NOT_ECMA:
        if construct.search(pattern):
            return {lang: f"{text}不是 JavaScript 正则的写法" if lang == "zh-CN" else f"{text} is not JavaScript "
                    "regex syntax" for lang, text in words.items()}
    return _backtracking_problem(pattern)


def _backtracking_problem(pattern: str) -> dict[str, str] | None:
    found = verdict(pattern)
    if found == "exponential":
        return localized("在门户的 JavaScript 正则中会灾难性回溯：值每长一个字符，校验时间就成倍增加（几十个字符就要几秒到几年）",
                         "a portal's JavaScript regex engine backtracks catastrophically on it: each extra character "
                         "multiplies the time to validate a value (seconds to years at a few dozen characters)")
    if found == "polynomial":
        return localized("在门户的 JavaScript 正则中回溯过多：校验时间随值的长度按平方或更快增长（长的值会让浏览器卡住）",
                         "a portal's JavaScript regex engine backtracks too much on it: the time to validate a value "
                         "grows with the square of its length or faster (a long value freezes the browser)")
    if found == "undecided":
        return localized("太复杂，无法在时限内证明 JavaScript 正则不会在它上面回溯过多",
                         "it is too complex to prove, in reasonable time, that a JavaScript regex engine will not "
                         "backtrack too much on it")
    return None


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> Any:
    if pattern.endswith(_END):
        pattern = pattern[: -len(_END)] + "$"
    return re2.compile(pattern, _OPTIONS)


def search(pattern: str, value: str) -> bool:
    """Whether ``value`` matches ``pattern`` somewhere (JSON Schema semantics), in linear time.
    A pattern RE2 cannot compile matches nothing (``check`` refuses such bundles anyway)."""
    try:
        return _compiled(pattern).search(value) is not None
    except re2.error:
        return False
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800" in JSON): no text of any form
        return False


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[jsonschema.ValidationError]:
    import jsonschema

    if isinstance(instance, str) and not search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def safe_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """jsonschema's Draft 2020-12 with ``pattern`` matched by RE2: the validator the server uses for
    submitted applications, so no bundle's pattern can make a request slow."""
    return _safe_validator_class()(schema)


@functools.cache
def _safe_validator_class() -> Any:
    # jsonschema is imported when first needed: `configurator check` of valid files never needs
    # it, and importing it was a sixth of the command's start-up.
    import jsonschema

    return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})
