"""Every action, fuzzed from `/openapi.json`, keeps the contract that document states.

Schemathesis reads the OpenAPI document the app serves and calls the Flask app in process with
generated requests, as a member of staff and as a customer: bodies the document allows (which must
not be refused for their shape) and bodies it forbids (which must be refused), boundary values
(the coverage phase), undeclared methods and missing credentials. Every answer must be documented
for its operation, in the documented shape.

The requests write to the session's throwaway database. Generated ids are random and almost never
name a row, but the document's own examples name seeded ones (acme, its first ticket), so this
adds tickets and comments there and may update that ticket once; other tests make their own rows.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from flask import Flask
from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from devstack import Stack
from tests.actions.conftest import sign_up

# The caller of every generated request: users of this test's own, an employee of the seeded
# Acme (whose ids the document's examples name) and a customer. What the generated requests do
# to their caller (organizations created, availability, pending uploads, invitations accepted)
# stays with them, not with the seeded users that other tests, and the browser tests, rely on.
CALLERS = {
    "every_action_keeps_its_contract_for_staff": "employee",
    "every_action_keeps_its_contract_for_a_customer": "customer",
}


@pytest.fixture(scope="module")
def callers(stack: Stack, orgs: dict[str, str]) -> dict[str, str]:
    """An access token for each caller, by the names in CALLERS."""
    employee, customer = sign_up(stack), sign_up(stack)
    stack.psql(
        "insert into public.organization_members (organization_id, user_id, role) "
        "values (:'org', :'user', 'employee');",
        {"org": orgs["acme"], "user": employee.id},
    )
    return {"employee": employee.token, "customer": customer.token}


# Schemathesis's settings (https://schemathesis.readthedocs.io/en/stable/reference/configuration/).
SETTINGS: dict[str, Any] = {
    # Text that PostgreSQL cannot hold (U+0000): now and then a generated string is one of these,
    # so a body carrying it reaches every action, not only when the generator happens upon it.
    "dictionaries": {"postgres_cannot_store": {"values": ["\u0000", "a\u0000b"]}},
    "generation": {
        "mode": "all",  # bodies the document allows, and bodies it forbids
        "max-examples": 25,  # per operation and caller, in the fuzzing phase
        "deterministic": True,  # the same requests on every run, locally and in CI
        "database": "none",  # nothing remembered between runs (no .hypothesis/ directory)
        "dictionaries": {"string": {"dictionary": "postgres_cannot_store", "probability": 0.2}},
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        # Off: requests stay independent (no ids carried from one answer to the next request);
        # chained scenarios are what the tests under tests/actions/ write out by hand.
        "stateful": {"enabled": False},
    },
    # Every example is a request to a real database and some bodies hold 10,000 characters;
    # Hypothesis's checks for slow, filtered and large data say nothing about the API and about
    # double the run time.
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "checks": {
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
        # A body the document allows may be refused only for who asks (401, 403), for what
        # exists (404) or for the state it is in (409), never for its shape (400, 413, 422).
        "positive_data_acceptance": {
            "enabled": True,
            "expected-statuses": [200, 201, 401, 403, 404, 409],
        },
        # A body the document forbids is refused before it reaches the database: malformed (400),
        # unauthenticated (401), too large (413), not JSON (415) or invalid (422). A 2xx, 403,
        # 404 or 409 means the BFF let it through.
        "negative_data_rejection": {
            "enabled": True,
            "expected-statuses": [400, 401, 413, 415, 422],
        },
        # No Authorization header: 401.
        "missing_required_header": {"enabled": True},
        # GET, PUT, DELETE, ... on an action: 405 with an Allow header (RFC 9110).
        "unsupported_method": {"enabled": True},
        "allow_header_conformance": {"enabled": True},
        # A request that succeeded is sent again without a token and with a wrong one: both fail.
        "ignored_auth": {"enabled": True},
        # Off: both follow a resource across requests (stateful), which this test does not.
        "use_after_free": {"enabled": False},
        "ensure_resource_availability": {"enabled": False},
        # Off: it needs a second identity replaying the first one's ids; who sees what is
        # tests/test_visibility.py's job, with rows made for it.
        "object_level_authorization": {"enabled": False},
    },
}


@pytest.fixture(params=list(CALLERS.values()), ids=list(CALLERS))
def api_schema(
    request: pytest.FixtureRequest, app: Flask, callers: dict[str, str]
) -> OpenApiSchema:
    """The app's own OpenAPI document, with the caller's token for every request."""
    auth = {"auth": {"openapi": {"bearerAuth": {"bearer": callers[request.param]}}}}
    config = schemathesis.Config.from_dict({**SETTINGS, **auth})
    return schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # Schemathesis 4.32 renames the running test through `item._nodeid`, which pytest 9.2 no
    # longer has (it keeps `_id`); give it the attribute, or every run stops at AttributeError.
    request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_contract(case: Case[Any]) -> None:
    if case.meta is not None and case.meta.generation.mode.is_positive:
        _without_made_up_state(case)
    case.call_and_validate()


def _without_made_up_state(case: Case[Any]) -> None:
    """Keep a valid request valid for the server's state, not only for the document.

    A cursor is valid only if the server minted it, and the server rightly refuses one it did not
    (422): valid bodies start from the first page. An Idempotency-Key names one request, and the
    generator draws the same few keys for different bodies, which the server rightly refuses
    (422 idempotency_key_reused): each valid request gets a key of its own. A ticket can be
    assigned only to a team and staff of its own organization, which a drawn id never names (the
    server rightly refuses it, 422): valid updates unassign instead. Only files the caller
    uploaded can be attached, and only allowed types within the size limits can be registered
    (each refusal its own 422, tested in tests/actions/test_attachments.py): valid bodies attach
    none and register a small PDF.
    """
    if isinstance(case.body, dict):
        case.body.pop("cursor", None)
        case.body.pop("attachment_ids", None)
        if case.operation.label.endswith("/actions/createAttachmentUpload"):
            case.body.update(file_name="file.pdf", content_type="application/pdf", size_bytes=1000)
        if case.operation.label.endswith("/actions/updateTicket"):
            for field in ("assigned_team_id", "assigned_employee_id"):
                if field in case.body:
                    case.body[field] = None
    for name in list(case.headers or {}):
        if name.lower() == "idempotency-key":
            case.headers[name] = f"contract-{uuid.uuid4()}"
