"""Pausing Python's cyclic garbage collector around work that makes many objects and no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is composed, converted and checked. That
    makes thousands of small containers and no reference cycles (reference counting frees them),
    yet every 700 allocations started a collection that walked the young ones again, and now
    and then all the old ones: a quarter of the loading time. Re-enabled after (by whoever paused
    it first when threads overlap), so it is never left off; a cycle made meanwhile is
    collected then."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
