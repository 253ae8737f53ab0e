"""Settings: nothing that reaches a database or verifies a token has a default."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from bff import Settings, SettingsError, create_app
from devstack import Stack

_HOSTED = {
    "SUPABASE_URL": "https://abc.supabase.co/",
    "SUPABASE_ANON_KEY": "anon",
    "SUPABASE_JWKS_URL": "https://abc.supabase.co/auth/v1/.well-known/jwks.json",
}


def test_no_configuration_refuses_to_start_naming_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_JWT_SECRET", "SUPABASE_JWKS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env to fall back on
    with pytest.raises(SettingsError) as refused:
        create_app()
    for named in ("SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL"):
        assert named in str(refused.value)


def test_the_local_stack_passes_every_setting_itself(stack: Stack) -> None:
    settings = Settings.from_env(stack.bff_env())
    assert settings.rest_url == stack.rest_url
    assert settings.jwt_secret == stack.keys.secret
    assert settings.anon_key == stack.anon_key


def test_cors_origins_come_from_configuration_and_default_to_none() -> None:
    assert Settings.from_env(_HOSTED).cors_origins == ()
    configured = Settings.from_env(
        {**_HOSTED, "BFF_CORS_ORIGINS": "https://app.example.com/, http://localhost:5173"}
    )
    assert configured.cors_origins == ("https://app.example.com", "http://localhost:5173")


def test_hosted_project_reaches_postgrest_under_rest_v1() -> None:
    settings = Settings.from_env(_HOSTED)
    assert settings.rest_url == "https://abc.supabase.co/rest/v1"
    assert settings.jwt_secret is None


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"SUPABASE_URL": "https://abc.supabase.co"}, "SUPABASE_ANON_KEY"),
        (
            {"SUPABASE_URL": "https://abc.supabase.co", "SUPABASE_ANON_KEY": "k"},
            "SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL",
        ),
        ({**_HOSTED, "BFF_REQUEST_TIMEOUT": "soon"}, "BFF_REQUEST_TIMEOUT"),
        ({**_HOSTED, "BFF_POOL_SIZE": "0"}, "BFF_POOL_SIZE"),
    ],
    ids=[
        "hosted_without_anon_key_names_it",
        "hosted_without_any_jwt_verification_names_both_options",
        "non_numeric_timeout_is_named",
        "zero_pool_size_is_named",
    ],
)
def test_bad_configuration_stops_start_up_naming_the_setting(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(environ)


def test_the_bff_waits_longer_than_the_database_lets_a_statement_run(stack: Stack) -> None:
    # Otherwise the BFF answers 503 for a statement that may still commit afterwards. PostgREST
    # applies the role's own settings (`alter role authenticated set ...`) to each request.
    with psycopg.connect(stack.db_url) as connection:
        row = connection.execute(
            "select extract(epoch from split_part(s, '=', 2)::interval)"
            " from pg_db_role_setting, unnest(setconfig) s"
            " where setrole = 'authenticated'::regrole and s like 'statement_timeout=%'"
        ).fetchone()
    assert row is not None
    assert 0 < float(row[0]) < Settings.from_env(stack.bff_env()).request_timeout
