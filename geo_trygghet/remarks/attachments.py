"""A remark's photo, sent after the remark (the phone form's outbox): idempotent, one per remark.

The phone sends the remark first and its photo afterwards, to the remark's id. The photo is
checked, its EXIF GPS read, its metadata stripped and its longest side shrunk
(:func:`~.photos.prepare_photo`) before it is stored. Sending the same photo again (an answer
lost on the way) changes nothing; another photo for a remark that has one is a
:class:`~geo_trygghet.errors.ConflictError`.

A remark always has a position when it is stored (the table requires one), so a photo's EXIF
GPS position cannot fill a missing one afterwards: the phone form reads the GPS position of the
original photo itself before it shrinks the photo and queues the remark (the original's
metadata never leaves the phone), and :meth:`~.submission.SubmissionService.submit_remark`
still fills a missing position from a photo sent with the remark.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.exc import IntegrityError

from ..errors import ConflictError, PermissionDeniedError
from . import states as st
from .auth import Actor, require_walk_access
from .models import PhotoRow, utcnow
from .photos import PreparedPhoto, prepare_photo
from .records import Remark
from .repository import Repository
from .submission import Received, canonical_id


class PhotoAttachments:
    """Photos that follow their remark."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def attach_photo(self, actor: Actor, remark_id: str, data: bytes) -> Received:
        """Store ``data`` (JPEG, PNG or WebP) as the photo of remark ``remark_id``.

        ``created`` is False when this very photo is stored already. A participant reaches
        only the remarks of the walk whose code it holds, also after the walk closed (the
        remark was taken while it was open); a problemägare adds no photos. Errors:
        NotFoundError (no such remark yet), PermissionDeniedError, PhotoError (not a
        photo, too large), ConflictError (the remark has another photo).
        """
        rid = canonical_id(remark_id)
        if actor.role == st.PROBLEMAGARE:
            msg = f"problemagare '{actor.label}' may not add photos: remarks come from the walk's participants"
            raise PermissionDeniedError(msg)
        remark = self._reachable(actor, rid)
        prepared = prepare_photo(data)
        try:
            created = self._store(rid, prepared)
        except IntegrityError:  # two sends of the photo raced: the other one stored it
            created = self._store(rid, prepared)
        return Received(replace(remark, has_photo=True), created=created)

    def _reachable(self, actor: Actor, rid: str) -> Remark:
        """The remark, when ``actor`` may add to it (NotFoundError, PermissionDeniedError)."""
        with self.repo.read() as s:
            row = self.repo.remark_row(s, rid)
            title, join_code = self.repo.source_of(s, row)
            require_walk_access(actor, join_code, title)
            return self.repo.remark_by_id(s, rid, actor)

    def _store(self, rid: str, photo: PreparedPhoto) -> bool:
        """Insert the photo; False when the same one is there, ConflictError when another is."""
        with self.repo.write() as s:
            stored = s.get(PhotoRow, rid)
            if stored is not None:
                if bytes(stored.content) != photo.content:
                    msg = f"remark {rid} has another photo already: a remark keeps the photo sent first"
                    raise ConflictError(msg)
                return False
            s.add(PhotoRow(remark_id=rid, content=photo.content, mime=photo.mime, width=photo.width,
                           height=photo.height, created_at=utcnow()))
            s.flush()
            return True


__all__ = ["PhotoAttachments"]
