"""Request validation for the embedded SWF service, driven by botocore's own model of SWF.

Every request is checked against the ``swf`` service model that ships with botocore (required members,
JSON types, string and list lengths, enums, integer ranges) plus the rules SWF states in prose in that
model's documentation (names without ``:``, ``/``, ``|``, control characters or the literal ``arn``;
durations and priorities carried as strings). The model is compiled once into :class:`FieldRule` trees,
so a request costs one walk over its own values.

Faults follow what AWS's JSON 1.0 front end answers: ``UnknownOperationException`` for an operation SWF
does not have, ``SerializationException`` for a value of the wrong JSON type, and ``ValidationException``
listing every broken constraint (``1 validation error detected: Value ... at 'path' failed to satisfy
constraint: ...``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.loaders import Loader
from botocore.model import ServiceModel, Shape

from simpleflow.localswf.faults import SWFFault

#: SWF's cap on one request's body; decisions with big payloads reach it first.
MAX_REQUEST_BYTES = 1_048_576

# SWF's documentation states these rules in prose on the members they apply to; matching the prose keeps
# the list of such members in the model instead of in this module.
_NAME_RULE_MARKER = "must not be the literal string arn"
_WHITESPACE_RULE_MARKER = "must not start or end with whitespace"
_FORBIDDEN_NAME_CHARACTERS = re.compile(r"[:/|\u0000-\u001f\u007f-\u009f]")
_HTML_TAG = re.compile(r"<[^>]+>")
# JSON may escape a lone UTF-16 surrogate ("\\ud800"), which decodes to a string no UTF-8 can hold: SWF
# stores and answers UTF-8, so such a value is refused here, at the one check every request passes, before
# it reaches the database (where encoding it would fail) or an answer.
_SURROGATE = re.compile("[\ud800-\udfff]")
_DURATION = re.compile(r"(NONE|[0-9]+)\Z")
_DURATION_SHAPES = frozenset({"DurationInSeconds", "DurationInSecondsOptional", "DurationInDays"})
_PRIORITY_SHAPE = "TaskPriority"
_JAVA_INT_RANGE = (-(2**31), 2**31 - 1)
# Values are echoed in messages, as AWS does, but a 32 KB payload is shortened to keep errors readable.
_ECHO_LIMIT = 80


Acceptor = Callable[[Any], bool]


@dataclass(frozen=True)
class FieldRule:
    """The constraints on one value of a request, compiled from a botocore shape."""

    type_name: str
    shape_name: str
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    enum: frozenset[str] | None = None
    members: Mapping[str, FieldRule] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    element: FieldRule | None = None
    map_key: FieldRule | None = None
    is_swf_name: bool = False
    forbids_outer_whitespace: bool = False


@functools.cache
def service_model() -> ServiceModel:
    """botocore's model of SWF, loaded once per process."""
    return ServiceModel(Loader().load_service_model("swf", "service-2"), service_name="swf")


@functools.cache
def operation_names() -> frozenset[str]:
    """The 39 operations of SWF, by their API names (``StartWorkflowExecution``, ...)."""
    return frozenset(service_model().operation_names)


@functools.cache
def request_rule(operation: str) -> FieldRule:
    """The compiled input rule of ``operation``; raises ``UnknownOperationException`` if SWF has none."""
    if operation not in operation_names():
        raise unknown_operation(operation)
    input_shape = service_model().operation_model(operation).input_shape
    if input_shape is None:  # pragma: no cover - every SWF operation takes input
        return FieldRule(type_name="structure", shape_name=f"{operation}Input")
    return _compile(input_shape, documentation="")


@functools.cache
def request_acceptor(operation: str) -> Acceptor:
    """A predicate true exactly when ``operation``'s request breaks no rule (see :func:`_acceptor`)."""
    return _acceptor(request_rule(operation))


def unknown_operation(operation: str) -> SWFFault:
    """The fault for an ``X-Amz-Target`` that names no SWF operation."""
    return SWFFault("UnknownOperationException", f"Unknown operation: {operation!r} is not an SWF operation")


