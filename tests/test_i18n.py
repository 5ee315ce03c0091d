"""The one label catalogue: conflicts are errors, every key the code names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo_trygghet.i18n import CatalogueError, all_texts, load_catalogue, text

PACKAGE = Path(__file__).resolve().parents[1] / "geo_trygghet"
APP = Path(__file__).resolve().parents[1] / "app.py"
#: t("key") / text("key", …) with a literal key
KEY_CALL = re.compile(r"""\b(?:t|text)\(\s*["']([A-Za-z0-9_.\-]+)["']""")


def test_a_key_in_two_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('"col.fixed" = { sv = "Åtgärdad", en = "Fixed" }\n')
    (tmp_path / "b.toml").write_text('"col.fixed" = { sv = "Åtgärdat", en = "Fixed" }\n')
    with pytest.raises(CatalogueError, match="'col.fixed' is defined in both a.toml and b.toml"):
        load_catalogue(tmp_path)


def test_a_key_twice_in_one_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('"x" = { sv = "Ett" }\n"x" = { sv = "Två" }\n')
    with pytest.raises(CatalogueError, match=r"a\.toml"):
        load_catalogue(tmp_path)


def test_swedish_is_required_and_languages_are_known(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('"x" = { en = "Only English" }\n')
    with pytest.raises(CatalogueError, match="needs a Swedish text"):
        load_catalogue(tmp_path)
    (tmp_path / "a.toml").write_text('"x" = { sv = "Ja", de = "Ja" }\n')
    with pytest.raises(CatalogueError, match="only the languages sv, en"):
        load_catalogue(tmp_path)


def test_the_shipped_catalogue_loads_and_falls_back_to_swedish() -> None:
    texts = all_texts()
    assert len(texts) > 300
    assert text("label.fixed", "sv") == "Åtgärdat"
    assert text("label.fixed", "en") == "Fixed"
    assert text("no.such.key", "en") == "no.such.key"


def test_every_literal_key_in_the_code_is_in_the_catalogue() -> None:
    texts = all_texts()
    missing: dict[str, str] = {}
    for path in [APP, *PACKAGE.rglob("*.py")]:
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            if key not in texts and not key.endswith("."):  # "role." + role: a prefix
                missing.setdefault(key, str(path.relative_to(PACKAGE.parent)))
    assert not missing, f"keys used in code but missing from geo_trygghet/i18n/catalogue: {missing}"


def test_importing_the_catalogue_folder_does_not_hide_the_lookup() -> None:
    """Tools that follow imports (schemathesis) may import i18n/catalogue/ as a namespace module:
    the lookup function must not share its name."""
    import importlib

    importlib.import_module("geo_trygghet.i18n.catalogue")
    assert text("label.fixed", "en") == "Fixed"
