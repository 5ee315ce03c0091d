"""Remark submission latency with 50 concurrent writers, SQLite and PostgreSQL side by side.

Run from the repository root:

    python benchmarks/bench_remark_latency.py [--postgres-url URL] [--writers 50] [--per-writer 20]
                                              [--walks 5] [--processes 1] [--photo]

Each writer is a participant on a phone: it submits ``--per-writer`` remarks
(one warm-up remark first, not counted) through ``RemarkService.submit_remark``
to one of ``--walks`` walks, all writers starting together. Writers are threads
in ``--processes`` processes (1 = one app server process, as Streamlit runs
every session in threads of one process). The latency of one submission is
the wall time of the call, which returns after the commit.

PostgreSQL: a fresh database is created on the server of ``--postgres-url``
(default ``$GEO_TRYGGHET_TEST_POSTGRES_URL``) and dropped afterwards; without
a URL only SQLite runs. Budget (issue 3): p95 ≤ 200 ms on both.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BUDGET_P95_MS = 200.0


def _photo() -> bytes:
    from PIL import Image

    size = (4032, 3024)  # a 12-megapixel phone photo
    channels = [
        Image.linear_gradient("L").resize(size),
        Image.radial_gradient("L").resize(size),
        Image.effect_noise(size, 40),
    ]
    buf = io.BytesIO()
    Image.merge("RGB", channels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _writers(
    url: str, codes: list[str], first: int, count: int, per_writer: int, with_photo: bool, seed: int
) -> list[float]:
    from geo_trygghet.remarks import Actor, RemarkService

    service = RemarkService(url)
    photo = _photo() if with_photo else None
    barrier = threading.Barrier(count)
    latencies: list[float] = []
    lock = threading.Lock()

    def one(k: int) -> None:
        rng = random.Random(seed * 10_000 + k)
        code = codes[k % len(codes)]
        me = Actor.participant(code)

        def submit() -> float:
            rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            t0 = time.perf_counter()
            service.submit_remark(
                me, code, rid, "belysning", "Trasig lampa vid busshållplatsen",
                lon=15.62 + rng.random() / 100, lat=58.41 + rng.random() / 100, accuracy_m=8.0, photo=photo,
            )  # fmt: skip
            return time.perf_counter() - t0

        submit()  # warm-up: opens this thread's connection
        barrier.wait()
        mine = [submit() for _ in range(per_writer)]
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=one, args=(first + i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    service.close()
    return latencies


def _child(args: tuple) -> list[float]:  # type: ignore[type-arg]
    return _writers(*args)


def run(
    url: str, *, writers: int, per_writer: int, walks: int, processes: int, with_photo: bool
) -> dict[str, float]:
    from geo_trygghet.remarks import Actor, RemarkService

    setup = RemarkService(url)
    codes = [setup.create_walk(Actor.system(), f"Bench {i}").join_code for i in range(walks)]
    setup.close()
    per_proc = [
        writers // processes + (1 if p < writers % processes else 0) for p in range(processes)
    ]
    firsts = [sum(per_proc[:p]) for p in range(processes)]
    jobs = [
        (url, codes, firsts[p], per_proc[p], per_writer, with_photo, p + 1)
        for p in range(processes)
    ]
    t0 = time.perf_counter()
    if processes == 1:
        latencies = _writers(*jobs[0])
    else:
        with mp.get_context("spawn").Pool(processes) as pool:
            latencies = [x for part in pool.map(_child, jobs) for x in part]
    wall = time.perf_counter() - t0
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    check = RemarkService(url)
    stored = len(check.list_remarks(Actor.system()))
    check.close()
    return {
        "n": len(ms), "p50": q[49], "p95": q[94], "p99": q[98], "max": ms[-1], "mean": statistics.fmean(ms),
        "throughput": len(ms) / wall, "stored": stored,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres-url", default=os.environ.get("GEO_TRYGGHET_TEST_POSTGRES_URL", "")
    )
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--per-writer", type=int, default=20)
    parser.add_argument("--walks", type=int, default=5)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument(
        "--photo",
        action="store_true",
        help="attach a 4032×3024 JPEG (12 MP phone photo) to every remark",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from geo_trygghet.remarks.store import create_postgres_database, drop_postgres_database

    opts = {"writers": args.writers, "per_writer": args.per_writer, "walks": args.walks,
            "processes": args.processes, "with_photo": args.photo}  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite (WAL)"] = run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", **opts)
    if args.postgres_url:
        url = create_postgres_database(args.postgres_url)
        try:
            results["PostgreSQL"] = run(url, **opts)
        finally:
            drop_postgres_database(url)
    else:
        print("(no --postgres-url and no $GEO_TRYGGHET_TEST_POSTGRES_URL: PostgreSQL skipped)")

    print(
        f"\nRemark submission latency: {args.writers} concurrent writers × {args.per_writer} remarks, "
        f"{args.walks} walks, {args.processes} process(es), photo: {'yes' if args.photo else 'no'}"
    )
    names = list(results)
    print(f"{'':16}" + "".join(f"{n:>16}" for n in names))
    for key, label in (("p50", "p50 ms"), ("p95", "p95 ms"), ("p99", "p99 ms"), ("max", "max ms"),
                       ("mean", "mean ms"), ("throughput", "remarks/s"), ("n", "submissions"),
                       ("stored", "stored")):  # fmt: skip
        print(f"{label:16}" + "".join(f"{results[n][key]:>16.1f}" for n in names))
    ok = all(r["p95"] <= BUDGET_P95_MS for r in results.values())
    verdict = ", ".join(
        f"{n} {'OK' if r['p95'] <= BUDGET_P95_MS else 'OVER'}" for n, r in results.items()
    )
    print(f"budget p95 ≤ {BUDGET_P95_MS:.0f} ms: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
