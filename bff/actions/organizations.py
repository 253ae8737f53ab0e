"""Organization actions: create and configure organizations, and decide who may submit to them.

Admin-only actions are refused by the database (`private.require_admin` and the policies), not
here: an admin of another organization gets 404, a member who is not admin 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from bff.actions._registry import (
    ActionContext,
    ActionIn,
    ActionOut,
    action,
    call,
    named_changes,
)

CustomerAccess = Literal["public", "domain", "invite"]
Role = Literal["admin", "employee"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,63}$")]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]
Domain = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=253,
        pattern=r"^([A-Za-z0-9-]+\.)+[A-Za-z]{2,63}$",
    ),
]  # fmt: skip


class OrganizationOut(ActionOut):
    id: UUID
    name: str
    slug: str
    customer_access: CustomerAccess
    verified_domains: list[str]
    created_at: datetime


class MyOrganizationOut(OrganizationOut):
    role: Role = Field(description="Your role in the organization.")


class CreateOrganizationIn(ActionIn):
    name: Name
    slug: Slug = Field(description="Lowercase letters, digits and hyphens; unique.")


@action("createOrganization", status=201, errors=("409 conflict: the slug is taken",))
def create_organization(ctx: ActionContext, payload: CreateOrganizationIn) -> MyOrganizationOut:
    """Create an organization; you become its first admin."""
    result = call(ctx, "create_organization", p_name=payload.name, p_slug=payload.slug)
    return MyOrganizationOut.model_validate(result)


class UpdateOrganizationIn(ActionIn):
    org_id: UUID
    name: Name | None = None
    customer_access: CustomerAccess | None = None
    verified_domains: list[Domain] | None = Field(None, max_length=50)


@action("updateOrganization", errors=("403 forbidden: only admins of the organization",))
def update_organization(ctx: ActionContext, payload: UpdateOrganizationIn) -> OrganizationOut:
    """Rename an organization or change who may submit tickets to it (admins)."""
    changes = named_changes(payload, keys={"org_id"})
    result = call(ctx, "update_organization", p_org_id=str(payload.org_id), p_changes=changes)
    return OrganizationOut.model_validate(result)


class NoInput(ActionIn):
    pass


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


class InvitationOut(ActionOut):
    organization_id: UUID
    email: str
    created_at: datetime


@action("inviteCustomer", status=201)
def invite_customer(ctx: ActionContext, payload: CustomerIn) -> InvitationOut:
    """Let a customer submit to an invite-only organization (admins); repeating it is harmless."""
    result = call(ctx, "invite_customer", p_org_id=str(payload.org_id), p_email=payload.email)
    return InvitationOut.model_validate(result)


class RevocationOut(ActionOut):
    organization_id: UUID
    email: str
    revoked: bool


@action("revokeCustomer")
def revoke_customer(ctx: ActionContext, payload: CustomerIn) -> RevocationOut:
    """Withdraw a customer's invitation (admins); their existing tickets stay theirs."""
    result = call(ctx, "revoke_customer", p_org_id=str(payload.org_id), p_email=payload.email)
    return RevocationOut.model_validate(result)
