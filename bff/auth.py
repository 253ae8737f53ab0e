"""Verify Supabase access tokens before anything reaches the database.

A token is accepted only if it is signed with the project's HS256 secret or with a key from the
project's JWKS (ES256 / RS256, looked up by `kid`), is not expired, has `aud = authenticated` and
`role = authenticated`. The verified token is then forwarded unchanged to PostgREST, which checks it
again and lets row-level security decide what the caller may see.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt

from bff.errors import Unauthorized

_ASYMMETRIC_ALGORITHMS = ("ES256", "RS256")
# An unknown `kid` triggers a refetch (keys rotate), but at most this often.
_JWKS_REFETCH_INTERVAL = 30.0
# Verified tokens are remembered until they expire: a browser sends the same access token with
# every request for up to an hour, and checking its signature each time is most of the BFF's own
# work per request. Bounded, so a flood of distinct tokens cannot grow memory.
_VERIFIED_CACHE_SIZE = 4096
# Tolerated clock difference between Supabase Auth and this server, in seconds.
_LEEWAY = 5


@dataclass(frozen=True)
class Caller:
    """The signed-in user an action runs for."""

    user_id: str
    email: str | None
    token: str


class _KeySet:
    """A JWKS from a URL or a file, cached and refetched when an unknown `kid` shows up."""

    def __init__(self, source: str, http: httpx.Client) -> None:
        self._source = source
        self._http = http
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def key_for(self, kid: str) -> Any:
        with self._lock:
            if (
                kid not in self._keys
                and time.monotonic() - self._fetched_at > _JWKS_REFETCH_INTERVAL
            ):
                self._keys = self._fetch()
                self._fetched_at = time.monotonic()
            key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("The access token was signed with an unknown key.")
        return key

    def _fetch(self) -> dict[str, Any]:
        try:
            if self._source.startswith(("http://", "https://")):
                response = self._http.get(self._source)
                response.raise_for_status()
                document = response.json()
            else:
                document = json.loads(Path(self._source.removeprefix("file://")).read_text())
        except (httpx.HTTPError, OSError, ValueError):
            # Keep serving with the keys we had; the token at hand is rejected below.
            return self._keys
        keys = {}
        for entry in document.get("keys", []):
            if entry.get("kid") and entry.get("kty") in ("EC", "RSA"):
                keys[entry["kid"]] = jwt.PyJWK(entry).key
        return keys


class _VerifiedTokens:
    """The callers of recently verified tokens, until each token's `exp`; oldest dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[Caller, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> Caller | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            caller, expires_at = entry
            if time.time() >= expires_at:
                del self._entries[token]
                return None
            self._entries.move_to_end(token)
            return caller

    def put(self, caller: Caller, expires_at: float) -> None:
        with self._lock:
            self._entries[caller.token] = (caller, expires_at)
            self._entries.move_to_end(caller.token)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class TokenVerifier:
    """Check bearer tokens against the project's HS256 secret and/or its JWKS."""

    def __init__(self, jwt_secret: str | None, jwks_url: str | None, http: httpx.Client) -> None:
        if not jwt_secret and not jwks_url:
            raise ValueError("a JWT secret or a JWKS URL is required")
        self._secret = jwt_secret
        self._keyset = _KeySet(jwks_url, http) if jwks_url else None
        self._verified = _VerifiedTokens(_VERIFIED_CACHE_SIZE)

    def verify(self, authorization: str | None) -> Caller:
        """Return the caller named by an `Authorization: Bearer` header, or raise `Unauthorized`."""
        token = _bearer_token(authorization)
        known = self._verified.get(token)
        if known is not None:
            return known
        caller, expires_at = self._verify_signature_and_claims(token)
        self._verified.put(caller, expires_at)
        return caller

    def _verify_signature_and_claims(self, token: str) -> tuple[Caller, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise Unauthorized("The access token is malformed.") from None
        key, algorithm = self._key_for(header)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience="authenticated",
                options={"require": ["exp", "sub", "aud", "role"]},
                leeway=_LEEWAY,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired.") from None
        except jwt.InvalidTokenError:
            raise Unauthorized("The access token is invalid.") from None
        if claims.get("role") != "authenticated":
            raise Unauthorized("The access token does not belong to a signed-in user.")
        caller = Caller(user_id=str(claims["sub"]), email=claims.get("email"), token=token)
        return caller, float(claims["exp"]) + _LEEWAY

    def _key_for(self, header: dict[str, Any]) -> tuple[Any, str]:
        algorithm = header.get("alg")
        if algorithm == "HS256" and self._secret:
            return self._secret, algorithm
        if algorithm in _ASYMMETRIC_ALGORITHMS and self._keyset and header.get("kid"):
            return self._keyset.key_for(str(header["kid"])), algorithm
        raise Unauthorized(
            "The access token is signed with an algorithm this project does not use."
        )


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("Sign in first: the Authorization header is missing.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <access token>'.")
    return token.strip()
