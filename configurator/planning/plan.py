"""What applies to one case: the answers to the situation questions decide it.

Every generated artifact and every command that talks about a case (the notice, routing,
metrics, ``explain``, the HTML form, the pre-check) uses this one module, so they cannot
disagree about which items, materials and fields apply.

Rules (also in docs/bundle-format.md):

- a situation is asked when its ``when`` holds; answers to questions not asked are ignored;
- the case is eligible when every ``require`` holds, otherwise it goes to the fallback;
- an item applies when its ``when`` holds;
- a material is needed, and a field asked, when its own ``when`` holds and at least one
  applicable item uses it;
- an item starts when every applicable item it depends on has finished (working days);
- items handled together (``combined_with``) form one task: they start together, after
  everything either waits for, and finish when the longer of them does;
- a case-dependent value (time limit, visits, 容缺, special-stage length) takes the value of
  its first case whose ``when`` holds, else its default: the plan's items and materials carry
  the values of this case, so every writer that reads the plan follows the case.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from configurator.language import conditions, graph
from configurator.model import (
    Bundle,
    BundleField,
    BundleMaterial,
    Condition,
    EligibilityRule,
    Item,
    Situation,
    SpecialStage,
    Varies,
)
from configurator.planning.schedule import Chains, Task, last_day, schedule

_Entry = TypeVar("_Entry", Item, BundleMaterial, SpecialStage)
_Member = TypeVar("_Member", BundleMaterial, BundleField)
# Per varying attribute: (attribute, [(predicate slot, value), ...]).
_Resolver = tuple[tuple[str, tuple[tuple[int, Any], ...]], ...]
# an item, its condition's slot, its bit, the bits of its materials and of its fields
ItemEntry = tuple[Item, int, int, int, int]


def holds(condition: Condition | None, answers: Mapping[str, Any]) -> bool:
    return condition is None or conditions.evaluate(condition.expr, answers)


def needed_condition(own: Condition | None, users: Sequence[Item]) -> conditions.Expr | None:
    """When a field or material is needed: its own condition, and one of the items using it
    applies (None: always). Writers translate this one expression into each target language."""
    parts: list[conditions.Expr] = [own.expr] if own else []
    if users and all(item.when is not None for item in users):
        any_user = conditions.any_of([item.when.expr for item in users if item.when is not None])
        assert any_user is not None
        parts.append(any_user)
    return conditions.all_of(parts)


@dataclass(frozen=True)
class Plan:
    bundle: Bundle
    answers: Mapping[str, Any]  # only answers to questions asked
    failed_rules: tuple[EligibilityRule, ...]
    items: tuple[Item, ...]
    materials: tuple[BundleMaterial, ...]
    # the fields asked, or how to pick them: picked when first read (``fields``), since no artifact
    # reads the fields of the hundreds of cases the case search plans
    field_source: Sequence[BundleField] | Callable[[], Sequence[BundleField]] = field(repr=False, compare=False)
    edges: tuple[graph.Dependency, ...]  # the dependencies between applicable items
    # the planner's chains of linked items (their days remembered across its cases), when planned by one
    chains: Chains | None = field(default=None, repr=False, compare=False)

    @property
    def eligible(self) -> bool:
        return not self.failed_rules

    @functools.cached_property
    def fields(self) -> tuple[BundleField, ...]:
        """The fields the case asks for, in file order."""
        source = self.field_source
        return tuple(source() if callable(source) else source)

    @functools.cached_property
    def tasks(self) -> tuple[Task, ...]:
        """The schedule, made when asked for: the case search plans thousands of cases of which
        most are only counted and summed."""
        return schedule(list(self.items), list(self.edges))

    @functools.cached_property
    def days(self) -> int:
        """Working days along the longest chain of applicable items (special stages excluded)."""
        if not self.edges and all(item.combined_with is None for item in self.items):
            return max((item.promised_days for item in self.items), default=0)  # all start at once
        if "tasks" in self.__dict__:  # scheduled already (the notice, the simulator)
            return max((task.end_day for task in self.tasks), default=0)
        if self.chains is not None:
            return self.chains.days(self.items)
        return last_day(self.items, self.edges)

    @functools.cached_property
    def applicant_materials(self) -> tuple[BundleMaterial, ...]:
        """What the applicant hands in: everything else is shared, produced or generated."""
        return tuple([m for m in self.materials if m.source == "applicant"])


class Planner:
    """A bundle prepared for computing many plans: conditions compiled, the graph derived once."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        # Each distinct condition is a slot, evaluated once per answer set by one generated function
        # (``_vector``): items and materials often share conditions, and a large bundle has hundreds.
        self._slots: dict[str, int] = {}
        self._exprs: list[conditions.Expr | None] = [None]  # slot 0: always
        # None: always asked (most questions), no call per answer set
        self._situations = [(s.id, None if s.when is None else conditions.compile_predicate(s.when.expr))
                            for s in bundle.situations]
        self._rules = [(rule, _predicate(rule.require)) for rule in bundle.eligibility]
        # Each item is a bit (a case's items are its key), and so is each material and field (its
        # position in the bundle's list): an item carries the bits of what it uses, so a case's
        # materials and fields are the OR over its items, read back in file order (``_members``)
        # instead of testing every entry of the bundle per case.
        bits = {item.id: 1 << index for index, item in enumerate(bundle.items)}
        material_bits = _position_bits([m.id for m in bundle.materials])
        field_bits = _position_bits([f.id for f in bundle.fields])
        self._items = [(item, self._slot(item.when), bits[item.id],
                        _union(material_bits, item.materials), _union(field_bits, item.fields)) for item in bundle.items]
        self._item_values = {item.id: (self._resolver(item.varies),
                                       tuple(self._resolver(stage.varies) for stage in item.special_stages))
                             for item in bundle.items if item.varying}
        # (slot, bit) of each material and field with a condition of its own
        self._material_list = _in_bytes(list(bundle.materials))
        self._material_whens = [(slot, 1 << index) for index, m in enumerate(bundle.materials)
                                if (slot := self._slot(m.when))]
        self._material_values = {m.id: self._resolver(m.varies) for m in bundle.materials if m.varies}
        # the material whens among some materials' bits, found once per set of bits (part_of_case
        # is asked per combination of groups: scanning every material of a large bundle each time
        # was quadratic in its size)
        self._whens_among: dict[int, list[tuple[int, int]]] = {}
        # an item resolved for a case, by item and the truth of the slots its values read: the
        # same resolution is asked for again and again by the searches (dataclasses.replace is slow)
        self._value_slots = {item_id: tuple(sorted({slot for resolver in (own, *stages) for _, cases in resolver
                                                    for slot, _ in cases}))
                             for item_id, (own, stages) in self._item_values.items()}
        self._in_case: dict[tuple[str, tuple[bool, ...]], Item] = {}
        self._field_list = _in_bytes(list(bundle.fields))
        self._field_whens = [(slot, 1 << index) for index, f in enumerate(bundle.fields) if (slot := self._slot(f.when))]
        self._edges = graph.dependencies(bundle)
        self._chains = Chains(bundle.items, self._edges)
        # every slot's condition in one generated function: what the case search calls per answer set
        self._vector = conditions.compile_vector(self._exprs)
        self._vectors: dict[tuple[int, ...], conditions.Vector] = {}

    def _slot(self, condition: Condition | None) -> int:
        if condition is None:
            return 0
        if condition.text not in self._slots:
            self._slots[condition.text] = len(self._exprs)
            self._exprs.append(condition.expr)
        return self._slots[condition.text]

    def _resolver(self, varies: tuple[Varies, ...]) -> _Resolver:
        return tuple((v.attribute, tuple((self._slot(case.when), case.value) for case in v.cases)) for v in varies)

    @property
    def expressions(self) -> tuple[conditions.Expr | None, ...]:
        """Each slot's condition, in slot order (slot 0, None: always)."""
        return tuple(self._exprs)

    def slot_of(self, condition: Condition | None) -> int:
        """The slot of one of the bundle's conditions (0: no condition, always)."""
        return self._slot(condition)

    @property
    def chains(self) -> Chains:
        """The bundle's items in chains of linked items (their days and depths remembered)."""
        return self._chains

    @property
    def edges(self) -> list[graph.Dependency]:
        """Every ordering between the bundle's items (graph.dependencies)."""
        return self._edges

    def truth(self, kept: Mapping[str, Any]) -> tuple[bool, ...]:
        """Every distinct condition of the bundle evaluated once: a case is decided by this."""
        return self._vector(kept)

    @property
    def vector(self) -> conditions.Vector:
        """``truth`` itself, for a caller that evaluates it per answer set (no call in between)."""
        return self._vector

    def vector_of(self, slots: Sequence[int]) -> conditions.Vector:
        """``vector`` for these slots only (their truths in this order): a group of questions
        walked alone decides only its own conditions, not every condition of the bundle."""
        key = tuple(slots)
        found = self._vectors.get(key)
        if found is None:
            found = self._vectors[key] = conditions.compile_vector([self._exprs[slot] for slot in key])
        return found

    def asked(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for situation_id, asked in self._situations:
            if (asked is None or asked(kept)) and answers.get(situation_id) is not None:
                kept[situation_id] = answers[situation_id]
        return kept

    def failed_rules(self, kept: Mapping[str, Any]) -> tuple[EligibilityRule, ...]:
        return tuple(rule for rule, holds_for in self._rules if not holds_for(kept))

    def outline(self, answers: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[EligibilityRule, ...],
                                                           list[Item], list[BundleMaterial], list[BundleField]]:
        """Everything of a plan but the schedule (cheap: used to tell cases apart)."""
        kept = self.asked(answers)
        failed = self.failed_rules(kept)
        items, materials, fields = self.decide(self.truth(kept))
        return kept, failed, items, materials, fields

    def decide(self, truth: Sequence[bool]) -> tuple[list[Item], list[BundleMaterial], list[BundleField]]:
        """Items, materials and fields of a case, with the values of the case, from its truth vector."""
        (items, materials, fields), _ = self.decide_keyed(truth)
        return items, materials, fields()

    def decide_keyed(self, truth: Sequence[bool]) -> tuple[
            tuple[list[Item], list[BundleMaterial], Callable[[], list[BundleField]]], tuple[int, int, int] | None]:
        """``decide`` with the fields left to pick (a call), and for a bundle without case-dependent
        values the case's key: the bits of its items, materials and fields (two cases with the same
        key have the same outline)."""
        items: list[Item] = []
        applicable = used_materials = used_fields = 0
        for item, slot, bit, material_bits, field_bits in self._items:
            if truth[slot]:
                items.append(item)
                applicable |= bit
                used_materials |= material_bits
                used_fields |= field_bits
        if self._item_values:
            items = [self._item_in_case(item, truth) for item in items]
        for slot, bit in self._material_whens:
            if not truth[slot]:
                used_materials &= ~bit
        materials = _members(self._material_list, used_materials)
        if self._material_values:
            materials = [_resolved(m, self._material_values.get(m.id, ()), truth) for m in materials]
        for slot, bit in self._field_whens:
            if not truth[slot]:
                used_fields &= ~bit
        plain = not self._item_values and not self._material_values
        return ((items, materials, functools.partial(_members, self._field_list, used_fields)),
                (applicable, used_materials, used_fields) if plain else None)

    def among(self, item_ids: Collection[str]) -> list[ItemEntry]:
        """The bundle's items of these ids, in file order, prepared for ``part_of_case``."""
        return [entry for entry in self._items if entry[0].id in item_ids]

    def part_of_case(self, truth: Sequence[bool], entries: list[ItemEntry]) -> tuple[list[Item], int]:
        """``decide`` for some of the bundle's items (``among``): those that apply, with the values
        of the case, and how many of the bundle's materials they use that the case needs. Where no
        other item uses those materials, this is that part of the case at the cost of the part."""
        items: list[Item] = []
        used_materials = 0
        for item, slot, _, material_bits, _ in entries:
            if truth[slot]:
                items.append(self._item_in_case(item, truth) if self._item_values else item)
                used_materials |= material_bits
        if used_materials:
            whens = self._whens_among.get(used_materials)
            if whens is None:
                whens = self._whens_among[used_materials] = [(slot, bit) for slot, bit in self._material_whens
                                                             if used_materials & bit]
            for slot, bit in whens:
                if not truth[slot]:
                    used_materials &= ~bit
        return items, used_materials.bit_count()

    def days_of(self, items: Sequence[Item]) -> int:
        """``plan_of(..., items, ...).days``: the days of these items with the dependencies between them."""
        return self._chains.days(items)

    def _item_in_case(self, item: Item, truth: Sequence[bool]) -> Item:
        values = self._item_values.get(item.id)
        if values is None:
            return item
        key = (item.id, tuple([truth[slot] for slot in self._value_slots[item.id]]))
        found = self._in_case.get(key)
        if found is not None:
            return found
        own, stages = values
        resolved = _resolved(item, own, truth)
        if any(stages):
            resolved = dataclasses.replace(resolved, special_stages=tuple(
                _resolved(stage, resolver, truth) for stage, resolver in zip(item.special_stages, stages, strict=True)))
        self._in_case[key] = resolved
        return resolved

    def plan(self, answers: Mapping[str, Any]) -> Plan:
        return self.plan_of(*self.outline(answers))

    def plan_of(self, kept: dict[str, Any], failed: tuple[EligibilityRule, ...], items: list[Item],
                materials: list[BundleMaterial],
                fields: Sequence[BundleField] | Callable[[], Sequence[BundleField]]) -> Plan:
        """The plan from its outline (the case search has decided it already; ``fields`` may be
        left to pick when the plan's fields are first read)."""
        if self._edges:
            applicable = {item.id for item in items}
            edges = tuple(e for e in self._edges if e.before in applicable and e.after in applicable)
        else:
            edges = ()
        return Plan(self.bundle, kept, failed, tuple(items), tuple(materials), fields, edges, self._chains)


def _resolved(entry: _Entry, resolver: _Resolver, truth: Sequence[bool]) -> _Entry:
    """The entry with each varying attribute set to the value of the first case that holds."""
    changes = {}
    for attribute, cases in resolver:
        value = next((value for slot, value in cases if truth[slot]), None)
        if value is not None and value != getattr(entry, attribute):
            changes[attribute] = value
    return dataclasses.replace(entry, **changes) if changes else entry


def _position_bits(ids: list[str]) -> dict[str, int]:
    """Per id, the bits of its positions in the list (a repeated id has several)."""
    found: dict[str, int] = {}
    for index, entry_id in enumerate(ids):
        found[entry_id] = found.get(entry_id, 0) | 1 << index
    return found


def _union(bits: dict[str, int], ids: Sequence[str]) -> int:
    union = 0
    for entry_id in ids:
        union |= bits.get(entry_id, 0)
    return union


# per byte value, which of the eight entries of a chunk its bits select (lowest bit first)
_SELECTORS = tuple(tuple(bool(value >> bit & 1) for bit in range(8)) for value in range(256))


def _in_bytes(entries: list[_Member]) -> list[tuple[_Member, ...]]:
    """The entries in chunks of eight, a chunk per byte of a bit mask over their positions."""
    return [tuple(entries[start:start + 8]) for start in range(0, len(entries), 8)]


def _members(chunks: list[tuple[_Member, ...]], bits: int) -> list[_Member]:
    """The entries whose position's bit is set, in list order: a byte of the mask at a time, each
    chosen by ``itertools.compress``, so the cost follows the list's size in bytes, not one test
    per entry."""
    if not bits:
        return []
    chosen: list[_Member] = []
    extend = chosen.extend
    for chunk, byte in zip(chunks, bits.to_bytes(len(chunks), "little"), strict=True):
        if byte == 255:
            extend(chunk)
        elif byte:
            extend(itertools.compress(chunk, _SELECTORS[byte]))
    return chosen


def _predicate(condition: Condition | None) -> conditions.Predicate:
    return (lambda answers: True) if condition is None else conditions.compile_predicate(condition.expr)


def make_plan(bundle: Bundle, answers: Mapping[str, Any]) -> Plan:
    """The plan for one case (prepare a ``Planner`` instead when computing many)."""
    return Planner(bundle).plan(answers)


class AnswerValueError(ValueError):
    """An answer typed as text that does not fit its question; the message in Chinese (str) and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.en = en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else str(self)


def parse_answer(situation: Situation, text: str) -> Any:
    """An answer typed as text (command line, HTML form) in the situation's type.

    Raises AnswerValueError (a ValueError) with a message for the user when the text does not fit.
    """
    text = text.strip()
    if situation.type == "boolean":
        truth = {"true": True, "yes": True, "是": True, "1": True, "false": False, "no": False, "否": False, "0": False}
        if text.lower() not in truth:
            raise AnswerValueError(f"“{situation.id}”要回答 true（是）或 false（否），不是“{text}”",
                                   f"“{situation.id}” takes true (yes) or false (no), not “{text}”")
        return truth[text.lower()]
    if situation.type == "number":
        try:
            number = float(text)
        except ValueError:
            raise AnswerValueError(f"“{situation.id}”要回答一个数字，不是“{text}”",
                                   f"“{situation.id}” takes a number, not “{text}”") from None
        return int(number) if number.is_integer() else number
    options = [option.value for option in situation.options]
    if situation.type == "multi_choice":
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        wrong = [c for c in chosen if c not in options]
        if wrong:
            raise AnswerValueError(f"“{situation.id}”没有选项 {', '.join(wrong)}；可选：{', '.join(options)}",
                                   f"“{situation.id}” has no option {', '.join(wrong)}; the options: {', '.join(options)}")
        if not chosen and not situation.allow_none:
            raise AnswerValueError(f"“{situation.id}”至少要选一项（这个问题不允许一项不选）；可选：{', '.join(options)}",
                                   f"“{situation.id}” needs at least one choice (this question allows no empty answer); "
                                   f"the options: {', '.join(options)}")
        return chosen
    if situation.type == "choice" and text not in options:
        raise AnswerValueError(f"“{situation.id}”没有选项“{text}”；可选：{', '.join(options)}",
                               f"“{situation.id}” has no option “{text}”; the options: {', '.join(options)}")
    return text
