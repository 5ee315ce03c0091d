"""The participant's remark form on a phone (the walk page), and its state.

* :func:`geolocation`: the phone's GPS position through a tiny static Streamlit
  component (``components/geolocation/index.html``; no npm build).
* The form's state: a UUID made when the form opens and kept until the server
  acknowledges the remark (:func:`form_id`, :func:`submit_form`), so a resend or a
  double tap never makes a duplicate; the typed text survives errors.
* :func:`tap_map`: the map to tap a position on when the phone gives none.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import streamlit as st

from ..errors import GeoTrygghetError
from ..remarks.states import FACTORS
from . import state
from .i18n import lang, t
from .service_errors import photo_max_mb, swedish_error

__all__ = ["PHONE_CSS", "PHOTO_TYPES", "TAP_PIN", "cancel_dupes", "factor_key", "field_key", "form_id",
           "geolocation", "gps_position", "keep_form", "participant_actor", "photo_key", "photo_max_mb",
           "position_picker",
           "remember", "submit_form", "tap_map"]

_COMPONENT_DIR = Path(__file__).resolve().parent / "components" / "geolocation"
#: What the photo field accepts. Not HEIC: with only these listed, an iPhone converts its HEIC
#: photo to JPEG when it hands it to the page (the service refuses HEIC it cannot read).
PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]


# ---------------------------------------------------------------- geolocation
@st.cache_resource(show_spinner=False)
def _geolocation_component() -> Any:
    import streamlit.components.v1 as components

    return components.declare_component("gt_geolocation", path=str(_COMPONENT_DIR))


def geolocation(*, nonce: str, key: str = "wr_geo") -> dict | None:
    """The phone's position ``{lat, lon, accuracy}``, ``{error}``, or None (not yet).

    A new ``nonce`` (a new form) makes the component ask the phone again.
    """
    labels = {k: t(f"geo.{k}") for k in ("button", "searching", "denied", "unavailable", "timeout",
                                          "insecure", "unsupported")}
    labels["found"] = t("geo.found", accuracy="{accuracy}")
    value = _geolocation_component()(nonce=nonce, labels=labels, key=key, default=None)
    return value if isinstance(value, dict) else None


def gps_position(value: dict | None) -> tuple[float, float, float | None] | None:
    """``(lon, lat, accuracy_m)`` from the component's value, or None."""
    if not value or value.get("error") or value.get("lat") is None or value.get("lon") is None:
        return None
    acc = value.get("accuracy")
    return float(value["lon"]), float(value["lat"]), float(acc) if acc is not None else None


# ---------------------------------------------------------------- the remark form
FORM_ID, TEXT, CATEGORY, FEELING, USE_MAP, TAP, TAP_SEEN = (
    "wr_uuid", "wr_text", "wr_cat", "wr_feel", "wr_use_map", "wr_tap", "wr_tap_seen")
ACK, ERROR, DUPES, GEO = "wr_ack", "wr_error", "wr_dupes", "wr_geo"


def form_id() -> str:
    """The UUID of the open form (made once, kept until the server acknowledges)."""
    if not st.session_state.get(FORM_ID):
        st.session_state[FORM_ID] = str(uuid.uuid4())
    return st.session_state[FORM_ID]


def field_key(name: str) -> str:
    """The widget key of a form field: new with every form, so a sent form's widgets are
    replaced by empty ones (no reliance on the browser accepting a programmatic reset)."""
    return f"{name}_{form_id()}"


def keep_form() -> None:
    """Bring back what was typed and chosen after a visit to another page (Streamlit drops
    the state of widgets a run did not draw; :func:`remember` keeps a copy)."""
    for name in (TEXT, CATEGORY):
        key = field_key(name)
        if key not in st.session_state and st.session_state.get(f"keep_{name}") is not None:
            st.session_state[key] = st.session_state[f"keep_{name}"]


def remember(name: str) -> None:
    """on_change of a form widget: keep a copy outside the widget's own state."""
    st.session_state[f"keep_{name}"] = st.session_state.get(field_key(name))


def photo_key() -> str:
    return field_key("wr_photo")


def factor_key(name: str) -> str:
    return field_key(f"wr_f_{name}")


def participant_actor() -> Any:
    """The session's Actor; a deltagare with only a walk code gets one made."""
    actor = state.actor()
    code = st.session_state.get(state.WALK_CODE)
    if actor is None and state.role() == state.DELTAGARE and code:
        from ..remarks import Actor

        actor = Actor.participant(code)
        st.session_state[state.ACTOR] = actor
    return actor


def chosen_position() -> tuple[float | None, float | None, float | None, str | None]:
    """``(lon, lat, accuracy_m, source)`` of the form: a tap on the map when the map is
    in use, else the phone's GPS; all None when there is neither (EXIF may still help)."""
    tap = st.session_state.get(TAP)
    gps = gps_position(st.session_state.get(GEO))
    if (st.session_state.get(USE_MAP) or gps is None) and tap:
        return float(tap["lon"]), float(tap["lat"]), None, "map"
    if gps is not None:
        return gps[0], gps[1], gps[2], "gps"
    return None, None, None, None


def _form_values() -> dict:
    lon, lat, acc, source = chosen_position()
    photo = st.session_state.get(photo_key())
    data = photo.getvalue() if photo is not None else None
    feeling = st.session_state.get(field_key(FEELING))
    factors = {n: int(v) for n in FACTORS if (v := st.session_state.get(factor_key(n))) is not None}
    return {"category": st.session_state.get(field_key(CATEGORY)),
            "text": st.session_state.get(field_key(TEXT)) or "",
            "lon": lon, "lat": lat, "accuracy_m": acc, "position_source": source, "photo": data,
            "feeling": int(feeling) + 1 if feeling is not None else None, "factors": factors or None}


