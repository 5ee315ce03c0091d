"""The interpreter's own ``__main__``, kept from before any test ran.

Streamlit's AppTest runs app.py as ``__main__`` and leaves it there; a process spawned later
(Dask's worker processes) would then run app.py again on start and die. :func:`restore` puts the
interpreter's own back (conftest imports this module first, so it is kept before any AppTest).
"""

from __future__ import annotations

import sys

PYTEST_MAIN = sys.modules["__main__"]


def restore() -> None:
    sys.modules["__main__"] = PYTEST_MAIN
