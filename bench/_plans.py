"""The query plans behind the read scenarios (get_ticket too) and the knowledge base's search and
suggestions, captured with auto_explain inside the functions.

A function call hides its plan from a plain EXPLAIN, so auto_explain (nested statements, as
notices) logs the plan of every statement the function runs, under the caller's role and claims.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from bench._goals import READ_SCENARIOS, RLS_COST_SCENARIOS
from bench._paths import Call, User
from bench._reads import get_ticket_call, read_call

_AUTO_EXPLAIN = (
    "load 'auto_explain'",
    "set auto_explain.log_min_duration = 0",
    "set auto_explain.log_analyze = on",
    "set auto_explain.log_buffers = on",
    "set auto_explain.log_nested_statements = on",
    "set auto_explain.log_level = notice",
)


def capture_plans(db_url: str, user: User, org_id: str, tickets: dict[str, str]) -> str:
    """Return the plans of every read scenario, as `authenticated` and as `service_role`, and of
    get_ticket on each ticket in `tickets` (by scenario) as `authenticated`."""
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
                _call(connection, read_call(scenario, org_id), role, user)
                # Keep the statements inside the function that read tickets; the others (claims,
                # membership, the per-row ticket_json) take microseconds.
                inner = [
                    text
                    for text in notices
                    if "public.tickets" in text and "Query Text: select public." not in text
                ]
                sections.append(f"== {scenario} as {role}\n" + "\n".join(inner or notices))
        for scenario, ticket_id in tickets.items():
            notices.clear()
            _call(connection, get_ticket_call(ticket_id), "authenticated", user)
            sections.append(f"== {scenario} as authenticated\n" + _each_statement_once(notices))
    return "\n\n".join(sections) + "\n"


def capture_knowledge_base_plans(db_url: str, customer: User, calls: dict[str, list[Call]]) -> str:
    """Return the plans of the statements reading articles, for the first four calls of each
    knowledge base scenario (one of each kind of query) as `authenticated`, and for the first as
    `service_role`."""
    notices: list[str] = []
    sections = []
    with psycopg.connect(db_url, autocommit=True) as connection:
        connection.add_notice_handler(lambda notice: notices.append(notice.message_primary or ""))
        for statement in _AUTO_EXPLAIN:
            connection.execute(statement)
        for scenario, scenario_calls in calls.items():
            for role, count in (("authenticated", 4), ("service_role", 1)):
                for call in scenario_calls[:count]:
                    notices.clear()
                    _call(connection, call, role, customer)
                    inner = [
                        text
                        for text in notices
                        if "public.articles" in text and "Query Text: select public." not in text
                    ]
                    shown = {name: value for name, value in call.params.items() if name != "org_id"}
                    sections.append(f"== {scenario} as {role} {shown}\n" + "\n".join(inner))
    return "\n" + "\n\n".join(sections) + "\n"


def _each_statement_once(notices: list[str]) -> str:
    """Return each statement's first plan, with how often it ran (a policy's helper runs per row);
    without the outermost call."""
    runs: dict[str, list[str]] = {}
    for text in notices:
        query = _query_text(text)
        if not query.startswith("Query Text: select public."):
            runs.setdefault(query, []).append(text)
    return "\n".join(
        plans[0] if len(plans) == 1 else f"-- ran {len(plans)} times; the first:\n{plans[0]}"
        for plans in runs.values()
    )


def _query_text(notice: str) -> str:
    """Return the "Query Text:" part of an auto_explain notice: up to the plan's first node."""
    lines = notice.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Query Text:")), 0)
    end = next((i for i in range(start + 1, len(lines)) if "(cost=" in lines[i]), len(lines))
    return "\n".join(lines[start:end])


def _call(connection: psycopg.Connection[Any], call: Call, role: str, user: User) -> None:
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
