"""Fakes that activity child processes import by dotted path (module level, importable)."""

from __future__ import annotations

import os

from simpleflow import activity


def fake_greet(name: str) -> str:
    """Says where it ran: the pid of the activity's process, and the activity it stands for."""
    return f"hi {name} from {os.getpid()} as {activity.context().activity_name}"


def fake_shout(text: str) -> str:
    return f"{text}!"
