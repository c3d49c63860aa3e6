"""The general notice is built once per compile and shared by notice.md, notice.html and the regional
pages: what one caller adds to its copy never reaches another's."""

from __future__ import annotations

import pytest

from configurator.planning.compiled import Compiled
from configurator.writers.notice import general_notice, notice_document, write_notice_html, write_notice_md
from tests.compile_helpers import SHIPPED_IDS, compiled


@pytest.mark.parametrize("bundle_id", SHIPPED_IDS)
def test_a_caller_adding_to_the_notice_changes_nobody_elses(bundle_id: str) -> None:
    shared = Compiled(compiled(bundle_id).bundle, compiled(bundle_id).catalogues)
    alone = notice_document(Compiled(compiled(bundle_id).bundle, compiled(bundle_id).catalogues))
    first = general_notice(shared)
    first.heading("added by a regional page")
    first.table(["a"], [["b"]])
    assert write_notice_md(shared) == alone.markdown()
    assert write_notice_html(shared) == alone.html(shared.lang)
    assert general_notice(shared).blocks == alone.blocks
