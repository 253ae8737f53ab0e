"""HTTP routes: `POST /actions/<name>`, health checks, and the API's own documentation."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import ValidationError

from bff.actions import ACTIONS, ActionContext
from bff.auth import TokenVerifier
from bff.database import Database, translate_errors
from bff.errors import BadRequest, NotFound, ValidationFailed
from bff.openapi import DOCS_PAGE, openapi_document

blueprint = Blueprint("api", __name__)

_IDEMPOTENCY_KEY_MAX = 200


@blueprint.post("/actions/<name>")
def run_action(name: str) -> tuple[Response, int]:
    """Verify the caller, validate the body against the action's model, and run the action."""
    verifier: TokenVerifier = current_app.extensions["bff.verifier"]
    database: Database = current_app.extensions["bff.database"]
    caller = verifier.verify(request.headers.get("Authorization"))
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"There is no action named {name!r}.")
    payload = _validated(action.input_model, _json_body())
    context = ActionContext(
        caller=caller, db=database.as_user(caller.token), idempotency_key=_idempotency_key()
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


@blueprint.get("/docs")
def docs() -> Response:
    """Serve a human-readable page of the API, rendered from `/openapi.json`."""
    return Response(DOCS_PAGE, mimetype="text/html")


def _json_body() -> Any:
    # Flask refuses a body over MAX_CONTENT_LENGTH while reading it (413, our error shape).
    raw = request.get_data(cache=False)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise BadRequest("The request body is not valid JSON.") from None


def _validated(model: Any, body: Any) -> Any:
    if not isinstance(body, dict):
        raise ValidationFailed.for_field("body", "The request body must be a JSON object.")
    try:
        return model.model_validate(body)
    except ValidationError as error:
        fields = [
            {"path": [str(part) for part in issue["loc"]], "message": issue["msg"]}
            for issue in error.errors(include_url=False, include_input=False)
        ]
        raise ValidationFailed(details={"fields": fields}) from None


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > _IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise ValidationFailed.for_field(
            "headers.Idempotency-Key",
            f"The Idempotency-Key header must be 1 to {_IDEMPOTENCY_KEY_MAX} printable characters.",
        )
    return key
