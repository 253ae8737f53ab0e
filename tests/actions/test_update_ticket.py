"""updateTicket: role rules, assignment rules, and no silent overwrite of a newer version."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg
import pytest

from devstack import Stack

from ..conftest import ActAs, NewTicket


def _update(act: ActAs, who: str | None, ticket: dict[str, Any], **changes: Any) -> Any:
    body = {"ticket_id": ticket["id"], "expected_version": ticket["version"], **changes}
    return act(who, "updateTicket", body)


@pytest.mark.parametrize("who", ["agent1", "agent2", "acme_admin"], ids=lambda w: f"as_{w}")
def test_staff_of_the_org_change_status_and_priority(
    act: ActAs, new_ticket: NewTicket, who: str
) -> None:
    ticket = new_ticket()
    response = _update(act, who, ticket, status="in_progress", priority="urgent")
    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    assert (updated["status"], updated["priority"]) == ("in_progress", "urgent")
    assert updated["version"] == ticket["version"] + 1
    assert updated["subject"] == ticket["subject"]


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("bob", 404, "not_found"), ("globex_agent", 404, "not_found"), (None, 401, "unauthorized")],
    ids=["other_customer_is_not_found", "other_org_employee_is_not_found", "anon_unauthorized"],
)
def test_outsiders_cannot_update(
    act: ActAs, new_ticket: NewTicket, db: psycopg.Connection[Any], who: str | None,
    status: int, code: str,
) -> None:  # fmt: skip
    ticket = new_ticket()
    response = _update(act, who, ticket, subject="Hijacked")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    row = db.execute("select subject from public.tickets where id = %s", (ticket["id"],))
    assert row.fetchone() == (ticket["subject"],)


def test_requester_edits_text_closes_and_reopens(act: ActAs, new_ticket: NewTicket) -> None:
    ticket = new_ticket()
    edited = _update(act, "alice", ticket, subject="Cannot log in (Firefox)").get_json()
    assert edited["subject"] == "Cannot log in (Firefox)"
    closed = _update(act, "alice", edited, status="closed").get_json()
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    reopened = _update(act, "alice", closed, status="open").get_json()
    assert reopened["status"] == "open" and reopened["closed_at"] is None


@pytest.mark.parametrize(
    "change",
    [{"priority": "urgent"}, {"status": "in_progress"}, {"status": "resolved"}],
    ids=["priority", "status_in_progress", "status_resolved"],
)
def test_requester_may_not_work_the_ticket(
    act: ActAs, new_ticket: NewTicket, db: psycopg.Connection[Any], change: dict[str, Any]
) -> None:
    ticket = new_ticket()
    response = _update(act, "alice", ticket, **change)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert _stored_version(db, ticket) == 1


def test_requester_may_not_assign(
    act: ActAs, new_ticket: NewTicket, db: psycopg.Connection[Any], teams: dict[str, str]
) -> None:
    ticket = new_ticket()
    response = _update(act, "alice", ticket, assigned_team_id=teams["Billing"])
    assert response.status_code == 403
    assert _stored_version(db, ticket) == 1


def _stored_version(db: psycopg.Connection[Any], ticket: dict[str, Any]) -> int:
    row = db.execute("select version from public.tickets where id = %s", (ticket["id"],)).fetchone()
    assert row is not None
    return int(row[0])


def test_resolving_sets_resolved_at(act: ActAs, new_ticket: NewTicket) -> None:
    resolved = _update(act, "agent1", new_ticket(), status="resolved").get_json()
    assert resolved["resolved_at"] is not None and resolved["closed_at"] is None


def test_stale_version_is_a_conflict_that_changes_nothing(
    act: ActAs, new_ticket: NewTicket
) -> None:
    ticket = new_ticket()
    newer = _update(act, "agent1", ticket, priority="high").get_json()
    response = _update(act, "agent2", ticket, priority="low")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "version_conflict"
    assert error["details"]["current"]["version"] == newer["version"]
    assert error["details"]["current"]["priority"] == "high"
    current = act("agent1", "getTicket", {"ticket_id": ticket["id"]}).get_json()
    assert (current["priority"], current["version"]) == ("high", newer["version"])


def test_two_concurrent_updates_of_one_version_exactly_one_wins(
    stack: Stack, tokens: dict[str, str], new_ticket: NewTicket
) -> None:
    ticket = new_ticket()

    def update(priority: str) -> httpx.Response:
        return httpx.post(
            f"{stack.bff_url}/actions/updateTicket",
            json={"ticket_id": ticket["id"], "expected_version": 1, "priority": priority},
            headers={"Authorization": f"Bearer {tokens['agent1']}"},
            timeout=10,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(update, ["low", "urgent"]))
    assert sorted(r.status_code for r in responses) == [200, 409]


def test_assignment_within_the_org_and_team(
    act: ActAs, new_ticket: NewTicket, teams: dict[str, str], user_ids: dict[str, str]
) -> None:
    ticket = new_ticket()
    response = _update(
        act, "acme_admin", ticket,
        assigned_team_id=teams["Billing"], assigned_employee_id=user_ids["agent1"],
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    assigned = response.get_json()
    unassigned = _update(act, "agent1", assigned, assigned_employee_id=None).get_json()
    assert unassigned["assigned_employee_id"] is None
    assert unassigned["assigned_team_id"] == teams["Billing"]


@pytest.mark.parametrize(
    ("team", "employee", "field"),
    [
        (None, "globex_agent", "assigned_employee_id"),
        (None, "alice", "assigned_employee_id"),
        ("Billing", "agent2", "assigned_employee_id"),
    ],
    ids=["employee_of_another_org", "customer_as_assignee", "employee_outside_the_team"],
)
def test_assignment_outside_the_org_or_team_is_invalid(
    act: ActAs, new_ticket: NewTicket, teams: dict[str, str], user_ids: dict[str, str],
    team: str | None, employee: str, field: str,
) -> None:  # fmt: skip
    ticket = new_ticket()
    changes: dict[str, Any] = {"assigned_employee_id": user_ids[employee]}
    if team:
        changes["assigned_team_id"] = teams[team]
    response = _update(act, "agent1", ticket, **changes)
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["details"]["fields"]
    assert [field] in [f["path"] for f in fields]


def test_team_of_another_org_is_invalid(act: ActAs, new_ticket: NewTicket, stack: Stack) -> None:
    globex_team = stack.psql(
        "insert into public.teams (organization_id, name) "
        "select id, 'Globex team ' || gen_random_uuid() from public.organizations "
        "where slug = 'globex' returning id;"
    )
    response = _update(act, "agent1", new_ticket(), assigned_team_id=globex_team)
    assert response.status_code == 422
    assert [f["path"] for f in response.get_json()["error"]["details"]["fields"]] == [
        ["assigned_team_id"]
    ]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, ["body"]),
        ({"subject": None}, ["subject"]),
        ({"status": None}, ["status"]),
        ({"status": "done"}, ["status"]),
        ({"expected_version": 0}, ["expected_version"]),
        ({"colour": "red"}, ["colour"]),
    ],
    ids=["no_change_named", "null_subject", "null_status", "unknown_status", "version_zero",
         "unknown_field"],
)  # fmt: skip
def test_invalid_update_is_rejected(
    act: ActAs, new_ticket: NewTicket, body: dict[str, Any], path: list[str]
) -> None:
    ticket = new_ticket()
    response = act(
        "agent1", "updateTicket", {"ticket_id": ticket["id"], "expected_version": 1, **body}
    )
    assert response.status_code == 422
    assert path in [f["path"] for f in response.get_json()["error"]["details"]["fields"]]


def test_unknown_ticket_is_not_found(act: ActAs) -> None:
    response = act(
        "agent1",
        "updateTicket",
        {"ticket_id": str(uuid.uuid4()), "expected_version": 1, "priority": "low"},
    )
    assert response.status_code == 404


def test_an_update_that_changes_nothing_changes_nothing(
    act: ActAs, new_ticket: NewTicket, db: psycopg.Connection[Any]
) -> None:
    ticket = new_ticket()
    events = "select count(*) from public.ticket_events where ticket_id = %s"
    before = db.execute(events, (ticket["id"],)).fetchone()
    response = _update(act, "agent1", ticket, status=ticket["status"], subject=ticket["subject"])
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["version"], response.get_json()["updated_at"]) == (
        ticket["version"], ticket["updated_at"])  # fmt: skip
    assert db.execute(events, (ticket["id"],)).fetchone() == before
    # The version is still the one the caller holds: a real change goes through.
    assert _update(act, "agent1", ticket, priority="urgent").status_code == 200
