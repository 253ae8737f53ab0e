"""The HTTP surface every action shares: error shape, request ids, health, OpenAPI."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bff import Settings, create_app
from bff.actions import ACTIONS
from devstack import Stack
from devstack._processes import free_port

from .conftest import ActAs


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/no-such-page", 404, "not_found"),
        ("post", "/actions/noSuchAction", 401, "unauthorized"),
        ("get", "/actions/createTicket", 405, "method_not_allowed"),
        ("post", "/healthz", 405, "method_not_allowed"),
    ],
    ids=[
        "unknown_path_is_not_found",
        "unknown_action_without_token_is_unauthorized",
        "get_on_an_action_is_not_allowed",
        "post_on_healthz_is_not_allowed",
    ],
)
def test_errors_have_the_one_shape(
    client: FlaskClient, method: str, path: str, status: int, code: str
) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"]["code"] == code
    assert set(body["error"]) == {"code", "message", "details", "request_id"}
    assert body["error"]["request_id"] == response.headers["X-Request-Id"]
    if status == 405:
        allowed = {method.strip() for method in response.headers["Allow"].split(",")}
        assert allowed in ({"POST", "OPTIONS"}, {"GET", "HEAD", "OPTIONS"})


def test_unknown_action_with_token_is_not_found(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    response = client.post(
        "/actions/noSuchAction", json={}, headers={"Authorization": f"Bearer {tokens['alice']}"}
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_every_response_carries_a_request_id(client: FlaskClient) -> None:
    generated = client.get("/healthz").headers["X-Request-Id"]
    assert len(generated) == 32
    echoed = client.get("/healthz", headers={"X-Request-Id": "trace-123"})
    assert echoed.headers["X-Request-Id"] == "trace-123"
    unsafe = client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert unsafe.headers["X-Request-Id"] != "<script>"


def _server_timing(header: str) -> dict[str, float]:
    return {name: float(ms) for name, ms in re.findall(r"(\w+);dur=([0-9.]+)", header)}


def test_server_timing_says_how_long_the_bff_and_postgrest_took(
    client: FlaskClient, act: ActAs, orgs: dict[str, str]
) -> None:
    stats = act("agent1", "ticketStats", {"org_id": orgs["acme"]})
    assert stats.status_code == 200
    timing = _server_timing(stats.headers["Server-Timing"])
    assert set(timing) == {"app", "db"}
    assert 0 < timing["db"] <= timing["app"]

    refused = act("alice", "getTicket", {"ticket_id": str(uuid.uuid4())})
    assert refused.status_code == 404
    assert set(_server_timing(refused.headers["Server-Timing"])) == {"app", "db"}

    health = _server_timing(client.get("/healthz").headers["Server-Timing"])
    assert set(health) == {"app"}


def test_the_shared_upstream_pool_keeps_no_cookies(app: Flask) -> None:
    database = app.extensions["bff.database"]
    answer = httpx.Response(
        200,
        headers={"Set-Cookie": "__cf_bm=abc; Path=/; HttpOnly"},
        request=httpx.Request("GET", app.extensions["bff.settings"].rest_url + "/rpc/x"),
    )
    database.http.cookies.extract_cookies(answer)
    assert len(database.http.cookies) == 0


def test_health_and_readiness(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_json() == {"status": "ready"}


def test_openapi_lists_every_action_with_its_models_and_a_valid_example(
    client: FlaskClient,
) -> None:
    document = client.get("/openapi.json").get_json()
    assert set(document["paths"]) == {f"/actions/{name}" for name in ACTIONS}
    for name, action in ACTIONS.items():
        body = document["paths"][f"/actions/{name}"]["post"]["requestBody"]["content"]
        request_ref = body["application/json"]["schema"]["$ref"]
        assert request_ref.endswith(action.input_model.__name__)
        assert request_ref.split("/")[-1] in document["components"]["schemas"]
        action.input_model.model_validate_json(json.dumps(body["application/json"]["example"]))


def _codes(document: dict[str, Any], action: str, status: str) -> list[str]:
    response = document["paths"][f"/actions/{action}"]["post"]["responses"][status]
    schema = response["content"]["application/json"]["schema"]
    codes: list[str] = schema["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"]
    return codes


def test_openapi_lists_every_code_per_status_as_the_action_declares(
    client: FlaskClient,
) -> None:
    document = client.get("/openapi.json").get_json()
    assert _codes(document, "createTicket", "422") == [
        "validation_failed", "idempotency_key_reused", "attachment_not_ready"]  # fmt: skip
    assert _codes(document, "createAttachmentUpload", "422") == [
        "validation_failed", "too_many_attachments", "attachment_too_large",
        "attachment_type_blocked", "ticket_attachments_full", "pending_uploads_full"]  # fmt: skip
    assert _codes(document, "updateTicket", "409") == ["version_conflict", "assignee_unavailable"]
    for action in ("createTicket", "addComment", "inviteCustomer", "revokeCustomer"):
        assert _codes(document, action, "403") == ["forbidden"], action
    for action in ACTIONS:
        for status in ("400", "401", "413", "415", "503"):
            assert _codes(document, action, status), (action, status)
    create = document["paths"]["/actions/createTicket"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
    assert "Retry-After" in create["responses"]["503"]["headers"]


def test_docs_are_swagger_ui_served_from_this_process(client: FlaskClient) -> None:
    page = client.get("/docs/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "SwaggerUIBundle" in html
    assert "https://" not in html and "//cdn" not in html
    script = re.search(r'src="([^"]*swagger-ui-bundle\.js)"', html)
    assert script is not None
    with client.get(script.group(1)) as bundle:
        assert bundle.status_code == 200
    spec = client.get("/docs/swagger.json").get_json()
    assert spec == client.get("/openapi.json").get_json()


def test_dead_postgrest_is_a_fast_503_with_retry_after(
    stack: Stack, tokens: dict[str, str]
) -> None:
    settings = Settings.from_env(
        {**stack.bff_env(), "SUPABASE_REST_URL": f"http://127.0.0.1:{free_port()}"}
    )
    app = create_app(settings)
    client = app.test_client()
    started = time.monotonic()
    response = client.post(
        "/actions/listTickets", json={}, headers={"Authorization": f"Bearer {tokens['alice']}"}
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["error"]["code"] == "upstream_unavailable"
    assert client.get("/readyz").status_code == 503
    app.extensions["bff.database"].close()


def _integer_schemas(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "integer" else []
        return found + [s for value in node.values() for s in _integer_schemas(value)]
    if isinstance(node, list):
        return [s for value in node for s in _integer_schemas(value)]
    return []


def test_every_integer_input_is_bounded_by_its_column() -> None:
    for action in ACTIONS.values():
        for schema in _integer_schemas(action.input_model.model_json_schema()):
            assert schema.get("minimum", -(2**31)) >= -(2**31), (action.name, schema)
            assert 0 < schema.get("maximum", 2**63) <= 2**31 - 1, (action.name, schema)
