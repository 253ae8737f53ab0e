"""The query plans behind the read scenarios, captured with auto_explain inside the functions.

A function call hides its plan from a plain EXPLAIN, so auto_explain (nested statements, as
notices) logs the plan of every statement the function runs, under the caller's role and claims.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from bench._goals import READ_SCENARIOS, RLS_COST_SCENARIOS
from bench._paths import User
from bench._reads import read_call

_AUTO_EXPLAIN = (
    "load 'auto_explain'",
    "set auto_explain.log_min_duration = 0",
    "set auto_explain.log_analyze = on",
    "set auto_explain.log_buffers = on",
    "set auto_explain.log_nested_statements = on",
    "set auto_explain.log_level = notice",
)


def capture_plans(db_url: str, user: User, org_id: str) -> str:
    """Return the plans of every read scenario, as `authenticated` and as `service_role`."""
    notices: list[str] = []
    sections = []
    with psycopg.connect(db_url, autocommit=True) as connection:
        connection.add_notice_handler(lambda notice: notices.append(notice.message_primary or ""))
        for statement in _AUTO_EXPLAIN:
            connection.execute(statement)
        for scenario in READ_SCENARIOS:
            with_bypass = scenario in RLS_COST_SCENARIOS
            for role in ("authenticated", "service_role") if with_bypass else ("authenticated",):
                notices.clear()
                _call(connection, scenario, role, user, org_id)
                # Keep the statements inside the function that read tickets; the others (claims,
                # membership, the per-row ticket_json) take microseconds.
                inner = [
                    text
                    for text in notices
                    if "public.tickets" in text and "Query Text: select public." not in text
                ]
                sections.append(f"== {scenario} as {role}\n" + "\n".join(inner or notices))
    return "\n\n".join(sections) + "\n"


def _call(
    connection: psycopg.Connection[Any], scenario: str, role: str, user: User, org_id: str
) -> None:
    call = read_call(scenario, org_id)
    arguments = sql.SQL(", ").join(
        sql.SQL("{} => {}").format(sql.Identifier(name), sql.Placeholder(name))
        for name in call.params
    )
    statement = sql.SQL("select public.{}({})").format(sql.Identifier(call.function), arguments)
    with connection.transaction():
        connection.execute(
            "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
            (role, user.claims_json),
        )
        connection.execute(statement, call.params)
