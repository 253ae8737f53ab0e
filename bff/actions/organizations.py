"""Organization actions: create and configure organizations, and decide who may submit to them.

Admin-only actions are refused by the database (`private.require_admin` and the policies), not
here: an admin of another organization gets 404, a member who is not admin 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BeforeValidator, Field

from bff.actions._fields import Domain, Email, Name, Slug, whole_number
from bff.actions._registry import (
    ActionContext,
    ActionIn,
    ActionOut,
    action,
    call,
    named_changes,
)
from bff.actions.attachments import MAX_FILE_BYTES
from bff.errors import Conflict, Forbidden, NotFound

CustomerAccess = Literal["public", "domain", "invite"]
Role = Literal["admin", "employee"]
# Seeded demo data (supabase/seed.sql), used in the documentation's examples.
_ACME = "aaaaaaaa-0000-4000-8000-000000000000"


class OrganizationOut(ActionOut):
    id: UUID
    name: str
    slug: str
    customer_access: CustomerAccess
    verified_domains: list[str]
    attachment_size_limit_bytes: int | None = Field(
        None, description="Largest file its tickets accept, in bytes; null: the 25 MiB cap."
    )
    created_at: datetime


class MyOrganizationOut(OrganizationOut):
    role: Role = Field(description="Your role in the organization.")


class CreateOrganizationIn(ActionIn):
    name: Name
    slug: Slug

    example = {"name": "Initech Help Desk", "slug": "initech"}


@action("createOrganization", status=201, errors=(Conflict,))
def create_organization(ctx: ActionContext, payload: CreateOrganizationIn) -> MyOrganizationOut:
    """Create an organization; you become its first admin."""
    result = call(ctx, "create_organization", name=payload.name, slug=payload.slug)
    return MyOrganizationOut.model_validate(result)


class UpdateOrganizationIn(ActionIn):
    org_id: UUID
    name: Name | None = None
    customer_access: CustomerAccess | None = None
    verified_domains: list[Domain] | None = Field(None, max_length=50)
    attachment_size_limit_bytes: Annotated[
        int | None,
        Field(
            ge=1,
            le=MAX_FILE_BYTES,
            description="Largest file its tickets accept, in bytes, at most the 25 MiB cap; "
            "null restores the cap.",
        ),
        BeforeValidator(whole_number),
    ] = None

    nullable = frozenset({"attachment_size_limit_bytes"})
    identifies = frozenset({"org_id"})
    example = {"org_id": _ACME, "customer_access": "domain", "verified_domains": ["acme.test"]}


@action("updateOrganization", errors=(Forbidden, NotFound))
def update_organization(ctx: ActionContext, payload: UpdateOrganizationIn) -> OrganizationOut:
    """Rename an organization, change who may submit tickets to it, or lower its file size limit
    (admins).

    Name at least one field to change. Other members of the organization get 403, everyone
    else 404.
    """
    changes = named_changes(payload)
    result = call(ctx, "update_organization", org_id=str(payload.org_id), changes=changes)
    return OrganizationOut.model_validate(result)


class NoInput(ActionIn):
    example = {}


class MyOrganizationsOut(ActionOut):
    items: list[MyOrganizationOut]


@action("listMyOrganizations")
def list_my_organizations(ctx: ActionContext, payload: NoInput) -> MyOrganizationsOut:
    """List the organizations you work for, with your role in each."""
    return MyOrganizationsOut(items=call(ctx, "list_my_organizations"))


class SubmittableOrganizationOut(ActionOut):
    id: UUID
    name: str
    slug: str


class SubmittableOrganizationsOut(ActionOut):
    items: list[SubmittableOrganizationOut]


@action("listSubmittableOrganizations")
def list_submittable_organizations(
    ctx: ActionContext, payload: NoInput
) -> SubmittableOrganizationsOut:
    """List the organizations you may submit tickets to (the organization picker)."""
    return SubmittableOrganizationsOut(items=call(ctx, "list_submittable_organizations"))


class CustomerIn(ActionIn):
    org_id: UUID
    email: Email

    example = {"org_id": _ACME, "email": "carol@example.test"}


class CustomerInvitationOut(ActionOut):
    organization_id: UUID
    email: str
    created_at: datetime


@action("inviteCustomer", status=201, errors=(Forbidden, NotFound))
def invite_customer(ctx: ActionContext, payload: CustomerIn) -> CustomerInvitationOut:
    """Let a customer submit to an invite-only organization (admins); repeating it is harmless.

    The answer is the same whether or not anyone has signed up with the address.
    """
    result = call(ctx, "invite_customer", org_id=str(payload.org_id), email=payload.email)
    return CustomerInvitationOut.model_validate(result)


class RevocationOut(ActionOut):
    organization_id: UUID
    email: str
    revoked: bool


@action("revokeCustomer", errors=(Forbidden, NotFound))
def revoke_customer(ctx: ActionContext, payload: CustomerIn) -> RevocationOut:
    """Withdraw a customer's invitation (admins); their existing tickets stay theirs."""
    result = call(ctx, "revoke_customer", org_id=str(payload.org_id), email=payload.email)
    return RevocationOut.model_validate(result)
