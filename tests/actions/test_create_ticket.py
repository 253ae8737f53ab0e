"""createTicket: who may submit, what is rejected, and retries that never duplicate."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest
from flask.testing import FlaskClient

from devstack import Stack

from ..conftest import ActAs, NewTicket, count_rows


def _body(orgs: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {
        "handling_org_id": orgs["acme"],
        "subject": "Cannot log in",
        "description": "The login page says my password is wrong.",
        **fields,
    }


@pytest.mark.parametrize(
    "who", ["alice", "bob", "agent1", "acme_admin", "globex_agent"], ids=lambda who: f"as_{who}"
)
def test_signed_in_user_creates_an_open_ticket_as_requester(
    act: ActAs, orgs: dict[str, str], user_ids: dict[str, str], who: str
) -> None:
    response = act(who, "createTicket", _body(orgs, priority="high"))
    assert response.status_code == 201, response.get_json()
    ticket = response.get_json()
    assert ticket["user_id"] == user_ids[who]
    assert ticket["handling_org_id"] == orgs["acme"]
    assert (ticket["status"], ticket["priority"], ticket["version"]) == ("open", "high", 1)
    assert ticket["assigned_team_id"] is None and ticket["assigned_employee_id"] is None


def test_anon_cannot_create(act: ActAs, orgs: dict[str, str]) -> None:
    response = act(None, "createTicket", _body(orgs))
    assert response.status_code == 401


def test_priority_defaults_to_medium_and_numbers_grow_per_organization(
    new_ticket: NewTicket,
) -> None:
    first = new_ticket("alice", "globex")
    second = new_ticket("bob", "globex")
    assert first["priority"] == "medium"
    assert second["number"] == first["number"] + 1


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"subject": None}, ["subject"]),
        ({"subject": 42}, ["subject"]),
        ({"subject": "   "}, ["subject"]),
        ({"subject": "x" * 201}, ["subject"]),
        ({"description": "x" * 10_001}, ["description"]),
        ({"priority": "critical"}, ["priority"]),
        ({"handling_org_id": "not-a-uuid"}, ["handling_org_id"]),
        ({"status": "closed"}, ["status"]),
        ({"user_id": str(uuid.uuid4())}, ["user_id"]),
    ],
    ids=[
        "null_subject",
        "numeric_subject",
        "blank_subject",
        "subject_over_200_chars",
        "description_over_10000_chars",
        "unknown_priority",
        "malformed_org_id",
        "status_is_not_an_input",
        "requester_cannot_be_chosen",
    ],
)
def test_invalid_field_is_rejected_with_its_path(
    act: ActAs, orgs: dict[str, str], db: psycopg.Connection[Any], change: dict[str, Any],
    path: list[str],
) -> None:  # fmt: skip
    before = count_rows(db, "select count(*) from public.tickets")
    response = act("alice", "createTicket", _body(orgs, **change))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert path in [field["path"] for field in error["details"]["fields"]]
    assert count_rows(db, "select count(*) from public.tickets") == before


def test_missing_fields_are_each_listed(act: ActAs) -> None:
    response = act("alice", "createTicket", {})
    paths = [field["path"] for field in response.get_json()["error"]["details"]["fields"]]
    assert paths == [["handling_org_id"], ["subject"], ["description"]]


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"{not json", 400, "bad_request"),
        (b"[1, 2]", 422, "validation_failed"),
        (b'{"subject": "' + b"x" * 70_000 + b'"}', 413, "payload_too_large"),
    ],
    ids=["malformed_json_is_bad_request", "array_body_is_invalid", "huge_body_is_too_large"],
)
def test_unreadable_body(
    client: FlaskClient, tokens: dict[str, str], data: bytes, status: int, code: str
) -> None:
    response = client.post(
        "/actions/createTicket",
        data=data,
        headers={"Authorization": f"Bearer {tokens['alice']}", "Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_unknown_organization_is_not_found(act: ActAs, orgs: dict[str, str]) -> None:
    response = act("alice", "createTicket", _body(orgs, handling_org_id=str(uuid.uuid4())))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_retry_with_same_key_replays_the_original(
    act: ActAs, orgs: dict[str, str], db: psycopg.Connection[Any]
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = _body(orgs, subject=f"Retried {uuid.uuid4()}")
    first = act("alice", "createTicket", body, key)
    again = act("alice", "createTicket", body, key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    subject = body["subject"]
    assert count_rows(db, "select count(*) from public.tickets where subject = %s", subject) == 1


def test_same_key_with_another_body_is_rejected(act: ActAs, orgs: dict[str, str]) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert act("alice", "createTicket", _body(orgs), key).status_code == 201
    response = act("alice", "createTicket", _body(orgs, subject="Something else"), key)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"


def test_same_key_from_another_user_is_their_own(act: ActAs, orgs: dict[str, str]) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    alices = act("alice", "createTicket", _body(orgs), key).get_json()
    bobs = act("bob", "createTicket", _body(orgs), key).get_json()
    assert alices["id"] != bobs["id"]


def test_concurrent_retries_with_one_key_create_exactly_one_ticket(
    stack: Stack, tokens: dict[str, str], orgs: dict[str, str], db: psycopg.Connection[Any]
) -> None:
    subject = f"Concurrent {uuid.uuid4()}"
    headers = {"Authorization": f"Bearer {tokens['alice']}", "Idempotency-Key": subject}

    def submit(_: int) -> httpx.Response:
        return httpx.post(
            f"{stack.bff_url}/actions/createTicket",
            json=_body(orgs, subject=subject),
            headers=headers,
            timeout=10,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(submit, range(8)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert count_rows(db, "select count(*) from public.tickets where subject = %s", subject) == 1
