"""The one label catalogue: every Swedish and English text of the interface and reports.

Texts live as data in ``geo_trygghet/i18n/catalogue/*.toml``, one file per area
(the shell, the analyst's pages, follow-up, walks, reports …)::

    "login.heading" = { sv = "Logga in", en = "Log in" }

    ["login.intro"]
    sv = "För problemägare, analytiker och administratörer. …"
    en = "For problem owners, analysts and administrators. …"

Swedish is required, English falls back to Swedish. A key defined twice (in one
file or in two) is an error when the catalogue is loaded, so which text shows
never depends on import order. The core returns codes and numbers; the
interfaces word them with :func:`text` (the Streamlit pages through
``geo_trygghet.ui.i18n.t``, which reads the session's language). Numbers are
written with :mod:`geo_trygghet.i18n.formatting`.

Examples
--------
>>> text("state.atgardad", "sv"), text("state.atgardad", "en")
('Åtgärdad', 'Fixed')
>>> text("shell.walk_code", "en", code="K7QX3M")
'Walk K7QX3M'
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from pathlib import Path

from .formatting import fmt_date, fmt_num, fmt_p, fmt_pct, fmt_signed_pct, fmt_value

__all__ = [
    "LANGUAGES",
    "CatalogueError",
    "all_texts",
    "fmt_date",
    "fmt_num",
    "fmt_p",
    "fmt_pct",
    "fmt_signed_pct",
    "fmt_value",
    "has",
    "text",
]

#: Language codes and their names in their own language, Swedish first (the default).
LANGUAGES: dict[str, str] = {"sv": "Svenska", "en": "English"}
DEFAULT_LANG = "sv"
CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"


class CatalogueError(ValueError):
    """The catalogue files contradict themselves (a key twice, no Swedish text, an unknown language)."""


def load_catalogue(folder: Path = CATALOGUE_DIR) -> dict[str, dict[str, str]]:
    """Read every ``*.toml`` of ``folder`` into ``{key: {"sv": …, "en": …}}``.

    Raises :class:`CatalogueError` when a key is in two files, a text has no
    Swedish version, or a language other than those of :data:`LANGUAGES` appears.
    """
    merged: dict[str, dict[str, str]] = {}
    where: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:  # a key twice in one file lands here too
            msg = f"label catalogue {path.name}: {exc}"
            raise CatalogueError(msg) from None
        for key, entry in data.items():
            if not isinstance(entry, Mapping):
                msg = f"label catalogue {path.name}: '{key}' must be a table with sv and en"
                raise CatalogueError(msg)
            if key in merged:
                msg = (f"label catalogue: '{key}' is defined in both {where[key]} and {path.name}; "
                       "keep one (or give one a more specific key)")
                raise CatalogueError(msg)
            unknown = set(entry) - set(LANGUAGES)
            if unknown or not isinstance(entry.get("sv"), str):
                msg = (f"label catalogue {path.name}: '{key}' needs a Swedish text 'sv' "
                       f"and only the languages {', '.join(LANGUAGES)}")
                raise CatalogueError(msg)
            merged[key] = {lang: str(value) for lang, value in entry.items()}
            where[key] = path.name
    return merged


@functools.cache
def all_texts() -> Mapping[str, Mapping[str, str]]:
    """The loaded catalogue (read once per process)."""
    return load_catalogue()


def has(key: str) -> bool:
    """Whether the catalogue has ``key``."""
    return key in all_texts()


def text(key: str, lang: str = DEFAULT_LANG, /, **fields: object) -> str:
    """The text of ``key`` in ``lang``, with ``{name}`` fields filled in.

    A missing English text falls back to Swedish; an unknown key returns the key
    itself, so a typo shows on the page instead of crashing it (a test checks that
    every key the code uses exists).
    """
    entry = all_texts().get(key)
    if entry is None:
        return key
    value = entry.get(lang) or entry["sv"]
    return value.format(**fields) if fields else value
