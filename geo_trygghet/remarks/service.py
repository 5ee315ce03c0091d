"""RemarkService: the one door to walks, remarks, problemägare, state changes and permissions.

The service composes a :class:`~.repository.Repository` (queries and row mapping) and
small services, one per job, each usable on its own:

==================  =====================================  ==============================
attribute           class                                  what
==================  =====================================  ==============================
``walks``           :class:`~.walks.WalkService`           walks, join codes, walk states
``submissions``     :class:`~.submission.SubmissionService` new remarks (numbered, idempotent)
``attachments``     :class:`~.attachments.PhotoAttachments`  a remark's photo sent after it
``reader``          :class:`~.reading.RemarkReader`        one remark, lists, history, photo
``changes``         :class:`~.changes.StateChanges`        state changes along the table
``views``           :class:`~.views.RemarkViews`           protocol as of a date, public page, frames
``accounts``        :class:`~.accounts.Accounts`           users, logins, kept sessions
``organisations``   :class:`~.organisations.Organisations`  problemägare, owner suggestion
``api_keys``        :class:`~.open311.keys.ApiKeys`        partners' Open311 API keys
``intake``          :class:`~.open311.intake.Intake`       remarks from outside any walk
``open311_reader``  :class:`~.open311.queries.Requests`    Open311 requests, one, tokens
``endpoints``       :class:`~.open311.endpoints.Endpoints`  problemägare's own endpoints, outbox
==================  =====================================  ==============================

Their public methods are also methods of the service itself (``service.create_walk(…)``
is ``service.walks.create_walk(…)``), so pages, the CLI and the importers keep one
stable API. Every method that reads or changes remarks takes an
:class:`~geo_trygghet.remarks.auth.Actor` and checks what that actor may do; it
returns plain records (:mod:`geo_trygghet.remarks.records`), never ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from .accounts import Accounts
from .attachments import PhotoAttachments
from .changes import StateChanges
from .open311 import ApiKeys, Endpoints, Intake, Requests
from .organisations import Organisations
from .reading import RemarkReader
from .repository import Repository
from .store import Store, open_store
from .submission import SubmissionService
from .views import RemarkViews
from .walks import WalkService

P = ParamSpec("P")
R = TypeVar("R")


class Part(Generic[P, R]):
    """A facade method: ``service.name(…)`` calls ``service.<part>.name(…)``."""

    def __init__(self, part: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self.part = part
        self.name = method.__name__
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, obj: None, owner: type) -> Part[P, R]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> Callable[P, R]: ...

    def __get__(self, obj: object | None, owner: type) -> Part[P, R] | Callable[P, R]:
        if obj is None:
            return self
        method: Callable[P, R] = getattr(getattr(obj, self.part), self.name)
        return method


class RemarkService:
    """Everything the app and the CLI do with walks and remarks.

    Parameters
    ----------
    store
        An open :class:`~geo_trygghet.remarks.store.Store`, a database URL, or
        None for :func:`geo_trygghet.settings.database_url`.
    """

    def __init__(self, store: Store | str | None = None) -> None:
        self.store = store if isinstance(store, Store) else open_store(store)
        self.repo = Repository(self.store)
        self.walks = WalkService(self.repo)
        self.submissions = SubmissionService(self.repo)
        self.attachments = PhotoAttachments(self.repo)
        self.reader = RemarkReader(self.repo)
        self.changes = StateChanges(self.repo)
        self.views = RemarkViews(self.repo, self.reader)
        self.accounts = Accounts(self.repo)
        self.organisations = Organisations(self.repo)
        self.api_keys = ApiKeys(self.repo)
        self.intake = Intake(self.repo, self.organisations)
        self.open311_reader = Requests(self.repo, self.intake)
        self.endpoints = Endpoints(self.repo)

    def close(self) -> None:
        self.store.dispose()

    # walks
    create_walk = Part("walks", WalkService.create_walk)
    get_or_create_walk = Part("walks", WalkService.get_or_create_walk)
    get_walk = Part("walks", WalkService.get_walk)
    walk_by_code = Part("walks", WalkService.walk_by_code)
    list_walks = Part("walks", WalkService.list_walks)
    set_walk_state = Part("walks", WalkService.set_walk_state)
    close_walk = Part("walks", WalkService.close_walk)
    update_walk = Part("walks", WalkService.update_walk)
    # remarks: submit and read
    submit_remark = Part("submissions", SubmissionService.submit_remark)
    receive_remark = Part("submissions", SubmissionService.receive_remark)
    attach_photo = Part("attachments", PhotoAttachments.attach_photo)
    get_remark = Part("reader", RemarkReader.get_remark)
    list_remarks = Part("reader", RemarkReader.list_remarks)
    overdue = Part("reader", RemarkReader.overdue)
    history = Part("reader", RemarkReader.history)
    get_photo = Part("reader", RemarkReader.get_photo)
    nearby_open_remarks = Part("reader", RemarkReader.nearby_open_remarks)
    # state changes
    transition = Part("changes", StateChanges.transition)
    allowed_changes = Part("changes", StateChanges.allowed_changes)
    assign = Part("changes", StateChanges.assign)
    plan = Part("changes", StateChanges.plan)
    mark_fixed = Part("changes", StateChanges.mark_fixed)
    not_ours = Part("changes", StateChanges.not_ours)
    cannot_fix = Part("changes", StateChanges.cannot_fix)
    mark_duplicate = Part("changes", StateChanges.mark_duplicate)
    verify = Part("changes", StateChanges.verify)
    reopen = Part("changes", StateChanges.reopen)
    # views
    remarks_as_of = Part("views", RemarkViews.remarks_as_of)
    public_summary = Part("views", RemarkViews.public_summary)
    remarks_frame = Part("views", RemarkViews.remarks_frame)
    # accounts
    create_user = Part("accounts", Accounts.create_user)
    list_users = Part("accounts", Accounts.list_users)
    login = Part("accounts", Accounts.login)
    start_session = Part("accounts", Accounts.start_session)
    resume_session = Part("accounts", Accounts.resume_session)
    end_session = Part("accounts", Accounts.end_session)
    set_password = Part("accounts", Accounts.set_password)
    # organisations
    create_organisation = Part("organisations", Organisations.create_organisation)
    update_organisation = Part("organisations", Organisations.update_organisation)
    list_organisations = Part("organisations", Organisations.list_organisations)
    get_organisation = Part("organisations", Organisations.get_organisation)
    suggest_owners = Part("organisations", Organisations.suggest_owners)
    suggest_owner = Part("organisations", Organisations.suggest_owner)
    # Open311: partners' keys, remarks from outside, problemägare's own endpoints
    create_api_key = Part("api_keys", ApiKeys.create_api_key)
    list_api_keys = Part("api_keys", ApiKeys.list_api_keys)
    revoke_api_key = Part("api_keys", ApiKeys.revoke_api_key)
    receive_request = Part("intake", Intake.receive_request)
    set_endpoint = Part("endpoints", Endpoints.set_endpoint)
    list_endpoints = Part("endpoints", Endpoints.list_endpoints)
    open311_outbox = Part("endpoints", Endpoints.open311_outbox)
    retry_open311_send = Part("endpoints", Endpoints.retry_open311_send)


__all__ = ["RemarkService"]
