"""Bad input of every kind is a 4xx in the one error shape, and nothing is stored or run.

Each case here is an input that once produced a 500, ran a cut-off body, or was accepted against
the documented contract.
"""

from __future__ import annotations

import io
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bff import Settings, create_app
from devstack import Stack

from .conftest import ActAs, NewTicket, count_rows

ACME = "aaaaaaaa-0000-4000-8000-000000000000"
BILLING = "aaaaaaaa-0000-4000-8000-0000000000b1"


def _fields(body: dict[str, Any]) -> list[list[str]]:
    return [field["path"] for field in body["error"]["details"]["fields"]]


def _ticket_body(**fields: Any) -> dict[str, Any]:
    return {"handling_org_id": ACME, "subject": "Hello", "description": "World", **fields}


# Every kind of string input, with a NUL that PostgreSQL text cannot hold.
NUL = "nul\u0000x"
NUL_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("agent1", "createTicket", _ticket_body(subject=NUL), "subject"),
    ("agent1", "createTicket", _ticket_body(description=NUL), "description"),
    ("agent1", "listTickets", {"q": NUL}, "q"),
    ("agent1", "listTickets", {"cursor": NUL}, "cursor"),
    ("acme_admin", "createTeam", {"org_id": ACME, "name": NUL}, "name"),
    ("acme_admin", "renameTeam", {"team_id": BILLING, "name": NUL}, "name"),
    ("alice", "createOrganization", {"name": NUL, "slug": "nul-org"}, "name"),
    ("acme_admin", "updateOrganization", {"org_id": ACME, "name": NUL}, "name"),
    ("acme_admin", "inviteCustomer", {"org_id": ACME, "email": f"a{NUL}@b.test"}, "email"),
    ("acme_admin", "inviteMember", {"org_id": ACME, "email": f"{NUL}@b.test", "role": "employee"},
     "email"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "action", "body", "field"),
    NUL_CASES,
    ids=[f"a_nul_in_{action}_{field}_is_refused" for _, action, _, field in NUL_CASES],
)
def test_a_nul_character_is_a_validation_error(
    act: ActAs, who: str, action: str, body: dict[str, Any], field: str
) -> None:
    response = act(who, action, body)
    assert response.status_code == 422, response.get_json()
    assert [field] in _fields(response.get_json())


def test_a_nul_in_a_comment_is_refused_and_nothing_is_stored(
    act: ActAs, new_ticket: NewTicket, db: psycopg.Connection[Any]
) -> None:
    ticket = new_ticket()
    response = act("agent1", "addComment", {"ticket_id": ticket["id"], "body": NUL})
    assert response.status_code == 422
    assert _fields(response.get_json()) == [["body"]]
    count = "select count(*) from public.ticket_comments where ticket_id = %s"
    assert count_rows(db, count, ticket["id"]) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "two\nlines"}, "subject"),
        ({"subject": " \t "}, "subject"),
        ({"subject": "\u2003"}, "subject"),
        ({"subject": "\ufeff"}, "subject"),
        ({"description": "bell \u0007"}, "description"),
        ({"subject": "x" * 201}, "subject"),
        ({"subject": "x" * 200 + " "}, "subject"),
    ],
    ids=[
        "a_line_break_in_a_subject", "a_blank_subject", "a_subject_of_unicode_space_only",
        "a_subject_of_a_byte_order_mark_only",
        "a_control_character_in_a_description", "a_subject_one_character_too_long",
        "a_subject_over_the_limit_with_trailing_space_as_sent",
    ],
)  # fmt: skip
def test_text_rules_match_the_documented_pattern(
    act: ActAs, body: dict[str, Any], field: str
) -> None:
    response = act("alice", "createTicket", _ticket_body(**body))
    assert response.status_code == 422, response.get_json()
    assert [field] in _fields(response.get_json())


