"""What every route needs: the stand-in's parts, the caller, the database scope, JSON in and out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Request, Response, current_app, request

from devstack.storage._database import Database, Scope
from devstack.storage._errors import InvalidRequest
from devstack.storage._files import ObjectFiles
from devstack.storage._settings import StorageSettings
from devstack.storage._tokens import Caller, Tokens

# JSON bodies (signing, listing, removing) are small; uploads set their own limit.
MAX_JSON_BYTES = 1 << 20


@dataclass(frozen=True)
class Service:
    settings: StorageSettings
    tokens: Tokens
    database: Database
    files: ObjectFiles


def service() -> Service:
    found: Service = current_app.extensions["devstack.storage"]
    return found


def scope_for(caller: Caller, operation: str) -> Scope:
    """Return the database scope of this request for `caller` and the API `operation`."""
    return Scope(
        caller,
        operation,
        method=request.method,
        path=request.full_path.rstrip("?") if request.query_string else request.path,
        headers={name.lower(): value for name, value in request.headers.items()},
    )


def caller_from_header(*, optional: bool = False) -> Caller:
    """Return the caller the `Authorization` header names (Storage's JWT check).

    Routes that require a token refuse a request without the header before anything else.
    """
    authorization = request.headers.get("Authorization")
    if authorization is None and not optional:
        raise InvalidRequest("headers must have required property 'authorization'")
    return service().tokens.caller(authorization, optional=optional)


def json_body(incoming: Request) -> bytes:
    """Return a JSON request's body, refusing bodies over `MAX_JSON_BYTES`."""
    incoming.max_content_length = MAX_JSON_BYTES
    return incoming.get_data()


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
