"""One benchmark run: isolated stack → data → writes → routed creates → triggers → uploads → reads
at each size → knowledge base search and suggestions → report."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from types import FrameType

from bench._config import Scale
from bench._context import Context
from bench._dataset import Dataset
from bench._goals import KNOWLEDGE_BASE_ACTIONS, evaluate
from bench._knowledge_base import run_knowledge_base, scenario_calls
from bench._memory import gunicorn_rss
from bench._plans import capture_knowledge_base_plans, capture_plans
from bench._reads import FILE_TICKETS, GET_TICKET_SCENARIOS, run_reads
from bench._report import Report
from bench._results import Row, write_json
from bench._routing import run_routing
from bench._stack import isolated_stack, node_actions
from bench._triggers import run_triggers
from bench._uploads import run_uploads
from bench._writes import run_writes

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LOGS_DIR = RESULTS_DIR / "latest-logs"


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def _log(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)


def run(scale: Scale) -> int:
    """Run the benchmark at `scale`, write the results, print the report; 1 if any error."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.monotonic()
    report = Report(scale)
    with (
        isolated_stack(
            workers=scale.gunicorn_workers, threads=scale.gunicorn_threads, keep_logs=LOGS_DIR
        ) as stack,
        node_actions(stack, workers=scale.gunicorn_workers) as node_url,
    ):
        _log(f"stack up: BFF {stack.bff_url}, Node {node_url}, PostgREST {stack.rest_url}", started)
        dataset = Dataset(stack.db_url)
        dataset.prepare(organizations=scale.organizations, customers=scale.customers)
        _log("organizations, staff, teams and customers loaded", started)
        context = Context(stack, node_url, dataset, max_clients=max(scale.write_requests))
        try:
            _measure(context, dataset, scale, report, started)
        finally:
            context.close()
        report.splits = list(context.splits.values())
        report.bff_rss_mib = gunicorn_rss(stack.config.state_dir / "bff.pid")
    report.duration_s = time.monotonic() - started
    report.goals = evaluate(
        report.rows, largest=scale.ticket_steps[-1], distribution=report.distribution
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    write_json(report.rows, RESULTS_DIR / "latest.json")
    (RESULTS_DIR / "latest.md").write_text(report.markdown())
    print(report.text(), flush=True)
    errors = sum(row.errors for row in report.rows)
    empty = [row for row in report.rows if row.n == 0]
    if errors or empty:
        print(f"FAILED: {errors} errors, {len(empty)} rows without a measurement; the stack's logs "
              f"are in {LOGS_DIR}", file=sys.stderr)  # fmt: skip
        _print_bff_errors()
        return 1
    return 0


def _print_bff_errors(limit: int = 20) -> None:
    """Print the BFF's logged errors: where a CI run's output is all there is, they say why."""
    log = LOGS_DIR / "bff.log"
    if not log.is_file():
        return
    lines = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
    for line in lines[:limit]:
        print(f"  bff.log: {line}", file=sys.stderr)


def _measure(
    context: Context, dataset: Dataset, scale: Scale, report: Report, started: float
) -> None:
    first = scale.ticket_steps[0]
    report.stored_tickets[first] = dataset.grow(first)
    _log(f"grown to {report.stored_tickets[first]:,} tickets", started)
    dataset.attach_files(FILE_TICKETS)
    _log(f"{FILE_TICKETS} tickets of the largest organization given ten files each", started)
    _add(report, run_writes(context, scale, first), started, "writes")
    rows, report.distribution = run_routing(context, scale, first)
    _add(report, rows, started, "creates routed and unrouted")
    print(f"    {report.distribution.line()}", flush=True)
    rows, report.amplification, report.triggers = run_triggers(context, scale, first)
    _add(report, rows, started, "realtime triggers on/off")
    _add(report, run_uploads(context, scale, first), started, "attachment uploads")
    for step in scale.ticket_steps:
        if step != first:
            report.stored_tickets[step] = dataset.grow(step)
            _log(f"grown to {report.stored_tickets[step]:,} tickets", started)
        _add(report, run_reads(context, scale, step), started, f"reads at {step:,}")
    report.articles = dataset.load_articles(scale.articles)
    _log(report.articles.line(), started)
    rows, report.knowledge_base_bff = run_knowledge_base(context, scale, scale.ticket_steps[-1])
    if not report.knowledge_base_bff:
        actions = " or ".join(KNOWLEDGE_BASE_ACTIONS)
        print(f"    the BFF serves no {actions}: no bff rows", flush=True)
    _add(report, rows, started, "knowledge base search and suggestions")
    RESULTS_DIR.mkdir(exist_ok=True)
    file_tickets = {
        scenario: dataset.file_tickets(with_files=with_files)[0]
        for scenario, with_files in GET_TICKET_SCENARIOS.items()
    }
    plans = capture_plans(
        context.stack.db_url, context.employee, context.large_org_id, file_tickets
    )
    plans += capture_knowledge_base_plans(
        context.stack.db_url, context.customer(1), scenario_calls(context)
    )
    (RESULTS_DIR / "latest-plans.txt").write_text(plans)
    _log("plans of the reads written to bench/results/latest-plans.txt", started)


def _add(report: Report, rows: list[Row], started: float, what: str) -> None:
    report.rows += rows
    _log(f"{what} done", started)
    for row in rows:
        print(
            f"    {row.scenario:<38} {row.path:<17} c={row.clients:<3} n={row.n:<5} "
            f"p50={row.p50_ms:<8} p95={row.p95_ms:<8} rps={row.rps:<8} errors={row.errors}",
            flush=True,
        )
