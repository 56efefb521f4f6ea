"""``DirectClient``: a boto3 ``swf`` client's surface on an in-process ``SWFService``, minus botocore's trip.

A botocore client attached in process (:mod:`~simpleflow.localswf.inprocess`) spends most of each call in
botocore's machinery: a dozen events, endpoint rules, a request object and its headers, signing, the retry
handler and a generic response parser. The direct client keeps what decides the caller's result and drops
the rest:

- the same parameter check: botocore's ``ParamValidator`` on the operation's input shape, raising the same
  ``ParamValidationError`` report;
- the same request: the JSON document botocore's serializer would write, given to
  :func:`~simpleflow.localswf.inprocess.answer`, the very function behind the botocore transport (so the
  1 MB size check, the service's own validation and its fault mapping are shared, not copied);
- the same parse of the answer, by readers compiled once per shape from the model: members in model order,
  nulls dropped, timestamps as ``datetime`` in ``tzlocal()`` (:mod:`~simpleflow.localswf.direct_answers`);
- the same ``ResponseMetadata`` and errors: ``exceptions`` are those of a real botocore client, raised with
  the ``response`` dict and operation name botocore would give them.

Paginators are botocore's own, over this client's methods. ``meta.events`` takes ``after-call`` handlers
only: there is no HTTP request for the other botocore events to hook, so registering one raises
``NotImplementedError`` instead of being silently ignored. The client never retries (a retry against a
local service only hides a bug), like the one-attempt client of ``make_local_client``; it answers as that
client does. tests/conformance/test_direct_client.py holds it to a botocore client, types included.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.exceptions import OperationNotPageableError, ParamValidationError
from botocore.hooks import EventAliaser, HierarchicalEmitter
from botocore.model import OperationModel, ServiceModel
from botocore.serialize import create_serializer
from botocore.validate import ParamValidator

from simpleflow.localswf.direct_answers import (
    Reader,
    compile_reader,
    has_timestamp,
    parse_error,
    parse_json_body,
    response_metadata,
)
from simpleflow.localswf.direct_model import ClientModel, shared_loader
from simpleflow.localswf.inprocess import CONTENT_TYPE, TARGET_PREFIX, SWFHandler, answer

if TYPE_CHECKING:
    # botocore.paginate imports botocore's docs package (~20 ms): only clients that paginate pay for it.
    from botocore.paginate import Paginator, PaginatorModel

#: What ``make_local_client`` configures, and so what the direct client's answers mirror: one attempt.
ONE_ATTEMPT = {"total_max_attempts": 1, "mode": "standard"}
AFTER_CALL = "after-call"


class AfterCallEvents:
    """``meta.events`` of a direct client: botocore's emitter, for ``after-call`` handlers only.

    ``after-call`` is emitted once per call with botocore's arguments (``http_response``, ``parsed``,
    ``model``, ``context``). Every other botocore event belongs to an HTTP request that does not exist here.
    """

    def __init__(self) -> None:
        self._emitter = EventAliaser(HierarchicalEmitter())
        #: Read without the lock on every call: a stale False only misses a handler being registered.
        self.has_handlers = False
        self._lock = threading.Lock()

    def _check(self, event_name: str) -> None:
        if event_name != AFTER_CALL and not event_name.startswith(AFTER_CALL + "."):
            raise NotImplementedError(
                f"the direct SWF client emits only {AFTER_CALL!r} events, not {event_name!r}: there is "
                "no HTTP request to hook; use embedded_client() for botocore's whole event chain"
            )

    def register(self, event_name: str, handler: Callable[..., Any], **options: Any) -> None:
        """Call ``handler`` after each call matching ``event_name`` (``after-call[.swf[.Operation]]``)."""
        self._check(event_name)
        with self._lock:
            self._emitter.register(event_name, handler, **options)
            self.has_handlers = True

    def register_first(self, event_name: str, handler: Callable[..., Any], **options: Any) -> None:
        """Like :meth:`register`, ahead of the handlers already there."""
        self._check(event_name)
        with self._lock:
            self._emitter.register_first(event_name, handler, **options)
            self.has_handlers = True

    def register_last(self, event_name: str, handler: Callable[..., Any], **options: Any) -> None:
        """Like :meth:`register`, after every other handler."""
        self._check(event_name)
        with self._lock:
            self._emitter.register_last(event_name, handler, **options)
            self.has_handlers = True

    def unregister(self, event_name: str, handler: Callable[..., Any] | None = None, **options: Any) -> None:
        """Remove a handler registered with :meth:`register`."""
        self._check(event_name)
        with self._lock:
            self._emitter.unregister(event_name, handler, **options)

    def emit(self, event_name: str, **kwargs: Any) -> list[tuple[Any, Any]]:
        """Call the handlers of ``event_name``; botocore's ``(handler, response)`` pairs."""
        responses: list[tuple[Any, Any]] = self._emitter.emit(event_name, **kwargs)
        return responses


