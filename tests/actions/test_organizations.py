"""createOrganization, updateOrganization and listMyOrganizations, as each kind of caller.

Tests that change an organization work on a fresh one (`new_org`), never on the seeded acme and
globex other tests rely on. The builders (`Person`, `sign_up`, `create_org`, `call`) live in
tests/actions/conftest.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from flask.testing import FlaskClient

from devstack import Stack

from .conftest import (
    Org,
    call,
    create_org,
    error_paths,
    org_state,
    seeded,
    sign_up,
    unique_slug,
)


@pytest.mark.parametrize(
    "who",
    ["alice", "agent1", "globex_admin", None],
    ids=[
        "a_customer_creates_an_organization_and_becomes_its_admin",
        "an_employee_of_acme_creates_another_organization_and_becomes_its_admin",
        "the_admin_of_globex_creates_another_organization_and_becomes_its_admin",
        "a_freshly_signed_up_user_creates_an_organization_and_becomes_its_admin",
    ],
)
def test_any_signed_in_user_creates_an_organization(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], who: str | None
) -> None:
    person = seeded(stack, who) if who else sign_up(stack, confirmed=False)
    slug = unique_slug("new")
    response = call(client, person, "createOrganization", {"name": "  Widgets Ltd ", "slug": slug})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    try:
        assert (created["name"], created["slug"], created["role"]) == ("Widgets Ltd", slug, "admin")
        assert (created["customer_access"], created["verified_domains"]) == ("public", [])
        mine = call(client, person, "listMyOrganizations").get_json()["items"]
        assert {"id": created["id"], "role": "admin"}.items() <= next(
            org for org in mine if org["id"] == created["id"]
        ).items()
    finally:
        # The seeded people stay as the seed made them, for the tests that rely on who they are.
        db.execute("delete from public.organizations where id = %s", (created["id"],))


def test_anon_cannot_create_an_organization(
    client: FlaskClient, db: psycopg.Connection[Any]
) -> None:
    slug = unique_slug("anon")
    response = call(client, None, "createOrganization", {"name": "Anon", "slug": slug})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert (
        db.execute("select 1 from public.organizations where slug = %s", (slug,)).fetchall() == []
    )


def test_a_taken_slug_is_a_conflict_that_leaves_the_owner_untouched(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any]
) -> None:
    person = sign_up(stack)
    response = call(client, person, "createOrganization", {"name": "Acme again", "slug": "acme"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    row = db.execute("select name from public.organizations where slug = 'acme'").fetchone()
    assert row == ("Acme Support",)
    assert call(client, person, "listMyOrganizations").get_json()["items"] == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"slug": "fine-slug"}, ["name"]),
        ({"name": "Fine"}, ["slug"]),
        ({"name": "", "slug": "fine-slug"}, ["name"]),
        ({"name": "   ", "slug": "fine-slug"}, ["name"]),
        ({"name": "x" * 201, "slug": "fine-slug"}, ["name"]),
        ({"name": "x" * 20_000, "slug": "fine-slug"}, ["name"]),
        ({"name": 42, "slug": "fine-slug"}, ["name"]),
        ({"name": None, "slug": "fine-slug"}, ["name"]),
        ({"name": "Fine", "slug": "Upper-Case"}, ["slug"]),
        ({"name": "Fine", "slug": "x"}, ["slug"]),
        ({"name": "Fine", "slug": "x" * 64}, ["slug"]),
        ({"name": "Fine", "slug": "has space"}, ["slug"]),
        ({"name": "Fine", "slug": ["fine-slug"]}, ["slug"]),
        ({"name": "Fine", "slug": "fine-slug", "owner": "me"}, ["owner"]),
    ],
    ids=[
        "a_missing_name_is_invalid", "a_missing_slug_is_invalid", "an_empty_name_is_invalid",
        "a_blank_name_is_invalid", "a_name_of_201_characters_is_invalid",
        "a_huge_name_is_invalid", "a_number_as_name_is_invalid", "a_null_name_is_invalid",
        "an_uppercase_slug_is_invalid", "a_one_letter_slug_is_invalid",
        "a_slug_of_64_characters_is_invalid", "a_slug_with_a_space_is_invalid",
        "a_list_as_slug_is_invalid", "an_unknown_field_is_invalid",
    ],
)  # fmt: skip
def test_invalid_organization_is_rejected(
    client: FlaskClient, stack: Stack, body: dict[str, Any], path: list[str]
) -> None:
    person = sign_up(stack)
    response = call(client, person, "createOrganization", body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_failed"
    assert path in error_paths(response)
    assert call(client, person, "listMyOrganizations").get_json()["items"] == []


def test_a_body_that_is_not_an_object_is_rejected(client: FlaskClient, stack: Stack) -> None:
    response = call(client, sign_up(stack), "createOrganization", ["Widgets", "widgets"])
    assert response.status_code == 422
    assert set(response.get_json()) == {"error"}
    assert set(response.get_json()["error"]) == {"code", "message", "details", "request_id"}


# updateOrganization ------------------------------------------------------------------------


def test_the_admin_renames_and_restricts_the_organization(
    client: FlaskClient, new_org: Org, db: psycopg.Connection[Any]
) -> None:
    body = {"org_id": new_org.id, "name": " Renamed ", "customer_access": "domain",
            "verified_domains": ["initech.test", "initrode.test"]}  # fmt: skip
    response = call(client, new_org.admin, "updateOrganization", body)
    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    assert (updated["name"], updated["customer_access"]) == ("Renamed", "domain")
    assert updated["verified_domains"] == ["initech.test", "initrode.test"]
    assert updated["slug"] == new_org.slug
    stored = db.execute(
        "select name, customer_access, verified_domains from public.organizations where id = %s",
        (new_org.id,),
    ).fetchone()
    assert stored == ("Renamed", "domain", ["initech.test", "initrode.test"])


def test_domains_are_stored_lowercase_whatever_case_the_admin_types(
    client: FlaskClient, new_org: Org
) -> None:
    body = {"org_id": new_org.id, "verified_domains": [" Initech.TEST "]}
    response = call(client, new_org.admin, "updateOrganization", body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["verified_domains"] == ["initech.test"]


def test_changing_one_field_keeps_the_others(client: FlaskClient, new_org: Org) -> None:
    body = {"org_id": new_org.id, "verified_domains": ["initech.test"]}
    call(client, new_org.admin, "updateOrganization", body)
    response = call(
        client, new_org.admin, "updateOrganization", {"org_id": new_org.id, "name": "B"}
    )
    assert response.get_json()["verified_domains"] == ["initech.test"]
    assert response.get_json()["customer_access"] == "public"


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("employee", 403, "forbidden"),
        ("customer", 404, "not_found"),
        ("other_org_admin", 404, "not_found"),
        ("anon", 401, "unauthorized"),
    ],
    ids=[
        "an_employee_is_forbidden_to_update_the_organization",
        "a_customer_does_not_find_the_organization_to_update",
        "the_admin_of_another_org_does_not_find_an_organization_it_cannot_see",
        "anon_is_unauthorized_to_update_the_organization",
    ],
)
def test_only_the_admin_updates_the_organization(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], role: str, status: int,
    code: str,
) -> None:  # fmt: skip
    org = create_org(stack, customer_access="invite")
    who = {"employee": org.employee, "customer": org.customer,
           "other_org_admin": seeded(stack, "globex_admin"), "anon": None}[role]  # fmt: skip
    before = org_state(db, org.id)
    response = call(client, who, "updateOrganization", {"org_id": org.id, "name": "Hijacked"})
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert org_state(db, org.id) == before


def test_the_admin_of_another_org_does_not_find_a_public_organization_either(
    client: FlaskClient, stack: Stack, new_org: Org, db: psycopg.Connection[Any]
) -> None:
    """Admin actions answer 404 to an admin of another organization (README, issue 4), even when
    the organization is public and so readable by every signed-in user."""
    before = org_state(db, new_org.id)
    body = {"org_id": new_org.id, "name": "Hijacked"}
    response = call(client, seeded(stack, "globex_admin"), "updateOrganization", body)
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "not_found"
    assert org_state(db, new_org.id) == before


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({}, ["body"]),
        ({"name": None}, ["name"]),
        ({"name": ""}, ["name"]),
        ({"name": "x" * 201}, ["name"]),
        ({"customer_access": "everyone"}, ["customer_access"]),
        ({"customer_access": None}, ["customer_access"]),
        ({"verified_domains": "initech.test"}, ["verified_domains"]),
        ({"verified_domains": ["not a domain"]}, ["verified_domains", "0"]),
        ({"verified_domains": ["localhost"]}, ["verified_domains", "0"]),
        ({"verified_domains": [f"d{i}.test" for i in range(51)]}, ["verified_domains"]),
        ({"verified_domains": None}, ["verified_domains"]),
        ({"slug": "new-slug"}, ["slug"]),
        ({"org_id": "not-a-uuid"}, ["org_id"]),
    ],
    ids=[
        "naming_no_change_is_invalid", "a_null_name_is_invalid", "an_empty_name_is_invalid",
        "a_name_of_201_characters_is_invalid", "an_unknown_access_mode_is_invalid",
        "a_null_access_mode_is_invalid", "domains_as_a_string_are_invalid",
        "a_domain_with_spaces_is_invalid", "a_domain_without_a_dot_is_invalid",
        "more_than_50_domains_are_invalid", "null_domains_are_invalid",
        "the_slug_cannot_be_changed", "an_org_id_that_is_not_a_uuid_is_invalid",
    ],
)  # fmt: skip
def test_invalid_update_is_rejected_and_changes_nothing(
    client: FlaskClient, new_org: Org, db: psycopg.Connection[Any], change: dict[str, Any],
    path: list[Any],
) -> None:  # fmt: skip
    before = org_state(db, new_org.id)
    response = call(client, new_org.admin, "updateOrganization", {"org_id": new_org.id, **change})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_failed"
    assert path in error_paths(response)
    assert org_state(db, new_org.id) == before


@pytest.mark.parametrize(
    "target",
    ["unknown", "other_tenant"],
    ids=["an_unknown_org_is_not_found", "another_tenants_org_is_not_found"],
)
def test_updating_an_org_one_does_not_administer_is_not_found(
    client: FlaskClient, stack: Stack, db: psycopg.Connection[Any], target: str
) -> None:
    admin = create_org(stack).admin
    other = create_org(stack, customer_access="invite")
    org_id = str(uuid.uuid4()) if target == "unknown" else other.id
    before = org_state(db, other.id)
    response = call(client, admin, "updateOrganization", {"org_id": org_id, "name": "Mine now"})
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "not_found"
    assert org_state(db, other.id) == before


# listMyOrganizations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", "admin"), ("employee", "employee"), ("customer", None), ("other_org_admin", None)],
    ids=[
        "the_admin_lists_the_organization_as_admin",
        "an_employee_lists_the_organization_as_employee",
        "a_customer_does_not_list_an_organization_they_only_submit_to",
        "the_admin_of_another_org_does_not_list_it",
    ],
)
def test_list_my_organizations_shows_where_i_work(
    client: FlaskClient, stack: Stack, new_org: Org, role: str, expected: str | None
) -> None:
    who = {"admin": new_org.admin, "employee": new_org.employee, "customer": new_org.customer,
           "other_org_admin": seeded(stack, "globex_admin")}[role]  # fmt: skip
    response = call(client, who, "listMyOrganizations")
    assert response.status_code == 200
    roles = {org["id"]: org["role"] for org in response.get_json()["items"]}
    assert roles.get(new_org.id) == expected


def test_list_my_organizations_for_anon_and_bad_input(client: FlaskClient, new_org: Org) -> None:
    assert call(client, None, "listMyOrganizations").status_code == 401
    response = call(client, new_org.admin, "listMyOrganizations", {"org_id": new_org.id})
    assert response.status_code == 422
    assert ["org_id"] in error_paths(response)
