"""YAML text → plain data plus a source map (file, line and column of every value).

Why not ``yaml.safe_load``: PyYAML follows YAML 1.1, where ``yes`` is True, ``010203`` is an
octal number and ``2024-05-01`` a date, and where duplicate keys silently override each other.
Policy staff write item codes and dates as plain text, so we read with YAML 1.2 core rules
(the rules ruamel.yaml writes with) and stricter still:

- only ``true``/``false`` are booleans; ``yes``, ``no``, ``on`` stay text;
- numbers with a leading zero (``010203``, ``000131024000``) stay text, so codes keep their zeros;
- dates and times (``2024-05-01``, ``1:30``) stay text;
- mapping keys are always text;
- duplicate keys, tags (``!!python/object``) and anchors/aliases are errors.

libyaml (through PyYAML's C parser) does the tokenising and composing; we walk its node tree.
The tree is not kept: a diagnostic is located later by composing the text again (see SourceMap),
so a valid file never pays for a position table and a kept parse holds no node objects.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode, SequenceNode

from configurator.diagnostics import Diagnostic, localized
from configurator.language.collector import collector_paused
from configurator.language.sourcemap import SourceMap, compose

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
# A number longer than this is a typing accident, not an amount; Python also refuses to convert
# integers past 4,300 digits, so the limit keeps every later stage on well-defined values.
MAX_NUMBER_CHARS = 40
# libyaml composes recursively and crashes the whole process somewhere past 10,000 levels
# of flow nesting, so depth is estimated from the text before libyaml ever sees it.
_PRESCAN_DEPTH_LIMIT = 200

_STR_TAG = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {_STR_TAG, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_INT_BASED = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?"  # .5  1.5  1.5e3
    r"|[-+]?(?:0|[1-9][0-9]*)\.?[eE][-+]?[0-9]+"  # 1e3  1.e3
    r"|[-+]?(?:0|[1-9][0-9]*)\."  # 1.
)
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}
_NUMBER_START = set("-+.0123456789")

_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)
# YAML forbids C0 control characters other than tab and line breaks, and DEL.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COMPACT_NESTING = re.compile(r"^[ ]*(?:[-?:][ ]+){2,}", re.MULTILINE)
_FLOW_BRACKET = re.compile(r"[\[\]{}]")


def resolve_plain_scalar(text: str) -> Any:
    """The value of an unquoted scalar under the rules described in the module docstring."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text[0] not in _NUMBER_START:
        return text
    if _INT.fullmatch(text):
        return int(text)
    if _INT_BASED.fullmatch(text):
        return int(text, 0)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    return text


def _looks_numeric(text: str) -> bool:
    """True when the plain scalar would be read as a number (the regexes are linear in length)."""
    return any(pattern.fullmatch(text) for pattern in (_INT, _INT_BASED, _FLOAT))


def plain_scalar_is_text(text: str) -> bool:
    """True when ``text`` written unquoted reads back as the same text (used by writers)."""
    return bool(text) and text == text.strip() and resolve_plain_scalar(text) == text


# Problems after which the data is still exactly what the author meant, minus the repeat:
# checking can go on and report everything else at once.
RECOVERABLE = {"E106"}


@dataclass
class LoadedYaml:
    data: Any
    source: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.diagnostics

    @property
    def usable(self) -> bool:
        """The data can be checked further (only recoverable problems were found)."""
        return isinstance(self.data, dict) and all(d.code in RECOVERABLE for d in self.diagnostics)


class Oversized(bytes):
    """The first bytes of a file past the size limit, and the file's whole size (for E101)."""

    full_size: int = 0


