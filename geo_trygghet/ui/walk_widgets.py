"""Helpers of the trygghetsvandring pages (no page of its own).

* :func:`geolocation`: the phone's GPS position through a tiny static Streamlit
  component (``components/geolocation/index.html``; no npm build).
* The remark form's state: a UUID made when the form opens and kept until the
  server acknowledges the remark (:func:`form_id`, :func:`submit_form`), so a
  resend or a double tap never makes a duplicate; the typed text survives errors.
* :func:`swedish_error`: the remark service's one-line errors in the user's language.
* :func:`md`: user text made inert for ``st.markdown`` (every ASCII punctuation
  backslash-escaped: no HTML, no markdown, no shortcodes).
* Tables and maps of remarks shared by the participant, owner and staff pages.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from .. import settings
from ..errors import GeoTrygghetError, InputError, PermissionDeniedError, PhotoError
from . import state
from .i18n import lang, t

_COMPONENT_DIR = Path(__file__).resolve().parent / "components" / "geolocation"
#: What the photo field accepts. Not HEIC: with only these listed, an iPhone converts its HEIC
#: photo to JPEG when it hands it to the page (the service refuses HEIC it cannot read).
PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]


def photo_max_mb() -> int:
    from .. import settings

    return max(1, settings.photo_max_bytes // (1024 * 1024))


# ---------------------------------------------------------------- text safety
_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def md(text: Any) -> str:
    """User text that ``st.markdown`` shows literally: every ASCII punctuation mark is
    backslash-escaped (CommonMark), so no HTML, link, emphasis or shortcode survives."""
    raw = "" if text is None else str(text)
    return _MD_SPECIAL.sub(r"\\\1", raw).replace("\n", "  \n")


#: The service's English one-liners that a staff form can cause, said in the interface language.
_INPUT_ERRORS = [(re.compile(p), key) for p, key in (
    (r"^organisation name is empty", "err.org_name"),
    (r"^an organisation called '(?P<name>.+)' exists already", "err.org_taken"),
    (r"^username is empty", "err.user_name"),
    (r"^user name '(?P<name>.+)' is taken", "err.user_taken"),
    (r"^password too short: use at least (?P<n>\d+)", "err.password_short"),
    (r"a problemägare must belong to an organisation", "err.user_org"),
    (r"^walk title is empty", "err.walk_title"),
    (r"^a walk called '(?P<name>.+)' exists already", "err.walk_taken"),
    (r"^e-mail address '(?P<email>.*)' does not look right", "err.email"),
)]


def swedish_error(exc: BaseException) -> str:
    """One line for the user (Swedish by default) for a service error."""
    msg = str(exc)
    low = msg.lower()
    if isinstance(exc, PhotoError):
        key = ("err.photo_empty" if "empty" in low else "err.photo_big" if "larger than" in low
               else "err.photo_heic" if "heic" in low else "err.photo")
        return t(key, mb=photo_max_mb()) if key == "err.photo_big" else t(key)
    if isinstance(exc, PermissionDeniedError):
        return t("err.closed") if "is closed" in low else t("err.denied", why=msg)
    if isinstance(exc, InputError):
        if "no position" in low or "out of range: give wgs84" in low:
            return t("err.no_position")
        if "characters long" in low:
            return t("err.too_long")
        if "unknown remark category" in low:
            return t("err.category")
        for pattern, key in _INPUT_ERRORS:
            found = pattern.search(msg)
            if found:
                return t(key, **found.groupdict())
        return t("err.input", why=msg)
    if isinstance(exc, GeoTrygghetError):
        return t("err.input", why=msg)
    return t("err.network")


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
    from ..remarks.states import FACTORS

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


# ---------------------------------------------------------------- tables and maps
def remarks_table(frame: pd.DataFrame, *, walk: bool = True, owner: bool = True) -> pd.DataFrame:
    """The list shown beside a map (plain text cells: the dataframe widget never renders HTML).

    What decides the next step comes first (state, dates, overdue); the free text, the widest
    column, last, so that a narrow screen still shows the rest."""
    cols = {"number": t("col.nr"), "state_label": t("col.state"), "category_label": t("col.category"),
            "planned_date": t("col.planned"), "fixed_date": t("col.fixed")}
    if "overdue" in frame.columns:
        cols["overdue"] = t("col.overdue")
    if walk:
        cols["walk_title"] = t("col.walk")
    if owner:
        cols["owner_name"] = t("col.owner")
    cols["text"] = t("col.text")
    out = frame.reindex(columns=list(cols)).copy()
    for col in ("walk_title", "category_label", "text", "state_label", "owner_name", "planned_date", "fixed_date"):
        if col in out.columns:  # plain strings: one type per column (Arrow), blanks instead of None
            out[col] = ["" if _blank(v) else str(v)[:10] if col.endswith("_date") else str(v) for v in out[col]]
    return out.rename(columns=cols).reset_index(drop=True)


def _blank(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def history_table(events: list[Any]) -> pd.DataFrame:
    """A remark's events, newest last, in Swedish time, with plain names for who did it."""
    lg = lang()
    return pd.DataFrame({
        t("col.when"): [local_time(e.at).strftime("%Y-%m-%d %H:%M") for e in events],
        t("col.who"): [actor_name(str(e.actor)) for e in events],
        t("col.from"): [e.from_label(lg) if e.from_state else "–" for e in events],
        t("col.to"): [e.to_label(lg) for e in events],
        t("col.note"): [e.note or "" for e in events],
    })


