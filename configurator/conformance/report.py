"""What a consumer reports against the corpus, and the report of a whole run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Disagreement:
    """One fact a consumer got otherwise than the plan: enough to reproduce it alone."""

    consumer: str
    target: str  # bundle id, or bundle@region
    case: str  # the case (or application) id in the corpus
    answers: Any  # the case's answers, or the whole application
    what: str  # the fact, e.g. "items", "verdict", "task food_business_licence"
    expected: Any
    got: Any

    def reproducer(self) -> str:
        bundle, _, region = self.target.partition("@")
        return json.dumps({"consumer": self.consumer, "bundle": bundle, "region": region or None, "case": self.case,
                           "what": self.what, "expected": self.expected, "got": self.got, "input": self.answers},
                          ensure_ascii=False, sort_keys=True, default=str)


@dataclass
class ConsumerResult:
    """One consumer's run over one target's corpus."""

    consumer: str
    target: str
    checked: int = 0  # cases or applications read
    disagreements: list[Disagreement] = field(default_factory=list)
    skipped: str | None = None  # why the consumer could not run (a tool missing)

    def differ(self, case: dict[str, Any], what: str, expected: Any, got: Any, answers: Any = None) -> None:
        self.disagreements.append(Disagreement(self.consumer, self.target, case["id"],
                                               case.get("answers", case.get("application")) if answers is None else answers,
                                               what, expected, got))

    def expect(self, case: dict[str, Any], what: str, expected: Any, got: Any, answers: Any = None) -> None:
        if expected != got:
            self.differ(case, what, expected, got, answers)


def summary(results: Sequence[ConsumerResult], examples: int = 1) -> str:
    """Per consumer: cases read and disagreements; per class of disagreement (consumer, target,
    fact) its count and ``examples`` reproducers. The text `make conformance` prints."""
    consumers: dict[str, list[ConsumerResult]] = {}
    for result in results:
        consumers.setdefault(result.consumer, []).append(result)
    width = max((len(r.consumer) for r in results), default=8) + 2
    lines = [f"{'consumer':<{width}}targets  checked  disagreements"]
    for name, found in consumers.items():
        ran = [r for r in found if r.skipped is None]
        lines.append(f"{name:<{width}}{len(ran):>7}  {sum(r.checked for r in ran):>7}  "
                     f"{sum(len(r.disagreements) for r in ran):>13}")
        lines += [f"    skipped {r.target}: {r.skipped}" for r in found if r.skipped is not None][:3]
    classes: dict[tuple[str, str, str], list[Disagreement]] = {}
    for result in results:
        for d in result.disagreements:
            classes.setdefault((d.consumer, d.target, d.what.split(" ")[0]), []).append(d)
    if classes:
        lines += ["", f"{len(classes)} classes of disagreement (consumer, target, fact): count"
                  + (", reproducer" if examples else "")]
        for (consumer, target, what), members in sorted(classes.items()):
            lines.append(f"- {consumer} · {target} · {what}: {len(members)}")
            lines += [f"    {d.reproducer()}" for d in members[:examples]]
    else:
        lines += ["", "no disagreements"]
    return "\n".join(lines) + "\n"
