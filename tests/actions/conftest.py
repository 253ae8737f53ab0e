"""Builders for the organization tests: people who signed up, and fresh staffed organizations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, LiteralString, Protocol

import psycopg
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from devstack import Stack

from ..conftest import USERS


@dataclass(frozen=True)
class Person:
    """A signed-up user and an access token of theirs."""

    id: str
    email: str
    token: str


def sign_up(stack: Stack, email: str | None = None, *, confirmed: bool = True) -> Person:
    """Insert a user into auth.users (as Supabase Auth would) and mint a token for them."""
    email = email or f"user-{uuid.uuid4().hex[:12]}@example.test"
    user_id = stack.psql(
        "insert into auth.users (id, aud, role, email, email_confirmed_at) "
        "values (gen_random_uuid(), 'authenticated', 'authenticated', :'email', "
        "case when :'confirmed' = 'yes' then now() end) returning id;",
        {"email": email, "confirmed": "yes" if confirmed else "no"},
    )
    return Person(user_id, email, stack.keys.access_token(user_id, email))


def seeded(stack: Stack, name: str) -> Person:
    """A seeded user (tests/conftest.py USERS) as a Person."""
    email = USERS[name]
    user_id = stack.psql("select id from auth.users where email = :'email';", {"email": email})
    return Person(user_id, email, stack.keys.access_token(user_id, email))


def call(client: FlaskClient, who: Person | None, action: str, body: Any = None) -> TestResponse:
    """Call a server action as `who` (None: anon)."""
    headers = {"Authorization": f"Bearer {who.token}"} if who else {}
    return client.post(f"/actions/{action}", json={} if body is None else body, headers=headers)


class Do(Protocol):
    """Call an action as `who` (None: anon) with the body's fields; check the status; return
    the answer's JSON."""

    def __call__(
        self, who: Person | None, action: str, /, expect: int = 200, **body: Any
    ) -> Any: ...


@pytest.fixture
def do(client: FlaskClient) -> Do:
    def run(who: Person | None, action: str, /, expect: int = 200, **body: Any) -> Any:
        response = call(client, who, action, body)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    return run


def invalid_paths(answer: dict[str, Any]) -> list[list[str]]:
    """The fields a 422 answer names."""
    assert answer["error"]["code"] == "validation_failed", answer
    return [field["path"] for field in answer["error"]["details"]["fields"]]


def error_paths(response: TestResponse) -> list[list[Any]]:
    """The paths of the invalid fields named by a 422 answer."""
    return [field["path"] for field in response.get_json()["error"]["details"]["fields"]]


def unique_slug(prefix: str = "org") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Org:
    """A fresh organization: its admin, an employee, a team the employee is on, and an invited
    customer (who, like every signed-in user at a public organization, can see it)."""

    id: str
    slug: str
    admin: Person
    employee: Person
    customer: Person
    team_id: str


def create_org(stack: Stack, customer_access: str = "public") -> Org:
    """Create a staffed organization with one team, directly in the database.

    Set-up does not go through createOrganization & co: those actions are what is under test.
    """
    admin, employee, customer = sign_up(stack), sign_up(stack), sign_up(stack)
    slug = unique_slug()
    ids = stack.psql(
        """
        with org as (
          insert into public.organizations (name, slug, customer_access, created_by)
          values ('Org ' || :'slug', :'slug', :'access', :'admin') returning id
        ), staff as (
          insert into public.organization_members (organization_id, user_id, role)
          select id, :'employee', 'employee' from org
        ), invited as (
          insert into public.organization_customers (organization_id, email)
          select id, :'customer' from org
        )
        insert into public.teams (organization_id, name)
        select id, 'Front line' from org returning organization_id || ' ' || id;
        """,
        {"slug": slug, "access": customer_access, "admin": admin.id, "employee": employee.id,
         "customer": customer.email},
    )  # fmt: skip
    org_id, team_id = ids.split()
    stack.psql(
        "insert into public.team_members (team_id, user_id) values (:'team', :'employee');",
        {"team": team_id, "employee": employee.id},
    )
    return Org(org_id, slug, admin, employee, customer, team_id)


def org_state(db: psycopg.Connection[Any], org_id: str) -> tuple[Any, ...]:
    """Everything an admin action can change about an organization, for "nothing changed"."""
    queries: list[LiteralString] = [
        "select name, slug, customer_access, verified_domains from public.organizations "
        "where id = %(org)s",
        "select user_id, role from public.organization_members where organization_id = %(org)s "
        "order by user_id",
        "select t.id, t.name, array(select user_id from public.team_members m "
        "where m.team_id = t.id order by user_id) from public.teams t "
        "where t.organization_id = %(org)s order by t.id",
        "select email from public.organization_customers where organization_id = %(org)s "
        "order by email",
        "select id, email, role, status, expires_at from public.organization_invitations "
        "where organization_id = %(org)s order by id",
    ]
    return tuple(db.execute(sql, {"org": org_id}).fetchall() for sql in queries)


@pytest.fixture
def new_org(stack: Stack) -> Org:
    return create_org(stack)


# createOrganization ------------------------------------------------------------------------
