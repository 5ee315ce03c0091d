"""Trygghetsvandring remarks: walks, remarks, problemägare, states, permissions.

The remark service is the only code in geo_trygghet that touches the database
(SQLite by default, PostgreSQL through ``GEO_TRYGGHET_DATABASE_URL``; schema by
Alembic, run on open). It composes a repository (:mod:`.repository`: queries and
row mapping) and small services, one per job (:mod:`.walks`, :mod:`.submission`,
:mod:`.reading`, :mod:`.changes`, :mod:`.views`, :mod:`.accounts`,
:mod:`.organisations`); their methods are the service's own. :mod:`.states` is the
only place that knows state slugs; :mod:`.categories` holds the remark categories.
Old protocols come in through :mod:`.importer` (reading :mod:`.protocol_file`),
remarks go out through :mod:`.export` and :mod:`.open311`. Pages and the CLI code
against this API::

    from geo_trygghet.remarks import Actor, RemarkService, open_store

    service = RemarkService(open_store())          # or RemarkService(url)
    admin = Actor.system()                          # the CLI; pages use service.login(...)
    org = service.create_organisation(admin, "Gatukontoret", kind="kommun förvaltning",
                                      email="gata@kommun.se", categories=["belysning"])
    walk = service.create_walk(admin, "Centrum 2025-10-02", walk_date="2025-10-02", group="blandad")
    me = Actor.participant(walk.join_code)          # a phone that joined with the code
    r = service.submit_remark(me, walk.join_code, str(uuid.uuid4()), "belysning",
                              "Trasig lampa", lon=15.1, lat=58.2, accuracy_m=8)
    service.assign(admin, r.id, org.id)

Actors and roles (:mod:`.auth`)
    ``Actor(kind, role, user_id, username, organisation_id, walk_code)``;
    ``Actor.participant(code)``, ``Actor.system()``; roles ``admin``,
    ``analytiker``, ``problemagare``, ``deltagare``.
    ``service.login(username, password) -> Actor`` (PermissionDeniedError).

Users and organisations
    ``create_user(actor, username, password, role, *, display_name, organisation_id, email) -> User``,
    ``list_users(actor)``, ``set_password(actor, username, password)``,
    ``create_organisation(actor, name, *, kind, email, categories, area) -> Organisation``,
    ``update_organisation(actor, id, *, email, kind, categories, area)``,
    ``list_organisations(actor=None)``, ``get_organisation(id_or_name)``.

Walks (a walk reference is a :class:`Walk`, an id, a title or a join code)
    ``create_walk(actor, title, area=None, walk_date=None, group=None, organiser=None) -> Walk``,
    ``get_or_create_walk(actor, title, **kw) -> (Walk, created)``, ``get_walk(ref)``,
    ``walk_by_code(code)``, ``list_walks(actor)``, ``set_walk_state(actor, ref, state)``
    (along :data:`~.states.WALK_TRANSITIONS`, else InvalidTransitionError),
    ``close_walk(actor, ref)``, ``update_walk(actor, ref, *, area, walk_date, group, organiser)``.

Remarks
    ``submit_remark(actor, walk, remark_id, category, text="", lon=None, lat=None,
    accuracy_m=None, photo=None, feeling=None, factors=None, reporter_name=None,
    position_source=None, *, created_at=None) -> Remark`` (idempotent on remark_id),
    ``receive_remark(actor, walk, remark_id, category, text="", lon=None, lat=None, accuracy_m=None, *,
    position_source=None, feeling=None, factors=None, reporter_name=None, observed_at=None) -> Received``
    (the phone API's submit: ``created`` says whether this request stored it; the same id with
    other content is a ConflictError), ``attach_photo(actor, remark_id, bytes) -> Received``
    (idempotent; another photo for the same remark is a ConflictError),
    ``nearby_open_remarks(walk, lon, lat, category, radius_m=None, *, actor=None)
    -> list[(Remark, distance_m)]``, ``list_remarks(actor, walk=None, state=None,
    overdue=None, organisation=None, *, today=None, days=None)``,
    ``get_remark(actor, id)``, ``history(actor, id) -> list[Event]``,
    ``get_photo(actor, id) -> bytes | None``, ``overdue(actor, today=None, days=None)``.

State changes (:mod:`.states` holds the one table of allowed transitions)
    ``transition(actor, id, to_state, note=None, planned_date=None, fixed_date=None,
    owner_id=None, duplicate_of=None, reason=None, *, at=None) -> Remark`` and
    ``assign(actor, id, owner_id)``, ``plan(actor, id, planned_date)``,
    ``mark_fixed(actor, id, fixed_date=None, note=None)``, ``not_ours(actor, id, reason)``,
    ``cannot_fix(actor, id, reason)``, ``mark_duplicate(actor, id, original_id)``,
    ``verify(actor, id)``, ``reopen(actor, id, note=None)``;
    ``suggest_owner(remark) -> Organisation | None``, ``suggest_owners(category, lon, lat)``,
    ``allowed_changes(actor, remark) -> tuple[str, ...]`` (target states, for buttons).

Protocol, public page, maps
    ``remarks_as_of(walk, as_of=None, actor=None) -> list[Remark]`` (rebuilt from events),
    ``public_summary(area=None) -> PublicSummary``,
    ``remarks_frame(actor, walk=None, state=None, overdue=None, organisation=None, *,
    as_of=None, today=None, lang="sv") -> GeoDataFrame`` (EPSG:4326).

Open311 (:mod:`.open311`): partners' keys, remarks from outside any walk, problemägare's own systems
    ``create_api_key(actor, partner, scope="read") -> IssuedKey`` (the secret shown once),
    ``list_api_keys(actor)``, ``revoke_api_key(actor, id_or_prefix)``;
    ``receive_request(key, IncomingRequest) -> Accepted`` (a remark of the partner's channel, numbered
    in its own series, routed by :meth:`suggest_owners`); ``service.open311_reader`` answers
    ``requests``; ``set_endpoint(actor, org, base_url, *, api_key, jurisdiction_id, service_codes,
    enabled)``, ``list_endpoints(actor)``, ``open311_outbox(actor, failing=False)``,
    ``retry_open311_send(actor, entry_id)``; :func:`~.open311.sync_endpoints` sends and fetches back.

Photos (:mod:`.photos`) and reminders (:mod:`.reminders`)
    ``prepare_photo(bytes) -> PreparedPhoto``; ``send_overdue_reminders(service,
    smtp_host, smtp_port, sender, today=None) -> int``; ``overdue_reason(remark, today)``.
"""

