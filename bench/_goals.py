"""The goals the results are held to, computed from the rows."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from bench._results import Distribution, Row

READ_SCENARIOS = (
    "list_tickets_status",
    "list_tickets_search",
    "ticket_stats",
    "list_tickets_all_orgs",
)
# Without an organization, service_role lists every ticket of every organization: other work than
# the employee's, so that scenario is not compared with service_role.
RLS_COST_SCENARIOS = ("list_tickets_status", "list_tickets_search", "ticket_stats")
SERVICE_ROLE_SUFFIX = "_service_role"
# Where the BFF meets its peer, the same actions as a Node server calling Supabase (the seed's
# architecture): the writes and the attachment upload at every client count, one listing and the
# stats.
NODE_SCENARIOS = (
    "create_ticket",
    "update_ticket",
    "create_attachment_upload",
    "list_tickets_status",
    "ticket_stats",
)
# create_ticket routed by three rules to a round-robin team, and the same where nothing routes
# (bench/_routing.py): sql path, compared at these client counts.
ROUTING_SCENARIOS = ("create_ticket_routed", "create_ticket_unrouted")
ROUTING_CLIENTS = (1, 32)
# The knowledge base's search and suggestions as customers of the largest organization and of
# small ones (bench/_knowledge_base.py): sql, bff, and sql as service_role.
KNOWLEDGE_BASE_SCENARIOS = (
    "search_articles_large_org",
    "search_articles_small_orgs",
    "suggest_articles_large_org",
    "suggest_articles_small_orgs",
)
KNOWLEDGE_BASE_ACTIONS = ("searchArticles", "suggestArticles")
# The BFF's usual overhead: the most bff p50 - sql p50 of these rows (1 client; the listing at the
# largest size).
BFF_OVERHEAD_SCENARIOS = ("create_ticket", "update_ticket", "list_tickets_status")


@dataclass(frozen=True)
class Goal:
    """One goal: what is measured, its value, and whether it is met."""

    name: str
    value: float
    target: str
    met: bool

    def line(self) -> str:
        verdict = "ok" if self.met else "MISSED"
        shown = "n/a" if math.isnan(self.value) else f"{self.value:.2f}"
        return f"{verdict:6}  {self.name}: {shown} (goal {self.target})"


def _find(rows: list[Row], scenario: str, path: str, clients: int, tickets: int | None) -> Row:
    for row in rows:
        if (row.scenario, row.path, row.clients) == (scenario, path, clients) and (
            tickets is None or row.tickets == tickets
        ):
            return row
    return Row(scenario, path, clients, tickets or 0, 0, math.nan, math.nan, math.nan, 0.0, 0)


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom and not math.isnan(bottom) else math.nan


def _goal(name: str, value: float, target: str, ok: Callable[[float], bool]) -> Goal:
    return Goal(name, value, target, not math.isnan(value) and ok(value))


def evaluate(rows: list[Row], largest: int, distribution: Distribution | None) -> list[Goal]:
    """Return every goal, evaluated on the rows (reads at the largest ticket count) and on the
    routed run's distribution."""
    goals = []
    # bff against each peer, on the writes: (peer, measure, clients, target, check).
    comparisons: list[tuple[str, str, int, str, Callable[[float], bool]]] = [
        ("postgrest", "p50", 1, "<= 1.25", lambda v: v <= 1.25),
        ("postgrest", "rps", 32, ">= 0.8", lambda v: v >= 0.8),
        ("node", "p50", 1, "<= 1", lambda v: v <= 1),
        ("node", "rps", 32, ">= 1", lambda v: v >= 1),
    ]
    for peer, measure, clients, target, check in comparisons:
        for scenario in ("create_ticket", "update_ticket"):
            bff = _find(rows, scenario, "bff", clients, None)
            other = _find(rows, scenario, peer, clients, None)
            value = (
                _ratio(bff.p50_ms, other.p50_ms) if measure == "p50" else _ratio(bff.rps, other.rps)
            )
            unit = "client" if clients == 1 else "clients"
            name = f"{scenario} bff {measure} / {peer} {measure} ({clients} {unit})"
            goals.append(_goal(name, value, target, check))
    for scenario in READ_SCENARIOS:
        for path in ("bff", "postgrest", "sql"):
            row = _find(rows, scenario, path, 1, largest)
            goals.append(
                _goal(f"{scenario} p95 ms via {path} at {largest:,} tickets",
                      row.p95_ms, "<= 25 ms", lambda v: v <= 25)
            )  # fmt: skip
    for scenario in RLS_COST_SCENARIOS:
        rls = _find(rows, scenario, "sql", 1, largest)
        bypass = _find(rows, scenario + SERVICE_ROLE_SUFFIX, "sql", 1, largest)
        goals.append(
            _goal(f"RLS cost of {scenario}: sql p95 authenticated / service_role at {largest:,}",
                  _ratio(rls.p95_ms, bypass.p95_ms), "<= 1.5", lambda v: v <= 1.5)
        )  # fmt: skip
    goals += _routing_goals(rows, distribution)
    goals += _knowledge_base_goals(rows, largest)
    errors = float(sum(row.errors for row in rows))
    goals.append(_goal("errors, all rows", errors, "== 0", lambda v: v == 0))
    return goals


