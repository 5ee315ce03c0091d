"""The CLI against the machine's floor, in one run on the same files (issue 15).

    python benchmarks/bench_scale.py                  # everything, each measurement twice
    python benchmarks/bench_scale.py --only spread town --repeat 3
    python benchmarks/bench_scale.py --quick          # a tenth of the sizes, for a smoke test

Cases (files written once to --data, default /tmp/geo_trygghet_scale, and reused):

``spread``    1,000,000 incidents in a CSV: 800,000 spread over about 80 × 100 km and 200,000 around
              a town centre (tests/_scale_data.py);
``town``      1,000,000 incidents around four centres of one town (the README's older set);
``national``  2,000,000 incidents over Sweden (around the tätorter by population, plus a rural
              share), run with ``--by kommun --resolution 8``: all 290 kommuner, each its own study area.
              The CLI keeps the kommuner's H3 index in its cache directory: the script gives it a new
              one, so the first run builds the index (shown as "new cache") and the others read it;
``dask20m``   20,000,000 incidents as 20 Parquet files (the spread case over ten years), run with
              ``--engine dask`` (a local cluster of 2 worker processes).

The **floor** is the bare minimum on the same file, in a fresh Python process: read the CSV with
pyarrow, bin the points with a vectorised H3 library (h3ronpy) and count per cell. The CLI is
``geo-trygghet hotspots FILE -o OUT.gpkg`` end to end (process start, imports, ingest with all
its checks, Gi*, FDR, hot-spot areas, GeoPackage). Both are timed by wall clock, and their peak
memory is each process's own maximum resident set (for the CLI as it reports it itself; with
Dask the driver's, and the workers' separately). Budgets: CLI ≤ 2 × floor on spread and town,
national by-kommun ≤ 5 × floor, Dask driver ≤ 3 GB. The machine's load average is printed with
every row: shared machines are noisy, so run it more than once.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FLOOR = """
import sys, time, resource
t = time.perf_counter()
import numpy as np, pyarrow.csv as pc
from h3ronpy.vector import coordinates_to_cells
table = pc.read_csv(sys.argv[1])
cells = np.asarray(coordinates_to_cells(table["lat"].to_numpy(), table["lon"].to_numpy(), int(sys.argv[2])))
uniq, counts = np.unique(cells, return_counts=True)
print(len(uniq), int(counts.sum()), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

ROWS: list[tuple[str, ...]] = []


def load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def make_files(data: Path, scale: float, only: set[str]) -> dict[str, Path]:
    """Write the cases' files (once; kept in ``data`` for later runs)."""
    from tests._scale_data import incident_frame, spread_points, write_case

    data.mkdir(parents=True, exist_ok=True)
    n = int(1_000_000 * scale)
    files = {"spread": data / f"spread_{n}.csv", "town": data / f"town_{n}.csv",
             "national": data / f"national_{2 * n}.csv", "dask20m": data / f"spread_{20 * n}_parquet"}
    for case, path in files.items():
        if case not in only or path.exists():
            continue
        print(f"writing {path} …", file=sys.stderr, flush=True)
        if case == "national":
            write_case("national", 2 * n, path)
        elif case == "dask20m":
            tmp = path.with_suffix(".tmp")
            tmp.mkdir(exist_ok=True)
            per = n  # 20 files of n rows, ten years
            for i in range(20):
                lon, lat = spread_points(per, seed=100 + i)
                df = incident_frame(lon, lat, seed=200 + i, start="2015-01-01", days=3652, text=False)
                df.to_parquet(tmp / f"part-{i:02d}.parquet", index=False, row_group_size=250_000)
            tmp.rename(path)
        else:
            write_case(case, n, path)
    return files


#: the CLI's cache directory (settings.cache_dir), new for every run of this script
CACHE = Path(tempfile.mkdtemp(prefix="geo_trygghet_bench_cache_"))


def _run(argv: list[str]) -> tuple[float, float, int, str, str]:
    """Wall time, CPU time (user + system, the process and the children it waited for), exit
    status, stdout and stderr of a child process."""
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True,
                                env={**os.environ, "GEO_TRYGGHET_CACHE_DIR": str(CACHE)})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, proc.returncode, out.read(), err.read()


def run_floor(path: Path, resolution: int) -> tuple[float, float, float]:
    wall, cpu, code, out, err = _run([sys.executable, "-c", FLOOR, str(path), str(resolution)])
    if code:
        raise SystemExit(f"the floor failed: {err}")
    return wall, cpu, float(out.split()[-1])


