"""Swedish addresses as they are written → street keys, number, letter, postcode.

A kommun's exports write one address in many ways: ``Storgatan 12 B``, ``STORGATAN 12b``,
``Storg. 12 B, lgh 1102``, ``St. Nygatan 4–6``, ``Åvägen nr 37``, ``Ã…vÃ¤gen 37`` (UTF-8 read as
Windows-1252), ``&Aring;v&auml;gen 37``, ``Avagen 37``, ``Storgatan 12, 123 45 Storstad``, and
a walk protocol hides it in a sentence (``Trasig belysning på Åvägen nr 37``). The police's
event feed writes places as ``Vällingby, Bergslagsvägen, Stockholm``.

:func:`parse_address` finds the street, the number (a range keeps its first number and its
last), the letter, the postcode and the other place names; :func:`street_key` turns a street
name into the key both the register and the input are compared by: lower case, å/ä → a, ö → o
(also when written ``ae``/``oe``/``aa``), ``S:t``/``Sankt``, ``G:a``/``Gamla``, ``1:a``/``Första``
spelled alike, and everything but letters and digits removed. An abbreviated name gives several
keys (``St. Torget`` → stortorget, storatorget, sankttorget); the matcher takes the first one the
register knows.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["ParsedAddress", "fix_text", "parse_address", "parse_number", "parse_postcode", "street_key",
           "street_keys"]

#: the generic last parts of Swedish street names (after å/ä/ö folding): a word ending in one of
#: these is taken for a street in free text.
GENERICS = (
    "gatan", "gata", "vagen", "vag", "granden", "grand", "stigen", "stig", "backen", "backe", "torget", "torg",
    "platsen", "plats", "planen", "plan", "allen", "alle", "leden", "led", "gangen", "gang", "kajen", "kaj",
    "bron", "esplanaden", "promenaden", "slingan", "svangen", "kroken", "vagen", "liden", "hojden", "tappan",
    "ringen", "strak", "straket", "parken", "bryggan", "stranden", "vallen", "hagen", "ängen", "angen", "udden",
)  # fmt: skip
_GENERIC_RE = re.compile(r"(?:" + "|".join(sorted(set(GENERICS), key=len, reverse=True)) + r")$")

#: abbreviations at the end of a street name → their spellings out, most likely first
_SUFFIX_ABBREV: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"^(.+?)(?:g\.|gat\.|gt\.)$"), ("gatan", "gata")),
    (re.compile(r"^(.+?)(?:v\.|vg\.?)$"), ("vägen", "väg")),
    (re.compile(r"^(.+?)(?:pl\.|pl)$"), ("platsen", "plan", "plats")),
    (re.compile(r"^(.+?)(?:gr\.)$"), ("gränd", "gränden")),
    (re.compile(r"^(.+?)(?:tg\.?|torg\.)$"), ("torget", "torg")),
    (re.compile(r"^(.+?)(?:all\.)$"), ("allén", "allé")),
    (re.compile(r"^(.+?)(?:st\.)$"), ("stigen", "stig")),
)
#: an abbreviation standing alone as the last word ("Kristinas v.", "Stora gat.")
_WORD_ABBREV = {
    "g.": ("gatan", "gata"), "gat.": ("gatan", "gata"), "gat": ("gatan", "gata"), "v.": ("vägen", "väg"),
    "vg": ("vägen", "väg"), "vg.": ("vägen", "väg"), "pl.": ("platsen", "plan", "plats"), "tg": ("torget",),
    "tg.": ("torget",), "gr.": ("gränd",),
}  # fmt: skip
#: abbreviations as the first word → spellings out (joined with a space or, for Stor-, without)
_PREFIX_ABBREV = {
    "st.": ("stora ", "stor", "sankt "), "st": ("stora ", "stor", "sankt "), "sto.": ("stora ", "stor"),
    "sto": ("stora ", "stor"), "n.": ("norra ",), "s.": ("södra ",), "v.": ("västra ",), "ö.": ("östra ",),
    "ö": ("östra ",), "l.": ("lilla ",), "g.": ("gamla ",), "sdr": ("södra ",), "sdr.": ("södra ",),
    "no.": ("norra ",), "lla": ("lilla ",), "l:a": ("lilla ",),
}  # fmt: skip
#: spellings that mean the same in a key (applied to register and input alike, before folding)
_CANONICAL = (
    (re.compile(r"\bs:t\.?\s*"), "sankt "), (re.compile(r"\bs:ta\s*"), "sankta "), (re.compile(r"\bg:a\s*"), "gamla "),
    (re.compile(r"\bst:a\s*"), "stora "), (re.compile(r"\bl:a\s*"), "lilla "), (re.compile(r"\b1:a\s*"), "första "),
    (re.compile(r"\b2:a\s*"), "andra "), (re.compile(r"\b3:e\s*"), "tredje "), (re.compile(r"\b4:e\s*"), "fjärde "),
    (re.compile(r"\b5:e\s*"), "femte "),
)  # fmt: skip
_MOJIBAKE = re.compile(r"[ÃÂ][\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u203a\u20ac]")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NON_KEY = re.compile(r"[^a-z0-9]+")
_DOUBLE_A = re.compile(r"a{2,}")

_POSTCODE = re.compile(r"(?<![\d-])(?:SE-?\s?)?(\d{3})\s?(\d{2})(?!\d)")
#: apartment, floor, entrance and c/o tails, dropped (the building stands still)
_UNIT = re.compile(
    r"(?:\b(?:lgh|lägenhet|lagenhet|lag|apt|apartment)\.?\s*(?:nr\.?\s*)?\d+\w*"
    r"|\b\d+\s*(?:tr|trappor|trappa|van|vån|våning|vaning)\b\.?"
    r"|\b(?:vån|våning|vaning)\.?\s*\d+\b"
    r"|\b(?:uppg|uppgång|uppgang|ingång|port)\.?\s*[A-Za-z0-9]\b"
    r"|\b(?:bv|bottenvåning|nb|ög|vind|källare)\b"
    r"|\bc/o\b.*$)",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"(?:(?<=\s)|^)(?:(?:nr|nummer|no|n:o)\.?\s*)?(\d{1,4})"
    r"(?:\s?([A-Za-z])(?![A-Za-zÅÄÖåäöéü]))?"
    r"(?:\s*[-–—/]\s*(?:(\d{1,4})(?:\s?[A-Za-z](?![A-Za-zÅÄÖåäö]))?|[A-Za-z](?![A-Za-zÅÄÖåäö])))?"
    r"(?=$|[\s,;.)(])",
    re.IGNORECASE,
)
_NUMBER_ONLY = re.compile(
    r"^\s*(?:(?:nr|nummer|no)\.?\s*)?(\d{1,4})\s*([A-Za-z])?\s*(?:[-–—/]\s*(\d{1,4})\s*[A-Za-z]?)?\s*$",
    re.IGNORECASE,
)
#: words that end a street name when read backwards from its number in a sentence
_STOP_WORDS = frozenset((
    "vid", "på", "i", "mot", "utanför", "nära", "framför", "bakom", "längs", "från", "till", "hos", "invid",
    "mellan", "och", "samt", "vid.", "korsningen", "hörnet", "in", "ute", "uppe", "nere", "at", "on", "near", "the",
))
_LOWER_OK = frozenset({"gata", "gatan", "väg", "vägen", "allé", "gränd", "torg", "plan", "backe", "stig", "v.", "g.",
                       "gat.", "pl.", "s:t", "s:ta", "von", "af", "de", "la", "le", "du", "van", "der"})  # fmt: skip
#: the common clean form, "Storgatan 12" or "Storgatan 12 B", read without the general machinery
_L = "A-Za-zÅÄÖåäöÉéÜü"
_SIMPLE = re.compile(rf"^([{_L}][{_L}:. -]*?[{_L}.])\s+(\d{{1,4}})(?:\s?([A-HJ-NP-Za-hj-np-z]))?$")
#: words that make a street-looking prefix something else (a sentence, a unit, a number word)
_SIMPLE_NOT = re.compile(r"(?i)\b(?:nr|no|lgh|box|vid|på|i|och|tr|vån|c/o|n:o|nummer)\b|\s\S+\s+\S+\s+\S+\s")
_ORDINAL = re.compile(r"^\d:[ae]$")
_BOX = re.compile(r"^\s*(?:box|pl|postbox|postbox)\s+\d+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """One address as written, taken apart.

    ``keys`` are the street's keys, most likely first (:func:`street_keys`); ``number_to`` is the
    last number of a range (``85–89`` → 85, 89); ``places`` are the other place names found
    (postort, district, kommun), to be used as hints when no postort column is given.
    """

    street: str
    keys: tuple[str, ...]
    number: int | None = None
    letter: str = ""
    number_to: int | None = None
    postcode: str = ""
    places: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The address as the normaliser read it, e.g. ``Storgatan 12 B``."""
        parts = [self.street]
        if self.number is not None:
            parts.append(str(self.number) + (f"–{self.number_to}" if self.number_to else ""))
        if self.letter:
            parts.append(self.letter)
        return " ".join(parts)


