"""``simpleflow payloads.gc``: delete out-of-band payloads that no open execution references."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import click

from simpleflow.cli.options import endpoint_option, swf_client
from simpleflow.cli.rendering import check_output_format, emit, output_options
from simpleflow.exceptions import ConfigurationError

COLUMNS = ("reference", "size", "modified", "action")
PAGE_SIZE = 100


@click.command("payloads.gc")
@click.option(
    "--store",
    "store_url",
    required=True,
    metavar="URL",
    help="The payload store to clean: file:///path or s3://bucket/prefix.",
)
@click.option(
    "--older-than",
    type=click.FloatRange(min=0),
    required=True,
    metavar="DAYS",
    help="Only payloads last written more than DAYS days ago (fractions allowed).",
)
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@click.option(
    "--domain",
    "domains",
    multiple=True,
    metavar="D",
    help="Scan the open executions of domain D (repeatable; default: every registered domain).",
)
@endpoint_option
@output_options()
@click.pass_context
def payloads_gc(
    ctx: click.Context, store_url: str, older_than: float, dry_run: bool, domains: tuple[str, ...]
) -> None:
    """Delete stored payloads older than DAYS that no open execution references.

    It lists the store's payloads older than DAYS, then reads the whole history of every open execution
    of the domains (all registered domains unless --domain is given) for payload references, and deletes
    the old payloads none of them references. A summary of what was scanned goes to stderr; the table of
    payloads (--format) to stdout. Executions in other domains, or in other SWF regions or accounts
    sharing the store, are not seen: name every domain that uses the store, or keep DAYS above your
    longest execution. An S3 lifecycle rule expiring the prefix after N days is an alternative for
    S3 stores (see README).

    \b
    Example:
        simpleflow payloads.gc --store s3://my-bucket/payloads --older-than 30 --dry-run
        simpleflow payloads.gc --store file:///var/lib/simpleflow/payloads --older-than 7 --domain prod
    """
    from simpleflow.storage import ContentAddressedStore, open_store
    from simpleflow.storage.filesystem import FileSystemStore
    from simpleflow.storage.garbage import find_garbage, scan_open_executions
    from simpleflow.swf.querysets import DomainQuerySet

    check_output_format(ctx)
    store = open_store(store_url, cache_bytes=0)
    if not isinstance(store, ContentAddressedStore):  # pragma: no cover - every shipped store is
        raise ConfigurationError(f"{store_url}: this store cannot list its payloads")
    if isinstance(store, FileSystemStore) and not store.root.is_dir():
        # A typo in the path would otherwise report "deleted 0", as if the store were clean.
        problem = "is not a directory" if store.root.exists() else "does not exist"
        raise ConfigurationError(f"--store {store_url}: {store.root} {problem}; no payload store there")
    # Old payloads are listed before the histories are read: one written or re-sent meanwhile is too new.
    candidates = find_garbage(store, older_than=datetime.timedelta(days=older_than))
    client = swf_client(ctx)
    scanned_domains = list(domains) or [domain.name for domain in DomainQuerySet(client).filter()]
    scan = scan_open_executions(client, scanned_domains)
    click.echo(scan, err=True)
    garbage = [stored for stored in candidates if stored.digest not in scan.digests]
    kept = len(candidates) - len(garbage)
    action = "would delete" if dry_run else "deleted"

    def pages() -> Iterator[list[list[object]]]:
        # Deleted a page at a time, each shown once gone, so an interrupted run says what it did.
        for start in range(0, len(garbage), PAGE_SIZE):
            page = garbage[start : start + PAGE_SIZE]
            if not dry_run:
                for stored in page:
                    store.delete(stored.reference)
            yield [[stored.reference, stored.size, stored.modified, action] for stored in page]

    emit(ctx, COLUMNS, pages())
    total = sum(stored.size for stored in garbage)
    summary = f"{action} {len(garbage)} payload(s), {total} bytes, older than {older_than:g} day(s)"
    summary += f" in {store.url}; {kept} old payload(s) kept: referenced by an open execution"
    if dry_run and garbage:
        summary += "; run again without --dry-run to delete them"
    click.echo(summary, err=True)
