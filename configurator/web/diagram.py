"""The routing plan as an SVG: departments as lanes, each item as a bar over the working days it
takes, arrows from an item to the ones that wait for it, and a legend. Drawn for the fullest real
case of the bundle.

Every item has a row of its own inside its department's lane, so no two bars or labels share a
line; names longer than fits are shortened with the full name as a tooltip (<title>), and the
drawing is as wide as its longest label."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from flask_babel import gettext

from configurator.planning.compiled import Compiled
from configurator.planning.schedule import Task

DAY = 44
ROW = 26
LANE_PAD = 8
LEFT = 150
TOP = 34
FONT = 12
LABEL_LIMIT = 18  # characters; a longer name is shortened, the full one is the tooltip
LANE_LIMIT = 11

def _words() -> dict[str, str]:
    """The drawing's own words, in the admin user's language (gettext)."""
    return {"title": gettext("办理流程"), "none": gettext("没有符合受理条件的情形，无法绘制。"),
            "axis": gettext("工作日"), "legend": gettext("图例"),
            "lane": gettext("泳道：一个部门，它办理的事项排在其中"),
            "bar": gettext("色条：一个事项，从开始到办结的工作日（按承诺时限）"),
            "arrow": gettext("箭头：后一个事项要等前一个办结（使用它产出的材料，或写明须在其后）"),
            "case": gettext("按适用事项最多的情形绘制")}


def text_width(text: str) -> int:
    """Rendered width estimate: CJK characters are square, Latin ones about half as wide."""
    return sum(FONT if ord(char) > 0x2E80 else FONT * 0.6 for char in text).__ceil__()


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def routing_svg(compiled: Compiled) -> str:
    words = _words()
    case = compiled.case_search.fullest
    if case is None:
        return f'<p class="text-muted">{escape(words["none"])}</p>'
    tasks = case.plan.tasks
    layout = _Layout(tasks)
    days = max(case.plan.days, 1)
    labels = {t.item.id: shorten(compiled.text(t.item.name), LABEL_LIMIT) for t in tasks}
    right = max(LEFT + t.start_day * DAY + max((t.end_day - t.start_day) * DAY, 10) + 6 + text_width(labels[t.item.id])
                for t in tasks)
    legend_lines = [words["lane"], words["bar"], words["arrow"], words["case"]]
    width = max(LEFT + (days + 1) * DAY, right, 40 + max(text_width(line) for line in legend_lines)) + 20
    height = layout.bottom + 30 + 22 * (len(legend_lines) + 1)
    name = escape(compiled.text(compiled.bundle.name))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-labelledby="diagram-title" font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif" '
             f'font-size="{FONT}">',
             f'<title id="diagram-title">{name} {escape(words["title"])}</title>',
             '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
             '<path d="M0,0 L8,4 L0,8 z" fill="#444"/></marker></defs>']
    parts += _lanes(compiled, layout, width)
    parts += _day_axis(days, layout.bottom, words["axis"])
    parts += _bars(compiled, tasks, layout, labels)
    parts += _arrows(tasks, layout)
    parts += _legend(layout.bottom, words["legend"], legend_lines)
    parts.append("</svg>")
    return "".join(parts)


class _Layout:
    """Where each lane starts and each item's row lies: one row per item inside its department's lane."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        self.lanes = list(dict.fromkeys(task.item.department for task in tasks))
        self.in_lane = {lane: [t for t in tasks if t.item.department == lane] for lane in self.lanes}
        self.rows: dict[str, int] = {}
        self.lane_top: dict[str, int] = {}
        y = TOP
        for lane in self.lanes:
            self.lane_top[lane] = y
            for position, task in enumerate(self.in_lane[lane]):
                self.rows[task.item.id] = y + LANE_PAD + position * ROW
            y += self.lane_height(lane)
        self.bottom = y

    def lane_height(self, lane: str) -> int:
        return LANE_PAD * 2 + len(self.in_lane[lane]) * ROW


