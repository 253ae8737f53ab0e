"""How big each scale is: data sizes, request counts and time caps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """Every number a benchmark run depends on."""

    name: str
    ticket_steps: tuple[int, ...]
    customers: int
    organizations: int
    # Writes: requests per path (all clients together) for each client count.
    write_requests: dict[int, int]
    read_requests: int
    # Published articles over the organizations, and requests per path of each knowledge base
    # scenario (bench/_knowledge_base.py).
    articles: int
    article_requests: int
    trigger_requests: int
    # Each interleaved turn gives one path this many requests per client.
    batch: int
    # No scenario runs longer than this, whatever its request count.
    scenario_cap_s: float
    gunicorn_workers: int = 2
    gunicorn_threads: int = 16


SCALES = {
    "small": Scale(
        name="small",
        ticket_steps=(10_000,),
        customers=10_000,
        organizations=1_000,
        write_requests={1: 60, 8: 160, 32: 320},
        read_requests=60,
        articles=5_000,
        article_requests=24,
        trigger_requests=60,
        batch=2,
        scenario_cap_s=15.0,
    ),
    "full": Scale(
        name="full",
        ticket_steps=(10_000, 100_000, 1_000_000),
        customers=100_000,
        organizations=1_000,
        write_requests={1: 300, 8: 800, 32: 1_600},
        read_requests=200,
        articles=100_000,
        article_requests=200,
        trigger_requests=300,
        batch=5,
        scenario_cap_s=90.0,
    ),
}
