"""HTTP routes: `POST /actions/<name>`, health checks, and `/openapi.json`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from bff.actions import ACTIONS, Action, ActionContext
from bff.auth import TokenVerifier
from bff.database import Database, translate_errors
from bff.errors import (
    BadRequest,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from bff.openapi import IDEMPOTENCY_KEY_MAX, openapi_document

blueprint = Blueprint("api", __name__)


@blueprint.post("/actions/<name>")
def run_action(name: str) -> tuple[Response, int]:
    """Verify the caller, validate the body against the action's model, and run the action."""
    verifier: TokenVerifier = current_app.extensions["bff.verifier"]
    database: Database = current_app.extensions["bff.database"]
    caller = verifier.verify(request.headers.get("Authorization"))
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"There is no action named {name!r}.")
    payload = _validated_body(action)
    context = ActionContext(
        caller=caller,
        db=database.as_user(caller.token),
        open_storage=lambda: database.storage_as_user(caller.token),
        idempotency_key=_idempotency_key() if action.idempotent_create else None,
    )
    try:
        with translate_errors():
            result = action.run(context, payload)
    finally:
        g.upstream_ms = context.upstream_ms
    # pydantic writes the JSON itself: no intermediate dicts, no second encoder.
    response = Response(result.model_dump_json(), mimetype="application/json")
    response.headers.update(context.response_headers)
    return response, action.status


@blueprint.get("/healthz")
def healthz() -> Response:
    """Answer 200 while the process is alive."""
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz() -> Response:
    """Answer 200 when PostgREST (and through it the database) answers, 503 otherwise."""
    database: Database = current_app.extensions["bff.database"]
    database.ping()
    return jsonify(status="ready")


@blueprint.get("/openapi.json")
def openapi() -> Response:
    """Serve the OpenAPI document generated from the action models."""
    return jsonify(openapi_document())


def _validated_body(action: Action[Any, Any]) -> Any:
    """Parse and validate the body in one strict step (pydantic's JSON parser).

    No body at all stands for `{}`. A body must be `application/json` in UTF-8 (415), readable
    (400), valid JSON nested about 200 deep at most (400; the parser's own limit), and within the
    byte limit (413), chunked or not.
    """
    raw = _body_bytes()
    if not raw.strip():
        raw = b"{}"
    elif request.mimetype != "application/json" or request.mimetype_params.get(
        "charset", "utf-8"
    ).lower() not in ("utf-8", "utf8"):
        raise UnsupportedMediaType()
    try:
        return action.input_model.model_validate_json(raw)
    except ValidationError as error:
        issues = error.errors(include_url=False, include_input=False)
        if any(issue["type"] == "json_invalid" for issue in issues):
            raise BadRequest(f"The request body is not valid JSON: {issues[0]['msg']}") from None
        fields = [
            {"path": [str(part) for part in issue["loc"]] or ["body"], "message": issue["msg"]}
            for issue in issues
        ]
        raise ValidationFailed(details={"fields": fields}) from None


def _body_bytes() -> bytes:
    # Flask refuses a declared Content-Length over the limit up front (413). A chunked body has
    # none: Werkzeug then stops reading at the limit without saying so, so look one byte further
    # (safe: Werkzeug hands out a chunked stream only when the server terminates it).
    try:
        raw = request.get_data(cache=False)
        limit = request.max_content_length
        overflows = (
            request.content_length is None
            and limit is not None
            and len(raw) >= limit
            and bool(request.input_stream.read(1))
        )
    except HTTPException:
        raise
    except Exception as error:  # the server's own parser: a malformed chunked body, say
        raise BadRequest("The request body could not be read (malformed framing).") from error
    if overflows:
        raise PayloadTooLarge()
    return raw


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
        raise ValidationFailed.for_field(
            "headers.Idempotency-Key",
            f"The Idempotency-Key header must be 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII "
            "characters.",
        )
    return key
