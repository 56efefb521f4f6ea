"""Options shared by the commands that talk to SWF: the domain (positional or ``--domain``) and the client.

simpleflow took the domain as the first positional argument of some commands and as ``--domain`` on
others. Here every such command accepts both, plus ``SWF_DOMAIN``:

- ``--domain D`` on the command line: the positional arguments never include a domain;
- otherwise a leading DOMAIN is recognised by the number of arguments (``workflow.info D WF RUN``);
- when the count fits both readings (``workflow.info A B``), ``A`` is the domain only if
  ``SWF_DOMAIN`` is unset or equals ``A``; else ``A B`` are the workflow id and run id.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from simpleflow.exceptions import ConfigurationError
from simpleflow.swf import make_client
from simpleflow.swf.client import SWFClient

F = TypeVar("F", bound=Callable[..., Any])

DOMAIN_ENVVAR = "SWF_DOMAIN"
DEBUG_ENVVAR = "SIMPLEFLOW_DEBUG"


def split_domain(
    given: Sequence[str],
    *,
    names: Sequence[str],
    optional: Sequence[str],
    domain: str | None,
    domain_from_command_line: bool,
) -> tuple[str, dict[str, str | None]]:
    """Read ``given`` positional arguments as ``[DOMAIN] names... [optional...]``.

    Returns the domain and a mapping of every name (optional ones None when absent). Raises
    ConfigurationError when no domain is known or the count fits no reading.
    """
    least, most = len(names), len(names) + len(optional)
    fits_without = least <= len(given) <= most
    fits_with = least + 1 <= len(given) <= most + 1
    usage = " ".join(["[DOMAIN]", *(n.upper() for n in names), *(f"[{n.upper()}]" for n in optional)])
    values = list(given)
    if domain_from_command_line:
        if not fits_without:
            raise ConfigurationError(
                f"expected {usage} (domain given by --domain), got {len(given)} argument(s)"
            )
    elif fits_with and (not fits_without or domain is None or given[0] == domain):
        domain, values = values[0], values[1:]
    elif not fits_without:
        raise ConfigurationError(f"expected {usage}, got {len(given)} argument(s)")
    if not domain:
        raise ConfigurationError(f"no domain given: pass DOMAIN or --domain, or set {DOMAIN_ENVVAR}")
    all_names = [*names, *optional]
    padded: list[str | None] = [*values, *([None] * (len(all_names) - len(values)))]
    return domain, dict(zip(all_names, padded, strict=True))


def _arguments_metavar(names: Sequence[str], optional: Sequence[str]) -> str:
    return " ".join(["[DOMAIN]", *(n.upper() for n in names), *(f"[{n.upper()}]" for n in optional)])


def domain_arguments(*names: str, optional: Sequence[str] = ()) -> Callable[[F], F]:
    """``[DOMAIN] NAMES... [OPTIONAL...]`` positionals plus ``--domain`` (``SWF_DOMAIN``).

    The decorated function receives ``domain`` and one keyword per name, already resolved (see the
    module docstring for how a leading DOMAIN is told apart).
    """

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def resolved(*args: Any, positionals: tuple[str, ...], domain: str | None, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            domain_value, values = split_domain(
                positionals,
                names=names,
                optional=optional,
                domain=domain,
                domain_from_command_line=ctx.get_parameter_source("domain") is ParameterSource.COMMANDLINE,
            )
            return command(*args, domain=domain_value, **values, **kwargs)

        wrapper: Any = click.argument(
            "positionals",
            nargs=-1,
            metavar=_arguments_metavar(names, optional),
            shell_complete=complete_domain_or_workflow_id if names[:1] == ("workflow_id",) else None,
        )(resolved)
        wrapper = click.option(
            "--domain",
            envvar=DOMAIN_ENVVAR,
            show_envvar=True,
            help="SWF domain (instead of the positional DOMAIN).",
        )(wrapper)
        return endpoint_option(wrapper)

    return decorate


#: How many executions completion offers at most (the most recently started first).
COMPLETION_LIMIT = 100


def complete_domain_or_workflow_id(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of the positionals: the registered domains while no domain is known, then the
    workflow ids of the domain's open executions and of those closed in the last day, newest first.

    One attempt, no retries: completion answers at once or offers nothing, never a traceback.
    """
    try:
        from datetime import datetime, timedelta, timezone

        domain = ctx.params.get("domain") or os.environ.get(DOMAIN_ENVVAR)
        given: tuple[str, ...] = ctx.params.get("positionals") or ()
        client = make_client(endpoint_url=given_endpoint_url(ctx), max_attempts=1)
        if not domain and not given:
            pages = client.get_paginator("list_domains").paginate(registrationStatus="REGISTERED")
            names = [info["name"] for page in pages for info in page.get("domainInfos", [])]
            return sorted(name for name in names if name.startswith(incomplete))
        domain = domain or given[0]
        query = {
            "domain": domain,
            "startTimeFilter": {"oldestDate": datetime.now(timezone.utc) - timedelta(days=1)},
            "maximumPageSize": COMPLETION_LIMIT,
        }
        found = client.list_open_workflow_executions(**query).get("executionInfos", [])
        found += client.list_closed_workflow_executions(**query).get("executionInfos", [])
    except Exception:  # no service, no credentials, a typo in the domain: nothing to offer
        return []
    ids = dict.fromkeys(info["execution"]["workflowId"] for info in found)
    return [workflow_id for workflow_id in ids if workflow_id.startswith(incomplete)]


