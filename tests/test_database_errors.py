"""Every database error becomes the documented status and code; no SQL reaches the caller."""

from __future__ import annotations

import re
from typing import Any

import pytest
from postgrest.exceptions import APIError

from bff.database import error_from_postgrest

from .conftest import PROJECT_DIR

# SQLSTATE (or PostgREST code, or what postgrest-py reports for a reply without one)
# → (status, code).
MAPPING: list[tuple[str | None, int, str]] = [
    ("TK403", 403, "forbidden"),
    ("TK404", 404, "not_found"),
    ("TK409", 409, "version_conflict"),
    ("TK422", 422, "idempotency_key_reused"),
    ("TKCON", 409, "conflict"),
    ("PT401", 401, "unauthorized"),
    ("42501", 403, "forbidden"),
    ("23505", 409, "conflict"),
    ("23503", 409, "conflict"),
    ("23514", 422, "validation_failed"),
    ("23502", 422, "validation_failed"),
    ("22023", 422, "validation_failed"),
    ("22P02", 422, "validation_failed"),
    ("22P05", 422, "validation_failed"),
    ("22003", 422, "validation_failed"),
    ("22001", 422, "validation_failed"),
    ("PGRST116", 404, "not_found"),
    ("PGRST301", 401, "unauthorized"),
    ("PGRST000", 503, "upstream_unavailable"),
    ("PGRST003", 503, "upstream_unavailable"),
    ("08006", 503, "upstream_unavailable"),
    ("57P01", 503, "upstream_unavailable"),
    ("57014", 503, "upstream_unavailable"),
    ("53300", 503, "upstream_unavailable"),
    ("40001", 503, "upstream_unavailable"),
    ("40P01", 503, "upstream_unavailable"),
    ("55P03", 503, "upstream_unavailable"),
    ("500", 503, "upstream_unavailable"),
    ("502", 503, "upstream_unavailable"),
    ("", 503, "upstream_unavailable"),
    (None, 503, "upstream_unavailable"),
    ("42883", 500, "internal_error"),
    ("XX000", 500, "internal_error"),
    ("PGRST202", 500, "internal_error"),
]


@pytest.mark.parametrize(
    ("sqlstate", "status", "code"),
    MAPPING,
    ids=[f"{state or 'no_code'}_is_{status}_{code}" for state, status, code in MAPPING],
)
def test_sqlstate_maps_to_status_and_code(sqlstate: str | None, status: int, code: str) -> None:
    error = error_from_postgrest(
        APIError(
            {
                "code": sqlstate,
                "message": 'relation "private.secret" is broken',
                "details": None,
                "hint": None,
            }
        )
    )
    assert (error.status, error.code) == (status, code)
    if not (sqlstate or "").startswith(("TK", "PT")):
        assert "private.secret" not in error.message


def test_our_own_validation_message_names_the_field() -> None:
    error = error_from_postgrest(
        APIError(
            {
                "code": "22023",
                "message": "The limit must be between 1 and 100.",
                "details": None,
                "hint": "limit",
            }
        )
    )
    assert error.details == {
        "fields": [{"path": ["limit"], "message": "The limit must be between 1 and 100."}]
    }


def test_a_version_conflict_carries_the_current_row() -> None:
    current: dict[str, Any] = {"id": "t", "version": 3}
    error = error_from_postgrest(
        APIError(
            {
                "code": "TK409",
                "message": "stale",
                "details": '{"id": "t", "version": 3}',
                "hint": "expected_version",
            }
        )
    )
    assert error.details == {"current": current}


def test_every_sqlstate_the_migrations_raise_is_mapped() -> None:
    raised = set()
    for migration in (PROJECT_DIR / "supabase/migrations").glob("*.sql"):
        raised |= set(re.findall(r"errcode = '([0-9A-Z]{5})'", migration.read_text()))
    mapped = {state for state, _, _ in MAPPING}
    assert raised <= mapped, raised - mapped
