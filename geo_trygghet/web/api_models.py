"""The phone API's request and response bodies (pydantic): what ``/api/v1/openapi.json`` shows.

Field limits here are the first check (FastAPI answers 400 naming the field); the remark
service checks everything again, so nothing reaches the database unchecked.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import settings
from ..remarks.categories import REMARK_CATEGORIES
from ..remarks.states import FACTORS
from ..remarks.submission import MAX_TEXT

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, description="WGS84 degrees")]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, description="WGS84 degrees")]


class Problem(BaseModel):
    """Every error: one sentence the form shows as it is, and the field it is about (if one)."""

    error: str = Field(description="one sentence for the participant (Swedish, or English on Accept-Language: en)")
    field: str | None = Field(default=None, description="the request field the sentence is about")


class Category(BaseModel):
    slug: str = Field(description="the category's slug; its labels are in /walk/texts.json as category.<slug>")
    positive: bool = Field(description="a positive remark (a place that feels safe)")


class WalkOut(BaseModel):
    """A walk as a participant's phone sees it."""

    code: str
    title: str
    date: dt.date | None
    state: str = Field(description="planerad, genomford or uppfoljd")
    open: bool = Field(description="whether the walk takes remarks")
    area: dict[str, Any] | None = Field(description="the walk's area, a GeoJSON geometry in WGS84")
    categories: list[Category]
    duplicate_radius_m: float = Field(description="open remarks of the same category this close are offered as "
                                                  "possible duplicates")
    text_max: int = Field(description="the longest remark text, in characters")
    photo_max_px: int = Field(description="the longest side a photo is stored with")
    photo_max_bytes: int = Field(description="the largest photo upload")


class RemarkIn(BaseModel):
    """A remark from a phone: its UUID is made when the form opens, so a resend is harmless."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID = Field(description="made on the phone when the form opens (uuid4)")
    lat: Latitude
    lon: Longitude
    accuracy_m: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None = Field(
        description="the phone's accuracy in metres; null for a tap on the map")
    category: Annotated[str, Field(max_length=50, json_schema_extra={"enum": list(REMARK_CATEGORIES)})]
    text: Annotated[str, Field(max_length=MAX_TEXT)] = ""
    created_at: dt.datetime = Field(description="when the participant tapped Skicka (the phone's clock, ISO 8601)")
    reporter: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="the participant's name, optional; never shown outside the staff pages")
    position_source: Literal["gps", "map", "exif"] = Field(
        default="gps", description="gps: the phone's position; map: a tap on the map; exif: the photo's GPS")
    feeling: Annotated[int, Field(ge=1, le=5)] | None = Field(
        default=None, description="how safe the place feels, 1 (very unsafe) to 5 (very safe)")
    factors: dict[Literal[FACTORS], Annotated[int, Field(ge=0, le=3)]] | None = Field(  # type: ignore[valid-type]
        default=None, description="the walk's factors, 0 (poor) to 3 (good)")


class RemarkAck(BaseModel):
    """The answer to a remark (201 new, 200 the same remark again): its number in the walk."""

    id: uuid.UUID
    number: int


class PhotoAck(BaseModel):
    """The answer to a photo (201 stored, 200 the same photo again)."""

    id: uuid.UUID
    number: int


class RemarkOut(BaseModel):
    """One of the walk's remarks, as every participant sees it: no names, no photos, no ids."""

    number: int
    lat: float
    lon: float
    category: str
    state: str
    open: bool = Field(description="whether the remark is still open (a possible duplicate of a new one)")
    text: str = Field(description="as typed: set it as text, never as HTML")
    created_at: dt.datetime | None = Field(description="when the remark was made (UTC)")


PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
PHOTO_BODY: dict[str, Any] = {
    "required": True,
    "content": {mime: {"schema": {"type": "string", "format": "binary"}} for mime in PHOTO_TYPES},
    "description": f"a JPEG, PNG or WebP photo of at most {settings.photo_max_bytes // (1024 * 1024)} MB",
}
