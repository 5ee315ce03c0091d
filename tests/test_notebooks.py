"""Execute the analyst's walkthrough notebook end to end (cwd = notebooks/), as CI does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "python3"


def ensure_kernel() -> None:
    """Install an ipykernel spec into this interpreter's prefix if ``python3`` is missing
    (jupyter_client runs a spec whose argv starts with ``python`` with sys.executable)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL],
                       check=True, capture_output=True)


@pytest.mark.parametrize("name", ["analyst_walkthrough.ipynb"])
def test_notebook_runs(name, tmp_path, monkeypatch):
    ensure_kernel()
    monkeypatch.setenv("GEO_TRYGGHET_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError with the failing cell on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    # what the walkthrough promises to produce
    assert (tmp_path / "hotspots_karta.html").stat().st_size > 10_000
    assert (tmp_path / "lagesbild.pdf").read_bytes().startswith(b"%PDF")
    report = (tmp_path / "lagesbild.html").read_text(encoding="utf-8")
    assert "Är fenomenet koncentrerat till vissa platser" in report
    public = gpd.read_file(tmp_path / "publika_celler.gpkg", layer="cells")
    assert not public["count"].dropna().astype(int).isin([1, 2]).any()
    assert not public.geom_type.isin(["Point", "MultiPoint"]).any()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.get("outputs", []) if o.get("output_type") == "stream")
    assert "Vilka problem är vanligast?" in printed
    assert not list(NOTEBOOKS.glob("utdata*")), "the notebook must write to GEO_TRYGGHET_NOTEBOOK_OUT"
