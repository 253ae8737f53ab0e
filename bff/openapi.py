"""The OpenAPI document, generated from the models that validate the actions and the errors
each action declares, so the document and the server cannot drift apart.

`/docs` is Swagger UI (the pinned `swagger-ui-py` package, served from this process, no CDN) on
the same document, with an example per action and "Try it out" with a bearer token.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from flask import Flask
from swagger_ui import api_doc

from bff.actions import ACTIONS, Action
from bff.errors import COMMON_ERRORS, ApiError

# The idempotency_keys.key column holds 1 to 255 characters (supabase/migrations).
IDEMPOTENCY_KEY_MAX = 255

_REF = "#/components/schemas/{model}"

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details", "request_id"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable code."},
                "message": {"type": "string", "description": "For people; may change."},
                "details": {
                    "type": "object",
                    "description": "validation_failed: `fields`, each `{path, message}`; "
                    "version_conflict: `current`, the object as it is now.",
                },
                "request_id": {"type": "string", "description": "The X-Request-Id; quote it."},
            },
        }
    },
}

_HEADER = {"schema": {"type": "string"}}
_ALWAYS_HEADERS = {
    "X-Request-Id": {**_HEADER, "description": "The request's id (yours, if you sent a sane one)."},
    "Server-Timing": {
        **_HEADER,
        "description": "`app`: time in the BFF; `db`: the part spent waiting for PostgREST.",
    },
}
_ERROR_HEADERS: dict[int, dict[str, Any]] = {
    503: {
        "Retry-After": {
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
            "description": "Seconds to wait before retrying.",
        }
    },
}
_REQUEST_ID_PARAMETER = {
    "name": "X-Request-Id",
    "in": "header",
    "required": False,
    "description": "Your id for the request (1 to 128 of `A-Za-z0-9._-`), echoed and logged.",
    "schema": {"type": "string"},
}
_IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes retries safe: the same key and body return the first result.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": IDEMPOTENCY_KEY_MAX,
        "pattern": "^[\\x20-\\x7e]+$",
    },
}


@cache
def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of every server action."""
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    paths = {
        f"/actions/{name}": {"post": _operation(action, schemas)}
        for name, action in sorted(ACTIONS.items())
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Support tickets: server actions",
            "version": "1",
            "description": "Every action is `POST /actions/<name>` with a JSON body "
            "(`Content-Type: application/json`) and a Supabase access token as "
            "`Authorization: Bearer <token>`. Errors have one shape, "
            '`{"error": {"code", "message", "details", "request_id"}}`; each response lists '
            "the codes it can carry.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _operation(action: Action[Any, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    input_model = action.input_model
    request_ref = _add_schema(schemas, input_model)
    response_ref = _add_schema(schemas, action.output_model)
    success_headers = dict(_ALWAYS_HEADERS)
    parameters = [_REQUEST_ID_PARAMETER]
    if action.idempotent_create:
        parameters.append(_IDEMPOTENCY_KEY_PARAMETER)
        success_headers["Idempotent-Replayed"] = {
            "schema": {"type": "string", "enum": ["true"]},
            "description": "Present when this is the stored answer to an earlier request.",
        }
    body: dict[str, Any] = {"schema": request_ref}
    if input_model.example is not None:
        body["example"] = input_model.example
    required = any(field.is_required() for field in input_model.model_fields.values())
    return {
        "operationId": action.name,
        "summary": action.summary,
        "description": action.description,
        "security": [{"bearerAuth": []}],
        "parameters": parameters,
        "requestBody": {
            "required": required,
            "description": "" if required else "May be left out: no body is `{}`.",
            "content": {"application/json": body},
        },
        "responses": {
            str(action.status): {
                "description": "Success",
                "headers": success_headers,
                "content": _json(response_ref),
            },
            **_error_responses((*COMMON_ERRORS, *action.errors)),
        },
    }


def _error_responses(errors: tuple[type[ApiError], ...]) -> dict[str, Any]:
    """One response per status, naming every code the action can answer with it."""
    by_status: dict[int, list[type[ApiError]]] = defaultdict(list)
    for error in errors:
        if error not in by_status[error.status]:
            by_status[error.status].append(error)
    responses = {}
    for status, kinds in sorted(by_status.items()):
        codes = [kind.code for kind in kinds]
        schema = {
            "allOf": [
                {"$ref": _REF.format(model="Error")},
                {"properties": {"error": {"properties": {"code": {"enum": codes}}}}},
            ]
        }
        responses[str(status)] = {
            "description": "; ".join(f"`{kind.code}`: {_first_line(kind)}" for kind in kinds),
            "headers": {**_ALWAYS_HEADERS, **_ERROR_HEADERS.get(status, {})},
            "content": _json(schema),
        }
    return responses


def _first_line(kind: type[ApiError]) -> str:
    return (kind.__doc__ or kind.default_message).strip().splitlines()[0]


def _add_schema(schemas: dict[str, Any], model: Any) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=_REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def init_docs(app: Flask) -> None:
    """Serve Swagger UI at `/docs`, on the same document as `/openapi.json`."""
    api_doc(
        app,
        config=openapi_document(),
        url_prefix="/docs",
        title="Support tickets: server actions",
        host_inject=False,
        parameters={
            "persistAuthorization": "true",
            "tryItOutEnabled": "true",
            "displayOperationId": "true",
            "validatorUrl": "null",  # no call to swagger.io's validator: nothing leaves the host
        },
    )
