"""Every database error becomes the documented status and code; no SQL reaches the caller."""

from __future__ import annotations

import re
from typing import Any

import pytest
from postgrest.exceptions import APIError
from storage3.exceptions import StorageApiError

from bff.database import error_from_postgrest, error_from_storage
from devstack import Stack

# SQLSTATE (or PostgREST code, or what postgrest-py reports for a reply without one)
# → (status, code).
MAPPING: list[tuple[str | None, int, str]] = [
    ("PT403", 403, "forbidden"),
    ("PT404", 404, "not_found"),
    ("PT409", 409, "conflict"),
    ("PT422", 422, "validation_failed"),
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
    if not (sqlstate or "").startswith("PT"):
        assert "private.secret" not in error.message


def test_our_own_validation_message_names_the_field() -> None:
    error = error_from_postgrest(
        APIError(
            {
                "code": "PT422",
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
                "code": "PT409",
                "message": "stale",
                "details": '{"id": "t", "version": 3}',
                "hint": "expected_version",
            }
        )
    )
    assert error.details == {"current": current}


@pytest.mark.parametrize(
    ("sqlstate", "hint", "code"),
    [
        ("PT409", "expected_version", "version_conflict"),
        ("PT409", "slug", "conflict"),
        ("PT422", "idempotency_key", "idempotency_key_reused"),
        ("PT422", "subject", "validation_failed"),
    ],
)
def test_the_hint_tells_the_finer_code(sqlstate: str, hint: str, code: str) -> None:
    error = error_from_postgrest(
        APIError({"code": sqlstate, "message": "m", "details": None, "hint": hint})
    )
    assert error.code == code


def test_postgresql_messages_are_not_passed_on_for_its_own_data_errors() -> None:
    error = error_from_postgrest(
        APIError({"code": "22P02", "message": 'invalid input syntax for type uuid: "x"',
                  "details": None, "hint": None})
    )  # fmt: skip
    assert "syntax" not in str(error.details)


def test_every_sqlstate_the_functions_raise_is_mapped(stack: Stack) -> None:
    """Read from the functions as the migrations left them (landed migrations keep old codes)."""
    bodies = stack.psql(
        "select string_agg(prosrc, ' ') from pg_proc"
        " where pronamespace in ('public'::regnamespace, 'private'::regnamespace)"
    )
    raised = set(re.findall(r"errcode = '([0-9A-Z]{5})'", bodies))
    mapped = {state for state, _, _ in MAPPING}
    assert raised, "no errcode found: the query or the pattern is wrong"
    assert raised <= mapped, raised - mapped


@pytest.mark.parametrize(
    ("status", "code"),
    [("401", "unauthorized"), ("403", "forbidden"), ("404", "not_found"),
     ("413", "attachment_too_large"), ("415", "attachment_type_blocked"),
     ("500", "upstream_unavailable"), ("409", "internal_error")],
)  # fmt: skip
def test_storage_refusals_map_to_status_and_code(status: str, code: str) -> None:
    """Storage puts the real status in its body (storage3 reports it as `status`)."""
    error = error_from_storage(StorageApiError('relation "storage.secret"', "Error", status))
    assert error.code == code
    assert "storage.secret" not in error.message
