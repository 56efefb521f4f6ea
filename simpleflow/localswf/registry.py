"""Domains, workflow and activity types, and resource tags."""

from __future__ import annotations

import json
from typing import Any

from simpleflow.localswf.context import Context
from simpleflow.localswf.faults import (
    SWFFault,
    unknown_domain,
    unknown_resource_arn,
    unknown_type,
    validation_error,
)
from simpleflow.localswf.paging import decode_page_token, encode_page_token, page_size
from simpleflow.localswf.region import DEFAULT_REGION
from simpleflow.localswf.runs import dump

REGISTERED = "REGISTERED"
DEPRECATED = "DEPRECATED"
#: The one account of the embedded service, as its ARNs name it.
ACCOUNT_ID = "000000000000"
MAX_RETENTION_DAYS = 90

WORKFLOW_DEFAULTS = (
    "defaultTaskStartToCloseTimeout",
    "defaultExecutionStartToCloseTimeout",
    "defaultTaskList",
    "defaultTaskPriority",
    "defaultChildPolicy",
    "defaultLambdaRole",
)
ACTIVITY_DEFAULTS = (
    "defaultTaskStartToCloseTimeout",
    "defaultTaskHeartbeatTimeout",
    "defaultTaskList",
    "defaultTaskPriority",
    "defaultTaskScheduleToStartTimeout",
    "defaultTaskScheduleToCloseTimeout",
)
KINDS = {"workflow": ("workflowType", WORKFLOW_DEFAULTS), "activity": ("activityType", ACTIVITY_DEFAULTS)}


def domain_arn_prefix(region: str) -> str:
    """What every domain ARN of ``region`` starts with: ``arn:aws:swf:<region>:<account>:/domain/``."""
    return f"arn:aws:swf:{region}:{ACCOUNT_ID}:/domain/"


def domain_arn(name: str, *, region: str) -> str:
    """The ARN of a domain (the only taggable SWF resource) as a client of ``region`` sees it."""
    return domain_arn_prefix(region) + name


def tags_key(name: str) -> str:
    """The key a domain's tags are stored under, whatever region a request names.

    It is the domain's ARN in the default region: the key this service stored tags under before ARNs
    followed the request's region, so databases written then keep their tags.
    """
    return domain_arn(name, region=DEFAULT_REGION)


def require_domain(ctx: Context, name: str, *, registered: bool = True) -> Any:
    """The domain row; UnknownResourceFault if missing (or deprecated, when ``registered``)."""
    row = ctx.domain_row(name)
    if row is None or (registered and row["status"] != REGISTERED):
        raise unknown_domain(name)
    return row


