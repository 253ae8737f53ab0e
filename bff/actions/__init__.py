"""The server actions. Importing this package registers every action in `ACTIONS`."""

from bff.actions import members, organizations, tickets
from bff.actions._registry import ACTIONS, ActionContext, ActionIn, ActionOut

__all__ = [
    "ACTIONS",
    "ActionContext",
    "ActionIn",
    "ActionOut",
    "members",
    "organizations",
    "tickets",
]
