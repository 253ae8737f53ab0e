"""Staff actions: members of an organization and its teams (admins of the organization only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints

from bff.actions._registry import ActionContext, ActionIn, ActionOut, action, call
from bff.actions.organizations import Email, Role

TeamName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
_ADMINS_ONLY = ("403 forbidden: only admins of the organization",)
_LAST_ADMIN = ("409 conflict: the organization would lose its last admin",)


class MemberOut(ActionOut):
    organization_id: UUID
    user_id: UUID
    role: Role
    display_name: str | None
    created_at: datetime


class AddMemberIn(ActionIn):
    org_id: UUID
    email: Email
    role: Role


@action("addMember", status=201, errors=(*_ADMINS_ONLY, "409 conflict: already a member"))
def add_member(ctx: ActionContext, payload: AddMemberIn) -> MemberOut:
    """Add a user who has signed up to the organization as admin or employee."""
    result = call(
        ctx, "add_member", p_org_id=str(payload.org_id), p_email=payload.email, p_role=payload.role
    )
    return MemberOut.model_validate(result)


class SetMemberRoleIn(ActionIn):
    org_id: UUID
    user_id: UUID
    role: Role


@action("setMemberRole", errors=(*_ADMINS_ONLY, *_LAST_ADMIN))
def set_member_role(ctx: ActionContext, payload: SetMemberRoleIn) -> MemberOut:
    """Make a member admin or employee; the last admin cannot step down."""
    result = call(
        ctx,
        "set_member_role",
        p_org_id=str(payload.org_id),
        p_user_id=str(payload.user_id),
        p_role=payload.role,
    )
    return MemberOut.model_validate(result)


class MemberIn(ActionIn):
    org_id: UUID
    user_id: UUID


class MemberRemovedOut(ActionOut):
    organization_id: UUID
    user_id: UUID
    removed: bool


@action("removeMember", errors=(*_ADMINS_ONLY, *_LAST_ADMIN))
def remove_member(ctx: ActionContext, payload: MemberIn) -> MemberRemovedOut:
    """Remove someone from the organization (and its teams); the last admin stays."""
    result = call(
        ctx, "remove_member", p_org_id=str(payload.org_id), p_user_id=str(payload.user_id)
    )
    return MemberRemovedOut.model_validate(result)


class TeamOut(ActionOut):
    id: UUID
    organization_id: UUID
    name: str
    member_ids: list[UUID]
    created_at: datetime


class CreateTeamIn(ActionIn):
    org_id: UUID
    name: TeamName


@action("createTeam", status=201, errors=(*_ADMINS_ONLY, "409 conflict: the name is taken"))
def create_team(ctx: ActionContext, payload: CreateTeamIn) -> TeamOut:
    """Create a team in the organization."""
    result = call(ctx, "create_team", p_org_id=str(payload.org_id), p_name=payload.name)
    return TeamOut.model_validate(result)


class RenameTeamIn(ActionIn):
    team_id: UUID
    name: TeamName


@action("renameTeam", errors=(*_ADMINS_ONLY, "409 conflict: the name is taken"))
def rename_team(ctx: ActionContext, payload: RenameTeamIn) -> TeamOut:
    """Rename a team."""
    result = call(ctx, "rename_team", p_team_id=str(payload.team_id), p_name=payload.name)
    return TeamOut.model_validate(result)


class TeamIdIn(ActionIn):
    team_id: UUID


class TeamDeletedOut(ActionOut):
    id: UUID
    deleted: bool
    unassigned_tickets: int


@action("deleteTeam", errors=_ADMINS_ONLY)
def delete_team(ctx: ActionContext, payload: TeamIdIn) -> TeamDeletedOut:
    """Delete a team; its tickets lose the team assignment, recorded in their history."""
    return TeamDeletedOut.model_validate(call(ctx, "delete_team", p_team_id=str(payload.team_id)))


class TeamMemberIn(ActionIn):
    team_id: UUID
    user_id: UUID


@action("addTeamMember", errors=_ADMINS_ONLY)
def add_team_member(ctx: ActionContext, payload: TeamMemberIn) -> TeamOut:
    """Put a member of the organization on the team."""
    result = call(
        ctx, "add_team_member", p_team_id=str(payload.team_id), p_user_id=str(payload.user_id)
    )
    return TeamOut.model_validate(result)


@action("removeTeamMember", errors=_ADMINS_ONLY)
def remove_team_member(ctx: ActionContext, payload: TeamMemberIn) -> TeamOut:
    """Take someone off the team."""
    result = call(
        ctx, "remove_team_member", p_team_id=str(payload.team_id), p_user_id=str(payload.user_id)
    )
    return TeamOut.model_validate(result)
