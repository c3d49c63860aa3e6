"""The conformance run: every case of every bundle through every consumer (`make conformance`).

    .venv/bin/python bench/conformance.py [BUNDLE.yaml ...] [--regions] [--sample N] [--browser-sample N]
                                          [--received YYYY-MM-DD] [--report FILE] [--corpus DIR]
                                          [--examples N] [--no-http] [--no-node] [--no-browser]

Without bundle files: the shipped bundles, tests/corpus/good and tests/conformance. Prints, per
consumer, the targets and cases read and the disagreements, then each class of disagreement
(consumer, bundle, fact) with its count and a reproducer; exit status 1 on any disagreement.
The pre-check runs over HTTP on a loopback port (the portal API serving a copy of the
workspace); the JavaScript consumers need the development install (`make
tests/js/node_modules/.installed`) and are reported as skipped without it; SpiffWorkflow and
JsonLogic need the test extra (`make .venv/.installed` installs it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from configurator.conformance.report import summary
from configurator.conformance.run import run_all
from configurator.conformance.targets import load_targets
from configurator.workspace.files import Workspace

DEFAULT_BUNDLES = ("bundles/*.yaml", "tests/corpus/good/*.yaml", "tests/conformance/*.yaml")
# Region files for the test bundles above, read with --regions beside the workspace's regions/.
MORE_REGIONS = ("tests/conformance/regions/*.yaml", "tests/regions_by_case/*.yaml")
NODE_SCRIPT = ROOT / "tests" / "js" / "conformance.mjs"


def more_regions() -> list[Path]:
    return sorted(p for pattern in MORE_REGIONS for p in ROOT.glob(pattern))


def serve_workspace(source: Path, bundles: list[Path], into: Path) -> tuple[str, object]:
    """The portal API on a loopback port, serving a plain workspace with these bundle files and
    the source workspace's catalogues, regions (and MORE_REGIONS) and calendars."""
    import logging

    from werkzeug.serving import make_server

    from configurator.web import create_app

    workspace = into / "workspace"
    (workspace / "bundles").mkdir(parents=True)
    for part in ("catalogues", "regions", "calendars"):
        if (source / part).is_dir():
            shutil.copytree(source / part, workspace / part)
    for path in bundles:
        shutil.copy(path, workspace / "bundles" / path.name)
    (workspace / "regions").mkdir(exist_ok=True)
    for path in more_regions():
        shutil.copy(path, workspace / "regions" / path.name)
    app = create_app({"SECRET_KEY": "conformance-" + "k" * 40, "WORKSPACE": str(workspace),
                      "DATABASE_URL": f"sqlite:///{into / 'admin.db'}"})
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundles", nargs="*", type=Path, help="bundle files (default: " + ", ".join(DEFAULT_BUNDLES) + ")")
    parser.add_argument("--regions", action="store_true", help="also every region binding a bundle (regions/)")
    parser.add_argument("--sample", type=int, default=None, help="at most N complete cases per bundle (seeded)")
    parser.add_argument("--received", default="2026-03-02", help="date of receipt for due dates (YYYY-MM-DD, or none)")
    parser.add_argument("--report", type=Path, help="write every disagreement as JSON to this file")
    parser.add_argument("--corpus", type=Path, help="keep the corpus files in this folder")
    parser.add_argument("--examples", type=int, default=1, help="reproducers printed per class of disagreement")
    parser.add_argument("--no-http", action="store_true", help="skip the pre-check over HTTP")
    parser.add_argument("--no-node", action="store_true", help="skip the JavaScript consumers")
    parser.add_argument("--no-browser", action="store_true", help="skip form.html, portal/rjsf and portal/formcreate in Chromium")
    parser.add_argument("--browser-sample", type=int, default=None,
                        help="at most N cases of each kind per bundle in Chromium (default: all)")
    options = parser.parse_args()
    paths = options.bundles or sorted(p for pattern in DEFAULT_BUNDLES for p in ROOT.glob(pattern))
    received = None if options.received == "none" else dt.date.fromisoformat(options.received)
    started = time.perf_counter()
    workspace = Workspace.find(ROOT)
    loaded = load_targets(workspace, paths, regions=options.regions, received=received, more_regions=more_regions())
    for name in loaded.invalid:
        print(f"not run (does not pass `configurator check`): {name}")
    with tempfile.TemporaryDirectory(prefix="conformance-") as scratch:
        folder = options.corpus or Path(scratch) / "corpus"
        url = server = None
        if not options.no_http:
            valid = [p for p in paths if str(p) not in loaded.invalid]
            url, server = serve_workspace(workspace.root, valid, Path(scratch))
        timings: dict[str, float] = {}
        results = run_all(loaded.targets, folder, sample=options.sample, pre_check_url=url,
                          node_script=None if options.no_node else NODE_SCRIPT, browser=not options.no_browser,
                          browser_sample=options.browser_sample, timings=timings)
        if server is not None:
            server.shutdown()  # type: ignore[attr-defined]
    print(summary(results, options.examples))
    print(f"{len(loaded.targets)} targets; {time.perf_counter() - started:.1f} s in all")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.1f} s")
    if options.corpus:
        print(f"corpus files in {folder}")
    if options.report:
        options.report.write_text(json.dumps([{"consumer": r.consumer, "target": r.target, "checked": r.checked,
                                               "skipped": r.skipped,
                                               "disagreements": [json.loads(d.reproducer()) for d in r.disagreements]}
                                              for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if any(r.disagreements for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
