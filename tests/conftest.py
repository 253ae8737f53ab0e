"""Fixtures: a real local stack for the session → the app → a client → "act as" helpers."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, LiteralString

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bff import Settings, create_app
from devstack import Stack, StackConfig

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The seeded users (supabase/seed.sql), by the short names the tests use.
USERS = {
    "alice": "alice@example.test",
    "bob": "bob@example.test",
    "agent1": "agent1@acme.test",
    "agent2": "agent2@acme.test",
    "acme_admin": "admin@acme.test",
    "globex_agent": "agent@globex.test",
    "globex_admin": "admin@globex.test",
}


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """Start an isolated stack (temporary cluster, free ports) exactly as `bff stack up` does."""
    config = StackConfig.isolated(PROJECT_DIR, prefix="bff-test-stack-", durable=False)
    test_stack = Stack(config)
    try:
        test_stack.up()
        yield test_stack
    finally:
        test_stack.down()
        shutil.rmtree(config.state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def app(stack: Stack) -> Iterator[Flask]:
    """The BFF, configured for the test stack."""
    application = create_app(Settings.from_env(stack.bff_env()))
    yield application
    application.extensions["bff.database"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def tokens(stack: Stack) -> dict[str, str]:
    """An access token for each seeded user, by short name."""
    return {name: stack.token(email) for name, email in USERS.items()}


@pytest.fixture(scope="session")
def user_ids(stack: Stack) -> dict[str, str]:
    """The id of each seeded user, by short name."""
    return {
        name: stack.psql("select id from auth.users where email = :'email';", {"email": email})
        for name, email in USERS.items()
    }


ActAs = Callable[..., TestResponse]
NewTicket = Callable[..., dict[str, Any]]


@pytest.fixture
def act(client: FlaskClient, tokens: dict[str, str]) -> ActAs:
    """Call a server action as a named user, or as anon with `None`."""

    def call(
        who: str | None, action: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> TestResponse:
        sent = dict(headers or {})
        if who is not None:
            sent["Authorization"] = f"Bearer {tokens[who]}"
        return client.post(
            f"/actions/{action}", json=body if body is not None else {}, headers=sent
        )

    return call


@pytest.fixture
def db(stack: Stack) -> Iterator[psycopg.Connection[Any]]:
    """A superuser (supabase_admin) connection to the test database, for checking what actually
    got stored."""
    with psycopg.connect(stack.db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="session")
def orgs(stack: Stack) -> dict[str, str]:
    """The id of each seeded organization, by slug."""
    rows = stack.psql("select slug || '=' || id from public.organizations;").splitlines()
    return dict(row.split("=", 1) for row in rows)


@pytest.fixture(scope="session")
def teams(stack: Stack) -> dict[str, str]:
    """The id of each seeded team, by name (other tests make teams of the same names elsewhere)."""
    rows = stack.psql(
        "select t.name || '=' || t.id from public.teams t join public.organizations o "
        "on o.id = t.organization_id where o.slug in ('acme', 'globex');"
    ).splitlines()
    return dict(row.split("=", 1) for row in rows)


@pytest.fixture
def new_ticket(act: ActAs, orgs: dict[str, str]) -> NewTicket:
    """Create a ticket through the BFF as `who` at `org`, and return it."""

    def create(who: str = "alice", org: str = "acme", **fields: Any) -> dict[str, Any]:
        body = {
            "handling_org_id": orgs[org],
            "subject": f"Printer on fire {uuid.uuid4().hex[:8]}",
            "description": "It started smoking after the update.",
            **fields,
        }
        response = act(who, "createTicket", body)
        assert response.status_code == 201, response.get_json()
        ticket: dict[str, Any] = response.get_json()
        return ticket

    return create


def count_rows(db: psycopg.Connection[Any], sql: LiteralString, *params: Any) -> int:
    row = db.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])
