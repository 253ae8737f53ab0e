"""Run several arms (a path doing one operation) interleaved, with fixed counts and a time cap.

The arms take turns: in a turn, every client thread makes `batch` requests on one arm while the
other arms wait, so each arm's throughput is measured at its full concurrency, and the turns of
all arms are spread evenly over the same minutes of a noisy machine.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

Operation = Callable[[int, int], None]
"""Make one request as client `client` (its `seq`-th); raise on any error."""


@dataclass
class Arm:
    """One measured combination: a scenario on a path, and what to do before each of its turns."""

    scenario: str
    path: str
    operation: Operation
    before_turn: Callable[[], None] | None = None
    after_turn: Callable[[int], None] | None = None
    """Called after each measured turn with the number of requests it made."""
    latencies_ms: list[float] = field(default_factory=list)
    busy_s: float = 0.0
    errors: int = 0
    first_error: str | None = None
    _sequence: int = 0

    @property
    def done(self) -> int:
        return len(self.latencies_ms) + self.errors


@dataclass(frozen=True)
class Plan:
    """How many requests each arm makes, by how many clients, within what time."""

    clients: int
    requests: int
    batch: int
    cap_s: float
    warmup_turns: int = 1


def run_interleaved(arms: list[Arm], plan: Plan) -> None:
    """Run the arms' turns round-robin until each made `plan.requests` requests or time is up."""
    with ThreadPoolExecutor(max_workers=plan.clients, thread_name_prefix="bench-client") as pool:
        for _ in range(plan.warmup_turns):
            for arm in arms:
                _turn(pool, arm, plan, record=False)
        deadline = time.monotonic() + plan.cap_s
        rotation = 0
        while any(arm.done < plan.requests for arm in arms) and time.monotonic() < deadline:
            # Rotate who goes first, so no arm always follows the same neighbour.
            order = arms[rotation % len(arms) :] + arms[: rotation % len(arms)]
            for arm in order:
                if arm.done < plan.requests:
                    _turn(pool, arm, plan, record=True)
            rotation += 1
    for arm in arms:
        if arm.errors:
            print(
                f"    {arm.errors} errors in {arm.scenario} via {arm.path};"
                f" first: {arm.first_error}",
                file=sys.stderr,
                flush=True,
            )


def _turn(pool: ThreadPoolExecutor, arm: Arm, plan: Plan, *, record: bool) -> None:
    if arm.before_turn is not None:
        arm.before_turn()
    per_client = max(1, min(plan.batch, -(-(plan.requests - arm.done) // plan.clients)))
    first_seq = arm._sequence
    arm._sequence += per_client * plan.clients

    def client_work(client: int) -> list[tuple[float | None, str | None]]:
        outcomes: list[tuple[float | None, str | None]] = []
        for step in range(per_client):
            seq = first_seq + client * per_client + step
            started = time.perf_counter()
            try:
                arm.operation(client, seq)
            except Exception as error:
                outcomes.append((None, f"{type(error).__name__}: {error}"))
            else:
                outcomes.append(((time.perf_counter() - started) * 1000.0, None))
        return outcomes

    started = time.perf_counter()
    results = list(pool.map(client_work, range(plan.clients)))
    elapsed = time.perf_counter() - started
    if not record:
        return
    arm.busy_s += elapsed
    if arm.after_turn is not None:
        arm.after_turn(per_client * plan.clients)
    for outcomes in results:
        for latency, error in outcomes:
            if latency is not None:
                arm.latencies_ms.append(latency)
            else:
                arm.errors += 1
                arm.first_error = arm.first_error or error
