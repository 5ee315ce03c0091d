"""Partners' API keys: made, listed and revoked by the admin; checked on every Open311 request.

A key is ``o311_`` and 43 random URL-safe characters, shown once when it is made; the database
keeps only its SHA-256 (a random key needs no slow hash) and the first characters as ``prefix``,
to tell keys apart in lists. A key is ``read`` (requests, requests/{id}, tokens) or ``read-write``
(also POST requests) and belongs to a partner; the partner's remarks come in through its channel
``Open311: <partner>``, numbered in their own series. Revoking keeps the row (and its remarks'
origin) and refuses the key from then on.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import InputError, NotFoundError
from ..auth import Actor, require_admin
from ..models import RemarkChannelRow, utcnow
from ..repository import Repository
from .models import READ, SCOPES, ApiKeyRow
from .records import ApiKey, IssuedKey, KeyRefused

KEY_PREFIX = "o311_"
PREFIX_LENGTH = len(KEY_PREFIX) + 6
#: The kind of channel a partner's remarks come in through.
CHANNEL_KIND = "open311"
_PARTNER = re.compile(r"^[\w.\- ]{1,100}$")


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def channel_name(partner: str) -> str:
    """The channel (and the title remarks show instead of a walk's) of a partner's requests."""
    return f"Open311: {partner}"


def check_partner(partner: str) -> str:
    name = " ".join((partner or "").split())
    if not _PARTNER.match(name):
        msg = (f"partner name '{partner}' cannot be used: give 1–100 letters, digits, spaces, dots or dashes, "
               "e.g. fixamingata")
        raise InputError(msg)
    return name


class ApiKeys:
    """Create, list, revoke and check partners' keys."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    @staticmethod
    def _record(row: ApiKeyRow, channel: str) -> ApiKey:
        return ApiKey(id=row.id, partner=row.partner, prefix=row.prefix, scope=row.scope, channel_id=row.channel_id,
                      channel=channel, created_at=row.created_at, created_by=row.created_by,
                      revoked_at=row.revoked_at)

    def create_api_key(self, actor: Actor, partner: str, scope: str = READ) -> IssuedKey:
        """A new key for ``partner`` (admin only); its secret is in the answer and nowhere else."""
        require_admin(actor, "create API keys")
        partner = check_partner(partner)
        if scope not in SCOPES:
            msg = f"unknown scope '{scope}': use {' or '.join(SCOPES)}"
            raise InputError(msg)
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.repo.write() as s:
            channel = self.channel(s, channel_name(partner))
            row = ApiKeyRow(channel_id=channel.id, partner=partner, prefix=secret[:PREFIX_LENGTH],
                            key_hash=hash_key(secret), scope=scope, created_by=actor.label, created_at=utcnow())
            s.add(row)
            s.flush()
            return IssuedKey(self._record(row, channel.name), secret)

    @staticmethod
    def channel(s: Session, name: str) -> RemarkChannelRow:
        """The channel called ``name``, made on first use (numbered from 1)."""
        row = s.scalars(select(RemarkChannelRow).where(RemarkChannelRow.name == name)).first()
        if row is None:
            row = RemarkChannelRow(name=name, kind=CHANNEL_KIND, next_number=0, created_at=utcnow())
            s.add(row)
            s.flush()
        return row

    def list_api_keys(self, actor: Actor) -> list[ApiKey]:
        """Every key ever made, newest first (admin only; secrets are not kept, so none are shown)."""
        require_admin(actor, "list API keys")
        with self.repo.read() as s:
            rows = s.execute(select(ApiKeyRow, RemarkChannelRow.name)
                             .join(RemarkChannelRow, RemarkChannelRow.id == ApiKeyRow.channel_id)
                             .order_by(ApiKeyRow.id.desc())).all()
            return [self._record(row, name) for row, name in rows]

    def revoke_api_key(self, actor: Actor, ref: int | str) -> ApiKey:
        """Refuse a key from now on (admin only); ``ref`` is its id or its prefix. Revoking twice
        changes nothing."""
        require_admin(actor, "revoke API keys")
        with self.repo.write() as s:
            row = self._find(s, ref)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                s.flush()
            channel = s.get(RemarkChannelRow, row.channel_id)
            return self._record(row, channel.name if channel else "")

    @staticmethod
    def _find(s: Session, ref: int | str) -> ApiKeyRow:
        text = str(ref).strip()
        found: ApiKeyRow | None = None
        if text.isdigit():
            found = s.get(ApiKeyRow, int(text))
        if found is None and text:
            rows = s.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == text[:PREFIX_LENGTH])).all()
            found = rows[0] if len(rows) == 1 else None
        if found is None:
            msg = f"no API key '{ref}': give its id or its prefix as `geo-trygghet apikey list` shows them"
            raise NotFoundError(msg)
        return found

    def authenticate(self, secret: str | None, *, write: bool = False) -> ApiKey:
        """The key ``secret`` is, if it may read (``write``: and post); else :class:`KeyRefused`."""
        if not secret:
            raise KeyRefused("no api_key given", "key_missing")
        wanted = hash_key(secret)
        with self.repo.read() as s:
            found = s.execute(select(ApiKeyRow, RemarkChannelRow.name)
                              .join(RemarkChannelRow, RemarkChannelRow.id == ApiKeyRow.channel_id)
                              .where(ApiKeyRow.key_hash == wanted)).first()
        if found is None or not hmac.compare_digest(found[0].key_hash, wanted):
            raise KeyRefused("unknown api_key", "key_unknown")
        key = self._record(found[0], found[1])
        if not key.active:
            raise KeyRefused(f"api_key {key.prefix}… was revoked", "key_revoked")
        if write and not key.can_write:
            raise KeyRefused(f"api_key {key.prefix}… may only read", "key_read_only")
        return key


__all__ = ["KEY_PREFIX", "ApiKeys", "channel_name", "check_partner", "hash_key"]
