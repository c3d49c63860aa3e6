"""Steps keep up with the promise of the items they handle.

A step that handles an item may not be shorter than the item's longest promise (E512). The
admin adds a handling step with a new item, as long as the item's promise; an official who later
raises that promise has never seen the step, and was refused with an error about it. So when an
item's promise changes, each step that handles it and would now be too short takes its items' new
longest promise, and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from configurator.authoring.textedits import Edit, SetValue


def longest_promise(item: Mapping[str, Any]) -> int | None:
    """An item's longest promised working days as written (a number, or cases with a default)."""
    limit = item.get("time_limit")
    raw = limit.get("promised") if isinstance(limit, Mapping) else None
    if isinstance(raw, Mapping):
        found = raw.get("cases")
        cases = found if isinstance(found, list) else []
        values = [raw.get("default"), *(c.get("value") for c in cases if isinstance(c, Mapping))]
    else:
        values = [raw]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return max(numbers) if numbers else None


@dataclass(frozen=True)
class Followed:
    """A step whose time limit followed an item's new promise."""

    step_id: str
    name: str
    days: int


def steps_following(data: Mapping[str, Any], item_id: str, before: Mapping[str, Any],
                    after: Mapping[str, Any]) -> tuple[list[Edit], list[Followed]]:
    """The edits that keep each step handling ``item_id`` as long as its items' promise, when
    the item changes from ``before`` to ``after``; and what they change, to tell the official."""
    old, new = longest_promise(before), longest_promise(after)
    if new is None or old == new:
        return [], []
    items = {str(i.get("id")): i for i in data.get("items") or [] if isinstance(i, Mapping)}
    edits: list[Edit] = []
    followed: list[Followed] = []
    for index, step in enumerate(data.get("steps") or []):
        handled = step.get("items") if isinstance(step, Mapping) else None
        limit = step.get("time_limit") if isinstance(step, Mapping) else None
        if not isinstance(handled, list) or item_id not in handled or not isinstance(limit, int):
            continue
        promises_after = [longest_promise(after if i == item_id else items.get(str(i), {})) for i in handled]
        needed = max(p for p in promises_after if p is not None)
        # Only ever longer, when it would be too short: a shorter promise contradicts nothing, and
        # a step's length may have been set on purpose (and shortening it would be a change nobody asked for).
        if limit < needed:
            edits.append(SetValue(("steps", index, "time_limit"), needed))
            name = step.get("name")
            label = str(name.get("zh-CN", "") if isinstance(name, Mapping) else name or step.get("id", ""))
            followed.append(Followed(str(step.get("id", "")), label, needed))
    return edits, followed
