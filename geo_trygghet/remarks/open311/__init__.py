"""Open311 GeoReport v2: remarks exchanged with other systems, both ways.

The remark service composes these parts (``service.api_keys``, ``service.intake``,
``service.open311_reader``, ``service.endpoints``); the HTTP endpoint under ``/open311/v2/``
(:mod:`geo_trygghet.web.open311`) is a thin layer on them.

==================  =================================================================
module              what
==================  =================================================================
:mod:`.mapping`     the one mapping of a remark to a service request; the export file
:mod:`.services`    the remark categories as services: groups, attributes
:mod:`.keys`        partners' API keys: made, listed, revoked, checked (stored hashed)
:mod:`.checks`      a POSTed request checked: position, description, attributes
:mod:`.intake`      remarks from outside any walk: numbered per channel, routed
:mod:`.queries`     ``requests``, ``requests/{id}``, ``tokens/{token}``
:mod:`.endpoints`   problemägare's own endpoints and the outbox to them
:mod:`.client`      a small client for such an endpoint (XML)
:mod:`.sync`        ``remarks sync``: send once, retry with backoff, take fixes back
:mod:`.models`      the tables; :mod:`.records` the records and refusals
==================  =================================================================
"""

from .endpoints import Endpoints
from .intake import Intake
from .keys import ApiKeys
from .mapping import open311_requests, service_request
from .queries import Requests
from .records import (
    Accepted,
    ApiKey,
    BadRequest,
    Endpoint,
    IncomingRequest,
    IssuedKey,
    KeyRefused,
    NotThere,
    Open311Error,
    OutboxEntry,
    RequestQuery,
    SyncReport,
)
from .sync import sync_endpoints

__all__ = [
    "Accepted",
    "ApiKey",
    "ApiKeys",
    "BadRequest",
    "Endpoint",
    "Endpoints",
    "IncomingRequest",
    "Intake",
    "IssuedKey",
    "KeyRefused",
    "NotThere",
    "Open311Error",
    "OutboxEntry",
    "RequestQuery",
    "Requests",
    "SyncReport",
    "open311_requests",
    "service_request",
    "sync_endpoints",
]
