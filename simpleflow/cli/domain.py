"""``simpleflow domain.register`` and ``domain.list``: useful on Amazon SWF and the embedded service alike.

The SWF models are imported when a command runs, not when ``simpleflow`` lists its commands.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from simpleflow.cli.options import endpoint_option, swf_client
from simpleflow.cli.rendering import Page, check_output_format, emit, output_options
from simpleflow.swf.client import swf_errors

DOMAIN_COLUMNS = ["name", "status", "description"]


@click.command("domain.register")
@click.argument("name")
@click.option(
    "--retention",
    type=click.IntRange(min=0, max=90),
    default=30,
    show_default=True,
    metavar="DAYS",
    help="Days SWF keeps closed executions (0 to 90).",
)
@click.option("--description", help="A description of the domain.")
@endpoint_option
@click.pass_context
def domain_register(ctx: click.Context, name: str, retention: int, description: str | None) -> None:
    """Register the domain NAME.

    \b
    Example:
        simpleflow domain.register TestDomain --retention 7
    """
    from simpleflow.swf.models import Domain

    Domain(name, retention_period_days=str(retention), description=description, client=swf_client(ctx)).save()
    click.echo(f"registered domain {name} (retention {retention} days)")


@click.command("domain.list")
@click.option(
    "--status",
    type=click.Choice(["registered", "deprecated"], case_sensitive=False),
    default="registered",
    show_default=True,
    help="Domains to list.",
)
@endpoint_option
@output_options()
@click.pass_context
def domain_list(ctx: click.Context, status: str) -> None:
    """List the domains, page by page.

    \b
    Example:
        simpleflow domain.list --format csv
    """
    check_output_format(ctx)
    client = swf_client(ctx)

    def pages() -> Iterator[Page]:
        paginator = client.get_paginator("list_domains")
        with swf_errors("ListDomains"):
            for page in paginator.paginate(registrationStatus=status.upper()):
                yield [
                    [info["name"], info["status"], info.get("description")]
                    for info in page.get("domainInfos", [])
                ]

    emit(ctx, DOMAIN_COLUMNS, pages())
