"""Hot-spot throughput and memory, side by side with the reference libraries, in one run.

    python benchmarks/bench_hotspots.py            # full run (about 2–4 minutes on 2 cores)
    python benchmarks/bench_hotspots.py --quick    # smaller sizes, for a smoke test

Prints one table: binning (ours vs h3ronpy vs the h3-py string loop), Gi* analytic and
with 999 permutations (ours vs esda.G_Local on the same ~100 000 cells and graph),
neighbour-graph build (ours vs libpysal Graph.build_h3), clustering (ours vs sklearn
DBSCAN with the haversine metric on the raw points), and the CLI end to end on
1 000 000 synthetic incidents (wall time and peak memory of the child process).
Budgets (issue 2): Gi* analytic ≥ 50× esda, 999 permutations ≥ 5×, graph ≥ 10×,
end to end ≤ 10 s and ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import h3
import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from geo_trygghet.hotspots import grid  # noqa: E402
from geo_trygghet.hotspots.clusters import HotSpotAreas  # noqa: E402
from geo_trygghet.hotspots.gistar import gi_star  # noqa: E402
from geo_trygghet.hotspots.significance import conditional_permutation_p  # noqa: E402

ROWS: list[tuple[str, str, str, str]] = []


def timed(fn, repeat: int = 1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def row(task: str, ours: float, ref: float | None, ref_name: str, unit: str = "s") -> None:
    ratio = f"{ref / ours:,.1f}×" if ref else "–"
    ROWS.append((task, f"{ours:.3f} {unit}", f"{ref:.3f} {unit} ({ref_name})" if ref else ref_name, ratio))


def synthetic_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Incidents around a Swedish town: a diffuse background plus a few dense centres."""
    rng = np.random.default_rng(seed)
    centres = np.array([[16.545, 59.610], [16.520, 59.620], [16.560, 59.600], [16.600, 59.630]])
    k = rng.integers(0, len(centres), n)
    spread = rng.choice([0.003, 0.01, 0.04], n, p=[0.2, 0.3, 0.5])
    lon = centres[k, 0] + rng.normal(0, spread * 1.9)
    lat = centres[k, 1] + rng.normal(0, spread)
    return lon, lat


def bench_binning(n: int) -> None:
    lon, lat = synthetic_points(n)
    ours, _ = timed(lambda: grid.points_to_cell_ints(lon, lat, 9))
    loop, _ = timed(lambda: [h3.latlng_to_cell(a, b, 9) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)])
    try:
        from h3ronpy.vector import coordinates_to_cells

        ron, _ = timed(lambda: coordinates_to_cells(lat, lon, 9))
        row(f"binning {n:,} points (res 9)", ours, ron, "h3ronpy")
    except ImportError:
        ROWS.append((f"binning {n:,} points", f"{ours:.3f} s", "h3ronpy not installed", "–"))
    row(f"binning {n:,} points (res 9)", ours, loop, "h3-py str loop")


def study_grid(n_cells: int):
    """About ``n_cells`` cells at resolution 9 with counts from a smooth field plus hot spots."""
    centre = h3.latlng_to_cell(59.61, 16.545, 9)
    k = int(np.ceil((-3 + np.sqrt(9 + 12 * (n_cells - 1))) / 6))
    cells = np.sort(grid.to_int(h3.grid_disk(centre, k)))
    rng = np.random.default_rng(1)
    y = rng.poisson(rng.gamma(0.6, 2.0, len(cells))).astype(float)
    return cells, y


