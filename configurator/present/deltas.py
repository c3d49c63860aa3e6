"""What a change does to the figures citizens feel, with anything worse flagged for the reviewer.

Compares the overall figures (materials handed in, steps, promised days, visits — after the
bundle) of the published bundle and the changed one, and the number of eligible cases: fewer
cases means stricter eligibility. A rise in any of the four, or fewer eligible cases, is
"worse for citizens" and is flagged on the review page.
"""

from __future__ import annotations

from dataclasses import dataclass

from configurator.planning.compiled import Compiled
from configurator.planning.figures import metrics

LABELS = {
    "materials": ("提交材料（份）", "materials handed in"),
    "steps": ("办理环节", "steps"),
    "days": ("承诺时限（工作日）", "promised days"),
    "visits": ("跑动次数", "visits"),
    "cases": ("可办理的情形", "eligible cases"),
}


@dataclass(frozen=True)
class Delta:
    key: str
    before: int | None
    after: int | None

    @property
    def worse(self) -> bool:
        if self.before is None or self.after is None:
            return False
        return self.after < self.before if self.key == "cases" else self.after > self.before

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def label(self, lang: str = "zh-CN") -> str:
        zh, en = LABELS[self.key]
        return en if lang == "en" else zh


def _figures(compiled: Compiled | None) -> dict[str, int | None]:
    if compiled is None:
        return dict.fromkeys(LABELS)
    overall = metrics(compiled)["overall"]
    found: dict[str, int | None] = {key: overall[key]["after"] for key in ("materials", "steps", "days", "visits")}
    found["cases"] = len(compiled.scenarios[0])
    return found


def figure_deltas(before: Compiled | None, after: Compiled | None) -> list[Delta]:
    """Every figure, before and after (None where a side has no valid bundle)."""
    old, new = _figures(before), _figures(after)
    return [Delta(key, old[key], new[key]) for key in LABELS]