def _routing_goals(rows: list[Row], distribution: Distribution | None) -> list[Goal]:
    routed, unrouted = ROUTING_SCENARIOS
    goals = []
    for clients in ROUTING_CLIENTS:
        ratio = _ratio(
            _find(rows, routed, "sql", clients, None).p50_ms,
            _find(rows, unrouted, "sql", clients, None).p50_ms,
        )
        unit = "client" if clients == 1 else "clients"
        goals.append(
            _goal(f"create_ticket routed / unrouted sql p50 ({clients} {unit})",
                  ratio, "<= 1.2", lambda v: v <= 1.2)
        )  # fmt: skip
    clients = distribution.clients if distribution is not None else ROUTING_CLIENTS[-1]
    spread, unassigned, over = (
        (float(distribution.spread), float(distribution.unassigned),
         float(distribution.over_capacity))
        if distribution is not None else (math.nan, math.nan, math.nan)
    )  # fmt: skip
    goals += [
        _goal(f"round robin, {clients}-client routed run: max - min tickets per agent of a team",
              spread, "<= 1", lambda v: v <= 1),
        _goal(f"round robin, {clients}-client routed run: agents over capacity",
              over, "== 0", lambda v: v == 0),
        _goal(f"routed tickets not assigned at once ({' and '.join(map(str, ROUTING_CLIENTS))} "
              "clients)", unassigned, "== 0", lambda v: v == 0),
    ]  # fmt: skip
    return goals


def _bff_overhead_ms(rows: list[Row], scenario: str, tickets: int | None = None) -> float:
    """Return bff p50 - sql p50 of `scenario` at one client."""
    return (
        _find(rows, scenario, "bff", 1, tickets).p50_ms
        - _find(rows, scenario, "sql", 1, tickets).p50_ms
    )


def _knowledge_base_goals(rows: list[Row], largest: int) -> list[Goal]:
    overheads = [
        _bff_overhead_ms(rows, scenario, largest if scenario.startswith("list_") else None)
        for scenario in BFF_OVERHEAD_SCENARIOS
    ]
    usual = max((value for value in overheads if not math.isnan(value)), default=math.nan)
    goals = [
        _goal(f"{scenario} p95 ms via sql", _find(rows, scenario, "sql", 1, None).p95_ms,
              "<= 25 ms", lambda v: v <= 25)
        for scenario in KNOWLEDGE_BASE_SCENARIOS
    ]  # fmt: skip
    goals += [
        _goal(f"{scenario} bff p50 - sql p50, ms", _bff_overhead_ms(rows, scenario),
              f"<= {usual:.2f} ms, the most of {'/'.join(BFF_OVERHEAD_SCENARIOS)}",
              lambda v: v <= usual)
        for scenario in KNOWLEDGE_BASE_SCENARIOS
    ]  # fmt: skip
    goals += [
        _goal(f"RLS cost of {scenario}: sql p50 authenticated / service_role",
              _ratio(_find(rows, scenario, "sql", 1, None).p50_ms,
                     _find(rows, scenario + SERVICE_ROLE_SUFFIX, "sql", 1, None).p50_ms),
              "<= 1.5", lambda v: v <= 1.5)
        for scenario in KNOWLEDGE_BASE_SCENARIOS
    ]  # fmt: skip
    return goals
