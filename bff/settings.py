"""Settings of the BFF, read once from the environment when the app is created.

With no `SUPABASE_URL` the BFF targets the local stack (`bff stack up`) and needs no configuration.
With `SUPABASE_URL` set it targets a hosted project, and every setting that has no safe default must
be given: start-up stops with a message naming what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

_Getter = Callable[[str], str | None]

LOCAL_SUPABASE_URL = "http://127.0.0.1:54321"
# The JWT secret Supabase's CLI uses for every local project: public, never for production.
LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"  # noqa: S105


class SettingsError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    """Everything the BFF needs to reach Supabase and verify access tokens."""

    supabase_url: str
    rest_url: str
    anon_key: str
    jwt_secret: str | None
    jwks_url: str | None
    # Longer than the statement timeout of signed-in users (8 s on Supabase): a slow statement is
    # cancelled, and nothing of it committed, before the BFF stops waiting and answers 503.
    request_timeout: float = 10.0
    connect_timeout: float = 1.0
    max_body_bytes: int = 64 * 1024
    pool_size: int = 32

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings; raise `SettingsError` naming what is missing."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        url = get("SUPABASE_URL")
        if url is None:
            return cls._local(get)
        missing = [name for name in ("SUPABASE_ANON_KEY",) if get(name) is None]
        if get("SUPABASE_JWT_SECRET") is None and get("SUPABASE_JWKS_URL") is None:
            missing.append("SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL")
        if missing:
            raise SettingsError(
                "SUPABASE_URL is set, so these settings are required too: " + ", ".join(missing)
            )
        return cls(
            supabase_url=url.rstrip("/"),
            rest_url=(get("SUPABASE_REST_URL") or url.rstrip("/") + "/rest/v1").rstrip("/"),
            anon_key=get("SUPABASE_ANON_KEY") or "",
            jwt_secret=get("SUPABASE_JWT_SECRET"),
            jwks_url=get("SUPABASE_JWKS_URL"),
            **_tuning(get),
        )

    @classmethod
    def _local(cls, get: _Getter) -> Settings:
        secret = get("SUPABASE_JWT_SECRET") or LOCAL_JWT_SECRET
        return cls(
            supabase_url=LOCAL_SUPABASE_URL,
            # The local stack runs a bare PostgREST, which serves at `/`.
            rest_url=(get("SUPABASE_REST_URL") or LOCAL_SUPABASE_URL).rstrip("/"),
            anon_key=get("SUPABASE_ANON_KEY") or local_anon_key(secret),
            jwt_secret=secret,
            jwks_url=get("SUPABASE_JWKS_URL"),
            **_tuning(get),
        )


def _tuning(get: _Getter) -> dict[str, Any]:
    tuning: dict[str, Any] = {}
    for name, field, kind in (
        ("BFF_REQUEST_TIMEOUT", "request_timeout", float),
        ("BFF_CONNECT_TIMEOUT", "connect_timeout", float),
        ("BFF_MAX_BODY_BYTES", "max_body_bytes", int),
        ("BFF_POOL_SIZE", "pool_size", int),
    ):
        raw = get(name)
        if raw is None:
            continue
        try:
            value = kind(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, got {raw!r}") from None
        if value <= 0:
            raise SettingsError(f"{name} must be positive, got {raw!r}")
        tuning[field] = value
    return tuning


def local_anon_key(secret: str = LOCAL_JWT_SECRET) -> str:
    """Return a local project's anon API key: a long-lived `anon` token signed with `secret`."""
    return jwt.encode(
        {"iss": "supabase-demo", "role": "anon", "exp": 1983812996}, secret, algorithm="HS256"
    )
