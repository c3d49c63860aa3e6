"""metrics.json: the reduction figures of :mod:`configurator.planning.figures`, overall and per case."""

from __future__ import annotations

from configurator.jsontext import dump_json
from configurator.planning.compiled import Compiled
from configurator.planning.figures import metrics


def write_metrics(compiled: Compiled) -> str:
    return dump_json(metrics(compiled))