def local_time(at: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as the clock on the wall in Sweden showed it."""
    from zoneinfo import ZoneInfo

    from .. import settings

    return at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(settings.local_tz))


def actor_name(actor: str) -> str:
    """``user:gatukontoret`` -> ``gatukontoret``; ``deltagare:ABC123`` -> ``deltagare``."""
    kind, _, name = actor.partition(":")
    if kind == "user" and name:
        return name
    if kind == "deltagare":
        return t("who.participant")
    if kind == "system":
        return t("who.system")
    return actor


def show_map(frame: Any, *, key: str, area: Any = None, height: int = 320) -> None:
    """The numbered remarks map (maps.remarks) in the page; no reruns on pan or zoom."""
    from streamlit_folium import st_folium

    from ..maps.remarks import remarks_map

    m = remarks_map(frame, lang=lang(), area=area)
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


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


def labeller(labels: dict) -> Any:
    """A ``format_func`` from labels made now, in this run's language (a lambda that read
    the language later could be called outside the run, e.g. by AppTest)."""
    return lambda value: labels.get(value, "" if value is None else str(value))


def remark_choice_label(r: Any) -> str:
    text = (r.text or "").replace("\n", " ")
    short = text if len(text) <= 40 else text[:39] + "…"
    return f"{r.number}. {r.walk_title} · {r.category_label(lang())} · {r.state_label(lang())} · {short}"


# ---------------------------------------------------------------- settings for the staff pages
def smtp_settings() -> dict | None:
    """SMTP settings from the environment (see :func:`geo_trygghet.settings.smtp_settings`)."""
    return settings.smtp_settings()


def today() -> dt.date:
    return dt.date.today()


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


# ---------------------------------------------------------------- staff: assign and follow up


#: States in which a remark can be given (another) problemägare.
ASSIGNABLE = ("ny", "inte_vart_ansvar", "tilldelad", "planerad")


def assign_editor(service: Any, actor: Any, remarks: list[Any], organisations: list[Any], *, key: str) -> None:
    """Remarks and their problemägare: a new one comes with a suggestion, ticked; an assigned one
    with its owner, unticked (change the owner and tick it to re-assign). Assigns the ticked rows."""
    names = {o.name: o.id for o in organisations}
    rows = []
    for r in remarks:
        owner, tick = r.owner_name, False
        if owner is None:
            try:
                suggestion = service.suggest_owner(r.id)
            except GeoTrygghetError:
                suggestion = None
            owner, tick = (suggestion.name, True) if suggestion else (None, False)
        rows.append({"id": r.id, t("col.nr"): r.number, t("col.state"): r.state_label(lang()),
                     t("col.category"): r.category_label(lang()), t("wa.suggested"): owner,
                     t("wa.assign_col"): tick, t("col.text"): r.text, "_owner": r.owner_name})
    frame = pd.DataFrame(rows)
    editable = (t("wa.suggested"), t("wa.assign_col"))
    edited = st.data_editor(
        frame, key=key, hide_index=True, width="stretch", disabled=[c for c in frame.columns if c not in editable],
        column_config={"id": None, "_owner": None,
                       t("wa.suggested"): st.column_config.SelectboxColumn(options=list(names)),
                       t("wa.assign_col"): st.column_config.CheckboxColumn()})
    if st.button(t("wa.assign_btn"), key=f"{key}_go", type="primary"):
        done, errors = 0, []
        for row in edited.to_dict("records"):
            owner = row[t("wa.suggested")]
            if row[t("wa.assign_col")] and owner in names and owner != row["_owner"]:
                try:
                    service.assign(actor, row["id"], names[owner])
                    done += 1
                except GeoTrygghetError as exc:
                    errors.append(f"{row[t('col.nr')]}: {swedish_error(exc)}")
        for line in errors:
            st.error(line)
        if not errors:
            key_ = "wa.assigned_0" if done == 0 else "wa.assigned_1" if done == 1 else "wa.assigned"
            state.flash(t(key_, n=done), "info" if done == 0 else "success")
            st.rerun()


def followup_editor(service: Any, actor: Any, remarks: list[Any], *, key: str) -> None:
    """Fixed remarks seen again at the follow-up walk: mark Kontrollerad or reopen."""
    options = [t("wa.keep"), t("wa.verify"), t("wa.reopen")]
    frame = pd.DataFrame([{"id": r.id, t("col.nr"): r.number, t("col.category"): r.category_label(lang()),
                           t("col.text"): r.text, t("col.owner"): r.owner_name,
                           t("col.fixed"): r.fixed_date, t("wa.action"): options[0]} for r in remarks])
    edited = st.data_editor(
        frame, key=key, hide_index=True, width="stretch",
        disabled=[c for c in frame.columns if c != t("wa.action")],
        column_config={"id": None, t("wa.action"): st.column_config.SelectboxColumn(options=options)})
    if st.button(t("wa.followup_btn"), key=f"{key}_go", type="primary"):
        done, errors = 0, []
        for row in edited.to_dict("records"):
            action = row[t("wa.action")]
            try:
                if action == options[1]:
                    service.verify(actor, row["id"])
                    done += 1
                elif action == options[2]:
                    service.reopen(actor, row["id"])
                    done += 1
            except GeoTrygghetError as exc:
                errors.append(f"{row[t('col.nr')]}: {swedish_error(exc)}")
        for line in errors:
            st.error(line)
        if not errors:
            state.flash(t("wa.followed_1" if done == 1 else "wa.followed", n=done))
            st.rerun()
