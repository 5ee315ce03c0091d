"""The curated top-level API: every name resolves, and the README's example runs as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import geo_trygghet as gt

REPO = Path(__file__).resolve().parents[1]


def test_every_exported_name_resolves() -> None:
    for name in gt.__all__:
        assert getattr(gt, name) is not None, name
    assert sorted(dir(gt)) == sorted(gt.__all__)


def test_hotspots_stays_callable_after_its_folder_is_imported() -> None:
    import geo_trygghet.hotspots.grid  # binds geo_trygghet.hotspots to the package

    assert callable(gt.hotspots)
    assert gt.hotspots.grid is geo_trygghet.hotspots.grid


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        gt.nonsense  # noqa: B018


def test_the_readme_python_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "the README's Python API section has an example"
    monkeypatch.chdir(REPO)
    exec(compile(code.group(1), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "Vilka problem är vanligast?" in out
    assert "Brotten minskade i målområdet" in out
    assert os.getcwd() == str(REPO)