from __future__ import annotations

from .auth import Actor, normalise_code
from .categories import REMARK_CATEGORIES, category_label, remark_categories
from .photos import PreparedPhoto, prepare_photo
from .records import Event, Organisation, PublicSummary, Remark, User, Walk
from .reminders import is_overdue, overdue_reason, send_overdue_reminders
from .service import RemarkService
from .states import (
    ACCOUNT_ROLES,
    FACTORS,
    ROLES,
    STATES,
    TRANSITIONS,
    WALK_GROUPS,
    WALK_STATES,
    WALK_TRANSITIONS,
    State,
    Transition,
    allowed_targets,
    is_closed,
    is_fixed,
    is_open,
    state_label,
)
from .store import Store, open_store

__all__ = [
    "ACCOUNT_ROLES",
    "FACTORS",
    "REMARK_CATEGORIES",
    "ROLES",
    "STATES",
    "TRANSITIONS",
    "WALK_GROUPS",
    "WALK_STATES",
    "WALK_TRANSITIONS",
    "Actor",
    "Event",
    "Organisation",
    "PreparedPhoto",
    "PublicSummary",
    "Remark",
    "RemarkService",
    "State",
    "Store",
    "Transition",
    "User",
    "Walk",
    "allowed_targets",
    "category_label",
    "is_closed",
    "is_fixed",
    "is_open",
    "is_overdue",
    "normalise_code",
    "open_store",
    "overdue_reason",
    "prepare_photo",
    "remark_categories",
    "send_overdue_reminders",
    "state_label",
]
