"""Staff invitations: admins invite an email address; only the invitee's acceptance adds them.

Nothing here reveals whether an address belongs to an account: inviting answers the same for any
address, and an invitation is seen only by its organization's admins and by the user whose
confirmed email it names (RLS on `organization_invitations`). Invitations expire after 7 days
unless renewed by inviting the same address again, and are single-use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from bff.actions._fields import Email
from bff.actions._registry import ActionContext, ActionIn, ActionOut, action, call
from bff.actions.members import MemberOut
from bff.actions.organizations import NoInput, Role
from bff.actions.tickets import OrganizationRef
from bff.errors import Conflict, Forbidden, NotFound

InvitationStatus = Literal["pending", "accepted", "declined", "revoked", "expired"]
# Seeded demo data (supabase/seed.sql), used in the documentation's examples.
_ACME = "aaaaaaaa-0000-4000-8000-000000000000"
_INVITATION = "dddddddd-0000-4000-8000-000000000001"


class InvitationOut(ActionOut):
    id: UUID
    organization_id: UUID
    organization: OrganizationRef | None = Field(
        description="null once the organization is no longer visible to you."
    )
    email: str = Field(description="The invited address, lowercased.")
    role: Role
    status: InvitationStatus = Field(description="expired: pending past expires_at.")
    invited_by: UUID | None
    created_at: datetime
    expires_at: datetime
    responded_at: datetime | None = Field(description="When it was accepted, declined or revoked.")


class InvitationsOut(ActionOut):
    items: list[InvitationOut] = Field(description="Newest first.")


class InviteMemberIn(ActionIn):
    org_id: UUID
    email: Email
    role: Role

    example = {"org_id": _ACME, "email": "dana@example.test", "role": "employee"}


@action("inviteMember", status=201, errors=(Forbidden, NotFound))
def invite_member(ctx: ActionContext, payload: InviteMemberIn) -> InvitationOut:
    """Invite an email address to join the organization's staff (admins).

    Inviting an address with a pending invitation renews it (new role, 7 more days). The answer
    is the same whether or not anyone has signed up with the address.
    """
    result = call(
        ctx,
        "invite_member",
        org_id=str(payload.org_id),
        email=payload.email,
        role=payload.role,
    )
    return InvitationOut.model_validate(result)


class OrgInvitationsIn(ActionIn):
    org_id: UUID

    example = {"org_id": _ACME}


@action("listInvitations", errors=(Forbidden, NotFound))
def list_invitations(ctx: ActionContext, payload: OrgInvitationsIn) -> InvitationsOut:
    """List the organization's staff invitations, in every status (admins)."""
    return InvitationsOut.model_validate(call(ctx, "list_invitations", org_id=str(payload.org_id)))


class InvitationIdIn(ActionIn):
    invitation_id: UUID

    example = {"invitation_id": _INVITATION}


@action("revokeInvitation", errors=(Forbidden, NotFound, Conflict))
def revoke_invitation(ctx: ActionContext, payload: InvitationIdIn) -> InvitationOut:
    """Withdraw a pending invitation (admins); 409 `conflict` once it was answered."""
    result = call(ctx, "revoke_invitation", invitation_id=str(payload.invitation_id))
    return InvitationOut.model_validate(result)


@action("listMyInvitations")
def list_my_invitations(ctx: ActionContext, payload: NoInput) -> InvitationsOut:
    """List the pending invitations to your confirmed email address."""
    return InvitationsOut.model_validate(call(ctx, "list_my_invitations"))


@action("acceptInvitation", status=201, errors=(NotFound, Conflict))
def accept_invitation(ctx: ActionContext, payload: InvitationIdIn) -> MemberOut:
    """Join the organization's staff with the invited role.

    409 `conflict` when the invitation expired, was revoked or answered, or you are already a
    member.
    """
    result = call(ctx, "accept_invitation", invitation_id=str(payload.invitation_id))
    return MemberOut.model_validate(result)


@action("declineInvitation", errors=(NotFound, Conflict))
def decline_invitation(ctx: ActionContext, payload: InvitationIdIn) -> InvitationOut:
    """Decline an invitation; 409 `conflict` when it is no longer pending."""
    result = call(ctx, "decline_invitation", invitation_id=str(payload.invitation_id))
    return InvitationOut.model_validate(result)
