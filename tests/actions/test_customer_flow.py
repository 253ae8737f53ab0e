"""The customer flow: who may submit where, invitations, the picker and the dashboard."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
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


def _submit(client: FlaskClient, who: Person | None, org_id: str, subject: str = "Help") -> Any:
    body = {"handling_org_id": org_id, "subject": subject, "description": "Please help."}
    return call(client, who, "createTicket", body)


def _restrict(stack: Stack, org: Org, access: str, domains: str = "{}") -> None:
    stack.psql(
        "update public.organizations set customer_access = :'access', "
        "verified_domains = :'domains' where id = :'org';",
        {"access": access, "domains": domains, "org": org.id},
    )


def _submittable(client: FlaskClient, who: Person) -> set[str]:
    response = call(client, who, "listSubmittableOrganizations")
    assert response.status_code == 200
    return {org["id"] for org in response.get_json()["items"]}


# Who may submit: (access mode, the submitter, allowed?)
SUBMITTERS = [
    ("public", "unconfirmed", True),
    ("public", "confirmed_elsewhere", True),
    ("domain", "confirmed_at_domain", True),
    ("domain", "unconfirmed_at_domain", False),
    ("domain", "confirmed_elsewhere", False),
    ("domain", "employee", True),
    ("invite", "invited", True),
    ("invite", "confirmed_elsewhere", False),
    ("invite", "employee", True),
    ("invite", "other_org_admin", False),
]
SUBMITTER_IDS = [
    f"{who}_{'may' if allowed else 'may_not'}_submit_to_a_{access}_org"
    for access, who, allowed in SUBMITTERS
]


def _submitter(stack: Stack, org: Org, who: str) -> Person:
    return {
        "unconfirmed": lambda: sign_up(stack, confirmed=False),
        "confirmed_elsewhere": lambda: sign_up(stack),
        "confirmed_at_domain": lambda: sign_up(stack, f"u{uuid.uuid4().hex[:8]}@{org.slug}.test"),
        "unconfirmed_at_domain": lambda: sign_up(
            stack, f"u{uuid.uuid4().hex[:8]}@{org.slug}.test", confirmed=False
        ),
        "employee": lambda: org.employee,
        "invited": lambda: org.customer,
        "other_org_admin": lambda: seeded(stack, "globex_admin"),
    }[who]()


@pytest.mark.parametrize(("access", "who", "allowed"), SUBMITTERS, ids=SUBMITTER_IDS)
def test_who_may_submit_where(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], access: str, who: str,
    allowed: bool,
) -> None:  # fmt: skip
    org = create_org(stack)
    _restrict(stack, org, access, "{" + org.slug + ".test}")
    person = _submitter(stack, org, who)
    subject = f"Ticket {uuid.uuid4().hex}"
    response = _submit(client, person, org.id, subject)
    stored = db.execute("select count(*) from public.tickets where subject = %s", (subject,))
    if allowed:
        assert response.status_code == 201, response.get_json()
        assert stored.fetchone() == (1,)
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "forbidden"
        assert stored.fetchone() == (0,)
    assert (org.id in _submittable(client, person)) is allowed


@pytest.mark.parametrize(
    ("access", "allowed"),
    [("public", True), ("invite", False)],
    ids=["a_direct_insert_into_a_public_org_is_accepted",
         "a_direct_insert_into_an_invite_only_org_is_refused"],
)  # fmt: skip
def test_postgrest_inserts_follow_the_same_rule(
    stack: Stack, db: psycopg.Connection[Any], access: str, allowed: bool
) -> None:
    org, person = create_org(stack, customer_access=access), sign_up(stack)
    subject = f"Direct {uuid.uuid4().hex}"
    response = httpx.post(
        f"{stack.rest_url}/tickets",
        json={"handling_org_id": org.id, "user_id": person.id, "subject": subject},
        headers={"Authorization": f"Bearer {person.token}"},
    )
    stored = db.execute("select count(*) from public.tickets where subject = %s", (subject,))
    if allowed:
        assert response.status_code == 201, response.text
        assert stored.fetchone() == (1,)
    else:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "42501"
        assert stored.fetchone() == (0,)


def test_submitting_to_an_unknown_org_is_not_found(client: FlaskClient, stack: Stack) -> None:
    response = _submit(client, sign_up(stack), str(uuid.uuid4()))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_anon_cannot_list_submittable_organizations(client: FlaskClient) -> None:
    assert call(client, None, "listSubmittableOrganizations").status_code == 401


# inviteCustomer / revokeCustomer ------------------------------------------------------------


def test_an_invitation_opens_the_org_and_revoking_closes_it(
    client: FlaskClient, stack: Stack
) -> None:
    org, person = create_org(stack, customer_access="invite"), sign_up(stack)
    assert _submit(client, person, org.id).status_code == 403
    body = {"org_id": org.id, "email": f" {person.email.upper()} "}
    invited = call(client, org.admin, "inviteCustomer", body)
    assert invited.status_code == 201, invited.get_json()
    assert (invited.get_json()["email"], invited.get_json()["organization_id"]) == (
        person.email,
        org.id,
    )
    assert call(client, org.admin, "inviteCustomer", body).status_code == 201  # harmless repeat
    ticket = _submit(client, person, org.id)
    assert ticket.status_code == 201
    revoked = call(client, org.admin, "revokeCustomer", {"org_id": org.id, "email": person.email})
    assert revoked.get_json() == {"organization_id": org.id, "email": person.email, "revoked": True}
    assert _submit(client, person, org.id).status_code == 403
    assert org.id not in _submittable(client, person)
    # Their existing ticket stays theirs, and so does the organization's name on it.
    detail = call(client, person, "getTicket", {"ticket_id": ticket.get_json()["id"]})
    assert detail.status_code == 200
    assert detail.get_json()["organization"]["id"] == org.id
    again = call(client, org.admin, "revokeCustomer", {"org_id": org.id, "email": person.email})
    assert again.status_code == 404


INVITATION_ACTIONS = ["inviteCustomer", "revokeCustomer"]


@pytest.mark.parametrize("action", INVITATION_ACTIONS)
@pytest.mark.parametrize(
    ("role", "status", "code"),
    [("employee", 403, "forbidden"), ("customer", 404, "not_found"),
     ("other_org_admin", 404, "not_found"), ("anon", 401, "unauthorized")],
    ids=["an_employee_is_forbidden", "an_invited_customer_does_not_find_it",
         "the_admin_of_another_org_does_not_find_it", "anon_is_unauthorized"],
)  # fmt: skip
def test_only_the_admin_manages_invitations(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], action: str, role: str,
    status: int, code: str,
) -> None:  # fmt: skip
    org = create_org(stack, customer_access="invite")
    who = {"employee": org.employee, "customer": org.customer,
           "other_org_admin": seeded(stack, "globex_admin"), "anon": None}[role]  # fmt: skip
    email = org.customer.email if action == "revokeCustomer" else "pal@example.test"
    before = org_state(db, org.id)
    response = call(client, who, action, {"org_id": org.id, "email": email})
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert org_state(db, org.id) == before


@pytest.mark.parametrize("action", INVITATION_ACTIONS)
@pytest.mark.parametrize(
    ("change", "path"),
    [({"email": "nobody"}, ["email"]), ({"email": "x@y"}, ["email"]),
     ({"email": "a" * 70 + "@" + "b" * 300 + ".test"}, ["email"]), ({"email": None}, ["email"]),
     ({"email": ["a@b.test"]}, ["email"]), ({"org_id": "acme"}, ["org_id"]),
     ({"role": "vip"}, ["role"])],
    ids=["an_address_without_at_is_invalid", "an_address_without_a_dot_is_invalid",
         "a_huge_address_is_invalid", "a_null_address_is_invalid", "a_list_as_address_is_invalid",
         "a_slug_as_org_id_is_invalid", "an_unknown_field_is_invalid"],
)  # fmt: skip
def test_invalid_invitation_input_is_rejected(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], action: str,
    change: dict[str, Any], path: list[str],
) -> None:  # fmt: skip
    org = create_org(stack, customer_access="invite")
    before = org_state(db, org.id)
    body = {"org_id": org.id, "email": "pal@example.test", **change}
    response = call(client, org.admin, action, body)
    assert response.status_code == 422, response.get_json()
    assert path in error_paths(response)
    assert org_state(db, org.id) == before


@pytest.mark.parametrize("action", INVITATION_ACTIONS)
def test_invitations_to_unknown_orgs_are_not_found(
    client: FlaskClient, stack: Stack, action: str
) -> None:
    admin = create_org(stack).admin
    body = {"org_id": str(uuid.uuid4()), "email": "pal@example.test"}
    response = call(client, admin, action, body)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# listMyTickets: the customer dashboard ------------------------------------------------------


@pytest.fixture
def dashboard(client: FlaskClient, stack: Stack) -> tuple[Org, Person, dict[str, Any]]:
    """A fresh public org and a customer with one ticket there."""
    org, customer = create_org(stack), sign_up(stack)
    ticket = _submit(client, customer, org.id, "Dashboard ticket").get_json()
    return org, customer, ticket


def _my_tickets(client: FlaskClient, who: Person, **body: Any) -> list[dict[str, Any]]:
    response = call(client, who, "listMyTickets", body)
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def test_staff_replied_tracks_public_staff_comments_since_the_requester_last_looked(
    client: FlaskClient, dashboard: tuple[Org, Person, dict[str, Any]]
) -> None:
    org, customer, ticket = dashboard

    def replied() -> bool:
        return bool(_my_tickets(client, customer)[0]["staff_replied"])

    assert replied() is False
    own = {"ticket_id": ticket["id"], "body": "Any news?"}
    assert call(client, customer, "addComment", own).status_code == 201
    assert replied() is False, "the requester's own comment is not a staff reply"
    note = {"ticket_id": ticket["id"], "body": "Ignore this one.", "is_internal": True}
    assert call(client, org.employee, "addComment", note).status_code == 201
    assert replied() is False, "an internal note is not a reply"
    public = {"ticket_id": ticket["id"], "body": "We are on it."}
    assert call(client, org.employee, "addComment", public).status_code == 201
    assert replied() is True
    seen = {"ticket_id": ticket["id"]}
    staff_seen = call(client, org.employee, "markTicketSeen", seen)
    assert staff_seen.get_json() == {"ticket_id": ticket["id"], "seen_at": None}
    assert replied() is True, "staff opening the ticket does not count as the requester seeing it"
    assert call(client, customer, "getTicket", seen).status_code == 200
    assert replied() is True, "reading the ticket writes nothing"
    marked = call(client, customer, "markTicketSeen", seen)
    assert marked.status_code == 200, marked.get_json()
    assert marked.get_json()["seen_at"] is not None
    assert replied() is False


def test_my_tickets_carry_the_org_name_and_last_activity(
    client: FlaskClient, dashboard: tuple[Org, Person, dict[str, Any]]
) -> None:
    org, customer, ticket = dashboard
    [item] = _my_tickets(client, customer)
    assert (item["id"], item["organization_name"], item["subject"]) == (
        ticket["id"], f"Org {org.slug}", "Dashboard ticket")  # fmt: skip
    call(client, org.employee, "addComment", {"ticket_id": ticket["id"], "body": "Hello"})
    [later] = _my_tickets(client, customer)
    assert later["last_activity_at"] > item["last_activity_at"]


def test_my_tickets_are_mine_only_across_orgs_and_filter(
    client: FlaskClient, stack: Stack, orgs: dict[str, str]
) -> None:
    org, customer, other = create_org(stack), sign_up(stack), sign_up(stack)
    here = _submit(client, customer, org.id).get_json()
    at_acme = _submit(client, customer, orgs["acme"]).get_json()
    _submit(client, other, org.id)
    assert {t["id"] for t in _my_tickets(client, customer)} == {here["id"], at_acme["id"]}
    assert [t["id"] for t in _my_tickets(client, customer, org_id=org.id)] == [here["id"]]
    close = {"ticket_id": here["id"], "expected_version": 1, "status": "closed"}
    assert call(client, customer, "updateTicket", close).status_code == 200
    assert [t["id"] for t in _my_tickets(client, customer, status=["closed"])] == [here["id"]]
    assert [t["id"] for t in _my_tickets(client, customer, status=["open"])] == [at_acme["id"]]
    # Staff see the org's tickets in listTickets, but the dashboard holds only their own.
    assert _my_tickets(client, org.employee) == []


def test_my_tickets_page_without_repeats(client: FlaskClient, stack: Stack) -> None:
    org, customer = create_org(stack), sign_up(stack)
    mine = {_submit(client, customer, org.id).get_json()["id"] for _ in range(5)}
    seen: list[str] = []
    body: dict[str, Any] = {"limit": 2}
    while True:
        page = call(client, customer, "listMyTickets", body).get_json()
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        body["cursor"] = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == mine


@pytest.mark.parametrize(
    ("body", "path"),
    [({"limit": 0}, ["limit"]), ({"limit": 101}, ["limit"]), ({"limit": "ten"}, ["limit"]),
     ({"status": ["done"]}, ["status", "0"]), ({"status": "open"}, ["status"]),
     ({"org_id": "acme"}, ["org_id"]), ({"cursor": "not-a-cursor"}, ["cursor"]),
     ({"cursor": "x" * 501}, ["cursor"]), ({"sort": "priority"}, ["sort"])],
    ids=["a_limit_of_zero_is_invalid", "a_limit_over_100_is_invalid", "a_text_limit_is_invalid",
         "an_unknown_status_is_invalid", "a_status_that_is_not_a_list_is_invalid",
         "a_slug_as_org_id_is_invalid", "a_forged_cursor_is_invalid", "a_huge_cursor_is_invalid",
         "an_unknown_field_is_invalid"],
)  # fmt: skip
def test_invalid_dashboard_input_is_rejected(
    client: FlaskClient, stack: Stack, body: dict[str, Any], path: list[str]
) -> None:
    response = call(client, sign_up(stack), "listMyTickets", body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_failed"
    assert path in error_paths(response)


def test_anon_has_no_dashboard(client: FlaskClient) -> None:
    response = call(client, None, "listMyTickets")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
