"""The one error the local stack raises: its message says what to fix."""

from __future__ import annotations


class StackError(RuntimeError):
    """The stack could not be brought up; the message says what to fix."""
