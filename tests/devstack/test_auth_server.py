"""The Auth stand-in's own guarantees: bad input is a 4xx in Supabase Auth's error shape, a wrong
password and an unknown email get the same answer, reusing a rotated refresh token ends the
session, passwords are stored as bcrypt, and its tokens have the shape `bff token` mints.

Most tests call the app in process, with a 1-second refresh-token reuse interval so its expiry
can be waited for; the last ones call the server the stack runs, through the project URL.
supabase-js's own view (and PostgREST's and the BFF's refusals) is tests/js/auth.test.mjs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import bcrypt
import jwt
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from devstack import DEMO_PASSWORD, Stack
from devstack._processes import free_port
from devstack.auth import AuthSettings, create_app

from ..conftest import USERS, count_rows

REUSE_INTERVAL = 1
PASSWORD = "correct horse battery"
CURRENT_API = {"X-Supabase-Api-Version": "2024-01-01"}


@pytest.fixture(scope="module")
def auth_app(stack: Stack) -> Iterator[Flask]:
    app = create_app(
        AuthSettings(
            stack.database_url("postgres", role="supabase_auth_admin"),  # as the stack runs it
            stack.keys.folder,
            refresh_token_reuse_interval=REUSE_INTERVAL,
        )
    )
    yield app
    app.extensions["devstack.auth"].database.close()


@pytest.fixture
def auth(auth_app: Flask) -> FlaskClient:
    return auth_app.test_client()


def new_email() -> str:
    return f"auth-{uuid.uuid4().hex[:12]}@example.test"


def sign_up(auth: FlaskClient, email: str | None = None) -> dict[str, Any]:
    response = auth.post("/signup", json={"email": email or new_email(), "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    session: dict[str, Any] = response.get_json()
    return session


def sign_in(auth: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    return auth.post(
        "/token?grant_type=password",
        json={"email": email, "password": password},
        headers=CURRENT_API,
    )


def refresh(auth: FlaskClient, refresh_token: str) -> TestResponse:
    return auth.post(
        "/token?grant_type=refresh_token",
        json={"refresh_token": refresh_token},
        headers=CURRENT_API,
    )


def bearer(session: dict[str, Any] | str) -> dict[str, str]:
    token = session if isinstance(session, str) else session["access_token"]
    return {**CURRENT_API, "Authorization": f"Bearer {token}"}


def claims_of(session: dict[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        session["access_token"], options={"verify_signature": False}
    )
    return claims


def assert_auth_error(response: TestResponse, status: int, code: str) -> None:
    """The answer is Auth's error for `code`, in the shape supabase-js asks for."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code and isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"code", "message", "weak_password"}
    assert response.headers["x-sb-error-code"] == code
    assert response.headers["X-Supabase-Api-Version"] == "2024-01-01"


# Bad input ----------------------------------------------------------------------------------------
def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


