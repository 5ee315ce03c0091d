"""A remark writer process for the concurrency tests and the benchmark.

    python tests/_remarks_writer.py DB_URL WALK_CODE COUNT [THREADS]

Each of THREADS threads submits COUNT remarks as a participant holding
WALK_CODE and prints ``<uuid> <number> <seconds>`` on its own line, flushed,
only after the service has acknowledged (committed) it. COUNT 0 means: keep
going until killed.
"""

from __future__ import annotations

import itertools
import random
import sys
import threading
import time
import uuid

from geo_trygghet.remarks import Actor, RemarkService

_print_lock = threading.Lock()


def write(service: RemarkService, code: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    me = Actor.participant(code)
    for i in itertools.count():
        if count and i >= count:
            break
        rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        start = time.perf_counter()
        remark = service.submit_remark(
            me,
            code,
            rid,
            "belysning",
            f"Anmärkning {i}",
            lon=15.62 + rng.random() / 100,
            lat=58.41,
            accuracy_m=8,
        )
        took = time.perf_counter() - start
        with _print_lock:
            print(f"{remark.id} {remark.number} {took:.6f}", flush=True)


def main(argv: list[str]) -> int:
    url, code, count = argv[0], argv[1], int(argv[2])
    threads = int(argv[3]) if len(argv) > 3 else 1
    seed = int(argv[4]) if len(argv) > 4 else uuid.uuid4().int
    service = RemarkService(url)
    workers = [
        threading.Thread(target=write, args=(service, code, count, seed * 1000 + t))
        for t in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
