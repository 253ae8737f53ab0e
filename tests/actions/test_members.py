"""Members and teams of an organization: admin-only actions, the last admin, team clean-up."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from flask.testing import FlaskClient

from devstack import Stack

from .conftest import (
    Org,
    Person,
    call,
    create_org,
    error_paths,
    org_state,
    seeded,
    sign_up,
)

Body = Callable[[Org, Person], dict[str, Any]]

# Each admin action, a body that succeeds for the admin, and the status of that success.
# `newcomer` is a signed-up user who is not (yet) staff of the organization.
ADMIN_ACTIONS: list[tuple[str, Body, int]] = [
    ("inviteMember", lambda o, n: {"org_id": o.id, "email": n.email, "role": "employee"}, 201),
    ("setMemberRole",
     lambda o, n: {"org_id": o.id, "user_id": o.employee.id, "role": "admin"}, 200),
    ("removeMember", lambda o, n: {"org_id": o.id, "user_id": o.employee.id}, 200),
    ("createTeam", lambda o, n: {"org_id": o.id, "name": "Second line"}, 201),
    ("renameTeam", lambda o, n: {"team_id": o.team_id, "name": "First line"}, 200),
    ("deleteTeam", lambda o, n: {"team_id": o.team_id}, 200),
    ("addTeamMember", lambda o, n: {"team_id": o.team_id, "user_id": o.admin.id}, 200),
    ("removeTeamMember", lambda o, n: {"team_id": o.team_id, "user_id": o.employee.id}, 200),
]  # fmt: skip
ROLES = [
    ("employee", 403, "forbidden"),
    ("customer", 404, "not_found"),
    ("other_org_admin", 404, "not_found"),
    ("anon", 401, "unauthorized"),
]
ROLE_WORDS = {
    "employee": "an_employee_is_forbidden_to",
    "customer": "an_invited_customer_does_not_find_the_org_to",
    "other_org_admin": "the_admin_of_another_org_does_not_find_the_org_to",
    "anon": "anon_is_unauthorized_to",
}


@pytest.mark.parametrize(
    ("action", "body", "status"),
    ADMIN_ACTIONS,
    ids=[f"the_admin_may_{a[0]}" for a in ADMIN_ACTIONS],
)
def test_the_admin_manages_members_and_teams(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], action: str, body: Body,
    status: int,
) -> None:  # fmt: skip
    org = create_org(stack)
    before = org_state(db, org.id)
    response = call(client, org.admin, action, body(org, sign_up(stack)))
    assert response.status_code == status, response.get_json()
    assert org_state(db, org.id) != before


@pytest.mark.parametrize(
    ("action", "body", "role", "status", "code"),
    [(a, b, role, status, code) for a, b, _ in ADMIN_ACTIONS for role, status, code in ROLES],
    ids=[f"{ROLE_WORDS[role]}_{a}" for a, _, _ in ADMIN_ACTIONS for role, _, _ in ROLES],
)
def test_nobody_but_the_admin_manages_members_and_teams(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], action: str, body: Body,
    role: str, status: int, code: str,
) -> None:  # fmt: skip
    # Invite-only, so that the admin of another org cannot see it (public: see test_organizations).
    org = create_org(stack, customer_access="invite")
    who = {"employee": org.employee, "customer": org.customer,
           "other_org_admin": seeded(stack, "globex_admin"), "anon": None}[role]  # fmt: skip
    before = org_state(db, org.id)
    response = call(client, who, action, body(org, sign_up(stack)))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert org_state(db, org.id) == before


# the last admin -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "extra"),
    [("removeMember", {}), ("setMemberRole", {"role": "employee"})],
    ids=["the_last_admin_cannot_leave", "the_last_admin_cannot_step_down"],
)
def test_the_last_admin_stays(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], action: str,
    extra: dict[str, Any],
) -> None:  # fmt: skip
    org = create_org(stack)
    before = org_state(db, org.id)
    response = call(client, org.admin, action, {"org_id": org.id, "user_id": org.admin.id, **extra})
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "conflict"
    assert org_state(db, org.id) == before


def test_with_a_second_admin_the_first_may_step_down_and_leave(
    client: FlaskClient, stack: Stack
) -> None:
    org = create_org(stack)
    promote = {"org_id": org.id, "user_id": org.employee.id, "role": "admin"}
    assert call(client, org.admin, "setMemberRole", promote).get_json()["role"] == "admin"
    step_down = {"org_id": org.id, "user_id": org.admin.id, "role": "employee"}
    assert call(client, org.admin, "setMemberRole", step_down).status_code == 200
    # The former admin is an employee now: admin actions are forbidden to them.
    leave = {"org_id": org.id, "user_id": org.admin.id}
    assert call(client, org.admin, "removeMember", leave).status_code == 403
    assert call(client, org.employee, "removeMember", leave).get_json()["removed"] is True
    assert call(client, org.admin, "listMyOrganizations").get_json()["items"] == []
    last = call(
        client, org.employee, "removeMember", {"org_id": org.id, "user_id": org.employee.id}
    )
    assert last.status_code == 409


@pytest.mark.parametrize(
    ("action", "extra"),
    [("removeMember", {}), ("setMemberRole", {"role": "admin"})],
    ids=["removing_another_tenants_employee_is_not_found",
         "promoting_another_tenants_employee_is_not_found"],
)  # fmt: skip
def test_members_of_other_orgs_are_not_found(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], user_ids: dict[str, str],
    action: str, extra: dict[str, Any],
) -> None:  # fmt: skip
    org = create_org(stack)
    body = {"org_id": org.id, "user_id": user_ids["globex_agent"], **extra}
    response = call(client, org.admin, action, body)
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "not_found"
    row = db.execute(
        "select role from public.organization_members where user_id = %s",
        (user_ids["globex_agent"],),
    )
    assert row.fetchall() == [("employee",)]


def test_a_removed_member_leaves_the_teams_too(client: FlaskClient, stack: Stack) -> None:
    org = create_org(stack)
    call(client, org.admin, "removeMember", {"org_id": org.id, "user_id": org.employee.id})
    renamed = call(client, org.admin, "renameTeam", {"team_id": org.team_id, "name": "Front line"})
    assert renamed.get_json()["member_ids"] == []
    assert call(client, org.employee, "listMyOrganizations").get_json()["items"] == []


# teams --------------------------------------------------------------------------------------


def test_team_names_are_unique_within_the_org(client: FlaskClient, stack: Stack) -> None:
    org, other = create_org(stack), create_org(stack)
    taken = call(client, org.admin, "createTeam", {"org_id": org.id, "name": " Front line "})
    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "conflict"
    elsewhere = call(client, other.admin, "createTeam", {"org_id": other.id, "name": "Second line"})
    assert elsewhere.status_code == 201
    second = call(client, org.admin, "createTeam", {"org_id": org.id, "name": "Second line"})
    assert second.status_code == 201
    clash = call(
        client, org.admin, "renameTeam", {"team_id": second.get_json()["id"], "name": "Front line"}
    )
    assert clash.status_code == 409


@pytest.mark.parametrize(
    ("action", "body", "path"),
    [
        ("createTeam", {"name": ""}, ["name"]),
        ("createTeam", {"name": "x" * 101}, ["name"]),
        ("createTeam", {"name": "x" * 30_000}, ["name"]),
        ("createTeam", {"name": None}, ["name"]),
        ("createTeam", {"name": "Ops", "colour": "red"}, ["colour"]),
        ("renameTeam", {"name": "  "}, ["name"]),
        ("renameTeam", {"name": 5}, ["name"]),
        ("addTeamMember", {"user_id": "me"}, ["user_id"]),
        ("deleteTeam", {"team_id": 12}, ["team_id"]),
    ],
    ids=[
        "an_empty_team_name_is_invalid", "a_team_name_of_101_characters_is_invalid",
        "a_huge_team_name_is_invalid", "a_null_team_name_is_invalid",
        "an_unknown_field_is_invalid", "a_blank_new_name_is_invalid",
        "a_number_as_new_name_is_invalid", "a_user_id_that_is_not_a_uuid_is_invalid",
        "a_number_as_team_id_is_invalid",
    ],
)  # fmt: skip
def test_invalid_team_input_is_rejected(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], action: str,
    body: dict[str, Any], path: list[str],
) -> None:  # fmt: skip
    org = create_org(stack)
    base = {"org_id": org.id} if action == "createTeam" else {"team_id": org.team_id}
    before = org_state(db, org.id)
    response = call(client, org.admin, action, {**base, **body})
    assert response.status_code == 422, response.get_json()
    assert path in error_paths(response)
    assert org_state(db, org.id) == before


@pytest.mark.parametrize(
    ("action", "extra"),
    [("renameTeam", {"name": "Mine"}), ("deleteTeam", {}), ("addTeamMember", {"user_id": None})],
    ids=["renaming_a_team_is", "deleting_a_team_is", "joining_a_team_is"],
)
@pytest.mark.parametrize(
    "team", ["unknown", "acme_billing"], ids=["unknown_team", "another_tenants_team"]
)
def test_other_teams_are_not_found(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], teams: dict[str, str],
    action: str, extra: dict[str, Any], team: str,
) -> None:  # fmt: skip
    org = create_org(stack)
    team_id = str(uuid.uuid4()) if team == "unknown" else teams["Billing"]
    body = {"team_id": team_id, **extra}
    if "user_id" in body:
        body["user_id"] = org.admin.id
    response = call(client, org.admin, action, body)
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "not_found"
    row = db.execute("select name from public.teams where id = %s", (teams["Billing"],))
    assert row.fetchone() == ("Billing",)


@pytest.mark.parametrize(
    "who",
    ["customer", "globex_agent", "unknown"],
    ids=["a_customer_cannot_join_a_team", "another_tenants_employee_cannot_join_a_team",
         "an_unknown_user_cannot_join_a_team"],
)  # fmt: skip
def test_only_staff_of_the_org_join_its_teams(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], user_ids: dict[str, str],
    who: str,
) -> None:  # fmt: skip
    org = create_org(stack)
    user_id = {"customer": org.customer.id, "globex_agent": user_ids["globex_agent"],
               "unknown": str(uuid.uuid4())}[who]  # fmt: skip
    before = org_state(db, org.id)
    response = call(
        client, org.admin, "addTeamMember", {"team_id": org.team_id, "user_id": user_id}
    )
    assert response.status_code == 422, response.get_json()
    assert error_paths(response) == [["user_id"]]
    assert org_state(db, org.id) == before


def test_team_membership_round_trip(client: FlaskClient, stack: Stack) -> None:
    org = create_org(stack)
    body = {"team_id": org.team_id, "user_id": org.admin.id}
    joined = call(client, org.admin, "addTeamMember", body).get_json()
    assert set(joined["member_ids"]) == {org.admin.id, org.employee.id}
    again = call(client, org.admin, "addTeamMember", body)
    assert again.status_code == 200
    assert sorted(again.get_json()["member_ids"]) == sorted(joined["member_ids"])
    left = call(client, org.admin, "removeTeamMember", body).get_json()
    assert left["member_ids"] == [org.employee.id]
    gone = call(client, org.admin, "removeTeamMember", body)
    assert gone.status_code == 404
    assert gone.get_json()["error"]["code"] == "not_found"


def test_deleting_a_team_unassigns_its_tickets_on_the_record(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    org, requester = create_org(stack), sign_up(stack)
    new = {"handling_org_id": org.id, "subject": "Broken", "description": "It is."}
    ticket = call(client, requester, "createTicket", new).get_json()
    assign = {"ticket_id": ticket["id"], "expected_version": 1, "assigned_team_id": org.team_id,
              "assigned_employee_id": org.employee.id}  # fmt: skip
    assert call(client, org.admin, "updateTicket", assign).status_code == 200
    renamed = call(client, org.admin, "renameTeam", {"team_id": org.team_id, "name": "Tier 1"})
    assert renamed.status_code == 200
    deleted = call(client, org.admin, "deleteTeam", {"team_id": org.team_id})
    assert deleted.status_code == 200, deleted.get_json()
    assert deleted.get_json() == {"id": org.team_id, "deleted": True, "unassigned_tickets": 1}
    for who in (org.employee, requester):
        detail = call(client, who, "getTicket", {"ticket_id": ticket["id"]}).get_json()
        assert (detail["assigned_team_id"], detail["team"]) == (None, None)
        last = [e for e in detail["events"] if e["kind"] == "assignment_changed"][-1]
        assert last["old_value"] == {"team_id": org.team_id, "team_name": "Tier 1"}
        assert last["new_value"] == {"team_id": None, "team_name": None}
        assert last["actor_id"] == org.admin.id
    teams = db.execute("select count(*) from public.teams where id = %s", (org.team_id,)).fetchone()
    assert teams == (0,)


def test_deleting_a_team_without_tickets_unassigns_nothing(
    client: FlaskClient, stack: Stack
) -> None:
    org = create_org(stack)
    response = call(client, org.admin, "deleteTeam", {"team_id": org.team_id})
    assert response.get_json()["unassigned_tickets"] == 0
    again = call(client, org.admin, "deleteTeam", {"team_id": org.team_id})
    assert again.status_code == 404


def test_an_admin_assigned_to_tickets_may_leave_and_the_tickets_are_unassigned(
    client: FlaskClient, stack: Stack
) -> None:
    org = create_org(stack)
    promote = {"org_id": org.id, "user_id": org.employee.id, "role": "admin"}
    assert call(client, org.admin, "setMemberRole", promote).status_code == 200
    submitted = call(
        client, org.customer, "createTicket",
        {"handling_org_id": org.id, "subject": "Broken", "description": "It is broken."},
    ).get_json()  # fmt: skip
    assign = {
        "ticket_id": submitted["id"],
        "expected_version": 1,
        "assigned_employee_id": org.admin.id,
    }
    assert call(client, org.admin, "updateTicket", assign).status_code == 200

    leave = call(client, org.admin, "removeMember", {"org_id": org.id, "user_id": org.admin.id})

    assert leave.status_code == 200, leave.get_json()
    ticket = call(client, org.employee, "getTicket", {"ticket_id": submitted["id"]}).get_json()
    assert ticket["assigned_employee_id"] is None
    assert ticket["events"][-1]["kind"] == "assignment_changed"
