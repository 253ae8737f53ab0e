"""What every scenario needs: the paths, the users acting, and the organizations involved."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench._dataset import Dataset, Person
from bench._goals import NODE_SCENARIOS
from bench._paths import (
    AccessPath,
    BffPath,
    NodePath,
    PostgrestPath,
    SqlPath,
    User,
    shared_http_client,
)
from bench._runner import Arm, Plan, run_interleaved
from bench._split import BffSplit
from devstack import Stack

# Organizations by size rank: 1 is the largest. Writers submit to mid-sized ones, so concurrent
# creates are not all serialized on one organization's ticket counter.
LARGE_ORG_RANK = 1
FIRST_WRITER_ORG_RANK = 2
_TOKEN_TTL_S = 6 * 3600


@dataclass
class Context:
    """The paths to every endpoint and the users the scenarios act as."""

    stack: Stack
    node_url: str
    """Where `node_actions.mjs` answers, pointed at the same stack."""
    dataset: Dataset
    max_clients: int
    paths: list[AccessPath] = field(init=False)
    """Every path, the SQL floor last; `paths_for` says which a scenario runs on."""
    bff: BffPath = field(init=False)
    splits: dict[str, BffSplit] = field(default_factory=dict)
    """By scenario, where the BFF's time went at one client (the last size measured)."""
    service_role_sql: SqlPath = field(init=False)
    large_org_id: str = field(init=False)
    employee: User = field(init=False)

    def __post_init__(self) -> None:
        stack = self.stack
        self.bff = BffPath(stack.bff_url, shared_http_client(self.max_clients))
        self.paths = [
            self.bff,
            NodePath(self.node_url, shared_http_client(self.max_clients)),
            PostgrestPath(stack.rest_url, stack.anon_key, shared_http_client(self.max_clients)),
            SqlPath(stack.db_url),
        ]
        self.service_role_sql = SqlPath(stack.db_url, role="service_role")
        self.large_org_id = self.dataset.organization(LARGE_ORG_RANK)
        # Staff member 1 is the admin; 2 is an ordinary employee.
        self.employee = self.user(self.dataset.staff(LARGE_ORG_RANK, 2))

    def paths_for(self, scenario: str) -> list[AccessPath]:
        """Return the paths `scenario` runs on: node, the peer, only where the BFF meets it."""
        return [path for path in self.paths if path.name != "node" or scenario in NODE_SCENARIOS]

    def user(self, person: Person) -> User:
        """Return the person with a fresh access token."""
        token = self.stack.keys.access_token(person.user_id, person.email, ttl=_TOKEN_TTL_S)
        return User(person.user_id, person.email, token)

    def customer(self, index: int) -> User:
        """Return customer `index` (from 1) with a token."""
        return self.user(self.dataset.customer(index))

    def writer_org(self, client: int) -> str:
        """Return the organization client `client` submits its tickets to."""
        return self.dataset.organization(FIRST_WRITER_ORG_RANK + client)

    def run(self, arms: list[Arm], plan: Plan, *, tickets: int) -> None:
        """Run the arms interleaved; at one client, also record where the BFF's time went."""
        self.bff.server_timings.clear()
        run_interleaved(arms, plan)
        if plan.clients == 1:
            split = BffSplit.of(arms, self.bff, tickets=tickets)
            self.splits[split.scenario] = split

    def close(self) -> None:
        """Close every path's connections."""
        for path in [*self.paths, self.service_role_sql]:
            path.close()
