"""The human-readable report: printed to the terminal and written as `latest.md`."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench._config import Scale
from bench._dataset import ArticleCounts
from bench._goals import KNOWLEDGE_BASE_ACTIONS, Goal
from bench._knowledge_base import CUSTOMERS, QUERIES, SMALL_ORG_RANKS
from bench._reads import GET_TICKET_SCENARIOS
from bench._results import Distribution, Row, markdown_table, text_table
from bench._routing import CLIENTS_PER_ORG, TEAM_SIZE
from bench._split import BffSplit
from bench._triggers import Amplification


@dataclass
class Report:
    """Everything a run found, besides the rows' own numbers."""

    scale: Scale
    rows: list[Row] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    stored_tickets: dict[int, int] = field(default_factory=dict)
    triggers: list[tuple[str, str]] = field(default_factory=list)
    amplification: dict[str, Amplification] = field(default_factory=dict)
    bff_rss_mib: dict[str, float] = field(default_factory=dict)
    splits: list[BffSplit] = field(default_factory=list)
    distribution: Distribution | None = None
    """How round robin shared the 32-client routed run's tickets (bench/_routing.py)."""
    articles: ArticleCounts | None = None
    knowledge_base_bff: bool = False
    """Whether the BFF served the knowledge base's actions (bench/_knowledge_base.py)."""
    duration_s: float = 0.0

    def notes(self) -> list[str]:
        """Return the findings that are not table rows, one line each."""
        scale = self.scale
        lines = [
            f"scale {scale.name}: {scale.organizations:,} organizations (Zipf-like, s=1.1), "
            f"{scale.customers:,} customers; ran {self.duration_s:.0f} s",
            f"BFF: gunicorn gthread, {scale.gunicorn_workers} workers x "
            f"{scale.gunicorn_threads} threads, BFF_POOL_SIZE={scale.gunicorn_threads}",
            f"node: bench/node_actions.mjs, node:cluster with {scale.gunicorn_workers} workers; "
            "verifies the token with jose against the project's JWKS, calls the same function "
            "with supabase-js (a client per request, as a server action makes)",
            "paths interleaved in turns of "
            f"{scale.batch} requests per client; rps = requests / time spent in the arm's turns",
            "sql = the function over psycopg with role and request.jwt.claims set in the "
            "transaction; *_service_role = the same as service_role (RLS bypassed)",
            "create_attachment_upload: bff, node and postgrest+storage register the file and get "
            "a signed upload URL from Storage (the local stand-in); postgrest and sql only "
            "register it",
            f"create_ticket_routed / _unrouted: sql, {CLIENTS_PER_ORG} clients per organization; "
            "routed: three rules (keywords and priorities fail, the requester's domain matches) "
            f"to a round_robin team of {TEAM_SIZE} available agents; unrouted: no rules, no "
            "default team",
        ]
        lines += self._file_costs()
        lines += self._knowledge_base()
        if self.distribution is not None:
            lines.append(self.distribution.line())
        lines += [
            f"tickets stored at step {step:,}: {stored:,}"
            for step, stored in self.stored_tickets.items()
        ]
        if self.triggers:
            names = ", ".join(f"{table}.{name}" for table, name in self.triggers)
            lines.append(f"realtime triggers toggled: {names}")
        else:
            lines.append("realtime triggers: none found (no `realtime_*` trigger on the tables)")
        for key, total in self.amplification.items():
            if total.requests:
                lines.append(
                    f"{key}: {total.wal_bytes / total.requests / 1024:.1f} KiB WAL and "
                    f"{total.messages / total.requests:.2f} realtime.messages rows per request"
                )
        lines += [split.line() for split in self.splits]
        for label, rss in self.bff_rss_mib.items():
            lines.append(f"BFF RSS after the run, {label}: {rss:.1f} MiB")
        return lines

    def _knowledge_base(self) -> list[str]:
        if self.articles is None:
            return []
        lines = [
            self.articles.line(),
            f"search_articles_* / suggest_articles_*: as {CUSTOMERS} customers in turn, "
            f"{QUERIES} queries each from the articles' words (search: 3 in 10 one word, 3 two "
            "or three, 2 a question, 2 misspelled; suggest: a subject, 1 in 10 misspelled, half "
            "with a description), of the largest organization or of "
            f"{len(SMALL_ORG_RANKS)} small ones (size ranks {SMALL_ORG_RANKS[0]} to "
            f"{SMALL_ORG_RANKS[-1]}); *_service_role: the same calls as service_role",
        ]
        if not self.knowledge_base_bff:
            lines.append(
                f"the BFF served no {' or '.join(KNOWLEDGE_BASE_ACTIONS)}: knowledge base "
                "measured on sql only"
            )
        return lines

    def _file_costs(self) -> list[str]:
        """Return what ten files cost get_ticket, at each size: the ratio to no files, by path."""
        lines = []
        for step in self.stored_tickets:
            by_path = {
                (row.scenario, row.path): row
                for row in self.rows
                if row.tickets == step and row.scenario in GET_TICKET_SCENARIOS
            }
            ratios = [
                f"{path} {files.p50_ms / plain.p50_ms:.2f} / {files.p95_ms / plain.p95_ms:.2f}"
                for (scenario, path), files in by_path.items()
                if scenario == "get_ticket_10_files"
                and (plain := by_path.get(("get_ticket", path))) is not None
                and plain.p50_ms > 0
                and plain.p95_ms > 0
            ]
            if ratios:
                lines.append(
                    f"get_ticket with 10 files / without, at {step:,} tickets, p50 / p95: "
                    + ", ".join(ratios)
                )
        return lines

    def text(self) -> str:
        """Return the report for the terminal."""
        return "\n".join(
            [
                text_table(self.rows),
                "",
                "Goals:",
                *(goal.line() for goal in self.goals),
                "",
                "Notes:",
                *(f"- {line}" for line in self.notes()),
            ]
        )

    def markdown(self) -> str:
        """Return the report as Markdown (for the README)."""
        return "\n".join(
            [
                f"### Benchmark ({self.scale.name})",
                "",
                markdown_table(self.rows),
                "",
                "| goal | value | target | met |",
                "|---|---:|---|---|",
                *(
                    f"| {goal.name} | {goal.value:.2f} | {goal.target} | "
                    f"{'yes' if goal.met else '**no**'} |"
                    for goal in self.goals
                ),
                "",
                *(f"- {line}" for line in self.notes()),
                "",
            ]
        )