def test_text_is_trimmed_and_multi_line_text_keeps_its_lines(act: ActAs) -> None:
    response = act(
        "alice", "createTicket", _ticket_body(subject="  Printer  ", description="a\n\tb")
    )
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["subject"], response.get_json()["description"]) == (
        "Printer", "a\n\tb")  # fmt: skip


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("listTickets", {"limit": "5"}, "limit"),
        ("listTickets", {"limit": True}, "limit"),
        ("listTickets", {"limit": 5.5}, "limit"),
        ("listTickets", {"unassigned": 0}, "unassigned"),
        ("addComment", {"ticket_id": ACME, "body": "x", "is_internal": 0}, "is_internal"),
        ("updateTicket", {"ticket_id": ACME, "expected_version": 2**31, "status": "open"},
         "expected_version"),
        ("updateTicket", {"ticket_id": ACME, "expected_version": 1, "subject": None}, "subject"),
        ("listTickets", {"org_id": None}, "org_id"),
        ("getTicket", {"id": ACME}, "id"),
    ],
    ids=[
        "a_number_as_a_string", "a_boolean_as_a_number", "a_fraction_as_a_whole_number",
        "a_number_as_a_boolean", "zero_as_is_internal", "a_version_beyond_the_integer_column",
        "null_for_a_subject", "null_for_an_optional_filter", "a_bare_id_instead_of_ticket_id",
    ],
)  # fmt: skip
def test_inputs_are_taken_strictly_as_documented(
    act: ActAs, action: str, body: dict[str, Any], field: str
) -> None:
    response = act("agent1", action, body)
    assert response.status_code == 422, response.get_json()
    assert [field] in _fields(response.get_json())


def test_null_is_accepted_where_it_means_unassign(act: ActAs, new_ticket: NewTicket) -> None:
    ticket = new_ticket()
    body = {"ticket_id": ticket["id"], "expected_version": 1, "assigned_team_id": None}
    response = act("agent1", "updateTicket", body)
    assert response.status_code == 200, response.get_json()


