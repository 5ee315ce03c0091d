import os
import subprocess
import sys

import pytest

from geo_trygghet.cli import COMMANDS, main


def test_every_command_has_help(capsys):
    for name in COMMANDS:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0
        assert "usage: geo-trygghet" in capsys.readouterr().out


def test_usage_error_is_one_line_and_exit_2():
    r = subprocess.run([sys.executable, "-m", "geo_trygghet", "hotspots"], capture_output=True, text=True)
    assert r.returncode == 2
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) <= 2 and "Traceback" not in r.stderr  # argparse: usage line + error line
    assert "required" in r.stderr


def test_missing_input_file_is_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "geo_trygghet", "hotspots", str(tmp_path / "nope.csv"),
                        "-o", str(tmp_path / "o.gpkg")], capture_output=True, text=True)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "nope.csv" in r.stderr


def test_help_loads_no_analysis_libraries():
    """`geo-trygghet --help` builds every subcommand's parser without pandas, GeoPandas or SciPy
    (they load only when a command runs), so that it starts fast."""
    code = ("import sys; from geo_trygghet.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('pandas', 'geopandas', 'scipy', 'shapely', 'dask') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"


def test_hotspots_run_loads_no_scipy(tmp_path):
    """The hot-spot command's path (ingest, grid, Gi*, hot-spot areas, GeoPackage) needs no SciPy."""
    from tests._scale_data import incident_frame, town_points

    path = tmp_path / "t.csv"
    incident_frame(*town_points(5_000, seed=3), seed=4).to_csv(path, index=False)
    code = ("import sys; from geo_trygghet.cli import main; "
            f"main(['hotspots', {str(path)!r}, '-o', {str(tmp_path / 'o.gpkg')!r}]); "
            "print('scipy' in sys.modules, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stderr.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("command", ["hotspots", "emerging", "forecast"])
def test_output_that_is_not_a_geopackage_is_one_line(tmp_path, command):
    """The three commands that write a GeoPackage refuse another ending before reading anything."""
    src = tmp_path / "in.csv"
    src.write_text("lat,lon,date\n59.0,16.2,2024-01-01\n")
    extra = ["--train-until", "2024-06-30", "--test-until", "2024-12-31"] if command == "forecast" else []
    r = subprocess.run([sys.executable, "-m", "geo_trygghet", command, str(src), "-o", str(tmp_path / "o.shp"),
                        *extra], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "must end in .gpkg" in r.stderr


def test_boundary_and_by_area_exclude_each_other(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("lat,lon,date\n59.0,16.2,2024-01-01\n")
    r = subprocess.run([sys.executable, "-m", "geo_trygghet", "hotspots", str(src), "-o", str(tmp_path / "o.gpkg"),
                        "--by", "kommun", "--boundary", str(tmp_path / "b.geojson")], capture_output=True, text=True)
    assert r.returncode == 2 and "exclude each other" in r.stderr


def test_the_commands_that_keep_freed_memory_are_commands_and_serve_is_not_one():
    from geo_trygghet.cli import ANALYSES

    assert set(COMMANDS) >= ANALYSES and "hotspots" in ANALYSES and "serve" not in ANALYSES


@pytest.mark.parametrize(("command", "own", "seen"), [("hotspots", None, "1"), ("hotspots", "3", "3"),
                                                      ("serve", None, "None")])
def test_analyses_run_openblas_on_one_thread_unless_the_user_says_otherwise(command, own, seen):
    """And without NumPy's huge pages: what the process sees once NumPy is loaded."""
    code = ("import os, sys; sys.argv = ['geo-trygghet', sys.argv[1]]; import geo_trygghet.cli as cli; "
            "cli.main = lambda: print(os.environ.get('OPENBLAS_NUM_THREADS'), "
            "__import__('numpy')._core.multiarray._get_madvise_hugepage()) or 0; cli.console()")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "NUMPY_MADVISE_HUGEPAGE")}
    if own is not None:
        env["OPENBLAS_NUM_THREADS"] = own
        env["NUMPY_MADVISE_HUGEPAGE"] = "1"
    r = subprocess.run([sys.executable, "-c", code, command], capture_output=True, text=True, env=env)
    threads, huge = r.stdout.split()
    assert r.returncode == 0 and threads == seen
    ask = "import numpy; print(numpy._core.multiarray._get_madvise_hugepage())"
    default = subprocess.run([sys.executable, "-c", ask], capture_output=True, text=True,
                             env=env).stdout.strip()  # NumPy's own choice
    assert huge == (default if command == "serve" or own is not None else "False")
