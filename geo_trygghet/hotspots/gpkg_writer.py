"""Writing a large layer in a process of its own, so that the run goes on meanwhile.

GDAL's GeoPackage writer holds Python's GIL for as long as it writes: close to three seconds for
the 831 255 cells of a national run, during which the hot-spot areas (computed in a thread of the
same process) stand still. :func:`write_elsewhere` starts a child process and streams the Arrow
table to it (Arrow IPC over its standard input, from a thread: the pipe blocks outside the GIL)
and returns at once; :meth:`Pending.wait` waits for the child and turns a failure into one line.
The child is this module run with ``python -m``: it imports pyarrow and pyogrio only (pyogrio
would load GeoPandas and pandas too, for nothing here: a third of a second), and GDAL writes the
batches as they arrive. It reads what to write (path, layer, geometry type, CRS) as the first
line of its input, so it can be started before that is known: :func:`warm` starts one early (a
by-area run does, before it reads the file), and the next :func:`write_elsewhere` takes it. A
spare that is never used ends when this process closes its input, at exit at the latest.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError


@dataclass
class Pending:
    """A layer being written by a child process."""

    process: subprocess.Popen
    feeding: threading.Thread
    path: Path
    peak_mb: float | None = None  # the child's peak memory, once it is done (where Linux says)

    def wait(self) -> Path:
        """Wait for the child; the output path, or an error naming what went wrong."""
        self.feeding.join()
        self.process.stdin = None  # closed by the feeding thread
        out, err = self.process.communicate()
        said = (out or b"").split()
        self.peak_mb = float(said[-1]) / 1024 if said and said[-1].isdigit() else None
        if self.process.returncode != 0:
            last = (err or b"").decode("utf-8", "replace").strip().splitlines()
            msg = f"writing {self.path.name} failed ({last[-1] if last else f'status {self.process.returncode}'})"
            raise InputError(msg)
        return self.path


#: a writer process started early (:func:`warm`), waiting for what to write
_SPARE: subprocess.Popen | None = None


def _start() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def warm() -> None:
    """Start a writer process now (it loads GDAL meanwhile) for the next :func:`write_elsewhere`."""
    global _SPARE
    if _SPARE is None or _SPARE.poll() is not None:
        _SPARE = _start()


def write_elsewhere(table, path: Path, *, layer: str, geometry_type: str, crs: str) -> Pending:
    """Start writing ``table`` (Arrow, WKB in ``geometry``) as ``layer`` of the GeoPackage ``path``."""
    import pyarrow as pa

    global _SPARE
    process, _SPARE = (_SPARE if _SPARE is not None and _SPARE.poll() is None else _start()), None
    header = json.dumps([str(path), layer, geometry_type, crs]).encode("utf-8") + b"\n"

    def feed() -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(header)
            with pa.ipc.new_stream(process.stdin, table.schema) as out:
                out.write_table(table, max_chunksize=65_536)
        except OSError:  # the child stopped reading: wait() says why
            pass
        finally:
            with contextlib.suppress(OSError):
                process.stdin.close()

    feeding = threading.Thread(target=feed, name="gpkg-writer-feed", daemon=True)
    feeding.start()
    return Pending(process, feeding, path)


def _child() -> None:
    for unused in ("geopandas", "pandas", "shapely", "pyproj"):  # pyogrio's optional companions
        sys.modules.setdefault(unused, None)  # type: ignore[arg-type]
    import pyarrow as pa
    import pyogrio

    line = sys.stdin.buffer.readline()  # loaded, now wait for what to write
    if not line:  # a spare nobody needed
        return
    path, layer, geometry_type, crs = json.loads(line)

    with pa.ipc.open_stream(sys.stdin.buffer) as batches:
        pyogrio.write_arrow(batches, path, layer=layer, driver="GPKG", geometry_name="geometry",
                            geometry_type=geometry_type, crs=crs)
    try:  # this process's own high-water mark (getrusage would count the parent's pages before exec)
        hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
        print(hwm.split()[1])
    except (OSError, StopIteration):
        pass


if __name__ == "__main__":
    _child()
