"""The local stack's signing keys, and access tokens shaped like Supabase Auth's.

One shape for every local access token: `bff token` (and tests) mint one for a user without a
session, the Auth stand-in (`devstack.auth`) mints one per session, with its `session_id`.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

# The JWT secret Supabase's CLI uses for every local project: public, never for production.
LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"  # noqa: S105
# The `iss` of local access tokens: the checkout's project URL, as `supabase start` sets it.
LOCAL_ISSUER = "http://127.0.0.1:54321/auth/v1"


def _email_app_metadata() -> dict[str, Any]:
    return {"provider": "email", "providers": ["email"]}


@dataclass(frozen=True)
class TokenUser:
    """What an access token says about its user: the `auth.users` row's claims."""

    user_id: str
    email: str
    phone: str = ""
    aud: str = "authenticated"
    role: str = "authenticated"
    app_metadata: Mapping[str, Any] = field(default_factory=_email_app_metadata)
    user_metadata: Mapping[str, Any] = field(default_factory=dict)
    is_anonymous: bool = False


@dataclass(frozen=True)
class TokenSession:
    """The Auth session an access token belongs to: `auth.sessions`' id, how and when it began."""

    session_id: str
    signed_in_at: int
    """Unix time of the sign-in that began the session (the `amr` entry's timestamp)."""
    method: str = "password"
    aal: str = "aal1"


def access_token_claims(
    user: TokenUser,
    *,
    ttl: int,
    session: TokenSession | None = None,
    issuer: str = LOCAL_ISSUER,
    now: int | None = None,
) -> dict[str, Any]:
    """Return the claims Supabase Auth puts in an access token, in its order.

    Without a session the token has no `session_id` (PostgREST's `check_request` lets such
    tokens through) and its `amr` says it was issued now, by password.
    """
    issued_at = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": user.user_id,
        "aud": user.aud,
        "exp": issued_at + ttl,
        "iat": issued_at,
        "email": user.email,
        "phone": user.phone,
        "app_metadata": dict(user.app_metadata),
        "user_metadata": dict(user.user_metadata),
        "role": user.role,
        "aal": session.aal if session else "aal1",
        "amr": [
            {
                "method": session.method if session else "password",
                "timestamp": session.signed_in_at if session else issued_at,
            }
        ],
    }
    if session is not None:
        claims["session_id"] = session.session_id
    claims["is_anonymous"] = user.is_anonymous
    return claims


def local_anon_key(secret: str = LOCAL_JWT_SECRET) -> str:
    """Return a local project's anon API key: a long-lived `anon` token signed with `secret`."""
    return jwt.encode(
        {"iss": "supabase-demo", "role": "anon", "exp": 1983812996}, secret, algorithm="HS256"
    )


def local_service_role_key(secret: str = LOCAL_JWT_SECRET) -> str:
    """Return a local project's service_role key, as Supabase's CLI makes it: bypasses RLS.

    For maintenance jobs only (the attachment purge); the BFF never has it.
    """
    return jwt.encode(
        {"iss": "supabase-demo", "role": "service_role", "exp": 1983812996},
        secret,
        algorithm="HS256",
    )


class LocalKeys:
    """An ES256 key pair (generated once per stack) plus Supabase's local HS256 secret.

    Files: `signing-key.pem` (private, 0600), `jwks.json` (for PostgREST: the HS256 secret as an
    `oct` key and the public EC key) and `jwks.public.json` (the public EC key only, for the BFF).
    """

    def __init__(self, folder: Path, secret: str = LOCAL_JWT_SECRET) -> None:
        self.folder = folder
        self.secret = secret
        self.private_key_file = folder / "signing-key.pem"
        self.jwks_file = folder / "jwks.json"
        self.public_jwks_file = folder / "jwks.public.json"

    def ensure(self) -> None:
        """Create the key files unless they exist."""
        if not self.private_key_file.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            self.folder.mkdir(parents=True, exist_ok=True)
            self.private_key_file.touch(mode=0o600)
            self.private_key_file.write_bytes(pem)
            (self.folder / "signing-key.kid").write_text(secrets.token_hex(8))
        public = self._public_jwk()
        self.public_jwks_file.write_text(json.dumps({"keys": [public]}))
        secret_jwk = {
            "kty": "oct",
            "alg": "HS256",
            "k": base64.urlsafe_b64encode(self.secret.encode()).rstrip(b"=").decode(),
        }
        self.jwks_file.touch(mode=0o600)
        self.jwks_file.write_text(json.dumps({"keys": [secret_jwk, public]}))

    @property
    def kid(self) -> str:
        return (self.folder / "signing-key.kid").read_text().strip()

    def _private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.private_key_file.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    def _public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(self._private_key().public_key()))
        jwk.update({"kid": self.kid, "alg": "ES256", "use": "sig", "key_ops": ["verify"]})
        return jwk

    def access_token(
        self, user_id: str, email: str, *, algorithm: str = "ES256", ttl: int = 3600
    ) -> str:
        """Return an access token for the user, outside any session (`bff token`, tests)."""
        return self.sign(access_token_claims(TokenUser(user_id, email), ttl=ttl), algorithm)

    def sign(self, claims: Mapping[str, Any], algorithm: str = "ES256") -> str:
        """Return `claims` as a JWT: ES256 with the stack's key and `kid`, or HS256."""
        if algorithm == "HS256":
            return jwt.encode(dict(claims), self.secret, algorithm="HS256")
        if algorithm == "ES256":
            return jwt.encode(
                dict(claims), self._private_key(), algorithm="ES256", headers={"kid": self.kid}
            )
        raise ValueError(f"unsupported algorithm {algorithm!r}; use ES256 or HS256")

    def verify(self, token: str) -> dict[str, Any]:
        """Return the claims of a token signed by these keys and not expired, as Auth checks it.

        ES256 tokens are checked with the public key their `kid` names, HS256 ones with the
        secret; the audience is the caller's to check. Raises `jwt.InvalidTokenError`.
        """
        header = jwt.get_unverified_header(token)
        algorithm = header.get("alg")
        if algorithm == "ES256" and header.get("kid") == self.kid:
            key: Any = self._private_key().public_key()
        elif algorithm == "HS256":
            key = self.secret
        else:
            raise jwt.InvalidTokenError(
                f"unrecognized JWT kid {header.get('kid')} for algorithm {algorithm}"
            )
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            options={"verify_aud": False, "require": ["exp", "sub"]},
        )
        return claims
