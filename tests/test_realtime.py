"""Realtime through the BFF: each action broadcasts exactly what each private topic may receive.

Messages are read from realtime.messages (the table Supabase Realtime delivers broadcasts from),
filtered by the ticket's id in the payload, so tests running side by side never see each other's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

import psycopg
import pytest
from flask.testing import FlaskClient

from devstack import Stack

from .actions.conftest import call, create_org
from .conftest import ActAs, NewTicket

TICKET_FIELDS = {
    "id", "number", "handling_org_id", "user_id", "subject", "description", "status", "priority",
    "assigned_team_id", "assigned_employee_id", "created_at", "updated_at", "resolved_at",
    "closed_at", "version",
}  # fmt: skip
COMMENT_FIELDS = {
    "id",
    "ticket_id",
    "author_id",
    "body",
    "is_internal",
    "created_at",
    "attachments",
}


class Message(NamedTuple):
    id: uuid.UUID
    topic: str
    event: str
    payload: dict[str, Any]
    private: bool


def org_topic(org_id: str) -> str:
    return f"org:{org_id}:tickets"


def user_topic(user_id: str) -> str:
    return f"user:{user_id}:tickets"


def messages_of(db: psycopg.Connection[Any], ticket_id: str) -> list[Message]:
    rows = db.execute(
        """
        select id, topic, event, payload, private from realtime.messages
        where payload ->> 'id' = %(ticket)s or payload ->> 'ticket_id' = %(ticket)s
        """,
        {"ticket": ticket_id},
    ).fetchall()
    return [Message(*row) for row in rows]


def sent_during(
    db: psycopg.Connection[Any], ticket_id: str, write: Callable[[], Any]
) -> tuple[Any, list[Message]]:
    """Run `write`; return its result and the messages about the ticket it broadcast."""
    before = {message.id for message in messages_of(db, ticket_id)}
    result = write()
    return result, [m for m in messages_of(db, ticket_id) if m.id not in before]


def topics_and_events(messages: list[Message]) -> list[tuple[str, str]]:
    return sorted((message.topic, message.event) for message in messages)


def _without_times(ticket: dict[str, Any]) -> dict[str, Any]:
    """The ticket without its timestamps, which Postgres and the BFF spell differently."""
    return {name: value for name, value in ticket.items() if not name.endswith("_at")}


def only(messages: list[Message], topic: str) -> Message:
    (message,) = [m for m in messages if m.topic == topic]
    return message


@pytest.fixture
def ticket(new_ticket: NewTicket) -> dict[str, Any]:
    """A fresh ticket of alice's at acme, as createTicket returned it."""
    return new_ticket("alice", "acme")


