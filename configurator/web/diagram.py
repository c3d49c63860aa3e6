"""The routing plan as an SVG: departments as lanes, tasks as bars over working days, arrows
from a task to the ones that wait for it. Drawn for the fullest real case of the bundle."""

from __future__ import annotations

from html import escape

from configurator.planning.compiled import Compiled
from configurator.planning.figures import fullest

DAY = 48
LANE = 56
LEFT = 170
TOP = 34


def routing_svg(compiled: Compiled) -> str:
    case = fullest(compiled.scenarios[0])
    if case is None:
        return '<p class="text-muted">没有符合受理条件的情形，无法绘制。</p>'
    tasks = case.plan.tasks
    lanes = list(dict.fromkeys(task.item.department for task in tasks))
    days = max(case.plan.days, 1)
    width = LEFT + (days + 1) * DAY + 20
    height = TOP + len(lanes) * LANE + 20
    rows: dict[str, int] = {}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(compiled.text(compiled.bundle.name))} 办理流程" '
             'font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif" font-size="12">',
             '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
             '<path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>']
    for day in range(days + 1):
        x = LEFT + day * DAY
        parts.append(f'<line x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{height - 16}" stroke="#eee"/>')
        parts.append(f'<text x="{x}" y="{TOP - 12}" text-anchor="middle" fill="#777">{day}</text>')
    for lane_index, department in enumerate(lanes):
        y = TOP + lane_index * LANE
        fill = "#fafafa" if lane_index % 2 else "#ffffff"
        parts.append(f'<rect x="0" y="{y}" width="{width}" height="{LANE}" fill="{fill}" stroke="#e0e0e0"/>')
        parts.append(f'<text x="8" y="{y + LANE / 2 + 4}" font-weight="bold">'
                     f'{escape(compiled.department_name(department))}</text>')
    offsets: dict[str, int] = {}
    for task in tasks:
        lane_index = lanes.index(task.item.department)
        slot = offsets.get(task.item.department, 0)
        offsets[task.item.department] = slot + 1
        y = TOP + lane_index * LANE + 6 + (slot % 2) * 22
        rows[task.item.id] = y
        x = LEFT + task.start_day * DAY
        bar = max((task.end_day - task.start_day) * DAY, 10)
        name = escape(compiled.text(task.item.name))
        parts.append(f'<g><title>{name}：第 {task.start_day}–{task.end_day} 个工作日</title>'
                     f'<rect x="{x}" y="{y}" width="{bar}" height="18" rx="3" fill="#c62828" opacity="0.85"/>'
                     f'<text x="{x + bar + 4}" y="{y + 13}">{name}</text></g>')
    by_id = {task.item.id: task for task in tasks}
    for task in tasks:
        for before in task.after:
            start = by_id[before]
            x1, y1 = LEFT + start.end_day * DAY, rows[before] + 9
            x2, y2 = LEFT + task.start_day * DAY, rows[task.item.id] + 9
            parts.append(f'<path d="M{x1},{y1} C{x1 + 20},{y1} {x2 - 20},{y2} {x2},{y2}" fill="none" '
                         'stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"/>')
    parts.append("</svg>")
    return "".join(parts)
