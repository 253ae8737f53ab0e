"""Staff invitations: only the invitee's acceptance adds staff; no answer reveals an account."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg
import pytest
from flask.testing import FlaskClient

from devstack import Stack

from .conftest import Org, Person, call, create_org, org_state, seeded, sign_up


def _invite(client: FlaskClient, org: Org, email: str, role: str = "employee") -> dict[str, Any]:
    response = call(client, org.admin, "inviteMember",
                    {"org_id": org.id, "email": email, "role": role})  # fmt: skip
    assert response.status_code == 201, response.get_json()
    invitation: dict[str, Any] = response.get_json()
    return invitation


def _expire(db: psycopg.Connection[Any], invitation_id: str) -> None:
    """Let an invitation's 7 days pass (bypassing the guard that lets only admins renew it)."""
    with db.transaction():
        db.execute("set local session_replication_role = replica")
        db.execute(
            "update public.organization_invitations set expires_at = now() - interval '1 second'"
            " where id = %s",
            (invitation_id,),
        )


def _roles(client: FlaskClient, who: Person) -> list[tuple[str, str]]:
    mine = call(client, who, "listMyOrganizations").get_json()["items"]
    return [(o["id"], o["role"]) for o in mine]


def _shape(value: Any) -> Any:
    """The JSON shape of an answer: keys and types, not values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


def test_an_invited_person_joins_only_by_accepting(client: FlaskClient, stack: Stack) -> None:
    org, invitee = create_org(stack), sign_up(stack)
    invitation = _invite(client, org, f"  {invitee.email.upper()} ", role="admin")
    assert (invitation["email"], invitation["role"], invitation["status"]) == (
        invitee.email, "admin", "pending")  # fmt: skip
    assert _roles(client, invitee) == [], "an invitation alone makes nobody staff"

    pending = call(client, invitee, "listMyInvitations").get_json()["items"]
    assert [(i["id"], i["organization"]["id"]) for i in pending] == [(invitation["id"], org.id)]

    accepted = call(client, invitee, "acceptInvitation", {"invitation_id": invitation["id"]})
    assert accepted.status_code == 201, accepted.get_json()
    assert (accepted.get_json()["user_id"], accepted.get_json()["role"]) == (invitee.id, "admin")
    assert _roles(client, invitee) == [(org.id, "admin")]
    assert call(client, invitee, "listMyInvitations").get_json()["items"] == []
    listed = call(client, org.admin, "listInvitations", {"org_id": org.id}).get_json()["items"]
    assert [(i["id"], i["status"]) for i in listed] == [(invitation["id"], "accepted")]


def test_the_answer_is_the_same_for_any_address(client: FlaskClient, stack: Stack) -> None:
    org = create_org(stack)
    answers = [
        call(client, org.admin, "inviteMember",
             {"org_id": org.id, "email": email, "role": "employee"})
        for email in (sign_up(stack).email, f"nobody-{uuid.uuid4().hex}@example.test",
                      org.employee.email)
    ]  # fmt: skip
    assert {a.status_code for a in answers} == {201}
    shapes = [_shape(a.get_json()) for a in answers]
    assert shapes[0] == shapes[1] == shapes[2]
    for answer in answers:
        assert set(answer.get_json()) == {
            "id", "organization_id", "organization", "email", "role", "status", "invited_by",
            "created_at", "expires_at", "responded_at"}  # fmt: skip


def test_customer_invitations_answer_the_same_for_any_address(
    client: FlaskClient, stack: Stack
) -> None:
    org = create_org(stack, customer_access="invite")
    answers = [
        call(client, org.admin, "inviteCustomer", {"org_id": org.id, "email": email})
        for email in (sign_up(stack).email, f"nobody-{uuid.uuid4().hex}@example.test")
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert _shape(answers[0].get_json()) == _shape(answers[1].get_json())


def test_inviting_again_renews_the_pending_invitation(client: FlaskClient, stack: Stack) -> None:
    org, email = create_org(stack), sign_up(stack).email
    first = _invite(client, org, email)
    again = _invite(client, org, email, role="admin")
    assert again["id"] == first["id"]
    assert again["role"] == "admin"
    assert again["expires_at"] >= first["expires_at"]


@pytest.mark.parametrize(
    ("prepare", "status"),
    [("accepted", 409), ("declined", 409), ("revoked", 409), ("expired", 409),
     ("someone_else", 404), ("unconfirmed", 404)],
    ids=["accepting_twice_is_a_conflict", "accepting_after_declining_is_a_conflict",
         "accepting_a_revoked_invitation_is_a_conflict",
         "accepting_an_expired_invitation_is_a_conflict",
         "accepting_someone_elses_invitation_is_not_found",
         "accepting_with_an_unconfirmed_address_is_not_found"],
)  # fmt: skip
def test_an_invitation_is_single_use_and_personal(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], prepare: str, status: int
) -> None:
    org = create_org(stack)
    invitee = sign_up(stack, confirmed=prepare != "unconfirmed")
    invitation = _invite(client, org, invitee.email)
    target = {"invitation_id": invitation["id"]}
    if prepare in ("accepted", "declined"):
        action = "acceptInvitation" if prepare == "accepted" else "declineInvitation"
        assert call(client, invitee, action, target).status_code in (200, 201)
    elif prepare == "revoked":
        assert call(client, org.admin, "revokeInvitation", target).status_code == 200
    elif prepare == "expired":
        _expire(db, invitation["id"])
    before = org_state(db, org.id)
    who = sign_up(stack) if prepare == "someone_else" else invitee
    response = call(client, who, "acceptInvitation", target)
    assert response.status_code == status, response.get_json()
    assert org_state(db, org.id) == before


def test_a_declined_invitation_adds_nobody(client: FlaskClient, stack: Stack) -> None:
    org, invitee = create_org(stack), sign_up(stack)
    invitation = _invite(client, org, invitee.email)
    declined = call(client, invitee, "declineInvitation", {"invitation_id": invitation["id"]})
    assert declined.status_code == 200, declined.get_json()
    assert declined.get_json()["status"] == "declined"
    assert _roles(client, invitee) == []


def test_an_expired_invitation_is_listed_as_expired_and_not_offered(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    org, invitee = create_org(stack), sign_up(stack)
    invitation = _invite(client, org, invitee.email)
    _expire(db, invitation["id"])
    assert call(client, invitee, "listMyInvitations").get_json()["items"] == []
    listed = call(client, org.admin, "listInvitations", {"org_id": org.id}).get_json()["items"]
    assert [i["status"] for i in listed] == ["expired"]


@pytest.mark.parametrize(
    ("action", "who", "status"),
    [("listInvitations", "employee", 403), ("listInvitations", "customer", 404),
     ("listInvitations", "other_org_admin", 404), ("listInvitations", "invitee", 404),
     ("listInvitations", "anon", 401),
     ("revokeInvitation", "employee", 403), ("revokeInvitation", "customer", 404),
     ("revokeInvitation", "other_org_admin", 404), ("revokeInvitation", "invitee", 404),
     ("revokeInvitation", "anon", 401),
     ("inviteMember", "employee", 403), ("inviteMember", "customer", 404),
     ("inviteMember", "other_org_admin", 404), ("inviteMember", "invitee", 404),
     ("inviteMember", "anon", 401)],
    ids=lambda value: str(value),
)  # fmt: skip
def test_only_the_admin_manages_invitations(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], action: str, who: str,
    status: int,
) -> None:  # fmt: skip
    org, invitee = create_org(stack, customer_access="invite"), sign_up(stack)
    invitation = _invite(client, org, invitee.email)
    person = {"employee": org.employee, "customer": org.customer, "invitee": invitee,
              "other_org_admin": seeded(stack, "globex_admin"), "anon": None}[who]  # fmt: skip
    body = {"listInvitations": {"org_id": org.id},
            "revokeInvitation": {"invitation_id": invitation["id"]},
            "inviteMember": {"org_id": org.id, "email": sign_up(stack).email,
                             "role": "admin"}}[action]  # fmt: skip
    before = org_state(db, org.id)
    response = call(client, person, action, body)
    assert response.status_code == status, response.get_json()
    assert org_state(db, org.id) == before


@pytest.mark.parametrize(
    "who",
    ["employee", "customer", "other_org_admin", "stranger"],
)
def test_nobody_but_the_invitee_answers_an_invitation(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], who: str
) -> None:
    org, invitee = create_org(stack), sign_up(stack)
    invitation = _invite(client, org, invitee.email)
    person = {"employee": org.employee, "customer": org.customer, "stranger": sign_up(stack),
              "other_org_admin": seeded(stack, "globex_admin")}[who]  # fmt: skip
    assert call(client, person, "listMyInvitations").get_json()["items"] == []
    before = org_state(db, org.id)
    for action in ("acceptInvitation", "declineInvitation"):
        response = call(client, person, action, {"invitation_id": invitation["id"]})
        assert response.status_code == 404, (action, response.get_json())
    assert org_state(db, org.id) == before


def test_admins_can_no_longer_add_staff_directly_through_postgrest(
    stack: Stack, db: psycopg.Connection[Any]
) -> None:
    org, person = create_org(stack), sign_up(stack)
    response = _postgrest_insert_member(stack, org.admin, org.id, person.id)
    assert response.status_code in (401, 403), response.text
    count = "select count(*) from public.organization_members where user_id = %s"
    row = db.execute(count, (person.id,)).fetchone()
    assert row is not None and row[0] == 0


def _postgrest_insert_member(stack: Stack, admin: Person, org_id: str, user_id: str) -> Any:
    return httpx.post(
        f"{stack.rest_url}/organization_members",
        json={"organization_id": org_id, "user_id": user_id, "role": "employee"},
        headers={"apikey": stack.anon_key, "Authorization": f"Bearer {admin.token}"},
        timeout=10,
    )
