"""Benchmark: `configurator build` for 10, 100 and 1,000 generated bundles (is it linear?), and
the in-process check + compile time of each shipped bundle (the admin's preview budget: 20 ms).

Bundles are generated as in check_many.py: copies of the largest shipped bundle with their
own situation names. Each build runs as a user runs it: a new process, one worker per core.

Usage: python bench/build_many.py [--counts 10 100 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from check_many import generate  # noqa: E402

from configurator.language.check import check_bundle  # noqa: E402
from configurator.workspace.files import Workspace  # noqa: E402
from configurator.writers import render  # noqa: E402


def time_build(workspace: Path) -> float:
    out = workspace / "dist"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "configurator", "build", "--out", str(out)], cwd=workspace,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def compile_times(repeat: int) -> None:
    catalogues = Workspace.find(ROOT).catalogue_check.catalogues
    print("in-process check + compile of each shipped bundle (every artifact), best of", repeat * 10)
    for path in sorted((ROOT / "bundles").glob("*.yaml"), key=lambda p: -p.stat().st_size):
        raw = path.read_bytes()
        samples = []
        for _ in range(repeat * 10):
            start = time.perf_counter()
            bundle = check_bundle(raw, f"bundles/{path.name}", catalogues).bundle
            assert bundle is not None
            render(bundle, catalogues)
            samples.append(time.perf_counter() - start)
        print(f"  {path.stem:<12} {path.stat().st_size:>6} bytes   best {1000 * min(samples):6.1f} ms"
              f"   median {1000 * statistics.median(samples):6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    compile_times(args.repeat)
    print("configurator build (new process, all cores):")
    for count in args.counts:
        with tempfile.TemporaryDirectory() as folder:
            workspace = Path(folder)
            generate(workspace, count)
            samples = [time_build(workspace) for _ in range(args.repeat)]
            best = min(samples)
            print(f"  {count:>5} bundles   best {best:7.3f} s   median {statistics.median(samples):7.3f} s"
                  f"   {1000 * best / count:6.2f} ms/bundle")


if __name__ == "__main__":
    main()
