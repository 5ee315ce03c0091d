"""Shared fixtures. Sections are owned by topic; keep each block self-contained."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


# --- real data fixtures ---
@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared real data is missing: expected {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def lancashire(shared_data) -> pd.DataFrame:
    """Lancashire ASB 2022 as a frame with lon/lat (56 434 rows)."""
    df = pd.read_csv(shared_data / "lancashire_asb_2022" / "lancashire_asb_2022.csv")
    return df.rename(columns={"longitude": "lon", "latitude": "lat"})
