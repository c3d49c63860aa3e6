"""Writers: a compiled bundle → one artifact each. A registry of plain functions.

Each writer takes a ``Compiled`` (the checked bundle, the catalogues and the language) and
returns the artifact's text. ``build`` writes them all; the web admin previews them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..compiled import Compiled, dump_json
from .bpmn import write_process_bpmn
from .form_html import write_form_html
from .form_schema import write_form_schema
from .form_ui import write_form_ui
from .metrics import write_metrics
from .notice import write_notice_html, write_notice_md
from .routing import write_routing

Writer = Callable[[Compiled], str]

WRITERS: dict[str, Writer] = {
    "form.schema.json": write_form_schema,
    "form.ui.json": write_form_ui,
    "form.html": write_form_html,
    "notice.md": write_notice_md,
    "notice.html": write_notice_html,
    "routing.json": write_routing,
    "metrics.json": write_metrics,
    "process.bpmn": write_process_bpmn,
}

__all__ = ["WRITERS", "Compiled", "Writer", "dump_json"]