def bench_gi(n_cells: int, permutations: int) -> None:
    import esda
    from libpysal.graph import Graph
    from libpysal.weights import W

    cells, y = study_grid(n_cells)
    strs = list(grid.to_str(cells))
    t_graph, (indptr, indices) = timed(lambda: grid.neighbour_graph(cells), repeat=3)
    t_lib, g = timed(lambda: Graph.build_h3(strs, order=1, weight="binary"), repeat=3)
    row(f"neighbour graph, {len(cells):,} cells", t_graph, t_lib, "libpysal Graph.build_h3")

    neigh = {strs[i]: [strs[j] for j in indices[indptr[i]:indptr[i + 1]]] for i in range(len(strs))}
    w = W(neigh, id_order=strs, silence_warnings=True)
    t_ours, (z, _) = timed(lambda: gi_star(y, indptr, indices), repeat=3)
    t_esda, lg = timed(lambda: esda.G_Local(y, w, star=True, transform="B", permutations=0))
    assert np.abs(lg.Zs - z).max() <= 1e-9
    row(f"Gi* analytic, {len(cells):,} cells", t_ours, t_esda, "esda.G_Local")

    # warm esda's numba kernels on a small problem so compile time is not counted against it
    small = strs[:500]
    ws = W({s: [x for x in neigh[s] if x in set(small)] for s in small}, id_order=small, silence_warnings=True)
    esda.G_Local(y[:500], ws, star=True, transform="B", permutations=99, seed=0)
    t_perm, _ = timed(lambda: conditional_permutation_p(y, indptr, indices, permutations=permutations, seed=1))
    t_eperm, _ = timed(lambda: esda.G_Local(y, w, star=True, transform="B", permutations=permutations,
                                            seed=1, n_jobs=-1, keep_simulations=False))
    row(f"Gi* {permutations} permutations, {len(cells):,} cells", t_perm + t_ours, t_eperm, "esda.G_Local")


def bench_clusters(n: int) -> None:
    from sklearn.cluster import DBSCAN

    lon, lat = synthetic_points(n, seed=3)
    eps, min_samples = 150.0, max(10, int(np.ceil(n * 0.002)))
    t_ours, model = timed(lambda: HotSpotAreas(eps_m=eps, min_samples=min_samples).fit(lon, lat))
    X = np.radians(np.column_stack([lat, lon]))
    t_ref, ref = timed(lambda: DBSCAN(eps=eps / 6_371_000, min_samples=min_samples, metric="haversine",
                                      algorithm="ball_tree").fit(X))
    agree = np.mean((model.labels_ == -1) == (ref.labels_ == -1))
    row(f"clusters, {n:,} raw points (agreement {agree:.1%})", t_ours, t_ref, "sklearn DBSCAN haversine")


def bench_cli(n: int) -> None:
    lon, lat = synthetic_points(n, seed=5)
    rng = np.random.default_rng(5)
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730 * 24 * 60, n), unit="min")
    types = rng.choice(["misshandel", "stöld", "skadegörelse", "snatteri", "bostadsinbrott"], n)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "incidents.csv")
        pd.DataFrame({"datum": when.strftime("%Y-%m-%d %H:%M"), "brottstyp": types,
                      "lat": lat.round(6), "lon": lon.round(6)}).to_csv(path, index=False)
        out = os.path.join(tmp, "out.gpkg")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "geo_trygghet", "hotspots", path, "-o", out,
                            "--map", os.path.join(tmp, "map.html")], capture_output=True, text=True)
        wall = time.perf_counter() - t
        peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
        if r.returncode != 0:
            print(r.stderr)
            raise SystemExit("the CLI failed")
        size = os.path.getsize(os.path.join(tmp, "map.html")) / 1e6
    ROWS.append((f"CLI end to end, {n:,} incidents (CSV → GPKG + map {size:.1f} MB)",
                 f"{wall:.2f} s, peak {peak_mb:,.0f} MB", "budget ≤ 10 s, ≤ 2 048 MB",
                 "ok" if wall <= 10 and peak_mb <= 2048 else "OVER"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n_points = 200_000 if args.quick else 1_000_000
    n_cells = 20_000 if args.quick else 100_000
    try:
        bench_binning(n_points)
        bench_gi(n_cells, 999)
        bench_clusters(50_000 if args.quick else 200_000)
        bench_cli(n_points)
    finally:
        report()


def report() -> None:
    width = max(len(r[0]) for r in ROWS)
    print(f"{'task':<{width}}  {'geo_trygghet':>24}  {'reference':>40}  speed-up")
    for task, ours, ref, ratio in ROWS:
        print(f"{task:<{width}}  {ours:>24}  {ref:>40}  {ratio}")


if __name__ == "__main__":
    main()
