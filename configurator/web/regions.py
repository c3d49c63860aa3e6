"""The regions page: a read-only table of regions × bundles with every difference from the
standard and the violations flagged, and the region files' problems.

Region files are edited as YAML through git (commit, review, merge to main): the change-request
workflow of the admin is not there yet to route such edits through.
"""

from __future__ import annotations

from flask_admin import BaseView, expose

from configurator.diagnostics import has_errors
from configurator.language.region_rules import ASPECTS
from configurator.present.region_report import region_cells
from configurator.web import language, store
from configurator.web.access import Protected
from configurator.web.api import published
from configurator.web.feedback import messages
from configurator.workspace.regions import load_regions, region_files


class RegionsView(Protected, BaseView):
    @expose("/")
    def index(self) -> str:
        state = published()
        regions = load_regions(region_files(store().workspace.root), state.bundles, state.catalogues)
        resolved = [regions.resolved(code) for code in regions.valid_codes(allow_deviations=True)]
        cells = region_cells(resolved, state.bundles)
        table = {(c.region, c.bundle): c for c in cells}
        problems = [{**m, "file": d.file} for d, m in zip(regions.diagnostics, messages(regions.diagnostics), strict=True)
                    if d.code != "E604"]
        return self.render("configurator/regions.html", regions=resolved, bundles=sorted(state.bundles), table=table,
                           aspects=ASPECTS, problems=problems, has_errors=has_errors(regions.diagnostics),
                           violations=sum(len(c.violations) for c in cells), lang=language())