def _post(client: FlaskClient, token: str, data: bytes, **headers: str) -> Any:
    return client.post(
        "/actions/listTickets",
        data=data,
        headers={"Authorization": f"Bearer {token}", **headers},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_deeply_nested_json_is_a_bad_request(client: FlaskClient, tokens: dict[str, str]) -> None:
    body = b'{"org_id":' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    response = _post(client, tokens["agent1"], body, **{"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/jsonp"],
)
def test_a_body_that_is_not_declared_json_is_unsupported(
    client: FlaskClient, tokens: dict[str, str], content_type: str
) -> None:
    response = _post(client, tokens["agent1"], b"{}", **{"Content-Type": content_type})
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_no_body_at_all_stands_for_an_empty_object(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    assert _post(client, tokens["agent1"], b"").status_code == 200


def test_a_chunked_body_over_the_limit_is_refused_not_cut(
    client: FlaskClient, tokens: dict[str, str], db: psycopg.Connection[Any]
) -> None:
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    start = b'{"handling_org_id":"' + ACME.encode() + b'","subject":"cut","description":"d"}'
    body = start + b" " * (limit + 5_000 - len(start)) + b"NOT JSON"
    before = count_rows(db, "select count(*) from public.tickets where subject = 'cut'")
    response = client.post(
        "/actions/createTicket",
        input_stream=io.BytesIO(body),
        headers={"Authorization": f"Bearer {tokens['alice']}",
                 "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )  # fmt: skip
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert count_rows(db, "select count(*) from public.tickets where subject = 'cut'") == before


def test_a_valid_body_over_the_byte_limit_is_too_large(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    # 10,000 emoji written as \\u escapes: within the 10,000-character rule, over 64 KiB.
    description = "\\ud83d\\ude00" * 10_000
    body = f'{{"handling_org_id":"{ACME}","subject":"s","description":"{description}"}}'
    response = client.post(
        "/actions/createTicket",
        data=body,
        headers={"Authorization": f"Bearer {tokens['alice']}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "key",
    ["", "k" * 256, "caf\u00e9", "tab\tkey"],
    ids=["an_empty_key", "a_key_over_255_characters", "a_non_ascii_key", "a_control_character"],
)
def test_a_bad_idempotency_key_is_a_validation_error(
    act: ActAs, key: str, db: psycopg.Connection[Any]
) -> None:
    subject = f"keyed {uuid.uuid4().hex[:8]}"
    response = act("alice", "createTicket", _ticket_body(subject=subject),
                   headers={"Idempotency-Key": key})  # fmt: skip
    assert response.status_code == 422
    assert _fields(response.get_json()) == [["headers", "Idempotency-Key"]]
    assert count_rows(db, "select count(*) from public.tickets where subject = %s", subject) == 0


def test_a_255_character_idempotency_key_is_accepted(act: ActAs) -> None:
    headers = {"Idempotency-Key": uuid.uuid4().hex + "k" * 223}
    first = act("alice", "createTicket", _ticket_body(), headers=headers)
    again = act("alice", "createTicket", _ticket_body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]


@pytest.fixture(scope="module")
def cors_app(stack: Stack) -> Iterator[Flask]:
    env = {**stack.bff_env(), "BFF_CORS_ORIGINS": "https://app.example.test"}
    application = create_app(Settings.from_env(env))
    yield application
    application.extensions["bff.database"].close()


def _preflight(client: FlaskClient, origin: str) -> Any:
    return client.options(
        "/actions/createTicket",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )


def test_a_configured_origin_may_call_from_the_browser(
    cors_app: Flask, tokens: dict[str, str]
) -> None:
    client = cors_app.test_client()
    preflight = _preflight(client, "https://app.example.test")
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.test"
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= {
        h.strip() for h in allowed.split(",")}  # fmt: skip
    actual = client.post(
        "/actions/listTickets",
        json={},
        headers={"Origin": "https://app.example.test",
                 "Authorization": f"Bearer {tokens['agent1']}"},
    )  # fmt: skip
    assert actual.headers["Access-Control-Allow-Origin"] == "https://app.example.test"
    assert "x-request-id" in actual.headers["Access-Control-Expose-Headers"].lower()


def test_other_origins_and_unconfigured_bffs_send_no_cors_headers(
    cors_app: Flask, client: FlaskClient
) -> None:
    stranger = _preflight(cors_app.test_client(), "https://evil.example.test")
    assert "Access-Control-Allow-Origin" not in stranger.headers
    default = _preflight(client, "https://app.example.test")
    assert "Access-Control-Allow-Origin" not in default.headers


@pytest.mark.parametrize(
    "subject",
    ["a\u0085b", "a\u009bb", "a\u0080b", "a\u2028b"],
    ids=["a_next_line", "an_8_bit_escape_introducer", "a_c1_control", "a_line_separator"],
)
def test_a_single_line_refuses_c1_controls_and_line_separators(act: ActAs, subject: str) -> None:
    response = act("alice", "createTicket", _ticket_body(subject=subject))
    assert response.status_code == 422, response.get_json()


def test_a_body_declared_in_another_charset_is_unsupported(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    content_type = "application/json; charset=latin-1"
    response = _post(client, tokens["agent1"], b"{}", **{"Content-Type": content_type})
    assert response.status_code == 415


def test_malformed_chunked_framing_is_a_bad_request(stack: Stack, tokens: dict[str, str]) -> None:
    # Only a real server parses chunked framing: the stack's gunicorn, over a raw socket.
    host, port = stack.bff_url.removeprefix("http://").split(":")
    head = (
        "POST /actions/listMyOrganizations HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {tokens['alice']}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(head.encode() + b"zz\r\n{}\r\n0\r\n\r\n")
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"400", answer[:300]
    assert b'"code":"bad_request"' in rest
