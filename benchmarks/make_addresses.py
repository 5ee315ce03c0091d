"""Synthetic Swedish address registers and address lists with ground truth, for tests and benchmarks.

    python benchmarks/make_addresses.py OUT_DIR [--points 200000] [--queries 100000] [--seed 7]

writes ``register.gpkg`` (Lantmäteriet's belägenhetsadress layer and field names, SWEREF 99 TM),
``register.csv`` (the same points, generic column names, WGS84), ``clean.csv`` and ``dirty.csv``
(addresses only, as a kommun's repair-order export: Adress, Postnummer, Postort) and
``truth.csv`` (the true point of every query row, EPSG:3006).

The register: towns (postorter, 5-digit postcodes) spread over three kommuner in SWEREF 99 TM
near Örebro; each town has streets named like Swedish streets (Björkvägen, Stora Nygatan,
S:t Persgatan, Drottning Kristinas väg …), odd numbers on one side and even on the other, some
numbers with entrances A and B. Street names repeat between towns, as they do.

Dirty addresses corrupt a sample the way exports do: abbreviations (Storg., Skolv., St.), upper
or lower case, a dropped house letter, typos of one or two characters in the street (a typo
that brings the name as near to another street of the same postort as to its own is redrawn: no
matcher can tell it from a correct spelling of that other street), numbers
that the register lacks (taken out of the register handed to the matcher), å/ä/ö written as
a/o or swapped, UTF-8 read as Windows-1252, and apartment tails (lgh 1102, 2 tr).
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

STEMS = (
    "Björk", "Ek", "Tall", "Gran", "Lind", "Al", "Asp", "Rönn", "Lönn", "Hassel", "Sälg", "Sol", "Stjärn", "Kvarn",
    "Skol", "Kyrko", "Stations", "Ång", "Hamn", "Fabriks", "Verkstads", "Smedje", "Kungs", "Drottning", "Prins",
    "Norr", "Söder", "Öster", "Väster", "Stor", "Lill", "Ny", "Berg", "Dal", "Ås", "Hög", "Läng", "Sjö", "Å", "By",
    "Bi", "Mossa", "Ängs", "Åker", "Hage", "Tegel", "Mur", "Bruks", "Hammar", "Hytt", "Gruv", "Ljung", "Ros",
    "Vallmo", "Klöver", "Blåbärs", "Lingon", "Hjortron", "Tranbärs", "Humle", "Korn", "Råg", "Vete", "Havre",
    "Fjäll", "Skogs", "Myr", "Kärr", "Bäck", "Forsa", "Strand", "Udd", "Holm", "Ö", "Näs", "Vik", "Sund", "Malm",
    "Silver", "Guld", "Koppar", "Järn", "Glas", "Sågverks", "Post", "Tull", "Bro", "Källa", "Brunns", "Park",
)  # fmt: skip
GENERICS = ("gatan", "vägen", "gränd", "stigen", "backen", "allén", "torget", "platsen", "slingan")
SPECIAL = ("Stora Nygatan", "Lilla Torget", "S:t Persgatan", "Drottning Kristinas väg", "Karl XI:s gata",
           "Gamla Kyrkvägen", "Norra Ringvägen", "Västra Storgatan", "Storgatan", "Åvägen", "Bygatan", "Bivägen")
TOWN_A = ("Öre", "Lind", "Fjug", "Kumla", "Hall", "Ask", "Gar", "Vret", "Nora", "Hasse", "Ådal", "Sköll", "Berg",
          "Ekeby", "Glan", "Mosås", "Tysslinge", "Latorp", "Ödeby", "Frövi", "Kil", "Täby", "Ervalla", "Lannafors")
TOWN_B = ("bro", "sala", "by", "sta", "hammar", "torp", "ström", "", "berga", "fors")
KOMMUNER = ("Örebro", "Kumla", "Lindesberg")


@dataclass
class AddressSet:
    register: pd.DataFrame   # Lantmäteriet field names + x, y (EPSG:3006)
    queries: pd.DataFrame    # Adress, Postnummer, Postort (+ truth_x, truth_y, truth_street, truth_index)


def make_register(n_points: int, seed: int = 7) -> pd.DataFrame:
    """About ``n_points`` address points (Lantmäteriet's field names, x/y in EPSG:3006)."""
    rng = np.random.default_rng(seed)
    per_town = 4000
    n_towns = max(1, math.ceil(n_points / per_town))
    names = [f"{a}{b}" for b in TOWN_B for a in TOWN_A]
    rows: list[pd.DataFrame] = []
    total = 0
    for t in range(n_towns):
        town = names[t % len(names)] + ("" if t < len(names) else f" {t // len(names) + 1}")
        postcode0 = 70000 + t * 20
        cx, cy = 500_000 + rng.uniform(-60_000, 60_000), 6_570_000 + rng.uniform(-60_000, 60_000)
        streets = list(SPECIAL[: 4 + t % 8]) + _street_names(rng, 160)
        for s_i, street in enumerate(streets):
            if total >= n_points:
                break
            n_max = int(rng.integers(6, 60))
            ang = rng.uniform(0, math.pi)
            sx, sy = cx + rng.normal(0, 1500), cy + rng.normal(0, 1500)
            frame = _street_points(rng, street, n_max, sx, sy, ang)
            frame["postnummer"] = postcode0 + s_i % 20
            frame["postort"] = town
            frame["kommunnamn"] = KOMMUNER[t % len(KOMMUNER)]
            frame["kommunkod"] = ("1880", "1881", "1885")[t % len(KOMMUNER)]
            rows.append(frame)
            total += len(frame)
    reg = pd.concat(rows, ignore_index=True).iloc[:n_points].reset_index(drop=True)
    reg["statusforbelagenhetsadress"] = "Gällande"
    reg["objektidentitet"] = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(len(reg))]
    return reg


