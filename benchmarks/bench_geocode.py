"""Geocoding throughput, memory and accuracy against the budgets of issue 14.

    python benchmarks/bench_geocode.py            # 100 000 addresses vs a 200 000-point register
    python benchmarks/bench_geocode.py --quick    # 20 000 vs 40 000, a smoke test

Builds a synthetic register in Lantmäteriet's belägenhetsadress GeoPackage layout (SWEREF 99 TM;
see benchmarks/make_addresses.py), and address lists with ground truth: clean (as the register
writes them) and realistic dirty (abbreviations, case, dropped letters, one- or two-character
typos, numbers the register lacks, å/ä/ö swapped, mojibake, apartment tails). Runs
``geo-trygghet geocode`` end to end in a child process (reading the register, parsing, matching,
writing the CSV) and reports wall time, peak memory (max RSS of the child) and accuracy.

Budgets: ≤ 10 s and ≤ 1 GB for 100 000 addresses against 200 000 points; clean ≥ 99 % at
``exact`` within 5 m; dirty ≥ 95 % within 50 m and no wrong street reported as ``exact``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_addresses as M

from geo_trygghet.ingest.geocode import street_key


def _run(inp: Path, register: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak MB of the child ``geo-trygghet geocode``."""
    usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage0.ru_maxrss
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "geo_trygghet", "geocode", str(inp), "--register", str(register),
                        "--address", "Adress", "-o", str(out)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if r.returncode:
        raise SystemExit(r.stderr)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - usage0.ru_utime - usage0.ru_stime
    return seconds, cpu, max(usage.ru_maxrss, before) / 1024


def _distances(out: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    x, y = Transformer.from_crs(4326, 3006, always_xy=True).transform(out["lon"].to_numpy(), out["lat"].to_numpy())
    d = np.hypot(np.asarray(x) - truth["truth_x"].to_numpy(), np.asarray(y) - truth["truth_y"].to_numpy())
    return np.where(np.isfinite(d), d, np.inf)


def _wrong_street_exact(out: pd.DataFrame, truth: pd.DataFrame) -> np.ndarray:
    exact = (out["geocode_level"] == "exact").to_numpy()
    matched = out["matched_address"].fillna("").str.replace(r"\s+\d.*$", "", regex=True)
    mk = np.array([street_key(s) for s in matched])
    tk = np.array([street_key(s) for s in truth["truth_street"]])
    town_ok = np.array([m.endswith(", " + t) for m, t in zip(out["matched_address"].fillna(""), truth["Postort"],
                                                               strict=True)])
    return exact & ((mk != tk) | ~town_ok)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    n_points, n_queries = (40_000, 20_000) if a.quick else (200_000, 100_000)
    full = M.make_register(n_points, seed=7)
    dirty, drop = M.dirty_queries(full, n_queries)
    clean = M.clean_queries(full, n_queries)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reg_full, _ = M.write_register(full, folder / "full")
        reg_dirty, _ = M.write_register(full.loc[~drop].reset_index(drop=True), folder / "dropped")
        for name, queries, register in (("clean", clean, reg_full), ("dirty", dirty, reg_dirty)):
            inp, out = folder / f"{name}.csv", folder / f"{name}_out.csv"
            queries[["Adress", "Postnummer", "Postort"]].to_csv(inp, index=False)
            seconds, cpu, mb = _run(inp, register, out)
            res = pd.read_csv(out)
            d = _distances(res, queries)
            levels = res["geocode_level"].value_counts().to_dict()
            wrong = _wrong_street_exact(res, queries)
            for i in np.flatnonzero(wrong)[:5]:
                print(f"wrong street as exact: {queries['Adress'].iloc[i]!r} ({queries['Postort'].iloc[i]}), "
                      f"truth {queries['truth_street'].iloc[i]}, got {res['matched_address'].iloc[i]}")
            rows.append({
                "run": name, "addresses": len(queries),
                "register points": int(len(full) - (drop.sum() if name == "dirty" else 0)),
                "wall s": round(seconds, 2), "cpu s": round(cpu, 2), "peak MB": round(mb),
                "exact ≤ 5 m": f"{np.mean((res['geocode_level'] == 'exact').to_numpy() & (d <= 5)):.2%}",
                "≤ 50 m": f"{np.mean(d <= 50):.2%}", "wrong street as exact": int(wrong.sum()),
                "levels": ", ".join(f"{k} {v}" for k, v in levels.items()),
            })
    table = pd.DataFrame(rows)
    print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time counts "
          "the other processes' share; cpu s is this command's own)")
    with pd.option_context("display.width", 200, "display.max_colwidth", 120):
        print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
