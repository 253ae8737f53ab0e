"""The stand-in's WSGI app: Storage's routes as the gateway passes them on (no /storage/v1),
and its error answers."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from devstack.storage._context import Service, json_response
from devstack.storage._database import Database
from devstack.storage._errors import EntityTooLarge, InvalidRequest, StorageError
from devstack.storage._files import ObjectFiles
from devstack.storage._routes import routes
from devstack.storage._settings import StorageSettings
from devstack.storage._tokens import Tokens

_log = logging.getLogger("devstack.storage")


def create_app(settings: StorageSettings, *, pool_size: int = 4) -> Flask:
    """Return the stand-in's app, connected to the stack's database, keys and data folder."""
    app = Flask(__name__)
    app.extensions["devstack.storage"] = Service(
        settings,
        Tokens(settings.keys),
        Database(settings.db_url, max_size=pool_size),
        ObjectFiles(settings.data_dir),
    )
    app.url_map.strict_slashes = False
    app.register_blueprint(routes)
    app.register_error_handler(StorageError, _answer_error)
    app.register_error_handler(HTTPException, _answer_http_exception)
    app.register_error_handler(Exception, _answer_unexpected)
    return app


def _answer_error(error: StorageError) -> Response:
    return json_response(error.body(), error.http_status)


def _answer_http_exception(error: HTTPException) -> Response:
    if isinstance(error, RequestEntityTooLarge):
        return _answer_error(EntityTooLarge())
    if error.code in (404, 405):
        return json_response(
            {
                "statusCode": "404",
                "error": "Not Found",
                "message": f"Route {request.method}:{request.full_path.rstrip('?')} not found",
                "code": "InvalidRequest",
            },
            404,
        )
    return _answer_error(InvalidRequest(error.description or "Bad Request"))


def _answer_unexpected(error: Exception) -> Response:
    _log.exception("unexpected failure on %s %s", request.method, request.path)
    return _answer_error(StorageError())