def run_cli(args: list[str]) -> tuple[float, float, float, float | None, str]:
    """Wall time, CPU time, the CLI's own peak memory (MB) and the Dask workers' peak (if any)."""
    wall, cpu, code, out, err = _run([sys.executable, "-m", "geo_trygghet", *args])
    if code != 0:
        print(out, err, file=sys.stderr)
        raise SystemExit(f"the CLI failed: {' '.join(args)}")
    last = out.strip().splitlines()[-1]
    peak = float(re.search(r"peak memory ([\d,]+) MB", last).group(1).replace(",", ""))
    workers = re.search(r"Dask workers' peak ([\d,]+) MB", last)
    writer = re.search(r"GeoPackage writer's ([\d,]+) MB", last)
    if writer:  # a national layer is written by a child process: its peak beside this one's
        out += f"\nwriter {writer.group(1)} MB"
    return wall, cpu, peak, float(workers.group(1).replace(",", "")) if workers else None, out


def bench_case(case: str, path: Path, tmp: Path, repeat: int) -> None:
    by_area = case == "national"
    resolution = 8 if by_area else 9
    budget = 5.0 if by_area else 2.0
    cli = ["hotspots", str(path), "-o", str(tmp / f"{case}.gpkg")]
    if by_area:
        cli += ["--by", "kommun", "--resolution", "8"]
    # the first by-area run builds the kommuner's area index into a new cache; the others read it
    for i in range(repeat + 1 if by_area else repeat):
        before = load()
        floor, floor_cpu, floor_mb = run_floor(path, resolution)
        wall, cpu, peak, _, out = run_cli(cli)
        ratio = wall / floor
        label = f"{case} #{i + 1}" + (" (new cache)" if by_area and i == 0 else "")
        writer = re.search(r"^writer ([\d,]+) MB", out, re.MULTILINE)
        ROWS.append((label, f"{floor:.2f} s, cpu {floor_cpu:.2f} s, {floor_mb:,.0f} MB",
                     f"{wall:.2f} s, cpu {cpu:.2f} s, {peak:,.0f} MB" + (f" + writer {writer.group(1)} MB" if writer
                                                                          else ""),
                     f"{ratio:.2f}× (≤ {budget:g}×: {'ok' if ratio <= budget else 'OVER'}); cpu {cpu / floor_cpu:.2f}×",
                     f"{before} → {load()}"))
        print(ROWS[-1], file=sys.stderr, flush=True)
    if by_area:
        print("\n".join(line for line in out.splitlines() if line.startswith(("areas:", "cells:"))), file=sys.stderr)


def bench_dask(path: Path, tmp: Path, repeat: int) -> None:
    for i in range(repeat):
        before = load()
        wall, _, peak, workers, out = run_cli(["hotspots", str(path), "-o", str(tmp / "dask.gpkg"), "--engine",
                                               "dask", "--workers", "2"])
        rows = re.search(r"([\d,]+) rows read", out).group(1)
        ROWS.append((f"dask20m #{i + 1} ({rows} rows, Parquet)", "–", f"{wall:.1f} s",
                     f"driver {peak:,.0f} MB (≤ 3 072: {'ok' if peak <= 3072 else 'OVER'}), workers' peak "
                     f"{workers or 0:,.0f} MB", f"{before} → {load()}"))
        print(ROWS[-1], file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each measurement (default 2)")
    ap.add_argument("--only", nargs="+", default=["spread", "town", "national", "dask20m"],
                    choices=["spread", "town", "national", "dask20m"])
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "geo_trygghet_scale")
    args = ap.parse_args()
    files = make_files(args.data, 0.1 if args.quick else 1.0, set(args.only))
    compiled()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for case in ("spread", "town", "national"):
                if case in args.only:
                    bench_case(case, files[case], Path(tmp), args.repeat)
            if "dask20m" in args.only:
                bench_dask(files["dask20m"], Path(tmp), args.repeat)
        finally:
            shutil.rmtree(CACHE, ignore_errors=True)
            report()


def compiled() -> None:
    """Byte-compile the package first, as ``pip install`` does and as any first run leaves it: the
    CLI is measured as it runs every day, not with its first run's compiling (which this machine's
    PYTHONDONTWRITEBYTECODE=1 would otherwise repeat on every run)."""
    import compileall

    compileall.compile_dir(str(REPO / "geo_trygghet"), quiet=1)


def report() -> None:
    print(f"{os.cpu_count()} cores; python {sys.version.split()[0]}")
    head = ("case", "floor (pyarrow + h3ronpy + count): wall, cpu, peak", "geo-trygghet hotspots: wall, cpu, peak",
            "ratio (wall; cpu) / Dask memory", "load before → after")
    widths = [max(len(r[i]) for r in [head, *ROWS]) for i in range(len(head))]
    for r in [head, *ROWS]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
