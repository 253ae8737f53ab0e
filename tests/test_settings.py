"""Settings: local defaults need nothing; a hosted project must name every secret."""

from __future__ import annotations

import jwt
import psycopg
import pytest

from bff import Settings, SettingsError
from bff.local import Stack
from bff.settings import LOCAL_JWT_SECRET


def test_no_configuration_targets_the_local_stack() -> None:
    settings = Settings.from_env({})
    assert settings.rest_url == "http://127.0.0.1:54321"
    assert settings.jwt_secret == LOCAL_JWT_SECRET
    assert jwt.decode(settings.anon_key, LOCAL_JWT_SECRET, algorithms=["HS256"])["role"] == "anon"


def test_hosted_project_reaches_postgrest_under_rest_v1() -> None:
    settings = Settings.from_env(
        {
            "SUPABASE_URL": "https://abc.supabase.co/",
            "SUPABASE_ANON_KEY": "anon",
            "SUPABASE_JWKS_URL": "https://abc.supabase.co/auth/v1/.well-known/jwks.json",
        }
    )
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
        ({"BFF_REQUEST_TIMEOUT": "soon"}, "BFF_REQUEST_TIMEOUT"),
        ({"BFF_POOL_SIZE": "0"}, "BFF_POOL_SIZE"),
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