def fix_text(text: object) -> str:
    """Repair what exports do to text: HTML entities, UTF-8 read as Windows-1252, odd spaces."""
    s = "" if text is None else str(text)
    if "&" in s:
        s = html.unescape(s)
    if _MOJIBAKE.search(s):
        for enc in ("cp1252", "latin-1"):
            try:
                s = s.encode(enc).decode("utf-8")
                break
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
    s = unicodedata.normalize("NFC", s)
    return _SPACES.sub(" ", s).strip()


@lru_cache(maxsize=65536)
def street_key(name: str) -> str:
    """The key a street name is compared by (register and input alike).

    >>> street_key("S:t Persgatan"), street_key("Sankt  Pers-gatan"), street_key("ÅVÄGEN")
    ('sanktpersgatan', 'sanktpersgatan', 'avagen')
    """
    s = fix_text(name).lower()
    for pattern, repl in _CANONICAL:
        s = pattern.sub(repl, s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = _NON_KEY.sub("", s)
    while "aa" in s or "ae" in s or "oe" in s:  # å, ä, ö written as aa, ae, oe; to a fixed point
        s = _DOUBLE_A.sub("a", s.replace("ae", "a").replace("oe", "o"))
    return s


@lru_cache(maxsize=65536)
def street_keys(street: str) -> tuple[str, ...]:
    """The keys of a street name as written, with abbreviations spelled out; most likely first."""
    text = fix_text(street).lower().strip(" ,;")
    words = text.split(" ")
    if not words or not words[0]:
        return ()
    firsts: tuple[str, ...] = ("",)
    if len(words) > 1 and words[0] in _PREFIX_ABBREV:
        firsts = _PREFIX_ABBREV[words[0]]
        words = words[1:]
    lasts: tuple[str, ...] = (words[-1],)
    if words[-1] in _WORD_ABBREV and len(words) > 1:
        lasts = tuple(" " + w for w in _WORD_ABBREV[words[-1]])
        words = [*words[:-1], ""]
    else:
        for pattern, spellings in _SUFFIX_ABBREV:
            m = pattern.match(words[-1])
            if m and len(m.group(1)) >= 2:
                lasts = tuple(m.group(1) + w for w in spellings) + (words[-1],)
                break
    middle = " ".join(words[:-1])
    keys: list[str] = []
    for first in firsts:
        for last in lasts:
            key = street_key(f"{first}{middle} {last}" if middle else f"{first}{last}")
            if key and key not in keys:
                keys.append(key)
    return tuple(keys)


def parse_postcode(text: object) -> str:
    """``123 45``, ``12345``, ``SE-123 45`` → ``"12345"``; anything else → ``""``."""
    m = _POSTCODE.search(str(text)) if text is not None else None
    return m.group(1) + m.group(2) if m else ""


def parse_number(text: object) -> tuple[int | None, str, int | None]:
    """A number column's cell: ``12``, ``12B``, ``12 b``, ``nr 12``, ``85–89`` → (number, letter, number_to)."""
    if text is None:
        return None, "", None
    if isinstance(text, (int, float)):
        return (int(text), "", None) if text == text and 0 < text < 100000 else (None, "", None)
    m = _NUMBER_ONLY.match(fix_text(text))
    if not m:
        return None, "", None
    to = int(m.group(3)) if m.group(3) and int(m.group(3)) > int(m.group(1)) else None
    return int(m.group(1)), (m.group(2) or "").upper(), to


def parse_address(text: object) -> ParsedAddress | None:
    """Take one written address (or a sentence holding one) apart; ``None`` when it names no street.

    >>> a = parse_address("Storg. 12 b, lgh 1102, 123 45 Storstad")
    >>> a.keys[0], a.number, a.letter, a.postcode, a.places
    ('storgatan', 12, 'B', '12345', ('Storstad',))
    """
    s = fix_text(text)
    if not s or _BOX.match(s):
        return None
    simple = _SIMPLE.match(s)
    if simple and not _SIMPLE_NOT.search(simple.group(1)) and _street_before(simple.group(1)) == simple.group(1):
        keys = street_keys(simple.group(1))
        if keys:
            return ParsedAddress(street=simple.group(1), keys=keys, number=int(simple.group(2)),
                                 letter=(simple.group(3) or "").upper())
    postcode = ""
    places: list[str] = []
    m = _POSTCODE.search(s)
    if m and m.start() > 0:
        postcode = m.group(1) + m.group(2)
        after = s[m.end():].strip(" ,;")
        if after and not any(ch.isdigit() for ch in after):
            places.append(after)
        s = (s[: m.start()] + ("," if after else "")).strip(" ,;")
    s = _UNIT.sub(" ", s)
    parts = [p.strip() for p in re.split(r"\s*[,;]\s*", s) if p.strip()]
    street_part, number_match = _street_part(parts)
    if street_part is None:
        return None
    places.extend(p for p in parts if p is not street_part and not _only_unit(p))
    if number_match is None:
        street, number, letter, to = street_part, None, "", None
    else:
        street = _street_before(street_part[: number_match.start()])
        number = int(number_match.group(1))
        letter = "" if _letter_is_word(street_part, number_match) else (number_match.group(2) or "").upper()
        to = int(number_match.group(3)) if number_match.group(3) else None
        if to is not None and to <= number:
            to = None
    street = street.strip(" ,;:-–")
    keys = street_keys(street)
    if not keys:
        return None
    return ParsedAddress(street=street, keys=keys, number=number, letter=letter, number_to=to, postcode=postcode,
                         places=tuple(dict.fromkeys(p for p in places if p and p != street)))


def _only_unit(part: str) -> bool:
    return not re.search(r"[A-Za-zÅÄÖåäö]{2,}", part)


def _street_part(parts: list[str]) -> tuple[str | None, re.Match[str] | None]:
    """The part holding the street: the first with a name followed by a number, else one ending in a generic."""
    for p in parts:
        for m in _NUMBER.finditer(p):
            before = p[: m.start()].strip()
            if re.search(r"[A-Za-zÅÄÖåäöÉé]{2,}", before):
                return p, m
    for p in parts:
        last = p.split(" ")[-1]
        if _GENERIC_RE.search(street_key(last)) or street_keys(last)[:1] != (street_key(last),):
            return p, None
    if len(parts) == 1 and len(parts[0].split(" ")) <= 3 and re.search(r"[A-Za-zÅÄÖåäö]{2,}", parts[0]):
        return parts[0], None
    return None, None


def _letter_is_word(text: str, m: re.Match[str]) -> bool:
    """``Bygatan 3 i Växjö``: a lower-case i or o after the number is a word, not a letter."""
    letter = m.group(2)
    return bool(letter) and letter in "io" and bool(re.match(r"\s+[A-Za-zÅÄÖåäö]", text[m.end(2):]))


def _street_before(prefix: str) -> str:
    """The street name that ends right before a number, read backwards through a sentence."""
    words = prefix.strip().split()
    if not words:
        return ""
    taken: list[str] = []
    for w in reversed(words):
        low = w.lower()
        if low in _STOP_WORDS:
            break
        if w[:1].isupper() or low in _LOWER_OK or _ORDINAL.match(low) or low.endswith((".", ":s")) and taken:
            taken.append(w)
            continue
        if not taken:
            taken.append(w)
        break
    street = " ".join(reversed(taken))
    if not street[:1].isupper() and len(words) <= 3 and not any(w.lower() in _STOP_WORDS for w in words):
        return " ".join(words)  # an all lower-case address: the whole prefix is the street
    return street
