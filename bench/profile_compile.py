"""Where our compile spends its time: cProfile of check + every artifact for the synthetic bundle
of bench/compile_vs_pyxform.py (or, with ``--copies``, k copies of a shipped bundle as
bench/figures_sweep.py builds them), the top entries by cumulative and by own time.

Usage: python bench/profile_compile.py [--questions 400] [--top 25] [--repeat 9] > bench/profiles/compile-400.txt (and 50)
       python bench/profile_compile.py --copies newborn 17 > bench/profiles/compile-newborn-17.txt
       (and so for credit_repair 24 and enterprise_deregistration 27: the sweep's worst shapes, where
       the check and the case search lead)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from compile_vs_pyxform import synthetic_bundle  # noqa: E402
from figures_sweep import copies  # noqa: E402

from configurator.language.check import check_bundle, check_catalogues  # noqa: E402
from configurator.language.collector import collector_paused  # noqa: E402
from configurator.planning.compiled import Compiled  # noqa: E402
from configurator.writers import WRITERS, render  # noqa: E402


def _stats(profile: cProfile.Profile, order: str, top: int) -> str:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
    text = out.getvalue()
    # paths relative to the checkout and the interpreter, so the file is the same on any machine
    prefixes = {str(ROOT) + "/", sysconfig.get_paths()["stdlib"] + "/", *(p + "/" for p in sys.path if p.endswith("-packages"))}
    for prefix in sorted(prefixes, key=len, reverse=True):
        text = text.replace(prefix, "")
    return "\n".join(line for line in text.splitlines() if line.strip() and not line.startswith("   Ordered"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--copies", nargs=2, metavar=("BUNDLE", "COUNT"),
                        help="profile COUNT copies of a shipped bundle instead of the synthetic one")
    args = parser.parse_args()
    catalogues = check_catalogues([(p.name, p.read_bytes()) for p in sorted((ROOT / "catalogues").glob("*.yaml"))]).catalogues
    if args.copies:
        name, count = args.copies[0], int(args.copies[1])
        raw = copies(name, count)[0].encode("utf-8")
        title, path = f"{name}×{count}", f"bundles/{name}_copies.yaml"
    else:
        raw = synthetic_bundle(args.questions)[0].encode("utf-8")
        title, path = f"synthetic bundle, {args.questions} questions", "bundles/synthetic.yaml"

    def compile_once() -> None:
        checked = check_bundle(raw, path, catalogues)
        assert checked.bundle is not None
        render(checked.bundle, catalogues)

    compile_once()  # warm, as the benchmark does
    # Each stage in order on a fresh compile, the median of --repeat compiles: on a shared machine
    # one run is noise. The collector is paused around the writers as render_compiled pauses it.
    times: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        start = time.process_time()
        checked = check_bundle(raw, path, catalogues)
        times.setdefault("check", []).append(time.process_time() - start)
        assert checked.bundle is not None
        compiled = Compiled(checked.bundle, catalogues)
        with collector_paused():
            start = time.process_time()
            compiled.case_search  # noqa: B018 (computed here, shared by the writers)
            times.setdefault("case search", []).append(time.process_time() - start)
            for name, write in WRITERS.items():
                start = time.process_time()
                write(compiled)
                times.setdefault(name, []).append(time.process_time() - start)
    print(f"{title}: CPU time per stage (unprofiled, median of {args.repeat} compiles)")
    for name, taken in times.items():
        print(f"  {name:24} {1000 * statistics.median(taken):9.1f} ms")
    print(f"  {'all':24} {1000 * sum(statistics.median(taken) for taken in times.values()):9.1f} ms")
    search = compiled.case_search
    tried = f"more than {search.combinations} answer sets, a sample tried" if search.sampled else \
        f"{search.combinations} answer sets tried"
    print(f"  ({tried}, {len(search.cases)} distinct cases kept)")
    profile = cProfile.Profile()
    profile.enable()
    compile_once()
    profile.disable()
    print(f"\ncProfile of one compile (check + every artifact), top {args.top} by cumulative time")
    print(_stats(profile, "cumulative", args.top))
    print(f"\ntop {args.top} by own time")
    print(_stats(profile, "tottime", args.top))


if __name__ == "__main__":
    main()
