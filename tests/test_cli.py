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
