"""Fixtures for the action tests: the seeded organizations and teams, and fresh tickets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, LiteralString

import psycopg
import pytest

from ..conftest import ActAs

NewTicket = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def orgs(stack: Any) -> dict[str, str]:
    """The id of each seeded organization, by slug."""
    rows = stack.psql("select slug || '=' || id from public.organizations;").splitlines()
    return dict(row.split("=", 1) for row in rows)


@pytest.fixture(scope="session")
def teams(stack: Any) -> dict[str, str]:
    """The id of each seeded team, by name."""
    rows = stack.psql("select name || '=' || id from public.teams;").splitlines()
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
