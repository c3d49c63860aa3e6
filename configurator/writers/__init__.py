"""Writers: a compiled bundle → one artifact each. A registry of plain functions.

Each writer takes a ``Compiled`` (the checked bundle, the catalogues and the language) and
returns the artifact's text. ``build`` writes them all; the web admin previews them.
"""

from __future__ import annotations

from collections.abc import Callable

from configurator.jsontext import dump_json
from configurator.language.collector import collector_paused
from configurator.model import Bundle, Catalogues
from configurator.planning.compiled import Compiled
from configurator.writers.bpmn import write_process_bpmn
from configurator.writers.camunda8 import write_process_camunda8
from configurator.writers.form_formcreate import write_form_formcreate
from configurator.writers.form_html import write_form_html
from configurator.writers.form_schema import write_form_schema
from configurator.writers.form_ui import write_form_ui
from configurator.writers.metrics import write_metrics
from configurator.writers.notice import write_notice_html, write_notice_md
from configurator.writers.routing import write_routing

Writer = Callable[[Compiled], str]

WRITERS: dict[str, Writer] = {
    "form.schema.json": write_form_schema,
    "form.ui.json": write_form_ui,
    "form.html": write_form_html,
    "form.formcreate.json": write_form_formcreate,
    "notice.md": write_notice_md,
    "notice.html": write_notice_html,
    "routing.json": write_routing,
    "metrics.json": write_metrics,
    "process.bpmn": write_process_bpmn,
    "process.camunda8.bpmn": write_process_camunda8,
}


def render(bundle: Bundle, catalogues: Catalogues, lang: str = "zh-CN") -> dict[str, str]:
    """Every artifact of one bundle, by file name."""
    return render_compiled(Compiled(bundle, catalogues, lang))


def render_compiled(compiled: Compiled) -> dict[str, str]:
    """Every artifact, from a Compiled the caller may reuse (its cases are enumerated once)."""
    with collector_paused():  # many small objects and no cycles (see collector_paused)
        return {name: write(compiled) for name, write in WRITERS.items()}


__all__ = ["WRITERS", "Compiled", "Writer", "dump_json", "render", "render_compiled"]
