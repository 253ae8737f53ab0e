"""Settings of the BFF, read once from the environment when the app is created.

Nothing has a default that reaches a database or verifies a token: `SUPABASE_URL`,
`SUPABASE_ANON_KEY` and a way to verify tokens (`SUPABASE_JWT_SECRET` and/or `SUPABASE_JWKS_URL`)
are required, and start-up stops with a message naming each one missing. The local stack
(`bff stack up`) passes its own values explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_Getter = Callable[[str], str | None]


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
    cors_origins: tuple[str, ...] = ()
    """Origins of web apps allowed to call the BFF from a browser (`https://app.example.com`)."""

    @property
    def storage_url(self) -> str:
        """Supabase Storage's API (with the trailing slash storage3 joins paths onto)."""
        return self.supabase_url + "/storage/v1/"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings; raise `SettingsError` naming what is missing."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        missing = [name for name in ("SUPABASE_URL", "SUPABASE_ANON_KEY") if get(name) is None]
        if get("SUPABASE_JWT_SECRET") is None and get("SUPABASE_JWKS_URL") is None:
            missing.append("SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL")
        if missing:
            raise SettingsError("These settings are required: " + ", ".join(missing))
        url = (get("SUPABASE_URL") or "").rstrip("/")
        origins = tuple(o.strip().rstrip("/") for o in (get("BFF_CORS_ORIGINS") or "").split(","))
        return cls(
            supabase_url=url,
            rest_url=(get("SUPABASE_REST_URL") or url + "/rest/v1").rstrip("/"),
            anon_key=get("SUPABASE_ANON_KEY") or "",
            jwt_secret=get("SUPABASE_JWT_SECRET"),
            jwks_url=get("SUPABASE_JWKS_URL"),
            cors_origins=tuple(origin for origin in origins if origin),
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