SIGNUP, PASSWORD_GRANT, REFRESH_GRANT = (
    "/signup",
    "/token?grant_type=password",
    "/token?grant_type=refresh_token",
)
BAD_BODIES = [
    (SIGNUP, b"not json", 400, "bad_json", "a_body_that_is_not_json"),
    (SIGNUP, b"", 400, "bad_json", "no_body"),
    (SIGNUP, b"[]", 400, "bad_json", "a_list"),
    (SIGNUP, _json({"email": 5, "password": PASSWORD}), 400, "bad_json", "a_number_for_email"),
    (SIGNUP, b'{"email": "\\ud800@example.test"}', 400, "bad_json", "a_lone_surrogate"),
    (SIGNUP, b'{"data": ' + b"[" * 300 + b"]" * 300 + b"}", 400, "bad_json", "deep_nesting"),
    (SIGNUP, _json({"email": "a@example.test", "data": [1]}), 400, "bad_json", "list_metadata"),
    (SIGNUP, _json({"email": new_email()}), 400, "validation_failed", "no_password"),
    (SIGNUP, _json({"email": new_email(), "password": "x" * 73}), 400, "validation_failed",
     "a_password_over_72_bytes"),
    (SIGNUP, _json({"email": new_email(), "password": "short"}), 422, "weak_password",
     "a_password_under_6_characters"),
    (SIGNUP, _json({"email": "not-an-email", "password": PASSWORD}), 400, "validation_failed",
     "a_malformed_email"),
    (SIGNUP, _json({"email": "a@example.test\n", "password": PASSWORD}), 400, "validation_failed",
     "an_email_ending_in_a_newline"),
    (SIGNUP, _json({"email": "a" * 250 + "@x.test", "password": PASSWORD}), 400,
     "validation_failed", "an_email_over_255_characters"),
    (SIGNUP, _json({"email": "a\u0000b@x.test", "password": PASSWORD}), 400, "validation_failed",
     "an_email_holding_u0000"),
    (SIGNUP, _json({"email": new_email(), "phone": "+15550100", "password": PASSWORD}), 400,
     "validation_failed", "both_email_and_phone"),
    (SIGNUP, _json({"phone": "+15550100", "password": PASSWORD}), 400, "phone_provider_disabled",
     "a_phone_number"),
    (SIGNUP, _json({"password": PASSWORD}), 400, "validation_failed", "neither_email_nor_phone"),
    (SIGNUP, _json({"email": new_email(), "password": PASSWORD, "data": {"a": "\u0000"}}), 400,
     "validation_failed", "metadata_holding_u0000"),
    (SIGNUP, b'{"email": "x@example.test", "password": "longenough", "data": {"n": 1e400}}', 400,
     "validation_failed", "metadata_holding_an_infinite_number"),
    (SIGNUP, b'{"email": "' + b"a" * (1 << 20) + b'"}', 413, "request_entity_too_large",
     "a_body_over_1_mib"),
    (PASSWORD_GRANT, _json({"password": PASSWORD}), 400, "validation_failed", "no_email"),
    (PASSWORD_GRANT, _json({"phone": "+15550100", "password": PASSWORD}), 422,
     "phone_provider_disabled", "a_phone_number"),
    (PASSWORD_GRANT, _json({"email": "alice@example.test\u0000", "password": "x"}), 400,
     "invalid_credentials", "an_email_holding_u0000"),
    (PASSWORD_GRANT, _json({"email": "alice@example.test", "password": "x" * 100}), 400,
     "invalid_credentials", "a_password_over_72_bytes"),
    (PASSWORD_GRANT, b"{", 400, "bad_json", "broken_json"),
    (REFRESH_GRANT, _json({}), 400, "validation_failed", "no_refresh_token"),
    (REFRESH_GRANT, _json({"refresh_token": "short"}), 400, "validation_failed", "a_short_one"),
    (REFRESH_GRANT, _json({"refresh_token": "ABCDEFGHIJKL"}), 400, "validation_failed",
     "an_uppercase_one"),
    (REFRESH_GRANT, _json({"refresh_token": "abcdefghijk\n"}), 400, "validation_failed",
     "one_ending_in_a_newline"),
    (REFRESH_GRANT, _json({"refresh_token": "abcdefghijkl"}), 400, "refresh_token_not_found",
     "an_unknown_one"),
    ("/token?grant_type=pkce", _json({}), 400, "invalid_credentials", "an_unsupported_grant"),
    ("/token", _json({}), 400, "invalid_credentials", "no_grant_type"),
    ("/logout?scope=everyone", b"", 401, "no_authorization", "logout_without_a_token"),
    ("/nowhere", b"", 404, "not_found", "an_unknown_path"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [pytest.param(*case[:4], id=case[4]) for case in BAD_BODIES],
)
def test_bad_input_is_a_4xx_in_auths_error_shape(
    auth: FlaskClient, path: str, body: bytes, status: int, code: str
) -> None:
    response = auth.post(
        path, data=body, headers={**CURRENT_API, "Content-Type": "application/json"}
    )
    assert_auth_error(response, status, code)


def test_weak_password_names_its_reasons(auth: FlaskClient) -> None:
    response = auth.post("/signup", json={"email": new_email(), "password": "short"})
    assert response.status_code == 422
    assert response.get_json()["weak_password"] == {"reasons": ["length"]}


def test_without_an_api_version_errors_keep_auths_original_shape(auth: FlaskClient) -> None:
    response = auth.post("/token?grant_type=password", json={"password": PASSWORD})
    assert response.status_code == 400
    assert response.get_json() == {
        "code": 400,
        "error_code": "validation_failed",
        "msg": "missing email or phone",
    }
    assert "X-Supabase-Api-Version" not in response.headers


def test_an_unsupported_method_is_405(auth: FlaskClient) -> None:
    assert_auth_error(auth.delete("/user", headers=CURRENT_API), 405, "method_not_allowed")


def _token(stack: Stack, **overrides: Any) -> str:
    claims: dict[str, Any] = jwt.decode(
        stack.token("alice@example.test"), options={"verify_signature": False}
    )
    claims.update(overrides)
    return stack.keys.sign({k: v for k, v in claims.items() if v is not None})


BAD_TOKENS: list[tuple[Callable[[Stack], str], int, str, str]] = [
    (lambda stack: "not-a-jwt", 403, "bad_jwt", "garbage"),
    (
        lambda stack: jwt.encode(
            {"sub": str(uuid.uuid4()), "exp": int(time.time()) + 60},
            ec.generate_private_key(ec.SECP256R1()),
            algorithm="ES256",
            headers={"kid": stack.keys.kid},
        ),
        403,
        "bad_jwt",
        "signed_with_another_key",
    ),
    (lambda stack: _token(stack, exp=int(time.time()) - 10), 403, "bad_jwt", "expired"),
    (lambda stack: _token(stack, sub="alice"), 400, "bad_jwt", "a_sub_that_is_not_a_uuid"),
    (lambda stack: _token(stack, sub=str(uuid.uuid4())), 403, "user_not_found", "unknown_user"),
    (
        lambda stack: _token(stack, session_id=str(uuid.uuid4())),
        403,
        "session_not_found",
        "a_session_that_does_not_exist",
    ),
    (lambda stack: _token(stack, session_id="nope"), 403, "bad_jwt", "a_malformed_session_id"),
    (lambda stack: _token(stack, aud="other"), 400, "validation_failed", "another_audience"),
]


@pytest.mark.parametrize(
    ("make_token", "status", "code"),
    [pytest.param(*case[:3], id=case[3]) for case in BAD_TOKENS],
)
def test_get_user_with_a_bad_token_is_refused_as_auth_refuses_it(
    auth: FlaskClient,
    stack: Stack,
    make_token: Callable[[Stack], str],
    status: int,
    code: str,
) -> None:
    assert_auth_error(auth.get("/user", headers=bearer(make_token(stack))), status, code)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from([SIGNUP, PASSWORD_GRANT, REFRESH_GRANT]),
    body=st.dictionaries(
        st.sampled_from(["email", "phone", "password", "data", "refresh_token"]), JSON_VALUES
    )
    | JSON_VALUES,
)
def test_no_json_body_makes_the_server_fail(auth: FlaskClient, path: str, body: Any) -> None:
    response = auth.post(path, json=body, headers=CURRENT_API)
    assert response.status_code < 500, response.get_data(as_text=True)


