"""Where a BFF request's time goes, from the `Server-Timing` the BFF sends with each answer.

The load generator sees the whole request; `app` is the part between the BFF's first and last
request hooks, and `db` the part of that spent waiting for PostgREST. So, by medians:
- client - app: the HTTP hop into the BFF and back (the client library, loopback, gunicorn,
  Flask's request setup and teardown, the access log line);
- app - db: the BFF's own work (token check, validation, serialization).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench._paths import BffPath
from bench._runner import Arm


@dataclass(frozen=True)
class BffSplit:
    """Medians of one scenario's BFF requests, beside the same call straight to PostgREST."""

    scenario: str
    tickets: int
    client_ms: float
    app_ms: float
    db_ms: float
    postgrest_ms: float

    @classmethod
    def of(cls, arms: list[Arm], bff: BffPath, *, tickets: int) -> BffSplit:
        """Summarize the arms' last run; `bff.server_timings` must hold only that run's answers.

        The timings include the run's warm-up turn, which the arms' latencies leave out; with
        medians over hundreds of requests that does not move the numbers.
        """
        by_path = {arm.path: arm for arm in arms}
        return cls(
            scenario=by_path["bff"].scenario,
            tickets=tickets,
            client_ms=statistics.median(by_path["bff"].latencies_ms),
            app_ms=statistics.median(app for app, _ in bff.server_timings),
            db_ms=statistics.median(db for _, db in bff.server_timings),
            postgrest_ms=statistics.median(by_path["postgrest"].latencies_ms),
        )

    def line(self) -> str:
        """Return the split as one line of the report."""
        return (
            f"{self.scenario} via bff at {self.tickets:,} tickets, 1 client, p50 "
            f"{self.client_ms:.1f} ms ≈ HTTP hop {self.client_ms - self.app_ms:.1f} + BFF's own "
            f"work {self.app_ms - self.db_ms:.1f} + its PostgREST call {self.db_ms:.1f} "
            f"(the same call straight to PostgREST: {self.postgrest_ms:.1f})"
        )