def read_limited(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes, but never more than ``max_bytes`` + 1 of them in memory: a 100 MB file is
    refused (E101) after reading one megabyte, not after reading it all."""
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
        if len(data) <= max_bytes:
            return data
        size = os.fstat(handle.fileno()).st_size
    found = Oversized(data)
    found.full_size = max(size, len(data))
    return found


def load_yaml(raw: bytes, filename: str, *, max_bytes: int = MAX_FILE_BYTES) -> LoadedYaml:
    """Read YAML bytes. Never raises on bad input: problems come back as diagnostics."""
    empty = SourceMap(filename, None)

    def fail(code: str, at_line: int = 1, at_column: int = 1, **params: Any) -> LoadedYaml:
        return LoadedYaml(None, empty, [Diagnostic(code, filename, at_line, at_column, (), params)])

    if len(raw) > max_bytes:
        return fail("E101", 1, 1, size=getattr(raw, "full_size", len(raw)), limit=max_bytes)
    if raw.startswith(codecs.BOM_UTF8):
        return fail("E103", 1, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start:error.start].decode("utf-8", errors="replace")) + 1
        return fail("E102", line, column, line=line, byte=f"0x{raw[error.start]:02X}")

    tab = _TAB_INDENT.search(text) if "\t" in text else None
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        return fail("E104", line, tab.end() - tab.start())
    control = _CONTROL_CHARACTER.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - text.rfind("\n", 0, control.start())
        code_point = f"U+{ord(control.group()):04X}"
        return fail("E105", line, column,
                    problem=localized(f"有不可见的控制字符 {code_point}", f"invisible control character {code_point}"),
                    fix=localized("删除该位置的控制字符（常见于从其他软件复制的文本）",
                                  "delete the invisible control character (often pasted from other software)"))
    too_deep = _prescan_depth(text)
    if too_deep is not None:
        return fail("E109", too_deep, 1, limit=MAX_DEPTH)

    source = SourceMap(filename, text)
    # One pause of the collector over composing and building, and the nodes freed inside it: with
    # the collector back on while they lived, its next pass walked the whole tree once more.
    with collector_paused():
        try:
            root = compose(text)
        except yaml.MarkedYAMLError as error:
            return _syntax_error(error, filename)
        except yaml.YAMLError as error:  # libyaml gives marks; this is the safety net
            return fail("E105", 1, 1, problem=localized(f"这里读不懂（{error}）", f"the text does not read here ({error})"),
                        fix=localized("对照 docs/bundle-format.md 中的示例检查写法", "compare with the example in docs/bundle-format.md"))
        if root is None:
            return LoadedYaml(None, source, [Diagnostic("E110", filename, 1, 1, (), {"found": localized("空文件", "an empty file")})])
        builder = ValueBuilder(filename)
        builder.shared_nodes_possible = "&" in text
        data = builder.build(root, 0)
        if not builder.alias_reported and "&" in text:
            builder.report_lone_anchor(text)
        if not builder.diagnostics and not isinstance(data, dict):
            builder.diagnostics.append(Diagnostic(
                "E110", filename, root.start_mark.line + 1, root.start_mark.column + 1, (),
                {"found": _describe_node(root)}))
        del root
    return LoadedYaml(data, source, builder.diagnostics)


def _prescan_depth(text: str) -> int | None:
    """Line number where nesting gets unreasonably deep, judged from the raw text."""
    # Each scan is skipped when it cannot find anything: nesting deeper than the limit needs more
    # openers than the limit, and a compact nesting lies within one line, so it needs a line longer
    # than its own length limit (a bundle file has neither; the scans were 5 % of a check).
    depth = 0
    if text.count("[") + text.count("{") > _PRESCAN_DEPTH_LIMIT:
        for match in _FLOW_BRACKET.finditer(text):
            depth += 1 if match.group() in "[{" else -1
            if depth > _PRESCAN_DEPTH_LIMIT:
                return text.count("\n", 0, match.start()) + 1
    if len(text) > 2 * _PRESCAN_DEPTH_LIMIT and max(map(len, text.split("\n"))) > 2 * _PRESCAN_DEPTH_LIMIT:
        for match in _COMPACT_NESTING.finditer(text):
            if match.end() - match.start() > 2 * _PRESCAN_DEPTH_LIMIT:
                return text.count("\n", 0, match.start()) + 1
    return None


def _describe_node(node: Node) -> dict[str, str]:
    if isinstance(node, SequenceNode):
        return localized("几项（以“- ”开头的几行）", 'several entries (lines starting with "- ")')
    if isinstance(node, ScalarNode):
        return localized(f"文字“{node.value[:40]}”", f'the text "{node.value[:40]}"')
    return localized("一组设置", "a group of settings")


class ValueBuilder:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[int] = set()
        self._alias_reported = False
        # Only an alias makes one node appear twice, and an alias needs an anchor ("&"): a text
        # without one skips the bookkeeping (load_yaml says which; other callers keep it on).
        self.shared_nodes_possible = True

    def _report(self, code: str, node: Node, **params: Any) -> None:
        self.diagnostics.append(Diagnostic(
            code, self.filename, node.start_mark.line + 1, node.start_mark.column + 1, (), params))

    @property
    def alias_reported(self) -> bool:
        return self._alias_reported

    def report_lone_anchor(self, text: str) -> None:
        """An anchor (&x) never used by an alias composes to an ordinary node, so the builder
        cannot see it; the tokens can. Anchors are refused either way (docs: E108). Scanned only
        when the text has an "&" at all, which bundle files rarely do."""
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if isinstance(token, yaml.AnchorToken):
                mark = token.start_mark
                self.diagnostics.append(Diagnostic("E108", self.filename, mark.line + 1, mark.column + 1, (), {}))
                self._alias_reported = True
                return

    def build(self, node: Node, depth: int) -> Any:
        # The same node object seen twice means an alias; rejecting it also defuses
        # "billion laughs" alias bombs, which would otherwise expand exponentially here.
        if self.shared_nodes_possible:
            if id(node) in self._seen:
                if not self._alias_reported:  # one is enough: a bomb has thousands
                    self._report("E108", node)
                    self._alias_reported = True
                return None
            self._seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            self._report("E107", node, tag=node.tag.replace("tag:yaml.org,2002:", "!!"))
            return None
        if isinstance(node, ScalarNode):
            if not node.style:  # plain (libyaml reports "" where pure-Python PyYAML says None)
                text = node.value
                if len(text) > MAX_NUMBER_CHARS and _looks_numeric(text):
                    self._report("E113", node, length=len(text), limit=MAX_NUMBER_CHARS)
                    return None
                return resolve_plain_scalar(text)
            return node.value
        if depth >= MAX_DEPTH:
            self._report("E109", node, limit=MAX_DEPTH)
            return None
        # Most children are short scalars: those are read here, in the loop, the rest through
        # build (a call per value was a third of the loading time; the result is the same).
        inline = not self.shared_nodes_possible
        if isinstance(node, SequenceNode):
            values = []
            for child in node.value:
                if inline and type(child) is ScalarNode and child.tag in _ALLOWED_TAGS \
                        and len(child.value) <= MAX_NUMBER_CHARS:
                    values.append(child.value if child.style else resolve_plain_scalar(child.value))
                else:
                    values.append(self.build(child, depth + 1))
            return values
        return self._build_mapping(node, depth, inline)

    def _build_mapping(self, node: Node, depth: int, inline: bool) -> dict[str, Any]:
        """A mapping's keys (plain scalars, each once) and values; ``inline`` as in build."""
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _ALLOWED_TAGS:
                self._report("E112", key_node)
                continue
            key = key_node.value
            if key in mapping:
                first = next(k for k, _ in node.value if isinstance(k, ScalarNode) and k.tag in _ALLOWED_TAGS and k.value == key)
                self._report("E106", key_node, key=key, first_line=first.start_mark.line + 1)
                continue
            if inline and type(value_node) is ScalarNode and value_node.tag in _ALLOWED_TAGS \
                    and len(value_node.value) <= MAX_NUMBER_CHARS:
                mapping[key] = value_node.value if value_node.style else resolve_plain_scalar(value_node.value)
            else:
                mapping[key] = self.build(value_node, depth + 1)
        return mapping


# libyaml's problems, in the words policy staff use. Unlisted ones are shown as they are.
# (libyaml's phrase, Chinese explanation, fix in Chinese, fix in English)
_SYNTAX_PROBLEMS: list[tuple[str, str, str, str]] = [
    ("mapping values are not allowed", "这里不能出现“: ”",
     "值里含有“: ”时请给整个值加引号；或检查上一行的缩进",
     'quote a value that contains ": ", or check the indentation of the line above'),
    ("could not find expected ':'", "缺少冒号“:”",
     "每个键后面要有“: ”（冒号加空格）；多行文本请用“|”",
     'every key needs ": " after it; use "|" for text on several lines'),
    ("did not find expected key", "缩进不一致，找不到预期的键",
     "同一层的键必须对齐；检查这一行和上一行的缩进",
     "keys at the same level must line up; check the indentation here and above"),
    ("did not find expected '-' indicator", "以“- ”开头的几项缩进不一致",
     "同一处的每一项“- ”必须对齐",
     'the "- " of every entry of one list must line up'),
    ("found character that cannot start any token", "出现了不能作为开头的字符",
     "以 @、` 或 % 开头的值请加引号",
     "quote a value that starts with @, ` or %"),
    ("found unexpected end of stream", "文件意外结束",
     "检查引号或括号是否闭合",
     "check that every quote and bracket is closed"),
    ("did not find expected node content", "这里缺少内容",
     "检查是否多写或少写了“-”、“,”或括号",
     'check for an extra or missing "-", "," or bracket'),
    ("found unknown escape character", "双引号文本中有无效的转义（\\）",
     "改用单引号，或把 \\ 写成 \\\\",
     "use single quotes, or write \\ as \\\\"),
    ("found undefined alias", "使用了未定义的别名（*）",
     "不支持别名；把内容直接写出来",
     "aliases are not supported; write the content out"),
    ("found undefined tag handle", "使用了未定义的标签（!）",
     "不支持标签；删除“!”开头的部分",
     'tags are not supported; remove the part starting with "!"'),
    ("did not find expected ',' or ']'", "方括号 [ ] 中缺少“,”或“]”",
     "检查方括号 [ ] 中的逗号和闭合",
     "check the commas and the closing bracket of the list"),
    ("did not find expected ',' or '}'", "花括号 { } 中缺少“,”或“}”",
     "检查花括号的逗号和闭合",
     "check the commas and the closing brace"),
    ("while scanning a simple key", "缺少冒号“:”",
     "每个键后面要有“: ”（冒号加空格）",
     'every key needs ": " after it'),
]


def _syntax_error(error: yaml.MarkedYAMLError, filename: str) -> LoadedYaml:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    raw_problem = error.problem or error.context or "unknown"
    empty = SourceMap(filename, None)
    if "expected a single document" in raw_problem or "but found another document" in raw_problem:
        return LoadedYaml(None, empty, [Diagnostic("E111", filename, line, column, (), {})])
    problem: Any = localized(f"这里读不懂（{raw_problem}）", f"the text does not read here ({raw_problem})")
    fix = localized("对照 docs/bundle-format.md 中的示例检查这一行附近的写法",
                    "compare the lines around here with the example in docs/bundle-format.md")
    haystack = f"{error.context or ''} {raw_problem}"
    for needle, words, advice_zh, advice_en in _SYNTAX_PROBLEMS:
        if needle in haystack:
            problem = localized(f"{words}（{raw_problem}）", f"the text does not read here ({raw_problem})")
            fix = localized(advice_zh, advice_en)
            break
    return LoadedYaml(None, empty, [Diagnostic(
        "E105", filename, line, column, (), {"problem": problem, "fix": fix})])
