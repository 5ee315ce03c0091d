"""Forecast scores on held-out data: `auto` against the last-3-years count baseline, in one run.

    python benchmarks/bench_forecast.py

For each dataset (the sample municipality, and Lancashire's real 2022 anti-social behaviour
records by month, read from ../shared/data), the forecast trains up to a date and is scored on
the months after it: hit rate, PAI and PEI at 1, 3, 5 and 10 % of the study area (true H3 cell
areas, ties broken pessimistically as ptools::pai), for `auto` (rolling-origin validation inside
the training data), the baseline `count` (the last three years) and the other fixed methods.
Budget (issue 13): auto's PEI at 3 % ≥ the baseline's on every dataset scored here.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo_trygghet.hotspots.forecast import forecast  # noqa: E402
from geo_trygghet.ingest.incidents import read_boundary, read_incidents  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "sample_data"
LANCASHIRE = SHARED / "lancashire_asb_2022" / "lancashire_asb_2022.csv"
#: name, incidents, boundary (None: the convex hull, as hotspots), [(train until, test until), …]:
#: the full table for the first split, auto against the baseline for the others
DATASETS = [
    ("sample kommun (synthetic), res 9", SAMPLE / "incidents.csv", None,
     [("2024-06-30", "2024-12-31"), ("2024-09-30", "2024-12-31"), ("2023-12-31", "2024-12-31")]),
    ("sample tätort (--boundary), res 9", SAMPLE / "incidents.csv", SAMPLE / "tatort.geojson",
     [("2024-06-30", "2024-12-31"), ("2024-09-30", "2024-12-31"), ("2023-12-31", "2024-12-31")]),
    ("Lancashire ASB 2022 (monthly), res 9", LANCASHIRE, None,
     [("2022-09-30", "2022-12-31"), ("2022-10-31", "2022-12-31"), ("2022-11-30", "2022-12-31"),
      ("2022-06-30", "2022-12-31")]),
]


def fmt(values: list[float]) -> str:
    return " ".join(f"{v:6.3f}" for v in values)


def main() -> int:
    failed = []
    print(f"{'dataset':<38} {'method':<36} {'hit rate @1/3/5/10 %':<29} {'PAI @1/3/5/10 %':<29} "
          f"{'PEI @1/3/5/10 %':<29} time")
    for name, path, boundary_path, splits in DATASETS:
        if not os.path.exists(path):
            print(f"{name}: {path} is missing, skipped")
            continue
        boundary_gdf = read_boundary(boundary_path) if boundary_path else None
        incidents = read_incidents(path, boundary=boundary_gdf).gdf
        boundary = boundary_gdf.geometry.union_all() if boundary_gdf is not None else None
        for i, (train, test) in enumerate(splits):
            if not score_split(name, incidents, boundary, train, test, full=i == 0):
                failed.append(f"{name} {train}")
    if failed:
        print("auto is below the baseline on: " + ", ".join(failed))
        return 1
    return 0


def score_split(name: str, incidents, boundary, train: str, test: str, *, full: bool) -> bool:
    """Score one split; print the whole table (full) or auto against the baseline; True when auto ≥ baseline."""
    results = {}
    for method in ("auto", "count", "decay", "kde") if full else ("auto", "count"):
        start = time.perf_counter()
        res = forecast(incidents, train_until=train, test_until=test, method=method, boundary=boundary)
        seconds = time.perf_counter() - start
        results[method] = res
        label = method if method != "auto" else f"auto → {res.method.name} {res.method.parameters()}"
        label = label.replace("'", "").replace("_days", "")
        if full:
            print(f"{name:<38} {label:<36} {fmt([s.hit_rate for s in res.scores]):<29} "
                  f"{fmt([s.pai for s in res.scores]):<29} {fmt([s.pei for s in res.scores]):<29} {seconds:.1f} s")
    auto, base = results["auto"].scores[1].pei, results["count"].scores[1].pei
    folds = results["auto"].validation.folds
    chosen = results["auto"].method
    verdict = "ok" if auto >= base else "WORSE"
    print(f"{name if not full else '':<38} train until {train}, test until {test}: auto ({chosen.name} "
          f"{chosen.parameters()}, {folds} folds) PEI@3 % {auto:.4f} vs baseline {base:.4f}: {verdict}")
    return auto >= base


if __name__ == "__main__":
    raise SystemExit(main())
