"""The stand-in's WSGI app: Supabase Auth's routes, as the gateway passes them on (no /auth/v1)."""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from devstack._keys import LocalKeys, TokenSession, TokenUser, access_token_claims
from devstack.auth._accounts import sign_in_with_password, sign_up
from devstack.auth._bearer import authenticate
from devstack.auth._database import Database
from devstack.auth._errors import (
    API_VERSION_HEADER,
    AuthError,
    InvalidCredentials,
    MethodNotAllowed,
    NotFound,
    RequestTooLarge,
    ValidationFailed,
    render,
)
from devstack.auth._models import (
    PasswordGrantIn,
    RefreshTokenGrantIn,
    SignupIn,
    parse_body,
    user_json,
)
from devstack.auth._sessions import Client, IssuedSession, end_sessions, refresh_session
from devstack.auth._settings import AuthSettings

# Auth reads at most 1 MiB of a request body.
MAX_BODY_BYTES = 1 << 20
_log = logging.getLogger("devstack.auth")
routes = Blueprint("auth", __name__)


@dataclass(frozen=True)
class _Service:
    settings: AuthSettings
    keys: LocalKeys
    database: Database


def create_app(settings: AuthSettings, *, pool_size: int = 4) -> Flask:
    """Return the stand-in's app, connected to the stack's database and keys."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["devstack.auth"] = _Service(
        settings, settings.keys, Database(settings.db_url, max_size=pool_size)
    )
    app.register_blueprint(routes)
    app.register_error_handler(AuthError, _answer_error)
    app.register_error_handler(HTTPException, _answer_http_exception)
    app.register_error_handler(Exception, _answer_unexpected)
    return app


def _service() -> _Service:
    service: _Service = current_app.extensions["devstack.auth"]
    return service


@routes.get("/health")
def health() -> Response:
    return _json(
        {
            "version": "local-stand-in",
            "name": "GoTrue",
            "description": "Stand-in for Supabase Auth, local development and tests only",
        }
    )


@routes.get("/.well-known/jwks.json")
def jwks() -> Response:
    """The public keys access tokens are signed with (never the HS256 secret)."""
    response = _json(json.loads(_service().keys.public_jwks_file.read_text()))
    response.headers["Cache-Control"] = "public, max-age=600"
    return response


@routes.post("/signup")
def signup() -> Response:
    service = _service()
    params = parse_body(SignupIn, request.get_data())
    issued = sign_up(
        service.database,
        params,
        _client(),
        minimum_password_length=service.settings.minimum_password_length,
    )
    return _json(_session_json(service, issued))


@routes.post("/token")
def token() -> Response:
    service = _service()
    grant_type = request.args.get("grant_type")  # where supabase-js puts it
    if grant_type == "password":
        issued = sign_in_with_password(
            service.database, parse_body(PasswordGrantIn, request.get_data()), _client()
        )
    elif grant_type == "refresh_token":
        params = parse_body(RefreshTokenGrantIn, request.get_data())
        issued = refresh_session(
            service.database,
            params.refresh_token or "",
            _client(),
            reuse_interval=service.settings.refresh_token_reuse_interval,
        )
    else:  # Auth's own answer to a grant it does not know (the stand-in knows these two)
        raise InvalidCredentials("unsupported_grant_type")
    return _json(_session_json(service, issued))


@routes.get("/user")
def user() -> Response:
    service = _service()
    caller = authenticate(service.database, service.keys, request.headers.get("Authorization"))
    audience = caller.claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if not audiences or audiences[0] != "authenticated":
        raise ValidationFailed("Token audience doesn't match request audience")
    return _json(user_json(caller.user))


@routes.post("/logout")
def logout() -> Response:
    service = _service()
    caller = authenticate(service.database, service.keys, request.headers.get("Authorization"))
    scope = request.args.get("scope", "") or "global"
    if scope not in ("global", "local", "others"):
        raise ValidationFailed(f"Unsupported logout scope {json.dumps(scope)}")
    end_sessions(service.database, str(caller.user["id"]), caller.session_id, scope)
    return Response(status=204)


def _session_json(service: _Service, issued: IssuedSession) -> dict[str, Any]:
    """Return a session as Auth answers it, with a new access token for it."""
    row = issued.user
    claims = access_token_claims(
        TokenUser(
            user_id=str(row["id"]),
            email=row["email"] or "",
            phone=row["phone"] or "",
            aud=row["aud"] or "authenticated",
            role=row["role"] or "authenticated",
            app_metadata=row["raw_app_meta_data"] or {},
            user_metadata=row["raw_user_meta_data"] or {},
            is_anonymous=bool(row["is_anonymous"]),
        ),
        ttl=service.settings.jwt_expiry,
        session=TokenSession(issued.session_id, int(issued.signed_in_at.timestamp())),
        issuer=service.settings.issuer,
    )
    return {
        "access_token": service.keys.sign(claims),
        "token_type": "bearer",
        "expires_in": claims["exp"] - int(time.time()),
        "expires_at": claims["exp"],
        "refresh_token": issued.refresh_token,
        "user": user_json(row),
    }


def _client() -> Client:
    """Return the caller's user agent and address, as the gateway forwarded them."""
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
    address = forwarded or request.remote_addr or ""
    try:
        ip: str | None = str(ipaddress.ip_address(address))
    except ValueError:
        ip = None
    agent = request.headers.get("User-Agent")
    return Client(agent.replace("\x00", "") if agent else None, ip)


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _answer_error(error: AuthError) -> Response:
    body, headers = render(error, request.headers.get(API_VERSION_HEADER))
    response = _json(body, error.http_status)
    response.headers.update(headers)
    return response


def _answer_http_exception(error: HTTPException) -> Response:
    if isinstance(error, RequestEntityTooLarge):
        return _answer_error(
            RequestTooLarge(f"Request body too large (max {MAX_BODY_BYTES} bytes)")
        )
    if error.code == 405:
        return _answer_error(MethodNotAllowed())
    if error.code == 404:
        return _answer_error(NotFound())
    return _answer_error(ValidationFailed(error.description or "Bad request", status=error.code))


def _answer_unexpected(error: Exception) -> Response:
    _log.exception("unexpected failure on %s %s", request.method, request.path)
    return _answer_error(AuthError())
