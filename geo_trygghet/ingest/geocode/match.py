"""Match parsed addresses to the register's points: street, then number and letter, then coarser.

Street names are compared by key (:func:`~.normalise.street_key`) within the postort the input
names (a column, or a place in the address text) or, without one, within the register (which
``--kommun`` narrows to one kommun). A name found exactly wins; otherwise the nearest key by
optimal-string-alignment distance (rapidfuzz ``OSA``: one edit is a substitution, insertion,
deletion or swap of two neighbouring characters) is taken when it is within :func:`max_edits`
of the written name (one edit up to 7 characters, two up to 14, three beyond; none below 4)
**and** strictly nearer than the next street: a misspelling that fits two streets equally is
not guessed. The same name in two places that the input does not tell apart is not guessed either.

Levels (best first) and their scores (a fuzzy street multiplies them by 1 − edits/length):

============== ====== ==================================================================
exact          1.0    the number (and letter) exists on the street; a range (85–89) counts
                      when one of its numbers exists
letter_dropped 0.9    the number exists, the letter does not (or was not given)
interpolated   0.75   the number lies between known numbers on the same side (odd/even)
street         0.5    the street's middle: no number, or a number that cannot be placed
postcode       0.35   the postcode area's middle (the street was not found)
postort        0.2    the postort's middle
failed         0      nothing to place it by
============== ====== ==================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .interpolate import StreetSides, medoids
from .normalise import ParsedAddress, street_key
from .register import AddressRegister

__all__ = ["LEVELS", "SCORES", "AddressMatcher", "Match", "max_edits"]

EXACT, LETTER_DROPPED, INTERPOLATED, STREET, POSTCODE, POSTORT, FAILED = LEVELS = (
    "exact", "letter_dropped", "interpolated", "street", "postcode", "postort", "failed")  # fmt: skip
SCORES = {EXACT: 1.0, LETTER_DROPPED: 0.9, INTERPOLATED: 0.75, STREET: 0.5, POSTCODE: 0.35, POSTORT: 0.2, FAILED: 0.0}
#: streets of one name in two places farther apart than this are two streets (the input must tell which)
SAME_STREET_M = 1500.0
#: a street of the written name in another postort is taken only this near the written postort's middle
NEAR_POSTORT_M = 8000.0
#: fuzzy matching against the whole register only up to this many street names (else a postort is needed)
FUZZY_ALL_LIMIT = 60_000


def max_edits(key: str) -> int:
    """Edits allowed between a written street key and the register's: 0 below 4 characters, then 1, 2, 3."""
    n = len(key)
    return 0 if n < 4 else 1 if n <= 7 else 2 if n <= 14 else 3


@dataclass(frozen=True, slots=True)
class Match:
    """One address's match: level, score, point (EPSG:3006), the register's address and why.

    ``reason`` is a code (see ``geo_trygghet/i18n/catalogue/ingest.toml``, ``geocode.reason.*``) and
    ``detail`` its fields (names and numbers) as ``key=value`` pairs separated by ``;``.
    """

    level: str
    score: float
    x: float = float("nan")
    y: float = float("nan")
    address: str = ""
    reason: str = ""
    detail: str = ""