class DirectMeta:
    """``client.meta``: what callers read of a botocore client's ``meta``."""

    def __init__(self, model: ClientModel, events: AfterCallEvents) -> None:
        self.events = events
        self.config = model.config
        self.region_name: str = model.region_name
        self.endpoint_url: str = model.endpoint_url
        self.service_model: ServiceModel = model.service_model
        self.partition: str = model.partition
        self.method_to_api_mapping: dict[str, str] = dict(model.method_to_api_mapping)


class _AnswerBody:
    """The ``raw`` of the ``AWSResponse`` handed to ``after-call`` handlers."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **kwargs: Any) -> Any:
        yield self.data


class OperationPlan:
    """What the client needs to call one operation, worked out once from the model."""

    def __init__(self, model: OperationModel) -> None:
        self.name = model.name
        self.model = model
        self.target = TARGET_PREFIX + model.name
        self.input_shape = model.input_shape
        self.read_output: Reader | None = (
            None if model.output_shape is None else compile_reader(model.output_shape)
        )
        # Without a timestamp, the validated parameters are already the document botocore's serializer
        # writes (same keys, same order, same values): json.dumps of them is its body, byte for byte.
        self.needs_serializer = self.input_shape is not None and has_timestamp(self.input_shape)
        self.after_call_event = f"after-call.{model.service_model.service_id.hyphenize()}.{model.name}"


class DirectClient:
    """An SWF client calling ``service.handle`` in process, answering exactly as botocore would.

    Build it with :func:`direct_client`, which adds one method per SWF operation (``describe_domain(...)``
    and so on, keyword arguments only, as on boto3's client). ``model`` is what the client answers as (see
    :mod:`~simpleflow.localswf.direct_model`), with a one-attempt retry config (``make_local_client``'s):
    taken from a botocore client, the direct client has that client's service model, config and exception
    classes, so ``except model_client.exceptions.UnknownResourceFault`` catches this client's faults too.
    """

    def __init__(self, service: SWFHandler, *, model: ClientModel) -> None:
        retries = model.config.retries
        if retries != ONE_ATTEMPT:
            raise ValueError(
                f"the direct client makes one attempt per call and answers as a client configured with "
                f"retries={ONE_ATTEMPT}; its model has retries={retries}"
            )
        self._service = service
        self._exceptions = model.exceptions
        self.meta = DirectMeta(model, AfterCallEvents())
        self._validate = model.validates
        self._validator = ParamValidator()
        protocol = self.meta.service_model.resolved_protocol
        self._serializer = create_serializer(protocol, include_validation=False)
        self._plans: dict[str, OperationPlan] = {}
        self._error_readers: dict[str, Reader | None] = {}
        self._paginator_model: PaginatorModel | None = None

    @property
    def exceptions(self) -> Any:
        """The modeled SWF exception classes (``client.exceptions.UnknownResourceFault``, ...)."""
        return self._exceptions

    def __repr__(self) -> str:
        return f"<DirectClient swf on {self._service!r}>"

    # -- calls ------------------------------------------------------------------------------------------

    def _plan(self, operation: str) -> OperationPlan:
        plan = self._plans.get(operation)
        if plan is None:
            # Two threads may both compile a plan: they are equal, and the last one stays.
            plan = self._plans[operation] = OperationPlan(self.meta.service_model.operation_model(operation))
        return plan

    def _request_body(self, plan: OperationPlan, params: dict[str, Any]) -> str | bytes:
        """The JSON document botocore would send for ``params`` (validated first, as botocore does)."""
        if self._validate and plan.input_shape is not None:
            report = self._validator.validate(params, plan.input_shape)
            if report.has_errors():
                raise ParamValidationError(report=report.generate_report())
            if not plan.needs_serializer:
                return json.dumps(params)
        body: bytes = self._serializer.serialize_to_request(params, plan.model)["body"]
        return body

    def make_api_call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run SWF's ``operation`` (``"DescribeDomain"``) with boto3's ``params``, as botocore would."""
        plan = self._plan(operation)
        status, body = answer(
            self._service,
            target=plan.target,
            body=self._request_body(plan, params),
            region=self.meta.region_name,  # as the in-process transport: the client's own region
        )
        headers = {"content-type": CONTENT_TYPE, "content-length": str(len(body))}
        if status < 300:
            document = parse_json_body(body)
            parsed: dict[str, Any] = {} if plan.read_output is None else plan.read_output(document)
            parsed["ResponseMetadata"] = response_metadata(status, headers)
        else:
            parsed = parse_error(status, body, headers, read_modeled=self._error_reader)
        events = self.meta.events
        if events.has_handlers:
            wire_headers = {"Content-Type": CONTENT_TYPE, "Content-Length": headers["content-length"]}
            http_response = AWSResponse(self.meta.endpoint_url, status, wire_headers, _AnswerBody(body))
            events.emit(
                plan.after_call_event,
                http_response=http_response,
                parsed=parsed,
                model=plan.model,
                context={"client_region": self.meta.region_name, "client_config": self.meta.config},
            )
        if status >= 300:
            raise self._exceptions.from_code(parsed["Error"]["Code"])(parsed, operation)
        return parsed

    def _error_reader(self, code: str) -> Reader | None:
        """The reader of the modeled fault ``code`` (botocore adds its fields to the error), or None."""
        if code not in self._error_readers:
            shape = self.meta.service_model.shape_for_error_code(code)
            self._error_readers[code] = None if shape is None else compile_reader(shape)
        return self._error_readers[code]

    # -- botocore client helpers ---------------------------------------------------------------------------

    def can_paginate(self, operation_name: str) -> bool:
        """Whether ``operation_name`` (a method name, ``"list_domains"``) has a botocore paginator."""
        actual = self.meta.method_to_api_mapping.get(operation_name)
        if actual is None:
            return False
        try:
            self._paginators().get_paginator(actual)
        except ValueError:
            return False
        return True

    def get_paginator(self, operation_name: str) -> Paginator:
        """botocore's paginator for ``operation_name``, calling this client's method."""
        if not self.can_paginate(operation_name):
            raise OperationNotPageableError(operation_name=operation_name)
        from botocore.paginate import Paginator

        actual = self.meta.method_to_api_mapping[operation_name]
        return Paginator(
            getattr(self, operation_name),
            self._paginators().get_paginator(actual),
            self.meta.service_model.operation_model(actual),
        )

    def _paginators(self) -> PaginatorModel:
        if self._paginator_model is None:
            from botocore.paginate import PaginatorModel

            model = self.meta.service_model
            # The model's own version, read by path: load_service_model would first list every service's
            # directory for "paginators-1" files (~7 ms) only to check that this one exists. SWF's
            # paginators have no SDK extras to merge.
            path = f"{model.service_name}/{model.api_version}/paginators-1"
            config = shared_loader().load_data(path)
            self._paginator_model = PaginatorModel(config)
        return self._paginator_model

    def get_waiter(self, waiter_name: str) -> Any:
        """SWF defines no waiters: raises botocore's ``ValueError``."""
        raise ValueError(f"Waiter does not exist: {waiter_name}")

    @property
    def waiter_names(self) -> list[str]:
        """SWF defines no waiters."""
        return []

    def close(self) -> None:
        """Nothing to close: the client holds no connection (the service is closed by its owner)."""


def _api_method(py_name: str, operation: str, documentation: str) -> Callable[..., dict[str, Any]]:
    def api_call(self: DirectClient, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args:
            raise TypeError(f"{py_name}() only accepts keyword arguments.")
        return self.make_api_call(operation, kwargs)

    api_call.__name__ = py_name
    api_call.__qualname__ = f"DirectClient.{py_name}"
    api_call.__doc__ = documentation
    return api_call


_client_classes: dict[tuple[str, ...], type[DirectClient]] = {}
_client_classes_lock = threading.Lock()


def direct_client(
    service: SWFHandler, *, model_client: Any = None, model: ClientModel | None = None
) -> DirectClient:
    """A :class:`DirectClient` on ``service``, answering as botocore client ``model_client`` or as ``model``.

    One method per operation of the service model. Give exactly one of ``model_client`` and ``model``.
    """
    if (model_client is None) == (model is None):
        raise TypeError("direct_client() takes exactly one of model_client and model")
    if model is None:
        model = ClientModel.of_client(model_client)
    operations = tuple(model.service_model.operation_names)
    with _client_classes_lock:
        cls = _client_classes.get(operations)
        if cls is None:
            methods = {
                xform_name(name): _api_method(
                    xform_name(name), name, f"Calls SWF's ``{name}`` in process (see boto3's ``swf`` client)."
                )
                for name in operations
            }
            cls = _client_classes[operations] = type("DirectClient", (DirectClient,), methods)
    return cls(service, model=model)