def _store_endpoint(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        root = ctx.find_root()
        root.ensure_object(dict)
        root.obj["endpoint_url"] = value


def endpoint_option(command: F) -> F:
    """``--endpoint-url``: the SWF endpoint (default: boto3's ``AWS_ENDPOINT_URL_SWF``, else AWS)."""
    return click.option(
        "--endpoint-url",
        metavar="URL",
        expose_value=False,
        callback=_store_endpoint,
        help="SWF endpoint, e.g. the embedded service's http://127.0.0.1:PORT "
        "(default: AWS_ENDPOINT_URL_SWF, else Amazon SWF).",
    )(command)


def given_endpoint_url(ctx: click.Context | None = None) -> str | None:
    """The ``--endpoint-url`` of this invocation (of the current click context by default), or None."""
    root = (ctx or click.get_current_context()).find_root()
    return (root.obj or {}).get("endpoint_url")


def swf_client(ctx: click.Context) -> SWFClient:
    """The boto3 ``swf`` client of this invocation, made once (tests may put one in ``obj``)."""
    root = ctx.find_root()
    root.ensure_object(dict)
    client = root.obj.get("swf_client")
    if client is None:
        client = make_client(endpoint_url=root.obj.get("endpoint_url"))
        root.obj["swf_client"] = client
    return client


def _store_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        root = ctx.find_root()
        root.ensure_object(dict)
        root.obj["debug"] = True


def debug_option(*, from_environment: bool = False) -> Any:
    """``--debug``: tracebacks instead of one-line errors, on ``main`` and (added by it) on every command.

    Only ``main`` reads ``SIMPLEFLOW_DEBUG`` (``from_environment``); either place turns it on.
    """
    return click.Option(
        ["--debug"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        envvar=DEBUG_ENVVAR if from_environment else None,
        show_envvar=from_environment,
        callback=_store_debug,
        help="Show tracebacks instead of one-line errors.",
    )


def is_debug(ctx: click.Context) -> bool:
    """Whether ``--debug`` (or ``SIMPLEFLOW_DEBUG``) was given anywhere on the command line."""
    obj = ctx.find_root().obj
    return bool(obj and obj.get("debug"))


def log_format_option(command: F) -> F:
    """``--log-format text|json`` (``SIMPLEFLOW_LOG_FORMAT``): this process's and its children's log lines."""

    def apply(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            from simpleflow.observability.process_logging import configure_logging

            configure_logging(log_format=value)

    return click.option(
        "--log-format",
        type=click.Choice(["text", "json"]),
        envvar="SIMPLEFLOW_LOG_FORMAT",
        show_envvar=True,
        expose_value=False,
        callback=apply,
        help="Log lines as text (default), or as one JSON object per line; spawned processes follow.",
    )(command)


def metrics_port_option(*, multiprocess: bool) -> Callable[[F], F]:
    """``--metrics-port PORT``: serve Prometheus metrics on 127.0.0.1:PORT (needs the [metrics] extra).

    ``multiprocess``: the command's work runs in child processes (a supervisor's pollers), which must be
    started after the option is read.
    """

    def apply(ctx: click.Context, param: click.Parameter, value: int | None) -> None:
        if value is not None:
            from simpleflow.observability.metrics import serve_metrics

            serve_metrics(value, multiprocess=multiprocess)

    def decorate(command: F) -> F:
        return click.option(
            "--metrics-port",
            type=click.IntRange(1, 65535),
            metavar="PORT",
            expose_value=False,
            callback=apply,
            help="Serve Prometheus metrics at http://127.0.0.1:PORT/metrics "
            "(pip install 'simpleflow[metrics]').",
        )(command)

    return decorate
