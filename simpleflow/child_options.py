"""Options of one child workflow start: ``self.submit(Child, x, __execution_timeout=600)``.

Every field of SWF's ``StartChildWorkflowExecution`` decision can be set three ways, the most specific
winning: per submit (the double-underscore keywords below), else the child class (its attributes and
hooks, upstream simpleflow's names), else the workflow type's registered default (the field is left out).

=========================  ==============================  =========================================
Per submit                 Class attribute (or hook)        Decision field
=========================  ==============================  =========================================
``__workflow_id``          ``get_workflow_id(cls, ...)``    ``workflowId``
``__task_list``            ``task_list``, ``get_task_list`` ``taskList``
``__priority``             ``task_priority``                ``taskPriority``
``__execution_timeout``    ``execution_timeout``            ``executionStartToCloseTimeout``
``__decision_tasks_timeout`` ``decision_tasks_timeout``     ``taskStartToCloseTimeout``
``__child_policy``         ``child_policy``                 ``childPolicy``
``__tag_list``             ``tag_list``, ``get_tag_list``   ``tagList``
``__lambda_role``          ``lambda_role``                  ``lambdaRole``
``__parent_close_policy``  ``parent_close_policy``          ``control`` (read by the parent's decider)
=========================  ==============================  =========================================

``childPolicy`` is SWF's: what happens to the *child's own* children when the child is terminated or
times out. ``parent_close_policy`` is Temporal's: what happens to the child when its *parent* closes by a
decision (completes, fails, is canceled or continues as new). SWF leaves a child running then, so the
parent's decider asks it to cancel (``REQUEST_CANCEL``) in the same response as the closing decision, or
leaves it (``ABANDON``). When the parent is terminated or times out, SWF itself applies the *parent's*
``childPolicy`` to all its open children (see :mod:`simpleflow.runtime.parent_close`).

Values are checked when ``submit`` is called, with :class:`~simpleflow.exceptions.InvalidDecision` (a
:class:`~simpleflow.exceptions.SimpleflowError`) naming the option. No I/O here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from simpleflow import decisions
from simpleflow.exceptions import InvalidDecision

__all__ = [
    "CHILD_SUBMIT_OPTIONS",
    "PARENT_CLOSE_POLICIES",
    "ChildOptions",
    "child_options",
    "parent_close_control",
    "parent_close_policy_of",
    "validate_parent_close_policy",
]

#: The parent close policies a decider can carry out through SWF's decisions. ``TERMINATE`` is not
#: among them: no SWF decision terminates another execution (see :func:`validate_parent_close_policy`).
PARENT_CLOSE_POLICIES = ("REQUEST_CANCEL", "ABANDON")
#: :data:`simpleflow.run_context.INHERIT_TAG_LIST` (that module sits above this one): the parent's tags.
INHERIT_TAG_LIST = "INHERIT_TAG_LIST"
#: The key of the ``control`` object a child is started with that names its parent close policy.
PARENT_CLOSE_KEY = "parent_close_policy"


@dataclass(frozen=True)
class ChildOptions:
    """The per-submit options of one child start (``None``: not given, the class decides)."""

    workflow_id: str | None = None
    task_list: str | None = None
    execution_timeout: str | None = None
    decision_tasks_timeout: str | None = None
    child_policy: str | None = None
    #: A tuple of tags, or :data:`~simpleflow.run_context.INHERIT_TAG_LIST` for the parent's.
    tag_list: tuple[str, ...] | str | None = None
    lambda_role: str | None = None
    parent_close_policy: str | None = None

    def is_empty(self) -> bool:
        """Whether no option was given."""
        return all(getattr(self, spec.name) is None for spec in fields(self))


#: ``submit``'s keyword -> the :class:`ChildOptions` field it sets (``__priority`` is every task's).
CHILD_SUBMIT_OPTIONS = {f"__{spec.name}": spec.name for spec in fields(ChildOptions)}


def _policy_name(value: Any, *, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidDecision(field, value, "must be a policy name (a string)")
    return value.strip().upper()


def validate_parent_close_policy(value: Any, *, field: str) -> str:
    """``REQUEST_CANCEL`` or ``ABANDON`` (any case); raises :class:`InvalidDecision` otherwise."""
    name = _policy_name(value, field=field)
    if name == "TERMINATE":
        raise InvalidDecision(
            field,
            value,
            "TERMINATE is not available: no SWF decision terminates another execution. Use "
            "REQUEST_CANCEL, or give the parent child_policy='TERMINATE', which SWF applies to its open "
            "children when the parent is terminated or times out",
        )
    if name not in PARENT_CLOSE_POLICIES:
        raise InvalidDecision(field, value, f"must be one of {', '.join(PARENT_CLOSE_POLICIES)}")
    return name


def _tag_list(value: Any, *, field: str) -> tuple[str, ...] | str:
    if value == INHERIT_TAG_LIST:
        return INHERIT_TAG_LIST
    tags = [value] if isinstance(value, str) else value
    return tuple(decisions.validate_tag_list(tags, field=field))


def child_options(options: Mapping[str, Any]) -> ChildOptions:
    """The :class:`ChildOptions` of ``submit``'s child keywords (``{"__task_list": "q", ...}``), checked.

    Keys not in :data:`CHILD_SUBMIT_OPTIONS` are ignored (``__priority``, ``__retry_policy``).
    """
    values: dict[str, Any] = {}
    for key, name in CHILD_SUBMIT_OPTIONS.items():
        value = options.get(key)
        if value is None:
            continue
        field = f"submit({key}=)"
        if name in ("workflow_id", "task_list"):
            values[name] = decisions.validate_identifier(value, field=field)
        elif name in ("execution_timeout", "decision_tasks_timeout"):
            values[name] = decisions.validate_timeout(value, field=field)
        elif name == "child_policy":
            values[name] = decisions.validate_child_policy(_policy_name(value, field=field), field=field)
        elif name == "tag_list":
            values[name] = _tag_list(value, field=field)
        elif name == "lambda_role":
            values[name] = decisions.validate_lambda_role(value, field=field)
        else:
            values[name] = validate_parent_close_policy(value, field=field)
    return replace(ChildOptions(), **values)


def parent_close_control(policy: str | None) -> str | None:
    """The ``control`` text a child is started with so that its parent's decider knows its policy."""
    if policy is None or policy == "ABANDON":
        return None  # SWF leaves a child running when its parent closes by a decision: nothing to record
    return json.dumps({PARENT_CLOSE_KEY: policy}, separators=(",", ":"))


def parent_close_policy_of(control: str | None) -> str | None:
    """The parent close policy a child's ``control`` names (``None``: none, or not simpleflow's)."""
    if not control or not control.startswith("{"):
        return None
    try:
        value = json.loads(control)
    except ValueError:
        return None
    policy = value.get(PARENT_CLOSE_KEY) if isinstance(value, dict) else None
    return policy if policy in PARENT_CLOSE_POLICIES else None
