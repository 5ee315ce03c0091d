"""Writing a large layer in a process of its own, so that the run goes on meanwhile.

GDAL's GeoPackage writer holds Python's GIL for as long as it writes: close to three seconds for
the 831 255 cells of a national run, during which the hot-spot areas (computed in a thread of the
same process) stand still. :func:`write_elsewhere` hands the Arrow table to a child process
through an Arrow IPC file next to the output and returns at once; :meth:`Pending.wait` waits for
the child and turns a failure into one line. The child is this module run with ``python -m``:
it imports pyarrow and pyogrio only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError


@dataclass
class Pending:
    """A layer being written by a child process."""

    process: subprocess.Popen
    ipc: Path
    path: Path
    peak_mb: float | None = None  # the child's peak memory, once it is done (where Linux says)

    def wait(self) -> Path:
        """Wait for the child; the output path, or an error naming what went wrong."""
        out, err = self.process.communicate()
        self.ipc.unlink(missing_ok=True)
        said = (out or b"").split()
        self.peak_mb = float(said[-1]) / 1024 if said and said[-1].isdigit() else None
        if self.process.returncode != 0:
            last = (err or b"").decode("utf-8", "replace").strip().splitlines()
            msg = f"writing {self.path.name} failed ({last[-1] if last else f'status {self.process.returncode}'})"
            raise InputError(msg)
        return self.path


def write_elsewhere(table, path: Path, *, layer: str, geometry_type: str, crs: str) -> Pending:
    """Start writing ``table`` (Arrow, WKB in ``geometry``) as ``layer`` of the GeoPackage ``path``."""
    import pyarrow as pa

    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".arrow", dir=path.parent)
    ipc = Path(name)
    with os.fdopen(fd, "wb") as fh, pa.ipc.new_file(fh, table.schema) as out:
        out.write_table(table, max_chunksize=65_536)
    process = subprocess.Popen([sys.executable, "-m", __name__, str(ipc), str(path), layer, geometry_type, crs],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return Pending(process, ipc, path)


def _child(ipc: str, path: str, layer: str, geometry_type: str, crs: str) -> None:
    import pyarrow as pa
    import pyogrio

    with pa.memory_map(ipc) as source:
        table = pa.ipc.open_file(source).read_all()
    pyogrio.write_arrow(table, path, layer=layer, driver="GPKG", geometry_name="geometry",
                        geometry_type=geometry_type, crs=crs)
    try:  # this process's own high-water mark (getrusage would count the parent's pages before exec)
        hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
        print(hwm.split()[1])
    except (OSError, StopIteration):
        pass


if __name__ == "__main__":
    _child(*sys.argv[1:6])
