"""The application factory."""

from __future__ import annotations

import logging
import re
import time
import uuid

from dotenv import load_dotenv
from flask import Flask, Response, g, has_request_context, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from bff import api, openapi
from bff.auth import TokenVerifier
from bff.database import Database
from bff.errors import ApiError, BadRequest, MethodNotAllowed, NotFound, PayloadTooLarge
from bff.settings import Settings

_log = logging.getLogger("bff")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def create_app(settings: Settings | None = None) -> Flask:
    """Build the BFF. Settings are read from the environment (and `.env`) unless given."""
    if settings is None:
        load_dotenv()
        settings = Settings.from_env()
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    database = Database(settings)
    app.extensions["bff.settings"] = settings
    app.extensions["bff.database"] = database
    app.extensions["bff.verifier"] = TokenVerifier(
        settings.jwt_secret, settings.jwks_url, database.http
    )
    _init_request_ids(app)
    _init_error_handlers(app)
    _init_cors(app, settings)
    app.register_blueprint(api.blueprint)
    openapi.init_docs(app)
    return app


def _init_cors(app: Flask, settings: Settings) -> None:
    """Let web apps on the configured origins call the API from the browser (flask-cors).

    No origin is allowed unless configured (`BFF_CORS_ORIGINS`); preflight requests are
    answered, and the headers a frontend needs to read are exposed.
    """
    if not settings.cors_origins:
        return
    CORS(
        app,
        origins=list(settings.cors_origins),
        methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
        expose_headers=["X-Request-Id", "Idempotent-Replayed", "Retry-After", "Server-Timing"],
        max_age=600,
    )


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def _init_request_ids(app: Flask) -> None:
    """Give every request an id (the caller's `X-Request-Id` if sane), echo it, log with it.

    Every response also says in `Server-Timing` how long the BFF worked on it.
    """
    handler = logging.StreamHandler()
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    if not _log.handlers:
        _log.addHandler(handler)
        _log.setLevel(logging.INFO)
        _log.propagate = False

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # Where the time went, for browser dev tools and the benchmark: the whole request inside
        # the BFF, and the part of it spent waiting for PostgREST.
        timing = f"app;dur={elapsed_ms:.2f}"
        if "upstream_ms" in g:
            timing += f', db;dur={g.upstream_ms:.2f};desc="PostgREST"'
        response.headers["Server-Timing"] = timing
        _log.info(
            "%s %s -> %s in %.1f ms", request.method, request.path, response.status_code, elapsed_ms
        )
        return response


def _init_error_handlers(app: Flask) -> None:
    """Answer every error, ours or Flask's, with the one JSON error shape."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> tuple[Response, int]:
        if error.status >= 500:
            _log.error("%s: %s", error.code, error.__cause__ or error.message)
        response = jsonify(error.to_body(g.get("request_id", "-")))
        response.headers.update(error.headers)
        return response, error.status

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException) -> tuple[Response, int]:
        translated: ApiError
        if error.code == 404:
            translated = NotFound(f"There is nothing at {request.path}.")
        elif error.code == 405:
            allow = dict(error.get_headers()).get("Allow", "")
            translated = MethodNotAllowed(
                f"{request.method} is not allowed on {request.path}; use {allow}.",
                headers={"Allow": allow},
            )
        elif error.code == 413:
            translated = PayloadTooLarge()
        elif error.code is not None and error.code < 500:
            translated = BadRequest(error.description)
        else:
            translated = ApiError()
        return handle_api_error(translated)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> tuple[Response, int]:
        _log.exception("unhandled error")
        return handle_api_error(ApiError())
