"""Tokens as Storage reads and writes them (src/internal/auth/jwt.ts, src/storage/object.ts).

Access tokens are verified against the project's keys as Storage's `jose` setup verifies them:
an HS256/384/512 token with the JWT secret, an ES256 token with the public key its `kid` names
(the stack's `jwks.public.json`); a valid signature and, when present, `exp` and `nbf` in
force. Nothing else: neither `aud` nor `sub` nor `role` is required (the anon and service-role
keys have no `sub`; a token without `role` acts as `anon`).

Signed URL tokens are HS256 tokens signed with the JWT secret, bound to one object
(`url` = "<bucket>/<name>") and one action (`scope` = "download" or "upload"); an upload token
also names the `owner` and whether it may `upsert`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Literal

import jwt

from devstack._keys import LocalKeys
from devstack.storage._errors import AccessDenied, InvalidJwt, InvalidSignature

_HMAC = ("HS256", "HS384", "HS512")
_ECC = ("ES256", "ES384", "ES512")

Scope = Literal["download", "upload"]


class TokenRejected(Exception):
    """The token does not verify; the message is the one Storage's `jose` gives."""


@dataclass(frozen=True)
class Caller:
    """Who a request acts as: the role it runs under, its claims and the token they came from."""

    claims: dict[str, Any]
    jwt: str
    authenticated: bool = True

    @property
    def role(self) -> str:
        role = self.claims.get("role")
        return role if isinstance(role, str) and role else "anon"

    @property
    def owner(self) -> str | None:
        """The token's `sub`: what Storage writes as the owner of what the caller uploads."""
        sub = self.claims.get("sub")
        return sub if isinstance(sub, str) and sub else None


class Tokens:
    """The project's keys, as Storage uses them."""

    def __init__(self, keys: LocalKeys) -> None:
        self._keys = keys
        self._public_keys = self._read_public_keys()

    def service_role(self) -> Caller:
        """The caller Storage acts as for what no policy decides (its "super user")."""
        claims = {"iss": "supabase-demo", "role": "service_role", "exp": 1983812996}
        return Caller(claims, self._keys.sign(claims, "HS256"))

    def caller(self, authorization: str | None, *, optional: bool = False) -> Caller:
        """Return who sent `Authorization: Bearer <token>`, or raise `AccessDenied`.

        With `optional` (Storage's public-or-private read routes), a missing or bad token makes
        the caller an unauthenticated `anon` instead.
        """
        token = authorization or ""
        if token[:7].lower() == "bearer ":
            token = token[7:].lstrip()
        try:
            return Caller(self.verify(token), token)
        except TokenRejected as rejected:
            if optional:
                return Caller({"role": "anon"}, "", authenticated=False)
            raise AccessDenied(str(rejected)) from None

    def verify(self, token: str) -> dict[str, Any]:
        """Return the claims of a token signed with the project's keys, or raise `TokenRejected`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise TokenRejected("Invalid Compact JWS") from None
        algorithm = header.get("alg")
        key = self._verification_key(algorithm, header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[str(algorithm)],
                # jose checks the signature, `exp` and `nbf`: nothing else is required.
                options={"verify_aud": False, "verify_iss": False, "verify_iat": False},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected('"exp" claim timestamp check failed') from None
        except jwt.ImmatureSignatureError:
            raise TokenRejected('"nbf" claim timestamp check failed') from None
        except jwt.InvalidSignatureError:
            raise TokenRejected("signature verification failed") from None
        except jwt.InvalidTokenError as error:
            raise TokenRejected(f"Invalid JWT: {error}") from None
        return claims

    def sign_url(self, payload: dict[str, Any], expires_in: int) -> str:
        """Return a signed URL token for `payload`, valid for `expires_in` seconds."""
        issued_at = int(time.time())
        return self._keys.sign(
            {**payload, "iat": issued_at, "exp": issued_at + expires_in}, "HS256"
        )

    def verify_url(self, token: str, url: str, scope: Scope) -> dict[str, Any]:
        """Return a signed URL token's claims if it grants `scope` on `url`, or raise as Storage."""
        try:
            claims = self.verify(token)
        except TokenRejected as rejected:
            raise InvalidJwt(str(rejected)) from None
        given = claims.get("scope")
        # Tokens from before scopes existed: only upload tokens carry `upsert`.
        legacy = given is None and (("upsert" in claims) == (scope == "upload"))
        if given != scope and not legacy:
            raise InvalidSignature(f"Token is not scoped for {scope}")
        if claims.get("url") != url:
            raise InvalidSignature()
        return claims

    def _verification_key(self, algorithm: object, kid: object) -> Any:
        if algorithm in _HMAC:
            return self._keys.secret
        if algorithm in _ECC:
            for refresh in (False, True):
                if refresh:
                    self._public_keys = self._read_public_keys()
                for jwk in self._public_keys:
                    if jwk.get("kty") == "EC" and jwk.get("kid") == kid:
                        return jwt.PyJWK({**jwk, "alg": algorithm})
            raise TokenRejected("no applicable key found in the JSON Web Key Set")
        raise TokenRejected('"alg" (Algorithm) Header Parameter value not allowed')

    def _read_public_keys(self) -> list[dict[str, Any]]:
        keys: list[dict[str, Any]] = json.loads(self._keys.public_jwks_file.read_text())["keys"]
        return keys