def _reset_form() -> None:
    old = form_id()
    for key in [k for k in st.session_state if str(k).endswith("_" + old)]:
        del st.session_state[key]
    st.session_state[FORM_ID] = str(uuid.uuid4())
    st.session_state[f"keep_{TEXT}"] = st.session_state[f"keep_{CATEGORY}"] = None
    for key in (TAP, DUPES, ERROR):
        st.session_state[key] = None
    st.session_state[USE_MAP] = False


def submit_form(service: Any, actor: Any, walk: Any, *, confirmed: bool = False) -> Any:
    """Send the open form (a button callback). Returns the stored Remark or None.

    Unless ``confirmed``, open remarks within 25 m in the same category are put in
    ``wr_dupes`` and nothing is sent. On success the acknowledged number goes to
    ``wr_ack`` and the form restarts with a fresh UUID; on an error the message goes
    to ``wr_error`` and the form (text, UUID) stays as it is.
    """
    values = _form_values()
    pristine = not (values["category"] or values["text"].strip() or values["photo"])
    if pristine and st.session_state.get(ACK):
        return None  # a double tap after the form was acknowledged and emptied: nothing to send
    st.session_state[ERROR] = None
    if not values["category"]:
        st.session_state[ERROR] = t("err.category")
        return None
    if not confirmed and values["lon"] is not None:
        try:
            near = service.nearby_open_remarks(walk.id, values["lon"], values["lat"], values["category"],
                                               actor=actor)
        except GeoTrygghetError:
            near = []
        if near:
            st.session_state[DUPES] = [(r.number, r.category_label(lang()), r.text, round(d)) for r, d in near]
            return None
    try:
        remark = service.submit_remark(actor, walk.id, form_id(), **values)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line; the form stays
        st.session_state[ERROR] = swedish_error(exc)
        st.session_state[DUPES] = None
        return None
    st.session_state[ACK] = (remark.number, remark.id)
    _reset_form()
    return remark


def cancel_dupes() -> None:
    st.session_state[DUPES] = None


def tap_map(tap: dict | None, gps: tuple | None, *, frame: Any = None, area: Any = None) -> Any:
    """The map to tap a position on (embedded Leaflet: works without a CDN), centred on the
    tapped point, the phone's last position, the walk's remarks or its area, in that order."""
    from ..maps.base import new_map

    if tap:
        lon, lat, pad = tap["lon"], tap["lat"], 0.0015
    elif gps:
        lon, lat, pad = gps[0], gps[1], 0.0015
    elif frame is not None and len(frame):
        x0, y0, x1, y1 = frame.total_bounds
        lon, lat, pad = (x0 + x1) / 2, (y0 + y1) / 2, max(0.0015, (x1 - x0) / 2, (y1 - y0) / 2)
    elif area:
        from ..maps.remarks import _area_gdf

        x0, y0, x1, y1 = _area_gdf(area).total_bounds
        lon, lat, pad = (x0 + x1) / 2, (y0 + y1) / 2, max((x1 - x0) / 2, (y1 - y0) / 2)
    else:
        return new_map((11.0, 55.3, 24.2, 69.1))  # all of Sweden
    return new_map((lon - pad * 2, lat - pad, lon + pad * 2, lat + pad))


#: the tapped point on the position map (no image from a CDN)
TAP_PIN = ('<div style="width:20px;height:20px;border-radius:50%;background:#d7301f;'
           'border:3px solid #fff;box-shadow:0 0 0 1px #222,0 1px 4px rgba(0,0,0,.5)"></div>')

PHONE_CSS = """
<style>
/* one hand, outdoors: big targets, readable text, the send button always in reach */
button[data-variant="pills"] { min-height: 46px; font-size: 1.02rem; padding: 0 14px; }
button[data-variant^="segmented"] { min-height: 44px; min-width: 48px; }
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-bottom: 7rem; }  /* room below the sticky bar */
.stButton button, [data-testid="stFileUploaderDropzone"] button { min-height: 48px; font-size: 1.05rem; }
.st-key-wr_send_bar, [data-testid="stLayoutWrapper"]:has(> .st-key-wr_send_bar) {
  position: sticky; bottom: 0; z-index: 50; background: var(--background-color, #fff); }
.st-key-wr_send_bar { padding: 6px 0 10px 0; box-shadow: 0 -6px 10px -8px rgba(0,0,0,.35); }
.stTextArea textarea { font-size: 16px; }  /* 16 px: iOS does not zoom the page on focus */
</style>
"""


def position_picker(gps: tuple | None, *, frame: Any = None, area: Any = None) -> None:
    """The map to tap the remark's position on (when the phone gives none, or the participant
    prefers it); the tap is kept in the session and said back under the map."""
    import folium
    from streamlit_folium import st_folium

    tap = st.session_state.get(TAP)
    m = tap_map(tap, gps, frame=frame, area=area)
    marker = folium.FeatureGroup(name="vald")
    if tap:
        folium.Marker([tap["lat"], tap["lon"]], icon=folium.DivIcon(
            html=TAP_PIN, icon_size=(24, 24), icon_anchor=(12, 12))).add_to(marker)
    out = st_folium(m, key="wr_tapmap", height=280, use_container_width=True,
                    returned_objects=["last_clicked"], feature_group_to_add=marker)
    click = (out or {}).get("last_clicked")
    if click and click != st.session_state.get(TAP_SEEN):
        st.session_state[TAP_SEEN] = click
        st.session_state[TAP] = {"lat": click["lat"], "lon": click["lng"]}
        st.rerun()
    if tap:  # with a GPS fix as well, say which of the two is sent
        st.caption(t("wk.tapped", **tap) + (t("wk.tap_wins") if gps else ""))
    else:
        st.caption(t("wk.tap_hint"))