# Sign-in ------------------------------------------------------------------------------------------
def test_wrong_password_and_unknown_email_get_the_same_answer(auth: FlaskClient) -> None:
    wrong_password = sign_in(auth, "alice@example.test", "not the password")
    unknown_email = sign_in(auth, new_email(), "not the password")
    assert_auth_error(wrong_password, 400, "invalid_credentials")
    assert wrong_password.get_data() == unknown_email.get_data()
    assert dict(wrong_password.headers) == dict(unknown_email.headers)


@pytest.mark.parametrize("who", list(USERS))
def test_every_seeded_user_signs_in_with_the_demo_password(auth: FlaskClient, who: str) -> None:
    response = sign_in(auth, USERS[who], DEMO_PASSWORD)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["user"]["email"] == USERS[who]


def test_email_is_matched_whatever_its_case(auth: FlaskClient) -> None:
    response = sign_in(auth, "Alice@Example.TEST", DEMO_PASSWORD)
    assert response.status_code == 200


def test_password_is_stored_as_bcrypt_that_pgcrypto_verifies_too(
    auth: FlaskClient, db: psycopg.Connection[Any]
) -> None:
    email = new_email()
    sign_up(auth, email)
    row = db.execute(
        "select encrypted_password, extensions.crypt(%s, encrypted_password) = encrypted_password"
        " from auth.users where email = %s",
        (PASSWORD, email),
    ).fetchone()
    assert row is not None
    stored, pgcrypto_agrees = row
    assert stored.startswith("$2a$10$") and PASSWORD not in stored
    assert bcrypt.checkpw(PASSWORD.encode(), stored.encode()) and pgcrypto_agrees