def test_create_ticket_broadcasts_to_the_org_and_the_requester(
    act: ActAs, db: psycopg.Connection[Any], orgs: dict[str, str], user_ids: dict[str, str]
) -> None:
    body = {"handling_org_id": orgs["acme"], "subject": "Live ticket", "description": "New."}
    response = act("alice", "createTicket", body, {"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()

    messages = messages_of(db, created["id"])
    assert topics_and_events(messages) == [
        (org_topic(orgs["acme"]), "ticket_created"),
        (user_topic(user_ids["alice"]), "ticket_created"),
    ]
    assert all(message.private for message in messages)
    for message in messages:
        assert set(message.payload) == TICKET_FIELDS
        assert _without_times(message.payload) == _without_times(created)


def test_replayed_create_ticket_broadcasts_nothing_new(
    act: ActAs, db: psycopg.Connection[Any], orgs: dict[str, str]
) -> None:
    body = {"handling_org_id": orgs["acme"], "subject": "Retried", "description": "Twice."}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = act("alice", "createTicket", body, key).get_json()
    replay, messages = sent_during(db, first["id"], lambda: act("alice", "createTicket", body, key))
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert messages == []


def test_status_change_broadcasts_one_update_per_topic(
    act: ActAs, db: psycopg.Connection[Any], ticket: dict[str, Any], orgs: dict[str, str],
    user_ids: dict[str, str],
) -> None:  # fmt: skip
    body = {"ticket_id": ticket["id"], "expected_version": 1, "status": "in_progress"}
    response, messages = sent_during(db, ticket["id"], lambda: act("agent1", "updateTicket", body))
    assert response.status_code == 200, response.get_json()
    assert topics_and_events(messages) == [
        (org_topic(orgs["acme"]), "ticket_updated"),
        (user_topic(user_ids["alice"]), "ticket_updated"),
    ]
    seen_by_requester = only(messages, user_topic(user_ids["alice"])).payload
    assert (seen_by_requester["status"], seen_by_requester["version"]) == ("in_progress", 2)
    assert set(seen_by_requester) == TICKET_FIELDS


def test_assignment_reaches_the_requester_without_its_internal_event(
    act: ActAs, db: psycopg.Connection[Any], ticket: dict[str, Any], teams: dict[str, str],
    orgs: dict[str, str], user_ids: dict[str, str],
) -> None:  # fmt: skip
    body = {
        "ticket_id": ticket["id"],
        "expected_version": 1,
        "assigned_team_id": teams["Billing"],
        "assigned_employee_id": user_ids["agent1"],
    }
    response, messages = sent_during(db, ticket["id"], lambda: act("agent1", "updateTicket", body))
    assert response.status_code == 200, response.get_json()
    assert topics_and_events(messages) == [
        (org_topic(orgs["acme"]), "ticket_updated"),
        (user_topic(user_ids["alice"]), "ticket_updated"),
    ]
    seen_by_requester = only(messages, user_topic(user_ids["alice"])).payload
    assert set(seen_by_requester) == TICKET_FIELDS
    assert seen_by_requester["assigned_team_id"] == teams["Billing"]


def test_public_comment_reaches_both_topics(
    act: ActAs, db: psycopg.Connection[Any], ticket: dict[str, Any], orgs: dict[str, str],
    user_ids: dict[str, str],
) -> None:  # fmt: skip
    body = {"ticket_id": ticket["id"], "body": "Could you send a photo?"}
    response, messages = sent_during(db, ticket["id"], lambda: act("agent1", "addComment", body))
    assert response.status_code == 201, response.get_json()
    comment = response.get_json()
    assert topics_and_events(messages) == [
        (org_topic(orgs["acme"]), "comment_added"),
        (user_topic(user_ids["alice"]), "comment_added"),
    ]
    for message in messages:
        assert set(message.payload) == COMMENT_FIELDS
        assert message.payload["id"] == comment["id"]
        assert message.payload["is_internal"] is False


def test_internal_note_reaches_staff_only(
    act: ActAs, db: psycopg.Connection[Any], ticket: dict[str, Any], orgs: dict[str, str]
) -> None:
    body = {"ticket_id": ticket["id"], "body": "Known firmware bug.", "is_internal": True}
    response, messages = sent_during(db, ticket["id"], lambda: act("agent1", "addComment", body))
    assert response.status_code == 201, response.get_json()
    assert topics_and_events(messages) == [(org_topic(orgs["acme"]), "comment_added")]
    assert messages[0].payload["is_internal"] is True


def test_requester_reply_reaches_both_topics(
    act: ActAs, db: psycopg.Connection[Any], ticket: dict[str, Any], orgs: dict[str, str],
    user_ids: dict[str, str],
) -> None:  # fmt: skip
    body = {"ticket_id": ticket["id"], "body": "Photo attached."}
    response, messages = sent_during(db, ticket["id"], lambda: act("alice", "addComment", body))
    assert response.status_code == 201, response.get_json()
    assert topics_and_events(messages) == [
        (org_topic(orgs["acme"]), "comment_added"),
        (user_topic(user_ids["alice"]), "comment_added"),
    ]


@pytest.mark.parametrize(
    ("who", "change", "status"),
    [
        ("alice", {"priority": "urgent"}, 403),
        ("bob", {"subject": "Hijacked"}, 404),
        ("globex_agent", {"status": "closed"}, 404),
    ],
    ids=["requester_changing_priority", "other_customer", "other_org_employee"],
)
def test_refused_update_broadcasts_nothing(
    act: ActAs, db: psycopg.Connection[Any], ticket: dict[str, Any], who: str,
    change: dict[str, Any], status: int,
) -> None:  # fmt: skip
    body = {"ticket_id": ticket["id"], "expected_version": 1, **change}
    response, messages = sent_during(db, ticket["id"], lambda: act(who, "updateTicket", body))
    assert response.status_code == status
    assert messages == []


def test_stale_update_broadcasts_nothing(
    act: ActAs, db: psycopg.Connection[Any], ticket: dict[str, Any]
) -> None:
    fresh = {"ticket_id": ticket["id"], "expected_version": 1, "priority": "high"}
    assert act("agent1", "updateTicket", fresh).status_code == 200
    stale = {"ticket_id": ticket["id"], "expected_version": 1, "priority": "low"}
    response, messages = sent_during(db, ticket["id"], lambda: act("agent2", "updateTicket", stale))
    assert response.status_code == 409
    assert messages == []


def test_other_organizations_tickets_go_to_their_own_topic(
    act: ActAs, db: psycopg.Connection[Any], orgs: dict[str, str], user_ids: dict[str, str]
) -> None:
    body = {"handling_org_id": orgs["globex"], "subject": "Globex live", "description": "Hi."}
    created = act("bob", "createTicket", body).get_json()
    assert topics_and_events(messages_of(db, created["id"])) == [
        (org_topic(orgs["globex"]), "ticket_created"),
        (user_topic(user_ids["bob"]), "ticket_created"),
    ]


def test_assignment_from_the_queue_reaches_the_org_and_the_requester(
    stack: Stack, client: FlaskClient, db: psycopg.Connection[Any]
) -> None:
    org = create_org(stack)
    setup = {"team_id": org.team_id, "strategy": "round_robin", "default_capacity": 1,
             "requeue_when_away": False}  # fmt: skip
    assert call(client, org.admin, "setTeamAssignment", setup).status_code == 200
    default = {"org_id": org.id, "team_id": org.team_id}
    assert call(client, org.admin, "setDefaultTeam", default).status_code == 200
    body = {"handling_org_id": org.id, "subject": "Queued live", "description": "Waiting."}
    first, second = (call(client, org.customer, "createTicket", body).get_json() for _ in "12")
    assert (first["assigned_employee_id"], second["assigned_employee_id"]) == (
        org.employee.id,
        None,
    )

    # The agent resolves the first: the queue gives them the second, live.
    resolve = {"ticket_id": first["id"], "expected_version": first["version"], "status": "resolved"}
    response, messages = sent_during(
        db, second["id"], lambda: call(client, org.employee, "updateTicket", resolve)
    )
    assert response.status_code == 200, response.get_json()
    assert topics_and_events(messages) == [
        (org_topic(org.id), "ticket_updated"),
        (user_topic(org.customer.id), "ticket_updated"),
    ]
    assert all(m.payload["assigned_employee_id"] == org.employee.id for m in messages)
