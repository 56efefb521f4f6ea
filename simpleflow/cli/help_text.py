"""Help text as a terminal shows it: docstrings are written in reST for the API docs, ``--help`` is plain.

``simpleflow COMMAND --help`` prints a command's docstring; the reference docs render the same text.
Backquoted literals (````--format````), roles (``:class:`Workflow```) and escaped backslashes read as
noise in a terminal, so :func:`plain_text` keeps what they mark up and drops the markup.
"""

from __future__ import annotations

import re

import click

# :role:`text`, :role:`~module.Name` and :role:`title <target>`: the text a reader would see.
_ROLE = re.compile(r":[a-z]+(?::[a-z]+)?:`~?([^`<]*?)(?:\s*<[^`>]*>)?`")
_LITERAL = re.compile(r"``([^`]+)``")
# A reST hyperlink `text <url>`_ keeps its text and its address.
_LINK = re.compile(r"`([^`<]+?)\s*<([^`>]+)>`_")


def _role_text(found: re.Match[str]) -> str:
    # ``:class:`~a.b.Name``` shows as ``Name`` in Sphinx; without the tilde, the whole path.
    target = found.group(1)
    return target.rsplit(".", 1)[-1] if found.group(0).count("~") else target


def plain_text(text: str) -> str:
    """``text`` without reST markup: literals, roles and links keep their words, not their quotes."""
    text = _ROLE.sub(
        lambda found: found.group(1).rsplit(".", 1)[-1] if "~" in found.group(0) else found.group(1), text
    )
    text = _LINK.sub(r"\1 (\2)", text)
    return _LITERAL.sub(r"\1", text)


def strip_markup(command: click.Command) -> None:
    """Make the help of ``command``, of its options and (for a group) of its subcommands plain text."""
    if command.help:
        command.help = plain_text(command.help)
    if command.short_help:
        command.short_help = plain_text(command.short_help)
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            param.help = plain_text(param.help)
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            strip_markup(subcommand)