class AddressMatcher:
    """Indexes of one register, built once; :meth:`match` takes one parsed address."""

    def __init__(self, register: AddressRegister) -> None:
        pts = register.points
        self.register = register
        self.x = pts["x"].to_numpy()
        self.y = pts["y"].to_numpy()
        self.street = pts["street"].to_numpy()
        self.number = pts["number"].to_numpy()
        self.letter = pts["letter"].to_numpy()
        self.postort = pts["postort"].to_numpy()
        self.postcode = pts["postcode"].to_numpy()
        unit_of, units = pd.factorize(pts["kkey"] + "|" + pts["pkey"] + "|" + pts["skey"])
        self.unit_of = unit_of.astype(np.int64)
        self.unit_middle, _ = medoids(self.unit_of, self.x, self.y)
        first = pd.DataFrame({"unit": self.unit_of, "skey": pts["skey"], "pkey": pts["pkey"]}).drop_duplicates("unit")
        first = first.sort_values("unit")
        self.unit_skey = first["skey"].to_numpy()
        self.unit_pkey = first["pkey"].to_numpy()
        self.units_by_key: dict[str, list[int]] = {}
        self.units_by_key_place: dict[tuple[str, str], list[int]] = {}
        for u, k, pk in zip(first["unit"].tolist(), self.unit_skey.tolist(), self.unit_pkey.tolist(), strict=True):
            self.units_by_key.setdefault(k, []).append(int(u))
            self.units_by_key_place.setdefault((k, pk), []).append(int(u))
        self.keys_by_pkey: dict[str, list[str]] = {
            str(pk): sorted(set(g)) for pk, g in first.groupby("pkey")["skey"]
        }
        self.all_keys = sorted(self.units_by_key)
        self.unit_postcodes = set(zip(self.unit_of.tolist(), pts["postcode"].tolist(), strict=True))
        order = pts.assign(unit=self.unit_of, idx=np.arange(len(pts))).sort_values(["unit", "number", "letter"])
        keys = zip(order["unit"].tolist(), order["number"].tolist(), order["letter"].tolist(), strict=True)
        self.by_address = dict(zip(keys, order["idx"].tolist(), strict=True))
        firsts = order.drop_duplicates(["unit", "number"], keep="first")
        pairs = zip(firsts["unit"].tolist(), firsts["number"].tolist(), strict=True)
        self.by_number = dict(zip(pairs, firsts["idx"].tolist(), strict=True))
        self.sides = StreetSides.build(self.unit_of, self.number, self.x, self.y)
        self.postcode_middle = self._area_middles(pts["postcode"])
        self.postort_middle = self._area_middles(pts["pkey"])
        self.kommun_keys = set(pts["kkey"].unique()) - {""}
        self._fuzzy_cache: dict[tuple[tuple[str, ...], str], tuple[str, int, str]] = {}

    def _area_middles(self, column: pd.Series) -> dict[str, int]:
        codes, uniques = pd.factorize(column)
        best, _ = medoids(codes.astype(np.int64), self.x, self.y)
        return {str(u): int(best[i]) for i, u in enumerate(uniques.tolist()) if u}

    # ------------------------------------------------------------------ one address

    def match(self, parsed: ParsedAddress | None, *, postort: str = "", postcode: str = "") -> Match:
        """The best match of one address (``postort``/``postcode`` from their own columns, if any)."""
        places = (postort, *parsed.places) if parsed is not None else (postort,)
        pkey = self._known_postort(places)
        pc = postcode or (parsed.postcode if parsed is not None else "")
        if parsed is None:
            return self._coarse(pc, pkey, "no_street", "")
        unit, sim, why, detail = self._find_street(parsed, pkey, pc)
        if unit < 0:
            return self._coarse(pc, pkey, why, detail)
        found = self._number(unit, parsed)
        if sim < 1.0:
            found = Match(found.level, round(found.score * sim, 3), found.x, found.y, found.address,
                          found.reason or why, ";".join(filter(None, (found.detail, detail))))
        return found

    def _known_postort(self, places) -> str:
        for place in places:
            if place:
                key = street_key(place)
                if key in self.keys_by_pkey:
                    return key
        return ""

    def _find_street(self, p: ParsedAddress, pkey: str, postcode: str) -> tuple[int, float, str, str]:
        """(unit, similarity, reason, detail); unit −1 when no single street fits.

        With a known postort, a name found there wins, then a misspelling of a street there; the
        same name in another postort is taken only within :data:`NEAR_POSTORT_M` of the postort
        (a kommun's export may write "Stockholm" for an address in Bromma).
        """
        elsewhere: list[int] = []
        for key in p.keys:
            cands = self.units_by_key.get(key)
            if not cands:
                continue
            if pkey:
                here = self.units_by_key_place.get((key, pkey))
                if not here:
                    elsewhere = elsewhere or cands
                    continue
                cands = here
            unit, why, detail = self._choose(cands, p, pkey, postcode)
            return unit, 1.0, why, detail
        key, edits, why = self._fuzzy(p.keys, pkey)
        if key:
            unit, why2, detail = self._choose(self.units_by_key[key], p, pkey, postcode)
            if unit < 0:
                return unit, 0.0, why2, detail
            sim = 1.0 - edits / max(len(p.keys[0]), len(key))
            return unit, sim, "fuzzy", f"street={p.street};register={self.street[self.unit_middle[unit]]};edits={edits}"
        near = self._near_postort(elsewhere, pkey)
        if near:
            unit, why, detail = self._choose(near, p, "", postcode)
            return unit, 1.0, why, detail
        return -1, 0.0, why, f"street={p.street}"

    def _near_postort(self, units: list[int], pkey: str) -> list[int]:
        if not units or pkey not in self.postort_middle:
            return []
        c = self.postort_middle[pkey]
        mids = self.unit_middle[units]
        d = np.hypot(self.x[mids] - self.x[c], self.y[mids] - self.y[c])
        return [u for u, dist in zip(units, d, strict=True) if dist <= NEAR_POSTORT_M]

    def _choose(self, cands: list[int], p: ParsedAddress, pkey: str, postcode: str) -> tuple[int, str, str]:
        if len(cands) == 1:
            return cands[0], "", ""
        narrowed = cands
        for keep in (
            (lambda u: self.unit_pkey[u] == pkey) if pkey else None,
            (lambda u: (u, postcode) in self.unit_postcodes) if postcode else None,
            (lambda u: (u, p.number) in self.by_number) if p.number is not None else None,
        ):
            if keep is not None and len(narrowed) > 1:
                subset = [u for u in narrowed if keep(u)]
                narrowed = subset or narrowed
        if len(narrowed) == 1:
            return narrowed[0], "", ""
        mids = self.unit_middle[narrowed]
        dx = self.x[mids] - self.x[mids[0]]
        dy = self.y[mids] - self.y[mids[0]]
        if float(np.max(np.hypot(dx, dy))) <= SAME_STREET_M:
            return narrowed[0], "", ""
        where = ", ".join(sorted({str(self.postort[m]) or "?" for m in mids})[:4])
        return -1, "street_ambiguous", f"street={p.street};places={where}"

    def _fuzzy(self, keys: tuple[str, ...], pkey: str) -> tuple[str, int, str]:
        """(register key, edits, reason) nearest to any spelling of the name; "" when none is near enough
        or two register streets are equally near."""
        cached = self._fuzzy_cache.get((keys, pkey))
        if cached is not None:
            return cached
        choices = self.keys_by_pkey.get(pkey) if pkey else self.all_keys
        nearest: dict[str, int] = {}
        if choices and len(choices) <= FUZZY_ALL_LIMIT:
            for key in keys:
                limit = max_edits(key)
                if not limit:
                    continue
                for choice, dist, _ in process.extract(key, choices, scorer=OSA.distance, score_cutoff=limit, limit=2):
                    nearest[str(choice)] = min(int(dist), nearest.get(str(choice), 99))
        ranked = sorted(nearest.items(), key=lambda kv: kv[1])
        if not ranked:
            result: tuple[str, int, str] = ("", 0, "street_unknown")
        elif len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            result = ("", 0, "fuzzy_ambiguous")
        else:
            result = (ranked[0][0], ranked[0][1], "fuzzy")
        self._fuzzy_cache[(keys, pkey)] = result
        return result

    def _number(self, unit: int, p: ParsedAddress) -> Match:
        mid = int(self.unit_middle[unit])
        if p.number is None:
            return self._at(STREET, mid, self._street_label(mid), "no_number", "")
        numbers = [p.number]
        if p.number_to:
            numbers += list(range(p.number + 2, p.number_to + 1, 2))
        for n in numbers:
            i = self.by_address.get((unit, n, p.letter))
            if i is not None:
                return self._at(EXACT, int(i), self._label(int(i)))
        for n in numbers:
            i = self.by_number.get((unit, n))
            if i is not None:
                return self._at(LETTER_DROPPED, int(i), self._label(int(i)), "letter_unknown", f"letter={p.letter}")
        between = self.sides.between(unit, p.number)
        if between is not None:
            x, y, lo, hi = between
            label = f"{self.street[mid]} {p.number}, {self.postort[mid]}".rstrip(", ")
            why, detail = ("interpolated", f"lower={lo};upper={hi}") if lo != hi else ("extrapolated", f"last={lo}")
            return Match(INTERPOLATED, SCORES[INTERPOLATED], x, y, label, why, detail)
        return self._at(STREET, mid, self._street_label(mid), "number_unknown", f"number={p.number}")

    def _coarse(self, postcode: str, pkey: str, why: str, detail: str) -> Match:
        if postcode and postcode in self.postcode_middle:
            i = self.postcode_middle[postcode]
            return self._at(POSTCODE, i, f"{postcode[:3]} {postcode[3:]} {self.postort[i]}".strip(), why, detail)
        if pkey and pkey in self.postort_middle:
            i = self.postort_middle[pkey]
            return self._at(POSTORT, i, str(self.postort[i]), why, detail)
        return Match(FAILED, 0.0, reason=why or "street_unknown", detail=detail)

    def _at(self, level: str, i: int, label: str, reason: str = "", detail: str = "") -> Match:
        return Match(level, SCORES[level], float(self.x[i]), float(self.y[i]), label, reason, detail)

    def _label(self, i: int) -> str:
        letter = f" {self.letter[i]}" if self.letter[i] else ""
        number = f" {self.number[i]}" if self.number[i] > 0 else ""
        place = f", {self.postort[i]}" if self.postort[i] else ""
        return f"{self.street[i]}{number}{letter}{place}"

    def _street_label(self, i: int) -> str:
        return f"{self.street[i]}, {self.postort[i]}" if self.postort[i] else str(self.street[i])