def test_signing_up_twice_with_one_address_is_refused(auth: FlaskClient) -> None:
    email = new_email()
    sign_up(auth, email)
    response = auth.post(
        "/signup", json={"email": email.upper(), "password": PASSWORD}, headers=CURRENT_API
    )
    assert_auth_error(response, 422, "user_already_exists")


def test_a_new_user_gets_a_profile_with_the_display_name_given(
    auth: FlaskClient, db: psycopg.Connection[Any]
) -> None:
    session = auth.post(
        "/signup",
        json={"email": new_email(), "password": PASSWORD, "data": {"display_name": "Zoë"}},
    ).get_json()
    assert session["user"]["user_metadata"] == {"display_name": "Zoë"}
    user_id = session["user"]["id"]
    names = db.execute("select display_name from public.profiles where id = %s", (user_id,))
    assert names.fetchall() == [("Zoë",)]


# Refresh tokens -----------------------------------------------------------------------------------
def test_a_refresh_revokes_the_token_used_and_issues_its_child(
    auth: FlaskClient, db: psycopg.Connection[Any]
) -> None:
    first = sign_up(auth)
    second = refresh(auth, first["refresh_token"]).get_json()
    rows = db.execute(
        "select token, revoked, parent from auth.refresh_tokens where session_id = %s order by id",
        (claims_of(first)["session_id"],),
    ).fetchall()
    assert rows == [
        (first["refresh_token"], True, None),
        (second["refresh_token"], False, first["refresh_token"]),
    ]
    assert claims_of(second)["session_id"] == claims_of(first)["session_id"]


def test_reusing_the_token_just_rotated_answers_the_current_one_again(auth: FlaskClient) -> None:
    first = sign_up(auth)
    second = refresh(auth, first["refresh_token"]).get_json()
    time.sleep(REUSE_INTERVAL + 0.2)  # even after the reuse interval: the client lost the answer
    again = refresh(auth, first["refresh_token"])
    assert again.status_code == 200
    assert again.get_json()["refresh_token"] == second["refresh_token"]


def test_reusing_an_older_token_within_the_reuse_interval_is_allowed(auth: FlaskClient) -> None:
    first = sign_up(auth)
    second = refresh(auth, first["refresh_token"]).get_json()
    third = refresh(auth, second["refresh_token"]).get_json()
    concurrent = refresh(auth, first["refresh_token"])
    assert concurrent.status_code == 200
    assert concurrent.get_json()["refresh_token"] not in {
        second["refresh_token"],
        third["refresh_token"],
    }
    assert auth.get("/user", headers=bearer(third)).status_code == 200


def test_reusing_a_rotated_token_after_the_reuse_interval_ends_the_session(
    auth: FlaskClient, db: psycopg.Connection[Any]
) -> None:
    first = sign_up(auth)
    second = refresh(auth, first["refresh_token"]).get_json()
    third = refresh(auth, second["refresh_token"]).get_json()
    time.sleep(REUSE_INTERVAL + 0.2)

    assert_auth_error(refresh(auth, first["refresh_token"]), 400, "refresh_token_already_used")

    session_id = claims_of(third)["session_id"]
    assert count_rows(db, "select count(*) from auth.sessions where id = %s", session_id) == 0
    assert count_rows(
        db, "select count(*) from auth.refresh_tokens where session_id = %s", session_id
    ) == 0  # fmt: skip
    assert_auth_error(auth.get("/user", headers=bearer(third)), 403, "session_not_found")
    assert_auth_error(refresh(auth, third["refresh_token"]), 400, "refresh_token_not_found")


