"""The task graph a submitted case runs on the engine (planning/casegraph.py), without the engine."""

from __future__ import annotations

import datetime as dt

import pytest

from configurator.planning.calendar import WorkingCalendar
from configurator.planning.casegraph import CHINA_STANDARD_TIME, NotRunnable, case_graph
from configurator.planning.resolution import resolve
from tests.compile_helpers import SHIPPED_IDS, compiled
from tests.test_working_days import FULL_NEWBORN

MONDAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_every_case_runs_exactly_its_plan_with_its_dependencies_and_due_dates(bundle_id):
    c = compiled(bundle_id)
    for scenario in c.scenarios[0][:40]:
        case = resolve(c, scenario.answers, None, None, MONDAY)
        if case.eligible is not True:
            continue
        graph = case_graph(case, "c0ffee")
        running = [t for t in graph.tasks if not t.skipped]
        assert [t.item for t in running] == [task.item.id for task in case.plan.tasks]
        assert {t.item for t in graph.tasks if t.skipped} == {i.id for i in c.bundle.items} - {t.item for t in running}
        position = {t.item: n for n, t in enumerate(running)}
        for task in running:
            assert all(position[before] < position[task.item] for before in task.after)  # prerequisites come first
            assert task.due_date == case.due.with_stages[task.item]
            assert (task.deadline is None) == (task.promised_days == 0)  # 即办: no timer
        for edge in case.plan.edges:
            waiting = next(t for t in running if t.item == edge.after)
            combined = c.bundle.items[[i.id for i in c.bundle.items].index(edge.after)].combined_with == edge.before
            assert edge.before in waiting.after or combined


def test_a_deadline_is_the_end_of_the_due_working_day_in_china():
    c = compiled("newborn")
    graph = case_graph(resolve(c, FULL_NEWBORN, None, None, MONDAY), "c0ffee")
    police = next(t for t in graph.tasks if t.item == "birth_registration")
    assert police.after == ("issue_birth_certificate",)
    assert police.due_date == WorkingCalendar().add_working_days(MONDAY, 4)  # 1 day, then its own 3
    assert police.deadline == dt.datetime.combine(police.due_date + dt.timedelta(days=1), dt.time(), CHINA_STANDARD_TIME)
    assert graph.as_json()["commit"] == "c0ffee"


def test_a_deferrable_material_not_uploaded_is_still_to_deliver():
    c = compiled("newborn")
    graph = case_graph(resolve(c, FULL_NEWBORN, None, None, MONDAY), "c0ffee", uploads={})
    deferrable = {m.id for m in c.bundle.materials if m.requirement == "deferrable"}
    for task in graph.tasks:
        assert set(task.deferred) == deferrable & set(task.materials)


def test_only_a_complete_eligible_case_with_a_date_runs():
    c = compiled("newborn")
    with pytest.raises(NotRunnable):
        case_graph(resolve(c, {}, None, None, MONDAY), "c0ffee")
    with pytest.raises(NotRunnable, match="date of receipt"):
        case_graph(resolve(c, FULL_NEWBORN), "c0ffee")
