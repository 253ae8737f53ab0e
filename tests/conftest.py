"""Fixtures: a real local stack for the session → the app → a client → "act as" helpers."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bff import Settings, create_app
from bff.local import Stack, StackConfig
from bff.local._processes import free_port

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
    state_dir = Path(tempfile.mkdtemp(prefix="bff-test-stack-"))
    state_dir.chmod(0o755)  # the Postgres OS user must be able to enter it
    config = StackConfig(
        project_dir=PROJECT_DIR,
        state_dir=state_dir,
        db_port=free_port(),
        rest_port=free_port(),
        bff_port=free_port(),
        durable=False,
    )
    test_stack = Stack(config)
    try:
        test_stack.up()
        yield test_stack
    finally:
        test_stack.down()
        shutil.rmtree(state_dir, ignore_errors=True)


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
    """A superuser connection to the test database, for checking what actually got stored."""
    with psycopg.connect(stack.db_url, autocommit=True) as connection:
        yield connection
