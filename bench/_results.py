"""Result rows: percentiles from an arm, the printed table, `latest.json` and `latest.md`."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from bench._runner import Arm

COLUMNS = ("scenario", "path", "clients", "tickets", "n", "p50_ms", "p95_ms", "p99_ms", "rps",
           "errors")  # fmt: skip


@dataclass(frozen=True)
class Row:
    """One line of the results: a scenario on a path at a concurrency and a data size."""

    scenario: str
    path: str
    clients: int
    tickets: int
    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float
    errors: int

    @classmethod
    def from_arm(cls, arm: Arm, *, clients: int, tickets: int) -> Row:
        """Summarize an arm's measured requests."""
        latencies = sorted(arm.latencies_ms)
        return cls(
            scenario=arm.scenario,
            path=arm.path,
            clients=clients,
            tickets=tickets,
            n=len(latencies),
            p50_ms=round(percentile(latencies, 50), 2),
            p95_ms=round(percentile(latencies, 95), 2),
            p99_ms=round(percentile(latencies, 99), 2),
            rps=round(len(latencies) / arm.busy_s, 1) if arm.busy_s > 0 else 0.0,
            errors=arm.errors,
        )


@dataclass(frozen=True)
class Distribution:
    """How round robin shared one run's routed tickets among its teams' agents."""

    clients: int
    teams: int
    agents: int
    """Members of those teams, all available."""
    capacity: int
    """Each agent's capacity (the teams' default)."""
    tickets: int
    """Tickets of the run (warm-up included) the teams' agents were given."""
    fewest: int
    most: int
    """Of those, the fewest and the most one agent was given, over all the teams."""
    spread: int
    """The largest, over the teams, of max - min tickets per agent of the team."""
    unassigned: int
    """Tickets of the routed runs that no agent of the round-robin team took at once (queued, or
    routed elsewhere)."""
    over_capacity: int
    """Agents whose open tickets assigned in the team exceed their capacity, after the run."""

    def line(self) -> str:
        """Return the distribution as one line of the report."""
        return (
            f"round robin, {self.clients}-client routed run: {self.tickets} tickets over "
            f"{self.agents} agents in {self.teams} teams (capacity {self.capacity} each), "
            f"{self.fewest} to {self.most} per agent, max - min within a team {self.spread}; "
            f"{self.unassigned} routed tickets not assigned at once (both runs), "
            f"{self.over_capacity} agents over capacity"
        )


def percentile(ordered: list[float], q: float) -> float:
    """Return the q-th percentile (nearest rank) of already sorted values; NaN when empty."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _cells(row: Row) -> list[str]:
    return [str(value) for value in asdict(row).values()]


def text_table(rows: list[Row]) -> str:
    """Return the rows as an aligned plain-text table."""
    lines = [list(COLUMNS), *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    numeric = {i for i, name in enumerate(COLUMNS) if name not in ("scenario", "path")}
    rendered = []
    for line in lines:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        rendered.append("  ".join(cells).rstrip())
    rendered.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(rendered)


def markdown_table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table."""
    header = "| " + " | ".join(COLUMNS) + " |"
    rule = "|" + "|".join("---" if c in ("scenario", "path") else "---:" for c in COLUMNS) + "|"
    body = ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join([header, rule, *body])


def write_json(rows: list[Row], path: Path) -> None:
    """Write the rows as a JSON list of objects."""
    path.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n")
