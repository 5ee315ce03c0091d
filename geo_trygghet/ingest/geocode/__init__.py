"""Geocoding offline against an address register (Lantmäteriet's belägenhetsadresser or any table).

    from geo_trygghet.ingest.geocode import read_register, geocode_frame
    reg = read_register("belagenhetsadresser_1280.gpkg", kommun="Malmö")
    res = geocode_frame(df, reg, address="Adress")          # one row per input row
    res.frame()        # lat, lon, geocode_level, geocode_score, matched_address, geocode_note

Modules: :mod:`.normalise` (Swedish address text → street keys, number, letter, postcode),
:mod:`.register` (the register reader), :mod:`.match` (street, number, letter, levels),
:mod:`.interpolate` (numbers between numbers, middles of streets and areas),
:mod:`.geocoder` (a table's columns → :class:`GeocodeResult`).
"""

from .geocoder import COARSE_LEVELS, GEOCODE_COLUMNS, GeocodeResult, find_address_columns, geocode, geocode_frame
from .match import LEVELS, SCORES, AddressMatcher, Match, max_edits
from .normalise import ParsedAddress, fix_text, parse_address, parse_number, parse_postcode, street_key, street_keys
from .register import AddressRegister, read_register, register_from_frame

__all__ = [
    "COARSE_LEVELS",
    "GEOCODE_COLUMNS",
    "LEVELS",
    "SCORES",
    "AddressMatcher",
    "AddressRegister",
    "GeocodeResult",
    "Match",
    "ParsedAddress",
    "find_address_columns",
    "fix_text",
    "geocode",
    "geocode_frame",
    "max_edits",
    "parse_address",
    "parse_number",
    "parse_postcode",
    "read_register",
    "register_from_frame",
    "street_key",
    "street_keys",
]
