"""The OpenAPI document, generated from the same models that validate the actions."""

from __future__ import annotations

from functools import cache
from typing import Any

from bff.actions import ACTIONS

_REF = "#/components/schemas/{model}"

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable code."},
                "message": {"type": "string", "description": "For people; may change."},
                "details": {"type": "object"},
            },
        }
    },
}

_COMMON_ERRORS = {
    "401": "unauthorized: missing, invalid or expired access token",
    "404": "not_found: the object does not exist or is not visible to you",
    "422": "validation_failed: details.fields lists each invalid field",
    "503": "upstream_unavailable: the database did not answer; retry after Retry-After seconds",
}


@cache
def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of every server action."""
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for name, action in sorted(ACTIONS.items()):
        request_ref = _add_schema(schemas, action.input_model)
        response_ref = _add_schema(schemas, action.output_model)
        errors = {
            code: {"description": text, "content": _json({"$ref": _REF.format(model="Error")})}
            for code, text in _COMMON_ERRORS.items()
        }
        for extra in action.extra_errors:
            status, _, text = extra.partition(" ")
            errors[status] = {
                "description": text,
                "content": _json({"$ref": _REF.format(model="Error")}),
            }
        paths[f"/actions/{name}"] = {
            "post": {
                "operationId": name,
                "summary": action.summary,
                "security": [{"bearerAuth": []}],
                "requestBody": {"required": True, "content": _json(request_ref)},
                "responses": {
                    str(action.status): {"description": "Success", "content": _json(response_ref)},
                    **errors,
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Support tickets server actions",
            "version": "1",
            "description": "Every action is `POST /actions/<name>` with a JSON body and a "
            "Supabase access token as `Authorization: Bearer <token>`.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _add_schema(schemas: dict[str, Any], model: Any) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=_REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Support tickets: server actions</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h2 { border-top: 1px solid #ddd; padding-top: 1rem; }
pre { background: #f6f6f6; padding: .75rem; overflow-x: auto; }
code { font-size: .9em; }
</style>
</head>
<body>
<h1>Support tickets: server actions</h1>
<p>Every action is <code>POST /actions/&lt;name&gt;</code> with a JSON body and
<code>Authorization: Bearer &lt;access token&gt;</code>. Errors have the shape
<code>{"error": {"code", "message", "details"}}</code>. Machine-readable:
<a href="/openapi.json">/openapi.json</a>.</p>
<div id="actions">Loading…</div>
<script>
fetch("/openapi.json").then(r => r.json()).then(doc => {
  const root = document.getElementById("actions");
  root.textContent = "";
  const schemas = doc.components.schemas;
  const deref = ref => schemas[ref.split("/").pop()];
  for (const [path, item] of Object.entries(doc.paths)) {
    const op = item.post;
    const section = document.createElement("section");
    const title = document.createElement("h2");
    title.textContent = op.operationId;
    const summary = document.createElement("p");
    summary.textContent = op.summary + " (" + path + ")";
    const input = document.createElement("pre");
    input.textContent = "input: " + JSON.stringify(
      deref(op.requestBody.content["application/json"].schema.$ref), null, 2);
    const codes = document.createElement("p");
    codes.textContent = "responses: " + Object.entries(op.responses)
      .map(([code, r]) => code + " " + r.description).join("; ");
    section.append(title, summary, input, codes);
    root.append(section);
  }
});
</script>
</body>
</html>
"""