def _street_names(rng: np.random.Generator, k: int) -> list[str]:
    out: list[str] = []
    seen = set()
    while len(out) < k:
        name = STEMS[int(rng.integers(len(STEMS)))] + GENERICS[int(rng.integers(len(GENERICS)))]
        name = name[0] + name[1:].lower()
        if name not in seen and name not in SPECIAL:
            seen.add(name)
            out.append(name)
    return out


def _street_points(rng, street: str, n_max: int, sx: float, sy: float, ang: float) -> pd.DataFrame:
    nums, letters, xs, ys = [], [], [], []
    dx, dy = math.cos(ang), math.sin(ang)
    for n in range(1, n_max + 1):
        along = (n // 2) * 14.0
        side = 9.0 if n % 2 else -9.0
        bx, by = sx + dx * along - dy * side, sy + dy * along + dx * side
        r = rng.random()
        entrances = ["A", "B"] if r < 0.08 else ["", "A"] if r < 0.11 else [""]
        for j, letter in enumerate(entrances):
            nums.append(n)
            letters.append(letter)
            xs.append(bx + dx * 5.0 * j)
            ys.append(by + dy * 5.0 * j)
    return pd.DataFrame({"adressomrade_faststalltnamn": street, "gardsadressomrade_faststalltnamn": None,
                         "adressplatsnummer": nums, "bokstavstillagg": letters, "x": xs, "y": ys})


def _label(street: str, number: int, letter: str) -> str:
    return f"{street} {number}" + (f" {letter}" if letter else "")


def clean_queries(reg: pd.DataFrame, n: int, seed: int = 11) -> pd.DataFrame:
    """``n`` addresses written as the register writes them (with postcode and postort columns)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(reg), n)
    r = reg.iloc[idx]
    return pd.DataFrame({
        "Adress": [_label(s, int(nb), lt or "") for s, nb, lt in
                   zip(r["adressomrade_faststalltnamn"], r["adressplatsnummer"], r["bokstavstillagg"], strict=True)],
        "Postnummer": [f"{int(p) // 100} {int(p) % 100:02d}" for p in r["postnummer"]],
        "Postort": r["postort"].to_numpy(),
        "truth_x": r["x"].to_numpy(), "truth_y": r["y"].to_numpy(),
        "truth_street": r["adressomrade_faststalltnamn"].to_numpy(), "truth_index": idx,
    })


ABBREV = (("gatan", "g."), ("vägen", "v."), ("gatan", "gat."), ("platsen", "pl."))
PREFIX = (("Stora ", "St. "), ("Stora ", "Sto "), ("Norra ", "N. "), ("Västra ", "V. "), ("Gamla ", "G:a "))
SWAPS = (("å", "a"), ("ä", "a"), ("ö", "o"), ("å", "ä"), ("Å", "A"), ("Ä", "A"), ("Ö", "O"))


def dirty_queries(reg: pd.DataFrame, n: int, seed: int = 13) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` corrupted addresses and a mask of register rows to take out (the 'missing numbers')."""
    rng = np.random.default_rng(seed)
    q = clean_queries(reg, n, seed)
    keys_by_town = reg.groupby("postort")["adressomrade_faststalltnamn"].agg(lambda s: {_key(v) for v in s})
    drop = np.zeros(len(reg), dtype=bool)
    out = []
    kinds = rng.integers(0, 9, n)
    for i, (addr, town) in enumerate(zip(q["Adress"], q["Postort"], strict=True)):
        street = q["truth_street"].iloc[i]
        rest = addr[len(street):]
        kind = int(kinds[i])
        if kind == 0:
            street = _abbreviate(rng, street)
        elif kind == 1:
            addr = addr.upper() if rng.random() < 0.5 else addr.lower()
            out.append(addr)
            continue
        elif kind == 2:
            rest = " " + rest.strip().split(" ")[0]  # the house letter dropped
        elif kind == 3:
            street = _typo(rng, street, keys_by_town[town], int(rng.integers(1, 3)))
        elif kind == 4:
            drop[int(q["truth_index"].iloc[i])] = True  # the register lacks this number
        elif kind == 5:
            a, b = SWAPS[int(rng.integers(len(SWAPS)))]
            street = street.replace(a, b)
        elif kind == 6:
            out.append((street + rest).encode("utf-8").decode("cp1252", errors="replace"))
            continue
        elif kind == 7:
            rest = rest + (", lgh 1102" if rng.random() < 0.5 else ", 2 tr")
        out.append(street + rest)
    q["Adress"] = out
    # a missing number's neighbours must stay: only numbers with a plain entrance are taken out
    plain = (reg["bokstavstillagg"].fillna("") == "").to_numpy()
    drop &= plain
    return q, drop


def _key(name: str) -> str:
    from geo_trygghet.ingest.geocode import street_key

    return street_key(name)


def _abbreviate(rng, street: str) -> str:
    for full, short in PREFIX:
        if street.startswith(full):
            return short + street[len(full):]
    for full, short in ABBREV:
        if street.endswith(full):
            return street[: -len(full)] + short
    return street.upper()


def _typo(rng, street: str, existing: set[str], k: int) -> str:
    letters = "abcdefghijklmnoprstuvyåäö"
    for _ in range(20):
        s = list(street)
        for _ in range(k):
            j = int(rng.integers(1, max(2, len(s) - 1)))
            op = rng.integers(3)
            if op == 0:
                s[j] = letters[int(rng.integers(len(letters)))]
            elif op == 1 and len(s) > 4:
                del s[j]
            elif j + 1 < len(s):
                s[j], s[j + 1] = s[j + 1], s[j]
        out = "".join(s)
        if _key(out) != _key(street) and _nearest_is(_key(out), _key(street), existing):
            return out
    return street


def _nearest_is(written: str, true: str, existing: set[str]) -> bool:
    """Whether ``true`` is strictly the nearest street key to ``written`` (else no matcher can tell)."""
    from rapidfuzz.distance import OSA

    d_true = OSA.distance(written, true)
    return all(OSA.distance(written, k) > d_true for k in existing if k != true)


def write_register(reg: pd.DataFrame, folder: Path) -> tuple[Path, Path]:
    """``register.gpkg`` (Lantmäteriet's layout) and ``register.csv`` (generic names, WGS84) in ``folder``."""
    import geopandas as gpd

    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(reg.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(reg["x"], reg["y"]),
                           crs="EPSG:3006").rename_geometry("geom")
    gpkg = folder / "register.gpkg"
    gdf.to_file(gpkg, layer="belagenhetsadress", driver="GPKG", engine="pyogrio")
    wgs = gdf.to_crs("EPSG:4326")
    csv = folder / "register.csv"
    pd.DataFrame({"gatunamn": reg["adressomrade_faststalltnamn"], "nummer": reg["adressplatsnummer"],
                  "bokstav": reg["bokstavstillagg"], "postnummer": reg["postnummer"], "postort": reg["postort"],
                  "kommun": reg["kommunnamn"], "lat": wgs.geometry.y.round(7),
                  "lon": wgs.geometry.x.round(7)}).to_csv(csv, index=False)
    return gpkg, csv


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--points", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    full = make_register(a.points, a.seed)
    dirty, drop = dirty_queries(full, a.queries)
    reg = full.loc[~drop].reset_index(drop=True)
    clean = clean_queries(reg, a.queries)
    write_register(reg, a.out)
    cols = ["Adress", "Postnummer", "Postort"]
    clean[cols].to_csv(a.out / "clean.csv", index=False)
    dirty[cols].to_csv(a.out / "dirty.csv", index=False)
    pd.DataFrame({"clean_x": clean["truth_x"], "clean_y": clean["truth_y"], "dirty_x": dirty["truth_x"],
                  "dirty_y": dirty["truth_y"], "dirty_street": dirty["truth_street"]}).to_csv(a.out / "truth.csv",
                                                                                               index=False)
    print(f"wrote {a.out}: {int((~drop).sum()):,} register points, {a.queries:,} clean and dirty addresses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