def test_a_session_past_its_not_after_cannot_be_refreshed(
    auth: FlaskClient, db: psycopg.Connection[Any]
) -> None:
    session = sign_up(auth)
    db.execute(
        "update auth.sessions set not_after = now() - interval '1 second' where id = %s",
        (claims_of(session)["session_id"],),
    )
    assert_auth_error(refresh(auth, session["refresh_token"]), 400, "session_expired")


# Sign-out -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("scope", "kept"),
    [("local", {"elsewhere"}), ("others", {"here"}), ("global", set()), ("", set())],
    ids=["local_ends_this_one", "others_ends_the_rest", "global_ends_all", "default_is_global"],
)
def test_logout_ends_the_sessions_its_scope_names(
    auth: FlaskClient, db: psycopg.Connection[Any], scope: str, kept: set[str]
) -> None:
    here = sign_up(auth)
    elsewhere = sign_in(auth, here["user"]["email"]).get_json()
    response = auth.post(f"/logout?scope={scope}", headers=bearer(here))
    assert response.status_code == 204 and response.get_data() == b""
    remaining = {
        str(row[0])
        for row in db.execute(
            "select id from auth.sessions where user_id = %s", (here["user"]["id"],)
        )
    }
    sessions = {"here": here, "elsewhere": elsewhere}
    assert remaining == {claims_of(sessions[name])["session_id"] for name in kept}


def test_logout_with_a_token_minted_without_a_session_ends_all_sessions(
    auth: FlaskClient, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    session = sign_up(auth)
    user = session["user"]
    minted = stack.keys.access_token(user["id"], user["email"])
    assert auth.post("/logout?scope=local", headers=bearer(minted)).status_code == 204
    assert count_rows(db, "select count(*) from auth.sessions where user_id = %s", user["id"]) == 0


# Tokens -------------------------------------------------------------------------------------------
def test_a_session_token_is_a_minted_token_plus_its_session(
    auth: FlaskClient, stack: Stack
) -> None:
    session = sign_in(auth, "bob@example.test", DEMO_PASSWORD).get_json()
    claims = claims_of(session)
    minted = jwt.decode(stack.token("bob@example.test"), options={"verify_signature": False})
    without_session = [name for name in claims if name != "session_id"]
    assert without_session == list(minted) and "session_id" in claims
    assert jwt.get_unverified_header(session["access_token"])["kid"] == stack.keys.kid
    assert stack.keys.verify(session["access_token"])["sub"] == minted["sub"]
    assert claims["exp"] - claims["iat"] == 3600 and session["expires_at"] == claims["exp"]
    assert claims["user_metadata"] == {} and claims["amr"][0]["method"] == "password"


# The server the stack runs ------------------------------------------------------------------------
def _get_json(url: str) -> tuple[int, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
        return response.status, json.loads(response.read())


def test_the_stacks_server_answers_through_the_project_url(stack: Stack) -> None:
    status, health = _get_json(f"{stack.api_url}/auth/v1/health")
    assert status == 200 and "Stand-in" in health["description"]
    status, jwks = _get_json(f"{stack.api_url}/auth/v1/.well-known/jwks.json")
    assert jwks == json.loads(stack.keys.public_jwks_file.read_text())
    assert {key["kty"] for key in jwks["keys"]} == {"EC"}, "never the HS256 secret"


def test_the_server_will_not_start_with_a_folder_that_holds_no_keys(
    stack: Stack, tmp_path: Any
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devstack.auth", "--port", str(free_port()),
         "--db-url", stack.db_url, "--keys", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "signing-key.pem not found" in result.stderr
