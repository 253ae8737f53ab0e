"""Access tokens: only valid, unexpired, `authenticated` tokens signed with the project's keys."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask.testing import FlaskClient
from jwt.algorithms import ECAlgorithm

from bff.auth import TokenVerifier
from bff.errors import Unauthorized
from devstack import Stack


def _claims(stack: Stack, **overrides: Any) -> dict[str, Any]:
    token = stack.token("alice@example.test", algorithm="HS256")
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _hs256(stack: Stack, **overrides: Any) -> str:
    return jwt.encode(_claims(stack, **overrides), stack.keys.secret, algorithm="HS256")


def _unsigned(stack: Stack) -> str:
    return jwt.encode(_claims(stack), None, algorithm="none")  # type: ignore[arg-type]


def _foreign_es256(stack: Stack) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(stack), key, algorithm="ES256", headers={"kid": stack.keys.kid})


def _unknown_kid(stack: Stack) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(stack), key, algorithm="ES256", headers={"kid": "no-such-key"})


BAD_TOKENS: dict[str, Callable[[Stack], str | None]] = {
    "missing_header": lambda s: None,
    "not_bearer": lambda s: "Basic YWxpY2U6cGFzcw==",
    "garbage": lambda s: "Bearer not.a.jwt",
    "expired": lambda s: "Bearer " + _hs256(s, exp=int(time.time()) - 60),
    "wrong_secret": lambda s: "Bearer " + jwt.encode(_claims(s), "x" * 40, algorithm="HS256"),
    "alg_none": lambda s: "Bearer " + _unsigned(s),
    "anon_role": lambda s: "Bearer " + _hs256(s, role="anon"),
    "service_role": lambda s: "Bearer " + _hs256(s, role="service_role"),
    "wrong_audience": lambda s: "Bearer " + _hs256(s, aud="somebody-else"),
    "no_audience": lambda s: "Bearer " + _hs256(s, aud=None),
    "no_expiry": lambda s: "Bearer " + _hs256(s, exp=None),
    "es256_signed_by_another_key": lambda s: "Bearer " + _foreign_es256(s),
    "es256_unknown_kid": lambda s: "Bearer " + _unknown_kid(s),
    "project_anon_key": lambda s: "Bearer " + s.anon_key,
}


@pytest.mark.parametrize("case", BAD_TOKENS, ids=[f"{name}_is_unauthorized" for name in BAD_TOKENS])
def test_bad_token_is_unauthorized(client: FlaskClient, stack: Stack, case: str) -> None:
    authorization = BAD_TOKENS[case](stack)
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post("/actions/listTickets", json={}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("algorithm", ["ES256", "HS256"])
def test_valid_token_of_either_kind_is_accepted(
    client: FlaskClient, stack: Stack, algorithm: str
) -> None:
    token = stack.token("alice@example.test", algorithm=algorithm)
    response = client.post(
        "/actions/listTickets", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.get_json()


def test_accepted_token_is_refused_once_it_expires(client: FlaskClient, stack: Stack) -> None:
    # Valid for one to two more seconds, counting the 5 s of tolerated clock difference.
    token = _hs256(stack, exp=int(time.time()) - 3)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/actions/listTickets", json={}, headers=headers).status_code == 200
    time.sleep(2.5)
    assert client.post("/actions/listTickets", json={}, headers=headers).status_code == 401


def test_a_rotated_in_signing_key_is_fetched_but_not_more_than_every_30_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jwks_file = tmp_path / "jwks.json"

    def publish(*keys: tuple[str, ec.EllipticCurvePrivateKey]) -> None:
        entries = [
            {**json.loads(ECAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "ES256"}
            for kid, key in keys
        ]
        jwks_file.write_text(json.dumps({"keys": entries}))

    def token(kid: str, key: ec.EllipticCurvePrivateKey, sub: str = "u1") -> str:
        claims = {"sub": sub, "aud": "authenticated", "role": "authenticated",
                  "exp": int(time.time()) + 600}  # fmt: skip
        return "Bearer " + jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})

    old, new = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    publish(("old", old))
    with httpx.Client() as http:
        verifier = TokenVerifier(None, str(jwks_file), http)
        assert verifier.verify(token("old", old)).user_id == "u1"

        # Supabase Auth publishes the new key beside the old one, then signs with it.
        publish(("old", old), ("new", new))
        with pytest.raises(Unauthorized, match="unknown key"):
            verifier.verify(token("new", new))  # fetched moments ago: not again yet

        monkeypatch.setattr("bff.auth._JWKS_REFETCH_INTERVAL", 0.0)  # as if 30 s had passed
        assert verifier.verify(token("new", new)).user_id == "u1"
        # Tokens signed with the old key stay valid until they expire.
        assert verifier.verify(token("old", old, sub="u2")).user_id == "u2"
