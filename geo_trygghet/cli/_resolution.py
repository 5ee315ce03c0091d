"""The ``--resolution N|auto`` flag of the commands that build an H3 grid."""

from __future__ import annotations

import argparse


def resolution_arg(value: str) -> int | str:
    """``auto`` or a whole number from 0 to 15 (argparse type)."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        number = int(value)
    except ValueError:
        msg = f"--resolution must be a whole number from 0 to 15 or 'auto', got {value!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not 0 <= number <= 15:
        msg = f"--resolution must be a whole number from 0 to 15 or 'auto', got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return number


RESOLUTION_HELP = ("H3 resolution (default 9, cells of about 0.1 km²), or 'auto': the finest of 7–10 at which "
                   "at least half of the incidents lie in cells with on average 5 or more per period")
