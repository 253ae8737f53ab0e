"""The server actions. Importing this package registers every action in `ACTIONS`."""

from bff.actions import (
    attachments,
    invitations,
    knowledge_base,
    members,
    organizations,
    routing,
    tickets,
)
from bff.actions._registry import ACTIONS, Action, ActionContext, ActionIn, ActionOut

__all__ = [
    "ACTIONS",
    "Action",
    "ActionContext",
    "ActionIn",
    "ActionOut",
    "attachments",
    "invitations",
    "knowledge_base",
    "members",
    "organizations",
    "routing",
    "tickets",
]