def validate_request(operation: str, params: Any) -> None:
    """Check one request of ``operation`` against SWF's model and rules; return quietly if it is valid.

    Raises :class:`SWFFault` with code ``UnknownOperationException``, ``SerializationException`` (a value
    of the wrong JSON type: SWF cannot even read the request) or ``ValidationException`` (every broken
    constraint, in one message, the way AWS reports them).
    """
    if request_acceptor(operation)(params):
        return
    rule = request_rule(operation)
    problems: list[str] = []
    _check(rule, params, path="", problems=problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise SWFFault("ValidationException", f"{count} validation {noun} detected: " + "; ".join(problems))


def check_request_size(size: int) -> None:
    """Refuse a request body over SWF's 1 MB limit (both transports call this before parsing)."""
    if size > MAX_REQUEST_BYTES:
        raise SWFFault(
            "ValidationException",
            f"Request of {size} bytes exceeds SWF's limit of {MAX_REQUEST_BYTES} bytes per request",
        )


def check_swf_name(value: str) -> str | None:
    """Why ``value`` breaks SWF's rule for names and ids, or None when it does not."""
    if value == "arn":
        return "Member must not be the literal string arn"
    if _FORBIDDEN_NAME_CHARACTERS.search(value):
        return "Member must not contain ':', '/', '|' or control characters"
    return None


def _compile(shape: Shape, *, documentation: str, depth: int = 0) -> FieldRule:
    if depth > 12:  # pragma: no cover - SWF's input shapes are not recursive
        raise RuntimeError(f"shape {shape.name} nests too deeply to be an SWF input")
    metadata = shape.metadata
    documentation = _HTML_TAG.sub("", documentation)
    is_swf_name = _NAME_RULE_MARKER in documentation
    forbids_whitespace = _WHITESPACE_RULE_MARKER in documentation
    if shape.type_name == "structure":
        members: dict[str, FieldRule] = {}
        for member_name, member_shape in shape.members.items():
            member_doc = member_shape.documentation or ""
            if member_name == "name" and is_swf_name:
                # A task list carries the rule on the member that holds it, but it bears on its name.
                member_doc = documentation
            members[member_name] = _compile(member_shape, documentation=member_doc, depth=depth + 1)
        return FieldRule(
            type_name="structure",
            shape_name=shape.name,
            members=members,
            required=frozenset(shape.required_members),
        )
    if shape.type_name == "list":
        element = _compile(shape.member, documentation="", depth=depth + 1)
        return FieldRule(
            type_name="list",
            shape_name=shape.name,
            min_length=metadata.get("min"),
            max_length=metadata.get("max"),
            element=element,
        )
    if shape.type_name == "map":
        return FieldRule(
            type_name="map",
            shape_name=shape.name,
            min_length=metadata.get("min"),
            max_length=metadata.get("max"),
            map_key=_compile(shape.key, documentation="", depth=depth + 1),
            element=_compile(shape.value, documentation="", depth=depth + 1),
        )
    if shape.type_name in ("integer", "long"):
        return FieldRule(
            type_name=shape.type_name,
            shape_name=shape.name,
            min_value=metadata.get("min"),
            max_value=metadata.get("max"),
        )
    enum = metadata.get("enum")
    return FieldRule(
        type_name=shape.type_name,
        shape_name=shape.name,
        min_length=metadata.get("min"),
        max_length=metadata.get("max"),
        enum=frozenset(enum) if enum else None,
        is_swf_name=is_swf_name and shape.type_name == "string",
        forbids_outer_whitespace=forbids_whitespace and shape.type_name == "string",
    )


_JSON_TYPE_NAMES = {
    "structure": "an object",
    "map": "an object",
    "list": "an array",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "boolean": "a boolean",
    "timestamp": "a number of seconds since the epoch",
    "double": "a number",
    "float": "a number",
}


def _has_json_type(rule: FieldRule, value: Any) -> bool:
    kind = rule.type_name
    if kind in ("structure", "map"):
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("timestamp", "double", "float"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True  # pragma: no cover - SWF's inputs use no other types


def _check(rule: FieldRule, value: Any, *, path: str, problems: list[str]) -> None:
    if not _has_json_type(rule, value):
        where = f"'{path}'" if path else "the request body"
        raise SWFFault(
            "SerializationException",
            f"Value {_echo(value)} at {where} must be {_JSON_TYPE_NAMES.get(rule.type_name, rule.type_name)}",
        )
    kind = rule.type_name
    if kind == "structure":
        for member_name in sorted(rule.required):
            if value.get(member_name) is None:
                problems.append(
                    f"Value null at '{_join(path, member_name)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for member_name, member_value in value.items():
            member_rule = rule.members.get(member_name)
            # Unknown members are ignored, as AWS's JSON front end does; null means "absent".
            if member_rule is not None and member_value is not None:
                _check(member_rule, member_value, path=_join(path, member_name), problems=problems)
        if rule.shape_name == "Decision":
            _check_decision_attributes(rule, value, path=path, problems=problems)
    elif kind == "list":
        _check_length(rule, value, path=path, problems=problems)
        assert rule.element is not None
        for index, element in enumerate(value, start=1):
            element_path = _join(path, f"{index}.member")
            if element is None:
                problems.append(
                    f"Value null at '{element_path}' failed to satisfy constraint: Member must not be null"
                )
            else:
                _check(rule.element, element, path=element_path, problems=problems)
    elif kind == "map":
        _check_length(rule, value, path=path, problems=problems)
        assert rule.element is not None and rule.map_key is not None
        for key, element in value.items():
            _check(rule.map_key, key, path=_join(path, "key"), problems=problems)
            _check(rule.element, element, path=_join(path, f"{key}"), problems=problems)
    elif kind in ("integer", "long"):
        if rule.min_value is not None and value < rule.min_value:
            problems.append(
                _broken(value, path, f"Member must have value greater than or equal to {rule.min_value}")
            )
        if rule.max_value is not None and value > rule.max_value:
            problems.append(
                _broken(value, path, f"Member must have value less than or equal to {rule.max_value}")
            )
    elif kind == "string":
        _check_string(rule, value, path=path, problems=problems)
    elif kind in ("timestamp", "double", "float") and value != value:  # NaN compares unequal to itself
        problems.append(_broken(value, path, "Member must be a finite number"))


def _check_decision_attributes(
    rule: FieldRule, decision: dict[str, Any], *, path: str, problems: list[str]
) -> None:
    """A decision must carry the attributes of its type when that type has required attributes.

    The model cannot say so (every attributes member is optional there), yet SWF cannot act on a
    ``ScheduleActivityTask`` without an activity id; ``CompleteWorkflowExecution`` needs none.
    """
    decision_type = decision.get("decisionType")
    if not isinstance(decision_type, str) or not decision_type:
        return
    member_name = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    attributes_rule = rule.members.get(member_name)
    if attributes_rule is not None and attributes_rule.required and decision.get(member_name) is None:
        problems.append(
            f"Value null at '{_join(path, member_name)}' failed to satisfy constraint: "
            f"Member must not be null for a decision of type {decision_type}"
        )


def _check_length(rule: FieldRule, value: Any, *, path: str, problems: list[str]) -> None:
    length = len(value)
    if rule.min_length is not None and length < rule.min_length:
        problems.append(
            _broken(value, path, f"Member must have length greater than or equal to {rule.min_length}")
        )
    if rule.max_length is not None and length > rule.max_length:
        problems.append(
            _broken(value, path, f"Member must have length less than or equal to {rule.max_length}")
        )


def has_lone_surrogate(value: str) -> bool:
    """Whether ``value`` holds a UTF-16 surrogate code point, which no UTF-8 text can carry."""
    return not value.isascii() and _SURROGATE.search(value) is not None


def _check_string(rule: FieldRule, value: str, *, path: str, problems: list[str]) -> None:
    _check_length(rule, value, path=path, problems=problems)
    if has_lone_surrogate(value):
        problems.append(_broken(value, path, "Member must be valid Unicode text (no lone surrogate)"))
    if rule.enum is not None and value not in rule.enum:
        allowed = ", ".join(sorted(rule.enum))
        problems.append(_broken(value, path, f"Member must satisfy enum value set: [{allowed}]"))
    if rule.is_swf_name and value:
        reason = check_swf_name(value)
        if reason:
            problems.append(_broken(value, path, reason))
    if rule.forbids_outer_whitespace and value != value.strip():
        problems.append(_broken(value, path, "Member must not start or end with whitespace"))
    if rule.shape_name in _DURATION_SHAPES and value and not _DURATION.match(value):
        problems.append(_broken(value, path, "Member must be a whole number or NONE"))
    if rule.shape_name == _PRIORITY_SHAPE and not _is_java_int(value):
        problems.append(_broken(value, path, "Member must be an integer between -2147483648 and 2147483647"))


def _is_java_int(text: str) -> bool:
    try:
        number = int(text)
    except ValueError:
        return False
    return _JAVA_INT_RANGE[0] <= number <= _JAVA_INT_RANGE[1]


def _broken(value: Any, path: str, constraint: str) -> str:
    return f"Value {_echo(value)} at '{path}' failed to satisfy constraint: {constraint}"


def _echo(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    if len(text) > _ECHO_LIMIT:
        return f"{text[:_ECHO_LIMIT]}... ({len(value) if isinstance(value, (str, list)) else '?'} long)"
    return text


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


# -- the fast path -----------------------------------------------------------------------------------
# Nearly every request is valid, and ``_check`` pays for what only a refusal needs (member paths, message
# lists) on every value. Each rule is therefore also compiled into a closure holding only the tests that
# apply to it, answering yes or no. It must answer no whenever ``_check`` would find a problem or raise;
# ``validate_request`` then runs ``_check``, which alone writes the fault, so a refusal reads the same.


def _acceptor(rule: FieldRule) -> Acceptor:
    kind = rule.type_name
    if kind == "structure":
        return _structure_acceptor(rule)
    if kind == "list":
        return _list_acceptor(rule)
    if kind == "map":
        return _map_acceptor(rule)
    if kind in ("integer", "long"):
        low, high = rule.min_value, rule.max_value

        def accepts_integer(value: Any) -> bool:
            return (
                isinstance(value, int)
                and not isinstance(value, bool)
                and (low is None or value >= low)
                and (high is None or value <= high)
            )

        return accepts_integer
    if kind == "string":
        return _string_acceptor(rule)
    if kind == "boolean":
        return lambda value: isinstance(value, bool)
    if kind in ("timestamp", "double", "float"):
        # NaN is the one number unequal to itself.
        return lambda value: (
            isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
        )
    return lambda value: False  # pragma: no cover - SWF's inputs use no other types: let _check decide


def _structure_acceptor(rule: FieldRule) -> Acceptor:
    members = {name: _acceptor(member) for name, member in rule.members.items()}
    required = tuple(rule.required)
    # A decision's attributes member is required when its type has required attributes.
    attributes_required = {
        name: bool(member.required) for name, member in rule.members.items() if name.endswith("Attributes")
    }
    is_decision = rule.shape_name == "Decision"

    def accepts_structure(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for name in required:
            if value.get(name) is None:
                return False
        for name, member in value.items():
            accepts = members.get(name)
            if accepts is not None and member is not None and not accepts(member):
                return False
        if is_decision:
            decision_type = value.get("decisionType")
            if isinstance(decision_type, str) and decision_type:
                name = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
                if attributes_required.get(name) and value.get(name) is None:
                    return False
        return True

    return accepts_structure


def _list_acceptor(rule: FieldRule) -> Acceptor:
    assert rule.element is not None
    accepts_element = _acceptor(rule.element)
    low, high = rule.min_length, rule.max_length

    def accepts_list(value: Any) -> bool:
        if not isinstance(value, list):
            return False
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return False
        return all(element is not None and accepts_element(element) for element in value)

    return accepts_list


def _map_acceptor(rule: FieldRule) -> Acceptor:
    assert rule.element is not None and rule.map_key is not None
    accepts_key, accepts_value = _acceptor(rule.map_key), _acceptor(rule.element)
    low, high = rule.min_length, rule.max_length

    def accepts_map(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return False
        return all(accepts_key(key) and accepts_value(element) for key, element in value.items())

    return accepts_map


def _string_acceptor(rule: FieldRule) -> Acceptor:
    low, high = rule.min_length, rule.max_length
    tests: list[Callable[[str], bool]] = []
    if rule.enum is not None:
        tests.append(rule.enum.__contains__)
    if rule.is_swf_name:
        tests.append(lambda value: not value or check_swf_name(value) is None)
    if rule.forbids_outer_whitespace:
        tests.append(lambda value: value == value.strip())
    if rule.shape_name in _DURATION_SHAPES:
        tests.append(lambda value: not value or _DURATION.match(value) is not None)
    if rule.shape_name == _PRIORITY_SHAPE:
        tests.append(_is_java_int)

    def accepts_string(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return False
        if not value.isascii() and _SURROGATE.search(value) is not None:
            return False
        return all(test(value) for test in tests)

    return accepts_string