def register_domain(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    name = params["name"]
    retention = params["workflowExecutionRetentionPeriodInDays"]
    if retention != "NONE" and (not retention.isdigit() or int(retention) > MAX_RETENTION_DAYS):
        raise validation_error(f"workflowExecutionRetentionPeriodInDays must be 0 to {MAX_RETENTION_DAYS}")
    if ctx.domain_row(name) is not None:
        raise SWFFault("DomainAlreadyExistsFault", name)
    tags = params.get("tags") or []
    check_tag_count(ctx, len(tags))
    ctx.forget_registry()
    ctx.store.execute(
        "INSERT INTO domains (name, description, status, retention_days, created) VALUES (?, ?, ?, ?, ?)",
        (name, params.get("description"), REGISTERED, retention, ctx.now),
    )
    store_tags(ctx, tags_key(name), tags)
    return {}


def domain_info(row: Any, *, region: str) -> dict[str, Any]:
    info = {"name": row["name"], "status": row["status"], "arn": domain_arn(row["name"], region=region)}
    if row["description"] is not None:
        info["description"] = row["description"]
    return info


def describe_domain(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    row = require_domain(ctx, params["name"], registered=False)
    return {
        "domainInfo": domain_info(row, region=ctx.region),
        "configuration": {"workflowExecutionRetentionPeriodInDays": row["retention_days"]},
    }


def deprecate_domain(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    row = require_domain(ctx, params["name"], registered=False)
    if row["status"] == DEPRECATED:
        raise SWFFault("DomainDeprecatedFault", params["name"])
    ctx.forget_registry()
    ctx.store.execute("UPDATE domains SET status = ? WHERE name = ?", (DEPRECATED, params["name"]))
    return {}


def undeprecate_domain(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    row = require_domain(ctx, params["name"], registered=False)
    if row["status"] == REGISTERED:
        raise SWFFault("DomainAlreadyExistsFault", params["name"])
    ctx.forget_registry()
    ctx.store.execute("UPDATE domains SET status = ? WHERE name = ?", (REGISTERED, params["name"]))
    return {}


def list_domains(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    reverse = bool(params.get("reverseOrder"))
    after = decode_page_token(params.get("nextPageToken"))
    size = page_size(params, ctx.limits)
    sql = "SELECT * FROM domains WHERE status = ?"
    args: list[Any] = [params["registrationStatus"]]
    if after is not None:
        sql += " AND name < ?" if reverse else " AND name > ?"
        args.append(after)
    sql += f" ORDER BY name {'DESC' if reverse else 'ASC'} LIMIT ?"
    rows = ctx.store.rows(sql, [*args, size + 1])
    result: dict[str, Any] = {"domainInfos": [domain_info(row, region=ctx.region) for row in rows[:size]]}
    if len(rows) > size:
        result["nextPageToken"] = encode_page_token(rows[size - 1]["name"])
    return result


def register_type(ctx: Context, params: dict[str, Any], *, kind: str) -> dict[str, Any]:
    require_domain(ctx, params["domain"])
    key = (params["domain"], kind, params["name"], params["version"])
    exists = ctx.store.row(
        "SELECT 1 FROM types WHERE domain = ? AND kind = ? AND name = ? AND version = ?", key
    )
    if exists is not None:
        raise SWFFault("TypeAlreadyExistsFault", f"{kind} type {params['name']} {params['version']}")
    config = {name: params[name] for name in KINDS[kind][1] if params.get(name) is not None}
    ctx.forget_registry()
    ctx.store.execute(
        "INSERT INTO types (domain, kind, name, version, status, description, created, config)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (*key, REGISTERED, params.get("description"), ctx.now, dump(config)),
    )
    return {}


def find_type(ctx: Context, domain: str, *, kind: str, type_ref: dict[str, str]) -> Any:
    """The type row, or None."""
    found = ctx.type_row(domain, kind=kind, name=type_ref["name"], version=type_ref["version"])
    return None if found is None else found[0]


def require_type(ctx: Context, params: dict[str, Any], *, kind: str) -> Any:
    require_domain(ctx, params["domain"])
    type_ref = params[KINDS[kind][0]]
    row = find_type(ctx, params["domain"], kind=kind, type_ref=type_ref)
    if row is None:
        raise unknown_type(kind, name=type_ref["name"], version=type_ref["version"])
    return row


def type_info(row: Any, *, kind: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        KINDS[kind][0]: {"name": row["name"], "version": row["version"]},
        "status": row["status"],
        "creationDate": row["created"],
    }
    if row["description"] is not None:
        info["description"] = row["description"]
    if row["deprecated"] is not None:
        info["deprecationDate"] = row["deprecated"]
    return info


def describe_type(ctx: Context, params: dict[str, Any], *, kind: str) -> dict[str, Any]:
    row = require_type(ctx, params, kind=kind)
    return {"typeInfo": type_info(row, kind=kind), "configuration": json.loads(row["config"])}


def set_type_status(ctx: Context, params: dict[str, Any], *, kind: str, status: str) -> dict[str, Any]:
    row = require_type(ctx, params, kind=kind)
    if row["status"] == status:
        fault = "TypeDeprecatedFault" if status == DEPRECATED else "TypeAlreadyExistsFault"
        raise SWFFault(fault, f"{kind} type {row['name']} {row['version']} is already {status}")
    ctx.forget_registry()
    ctx.store.execute(
        "UPDATE types SET status = ?, deprecated = ?"
        " WHERE domain = ? AND kind = ? AND name = ? AND version = ?",
        (status, ctx.now if status == DEPRECATED else None, row["domain"], kind, row["name"], row["version"]),
    )
    return {}


def delete_type(ctx: Context, params: dict[str, Any], *, kind: str) -> dict[str, Any]:
    row = require_type(ctx, params, kind=kind)
    if row["status"] != DEPRECATED:
        raise SWFFault(
            "TypeNotDeprecatedFault", f"{kind} type {row['name']} {row['version']} is not deprecated"
        )
    ctx.forget_registry()
    ctx.store.execute(
        "DELETE FROM types WHERE domain = ? AND kind = ? AND name = ? AND version = ?",
        (row["domain"], kind, row["name"], row["version"]),
    )
    return {}


def list_types(ctx: Context, params: dict[str, Any], *, kind: str) -> dict[str, Any]:
    require_domain(ctx, params["domain"], registered=False)
    reverse = bool(params.get("reverseOrder"))
    after = decode_page_token(params.get("nextPageToken"))
    size = page_size(params, ctx.limits)
    sql = "SELECT * FROM types WHERE domain = ? AND kind = ? AND status = ?"
    args: list[Any] = [params["domain"], kind, params["registrationStatus"]]
    if params.get("name"):
        sql += " AND name = ?"
        args.append(params["name"])
    if after is not None:
        sql += " AND (name, version) < (?, ?)" if reverse else " AND (name, version) > (?, ?)"
        args.extend(after)
    order = "DESC" if reverse else "ASC"
    rows = ctx.store.rows(f"{sql} ORDER BY name {order}, version {order} LIMIT ?", [*args, size + 1])
    result: dict[str, Any] = {"typeInfos": [type_info(row, kind=kind) for row in rows[:size]]}
    if len(rows) > size:
        result["nextPageToken"] = encode_page_token([rows[size - 1]["name"], rows[size - 1]["version"]])
    return result


def check_tag_count(ctx: Context, count: int) -> None:
    if count > ctx.limits.max_resource_tags:
        raise SWFFault("TooManyTagsFault", f"A resource can have at most {ctx.limits.max_resource_tags} tags")


def store_tags(ctx: Context, arn: str, tags: list[dict[str, str]]) -> None:
    for tag in tags:
        ctx.store.execute(
            "INSERT OR REPLACE INTO resource_tags (arn, tag_key, tag_value) VALUES (?, ?, ?)",
            (arn, tag["key"], tag.get("value")),
        )


def require_tagged_domain(ctx: Context, arn: str) -> str:
    """The key of the tags of the domain ``arn`` names; the ARN must be of the request's region, as on
    SWF, where each region is its own service."""
    prefix = domain_arn_prefix(ctx.region)
    if not arn.startswith(prefix):
        raise unknown_resource_arn(arn)
    name = arn[len(prefix) :]
    require_domain(ctx, name, registered=False)
    return tags_key(name)


def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    key = require_tagged_domain(ctx, params["resourceArn"])
    existing = {
        row["tag_key"] for row in ctx.store.rows("SELECT tag_key FROM resource_tags WHERE arn = ?", (key,))
    }
    check_tag_count(ctx, len(existing | {tag["key"] for tag in params["tags"]}))
    store_tags(ctx, key, params["tags"])
    return {}


def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    key = require_tagged_domain(ctx, params["resourceArn"])
    for tag_key in params["tagKeys"]:
        ctx.store.execute("DELETE FROM resource_tags WHERE arn = ? AND tag_key = ?", (key, tag_key))
    return {}


def list_tags_for_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    key = require_tagged_domain(ctx, params["resourceArn"])
    rows = ctx.store.rows(
        "SELECT tag_key, tag_value FROM resource_tags WHERE arn = ? ORDER BY tag_key", (key,)
    )
    tags = []
    for row in rows:
        tag = {"key": row["tag_key"]}
        if row["tag_value"] is not None:
            tag["value"] = row["tag_value"]
        tags.append(tag)
    return {"tags": tags}