def _lanes(compiled: Compiled, layout: _Layout, width: int) -> list[str]:
    parts = []
    for lane_index, lane in enumerate(layout.lanes):
        top = layout.lane_top[lane]
        lane_height = layout.lane_height(lane)
        fill = "#f4f4f4" if lane_index % 2 else "#ffffff"
        full = compiled.department_name(lane)
        parts.append(f'<g class="lane"><title>{escape(full)}</title>'
                     f'<rect x="0" y="{top}" width="{width}" height="{lane_height}" fill="{fill}" stroke="#d0d0d0"/>'
                     f'<text class="label" x="8" y="{top + lane_height / 2 + 4}" font-weight="bold" fill="#222">'
                     f'{escape(shorten(full, LANE_LIMIT))}</text></g>')
    return parts


def _day_axis(days: int, bottom: int, axis_word: str) -> list[str]:
    parts = []
    for day in range(days + 1):
        x = LEFT + day * DAY
        parts.append(f'<line x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{bottom}" stroke="#e2e2e2"/>')
        parts.append(f'<text class="label" x="{x}" y="{TOP - 12}" text-anchor="middle" fill="#444">{day}</text>')
    parts.append(f'<text class="label" x="8" y="{TOP - 12}" fill="#444">{escape(axis_word)}</text>')
    return parts


def _bars(compiled: Compiled, tasks: Sequence[Task], layout: _Layout, labels: dict[str, str]) -> list[str]:
    parts = []
    for task in tasks:
        y = layout.rows[task.item.id]
        x = LEFT + task.start_day * DAY
        bar = max((task.end_day - task.start_day) * DAY, 10)
        full = compiled.text(task.item.name)
        days_taken = gettext("第 %(start)d – %(end)d 个工作日", start=task.start_day, end=task.end_day)
        tip = gettext("%(item)s（%(department)s）：%(days)s", item=full, department=compiled.department_name(task.item.department),
                      days=days_taken)
        parts.append(f'<g class="task" data-item="{escape(task.item.id)}"><title>{escape(tip)}</title>'
                     f'<rect x="{x}" y="{y}" width="{bar}" height="18" rx="3" fill="#b71c1c"/>'
                     f'<text class="label" x="{x + bar + 6}" y="{y + 13}" fill="#222">{escape(labels[task.item.id])}</text></g>')
    return parts


def _arrows(tasks: Sequence[Task], layout: _Layout) -> list[str]:
    parts = []
    by_id = {task.item.id: task for task in tasks}
    for task in tasks:
        for before in task.after:
            start = by_id[before]
            x1, y1 = LEFT + start.end_day * DAY, layout.rows[before] + 9
            x2, y2 = LEFT + task.start_day * DAY, layout.rows[task.item.id] + 9
            parts.append(f'<path d="M{x1},{y1} C{x1 + 20},{y1} {x2 - 20},{y2} {x2},{y2}" fill="none" '
                         'stroke="#444" stroke-width="1.2" marker-end="url(#arrow)"/>')
    return parts


def _legend(bottom: int, legend_word: str, legend_lines: list[str]) -> list[str]:
    y = bottom + 24
    parts = [f'<g class="legend"><text class="label" x="8" y="{y}" font-weight="bold" fill="#222">'
             f'{escape(legend_word)}</text>']
    samples = ['<rect x="8" y="{}" width="22" height="14" fill="#f4f4f4" stroke="#d0d0d0"/>',
               '<rect x="8" y="{}" width="22" height="14" rx="3" fill="#b71c1c"/>',
               '<path d="M8,{} L28,{}" stroke="#444" stroke-width="1.2" marker-end="url(#arrow)"/>', ""]
    for index, line in enumerate(legend_lines):
        y += 22
        sample = samples[index]
        if "path" in sample:
            parts.append(sample.format(y - 4, y - 4))
        elif sample:
            parts.append(sample.format(y - 11))
        parts.append(f'<text class="label" x="40" y="{y}" fill="#222">{escape(line)}</text>')
    parts.append("</g>")
    return parts
