"""Remarks from outside any walk: a partner's POSTed request becomes a remark of its channel.

The remark is numbered in the channel's own series (``Open311: fixamingata`` 1, 2, 3 …, taken in
the insert's transaction like a walk's numbers), recorded as made by ``open311:<partner>``, and
routed at once to the problemägare the walks' category-and-area suggestion names
(:meth:`~geo_trygghet.remarks.organisations.Organisations.suggest_owners`): assigned (Tilldelad)
by ``system``, so it shows on that problemägare's list like any other remark; with no suggestion it
stays Ny for the kommun to assign. What the partner sent beside the remark is kept in its origin
(:class:`~.models.RemarkOriginRow`).

A partner's own reference (``attribute[external_id]`` or ``attribute[fixmystreet_id]``) makes the
remark's id (a UUID5 of the channel and the reference), so a resend after a lost answer gets the
same request back instead of a second one; the reference is also the request's token
(``tokens/{reference}``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import states as st
from ..models import EventRow, OrganisationRow, RemarkChannelRow, RemarkRow, utcnow
from ..organisations import Organisations
from ..records import EVENT_FIELDS, Organisation
from ..repository import Repository
from .checks import Checked, check_request
from .models import RemarkOriginRow
from .records import Accepted, ApiKey, IncomingRequest, KeyRefused

#: The namespace of remark ids made from a channel and a partner's reference.
REFERENCE_NAMESPACE = uuid.UUID("3f7c1b52-8f0e-4a53-9d7e-0b5a6c1d2e44")


def remark_id_for(channel_id: int, reference: str | None) -> str:
    """The id of a partner's request: the same for the same reference in the same channel."""
    if reference is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(REFERENCE_NAMESPACE, f"{channel_id}\x1f{reference}"))


@dataclass(frozen=True)
class Origin:
    """What a partner sent beside a remark that may be shown: the address it typed, its media URL
    (shown only where photos are public) and its own reference."""

    address: str | None
    media_url: str | None
    external_ref: str | None


class Intake:
    """Partners' requests in: checked, numbered in the channel, routed to a problemägare."""

    def __init__(self, repo: Repository, organisations: Organisations) -> None:
        self.repo = repo
        self.organisations = organisations

    def receive_request(self, key: ApiKey, incoming: IncomingRequest) -> Accepted:
        """Store a POSTed request as a remark of ``key``'s channel (once per partner reference)."""
        if not key.can_write:
            raise KeyRefused(f"api_key {key.prefix}… may not post requests", "key_read_only")
        checked = check_request(incoming)
        rid = remark_id_for(key.channel_id, checked.external_ref)
        known = self._known(rid)
        if known is not None:
            return known
        suggested = self.organisations.suggest_owners(checked.category, checked.lon, checked.lat)
        try:
            return self._store(key, rid, checked, suggested[0] if suggested else None)
        except IntegrityError:  # the same reference raced in: the other request stored it
            known = self._known(rid)
            if known is None:
                raise
            return known

    def _known(self, rid: str) -> Accepted | None:
        with self.repo.read() as s:
            found = s.execute(select(RemarkRow.number, OrganisationRow.name)
                              .outerjoin(OrganisationRow, OrganisationRow.id == RemarkRow.owner_id)
                              .where(RemarkRow.id == rid)).first()
        if found is None:
            return None
        return Accepted(service_request_id=rid, created=False, number=int(found[0] or 0), owner_name=found[1])

    def _store(self, key: ApiKey, rid: str, c: Checked, owner: Organisation | None) -> Accepted:
        label = f"open311:{key.partner}"
        with self.repo.write() as s:
            number = self._next_number(s, key.channel_id)
            now = utcnow()
            row = RemarkRow(id=rid, walk_id=None, channel_id=key.channel_id, number=number, category=c.category,
                            text=c.text, lon=c.lon, lat=c.lat, accuracy_m=None, position_source=c.position_source,
                            feeling=c.feeling, factors=c.factors, reporter_name=c.reporter_name, owner_id=None,
                            state=st.INITIAL_STATE, created_by=label, created_at=now, updated_at=now)
            s.add(row)
            s.flush()
            s.add(EventRow(remark_id=rid, at=now, actor=label, from_state=None, to_state=st.INITIAL_STATE,
                           **dict.fromkeys(EVENT_FIELDS)))
            s.add(RemarkOriginRow(remark_id=rid, channel_id=key.channel_id, api_key_id=key.id,
                                  external_ref=c.external_ref, address_string=c.address, media_url=c.media_url,
                                  attributes=c.attributes, contact_email=c.email, contact_phone=c.phone,
                                  received_at=now))
            if owner is not None:
                self._route(s, row, owner, now)
            s.flush()
        return Accepted(service_request_id=rid, created=True, number=number,
                        owner_name=owner.name if owner else None)

    @staticmethod
    def _next_number(s: Session, channel_id: int) -> int:
        """The channel's next number, taken in this transaction (the row stays locked until commit)."""
        statement = (update(RemarkChannelRow).where(RemarkChannelRow.id == channel_id)
                     .values(next_number=RemarkChannelRow.next_number + 1).returning(RemarkChannelRow.next_number))
        return int(s.execute(statement).scalar_one())

    @staticmethod
    def _route(s: Session, row: RemarkRow, owner: Organisation, now: dt.datetime) -> None:
        """Assign the new remark to the suggested problemägare, as the walks' triage would."""
        st.find_transition(row.state, st.TILLDELAD)
        source = row.state
        row.owner_id, row.state, row.assigned_at, row.updated_at = owner.id, st.TILLDELAD, now, now
        s.add(EventRow(remark_id=row.id, at=now, actor="system", from_state=source, to_state=st.TILLDELAD,
                       **{f: getattr(row, f) for f in EVENT_FIELDS}))

    def origins(self, remark_ids: Iterable[str]) -> dict[str, Origin]:
        """The origins of remarks from outside, by remark id (remarks of walks have none)."""
        ids = list(dict.fromkeys(remark_ids))
        out: dict[str, Origin] = {}
        with self.repo.read() as s:
            for start in range(0, len(ids), 500):
                rows = s.scalars(select(RemarkOriginRow).where(RemarkOriginRow.remark_id.in_(ids[start:start + 500])))
                out.update({r.remark_id: Origin(r.address_string, r.media_url, r.external_ref) for r in rows})
        return out

    def addresses(self, remark_ids: Iterable[str]) -> dict[str, str]:
        """The addresses partners typed, by remark id (where they typed one)."""
        return {rid: o.address for rid, o in self.origins(remark_ids).items() if o.address}

    def remark_for_token(self, key: ApiKey, token: str) -> str | None:
        """The id of the request ``key``'s partner sent with its own reference ``token``, or None."""
        with self.repo.read() as s:
            return s.scalars(select(RemarkOriginRow.remark_id).where(
                RemarkOriginRow.channel_id == key.channel_id, RemarkOriginRow.external_ref == token)).first()


__all__ = ["REFERENCE_NAMESPACE", "Intake", "Origin", "remark_id_for"]
