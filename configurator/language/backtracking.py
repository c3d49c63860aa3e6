"""Whether a backtracking regex engine (a browser's, ajv's on Node) can be slow on a pattern.

The analysis is redoctor's (a Python port of recheck, the ReDoS analyser for ECMAScript
regexes), with its automaton checker: exact for the patterns a form needs, and milliseconds
for them. Its time is not bounded, though (its timeout covers only the fuzz checker), and it
grows steeply with counted repetition: ``(a{1,500}){1,500}b`` ran for minutes. Two bounds keep
`check` and the admin's save responsive:

- a pattern without unbounded repetition is linear and not analysed at all;
- counts are lowered to at most 3 before the analysis (``bounded_counts``): a bounded count
  multiplies the work by a constant, the growth with the value's length comes from unbounded
  repetition, which stays unbounded, so the verdict is kept;
- a pattern that is long or nests counted groups more than two deep is analysed in a child
  process that is killed after ``DEADLINE_SECONDS``; one that cannot be decided by then is
  refused as too complex to prove safe.

Run as ``python -m configurator.language.backtracking`` it reads a pattern on standard input
and prints the verdict (how the child process is run).
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Literal

Verdict = Literal["exponential", "polynomial", "undecided"] | None

DEADLINE_SECONDS = 5.0
_MAX_COUNT = 3
_COUNT = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_QUANTIFIER = re.compile(r"[*+?]|\{\d+(?:,\d*)?\}")
# Patterns within both limits are analysed in this process (milliseconds); others in a child.
_SIMPLE_LENGTH, _SIMPLE_DEPTH = 200, 2


@functools.lru_cache(maxsize=1024)
def verdict(pattern: str) -> Verdict:
    """How matching ``pattern`` (as form.schema.json anchors it) can grow with the value's length
    in a backtracking engine: exponentially, polynomially, undecided in time, or None (linearly)."""
    if not unbounded(pattern):
        return None  # anchored and of bounded length: constant work per value (most form patterns)
    if len(pattern) <= _SIMPLE_LENGTH and quantified_depth(pattern) <= _SIMPLE_DEPTH:
        return analyse(pattern)
    import subprocess

    try:
        done = subprocess.run([sys.executable, "-m", "configurator.language.backtracking"], input=pattern,
                              capture_output=True, text=True, timeout=DEADLINE_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return "undecided"
    answer = done.stdout.strip()  # nothing if the child failed: RE2 and the ECMAScript checks decide
    return answer if answer in ("exponential", "polynomial") else None  # type: ignore[return-value]


def analyse(pattern: str) -> Verdict:
    import redoctor  # 60 ms to import: only when a bundle or catalogue has a pattern

    config = redoctor.Config(checker=redoctor.CheckerType.AUTOMATON, skip_recall=True, random_seed=0)
    try:
        found = redoctor.check(f"^(?:{bounded_counts(pattern)})$(?![\\s\\S])", config=config)
    except redoctor.RedoctorError:  # a pattern it cannot read: RE2 and the ECMAScript checks decide
        return None
    if not found.is_vulnerable or found.complexity is None:
        return None
    return "exponential" if found.complexity.is_exponential else "polynomial"


def bounded_counts(pattern: str) -> str:
    """The pattern with every count ``{m}``, ``{m,}``, ``{m,n}`` lowered to at most 3 (outside
    character classes; escapes kept)."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index:index + 2])
            index += 2
            continue
        count = _COUNT.match(pattern, index) if char == "{" and not in_class else None
        if count is not None:
            low, comma, high = count.groups()
            tail = ("," + (str(min(int(high), _MAX_COUNT)) if high else "")) if comma else ""
            out.append(f"{{{min(int(low), _MAX_COUNT)}{tail}}}")
            index = count.end()
            continue
        in_class = (in_class and char != "]") or (not in_class and char == "[")
        out.append(char)
        index += 1
    return "".join(out)


def unbounded(pattern: str) -> bool:
    """Whether the pattern repeats anything without limit (``*``, ``+``, ``{m,}``, outside character
    classes; escapes kept). Without that a match has bounded length and nothing can grow."""
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        index += 2 if char == "\\" else 1
        if char == "\\":
            continue
        if in_class or char == "[":
            in_class = (in_class and char != "]") or (not in_class and char == "[")
        elif char in "*+" or (char == "{" and (count := _COUNT.match(pattern, index - 1)) and count.group(2)
                                and not count.group(3)):
            return True
    return False


def quantified_depth(pattern: str) -> int:
    """How deeply quantified groups nest: ``a+`` 1, ``(a|aa)+`` 1, ``(a+)+`` 2, ``((a{2}){2}){2}`` 3."""
    stack: list[int] = [0]  # the deepest quantified thing inside each open group
    deepest, index, in_class = 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        index += 2 if char == "\\" else 1
        if in_class or char == "[":
            in_class = (in_class and char != "]") or (not in_class and char == "[")
            inner = 0
        elif char == "(":
            stack.append(0)
            continue
        elif char == ")" and len(stack) > 1:
            inner = stack.pop()
        else:
            inner = 0
        if in_class:
            continue
        quantified = _QUANTIFIER.match(pattern, index)
        depth = inner + 1 if quantified else inner
        stack[-1] = max(stack[-1], depth)
        deepest = max(deepest, depth)
    return deepest


if __name__ == "__main__":
    print(analyse(sys.stdin.read()) or "linear")
