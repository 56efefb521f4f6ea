"""``ClientModel``: the botocore pieces a direct client answers with, from a botocore client or without one.

A :class:`~simpleflow.localswf.direct.DirectClient` sends nothing through botocore, but it answers as a
botocore ``swf`` client would, so it needs that client's service model, exception classes, config and
``meta`` facts. :meth:`ClientModel.of_client` takes them from a botocore client (the differential tests do,
so both sides raise the very same exception classes). :func:`local_client_model` builds them from
botocore's own loader and error factory, the way botocore's session does for a new client, without
creating one: a ``--local`` run then never imports ``botocore.session`` and ``botocore.client`` (their
waiters and docs modules), nor resolves endpoint rules and user-agent metadata for a client it never
calls. That is about 40 ms of the run's fixed cost (benchmarks/bench_local_trivial.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.config import Config
from botocore.errorfactory import ClientExceptionsFactory
from botocore.loaders import Loader, create_loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidationDecorator

from simpleflow.localswf import validation

SERVICE_NAME = "swf"
#: AWS partitions by region prefix (botocore's endpoint data); every other region is in ``aws``.
PARTITIONS_BY_PREFIX = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"))


@dataclass(frozen=True)
class ClientModel:
    """What a direct client takes from a botocore ``swf`` client."""

    service_model: ServiceModel
    #: ``client.exceptions``: the modeled fault classes (subclasses of botocore's ``ClientError``).
    exceptions: Any
    config: Config
    region_name: str
    endpoint_url: str
    partition: str
    method_to_api_mapping: dict[str, str]
    #: Whether botocore would validate parameters (``Config(parameter_validation=...)``).
    validates: bool

    @classmethod
    def of_client(cls, client: Any) -> ClientModel:
        """The model of botocore client ``client``: its very service model, exceptions and config."""
        meta = client.meta
        return cls(
            service_model=meta.service_model,
            exceptions=client.exceptions,
            config=meta.config,
            region_name=meta.region_name,
            endpoint_url=meta.endpoint_url,
            partition=meta.partition,
            method_to_api_mapping=dict(meta.method_to_api_mapping),
            # botocore resolves parameter_validation (config, then profile) into its serializer and keeps
            # no flag of it: meta.config always says True. The serializer's type is the resolved setting.
            validates=isinstance(getattr(client, "_serializer", None), ParamValidationDecorator),
        )


def partition_of(region_name: str) -> str:
    """The AWS partition of ``region_name`` (``aws``, ``aws-cn``, ``aws-us-gov``)."""
    return next((name for prefix, name in PARTITIONS_BY_PREFIX if region_name.startswith(prefix)), "aws")


@functools.cache
def shared_loader() -> Loader:
    """One botocore loader for the process: it caches what it lists and reads (its first model load lists
    every service's directory, a few milliseconds that a second loader would spend again)."""
    return create_loader()


def local_client_model(*, config: Config, endpoint_url: str, region_name: str) -> ClientModel:
    """The model of a botocore ``swf`` client made with ``config`` for ``endpoint_url`` in ``region_name``.

    As botocore's session builds one: one exception class per error shape, one method per operation
    named by ``xform_name``. The service model is the one the embedded service validates requests with
    (:func:`~simpleflow.localswf.validation.service_model`, botocore's own data, loaded once per process):
    a local client answers as the service it talks to. ``config`` is kept as given (a botocore client's
    ``meta.config`` holds the same options merged with botocore's defaults).
    """
    service_model = validation.service_model()
    return ClientModel(
        service_model=service_model,
        exceptions=ClientExceptionsFactory().create_client_exceptions(service_model),
        config=config,
        region_name=region_name,
        endpoint_url=endpoint_url,
        partition=next(
            (name for prefix, name in PARTITIONS_BY_PREFIX if region_name.startswith(prefix)), "aws"
        ),
        method_to_api_mapping={xform_name(name): name for name in service_model.operation_names},
        validates=config.parameter_validation is not False,
    )
