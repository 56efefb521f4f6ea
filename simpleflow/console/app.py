"""The console as a WSGI application: routes, request checks, and pages rendered from templates.

Pages (GET): ``/`` (domains), ``/executions`` (one domain's executions), ``/execution`` (a run's
overview), ``/execution/tasks``, ``/execution/timeline``, ``/execution/history``, ``/execution/confirm``
(the confirmation form of an action) and ``/execution/state`` (JSON for the page's refresh).
Actions (POST): ``/execution/act``. Every value from SWF goes through Jinja2's autoescaping; the one
markup inserted as is, the timeline's SVG, is escaped by its renderer. The Content-Security-Policy allows
only the console's own script and style, so even a value that slipped through could not run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode

from simpleflow.console import actions, history_page, listing, overview, picture
from simpleflow.console.errors import ConsoleRequestError, ConsoleUnavailable
from simpleflow.console.security import TOKEN_COOKIE, Guard
from simpleflow.exceptions import SimpleflowError, UnknownResource
from simpleflow.inspection.timeline import format_duration
from simpleflow.payload import PayloadStore
from simpleflow.swf.client import SWFClient

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
FORM_LIMIT = 200_000
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
]
NOTICES = {
    "signaled": "Signal sent.",
    "cancel-requested": "Cancel requested: the workflow's decider decides how to stop.",
    "terminated": "Execution terminated.",
    "restarted": "Restarted: this is the new run.",
}
#: How often an open execution's page checks for news, in seconds (also the no-JavaScript refresh).
REFRESH_SECONDS = 3


def _jinja_environment() -> Any:
    try:
        import jinja2
    except ImportError:
        raise ConsoleUnavailable("jinja2") from None
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("simpleflow.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = _when
    environment.filters["duration"] = lambda seconds: "" if seconds is None else format_duration(seconds)
    environment.globals["qs"] = _query_string
    return environment


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    moment = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _query_string(**params: Any) -> str:
    return urlencode({key: value for key, value in params.items() if value not in (None, "", False)})


class Request:
    """What the console reads of a WSGI request."""

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self.method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        self.path = str(environ.get("PATH_INFO", "/")) or "/"
        self.params = dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
        self.headers: dict[str, str | None] = {
            "host": environ.get("HTTP_HOST"),
            "origin": environ.get("HTTP_ORIGIN"),
            "referer": environ.get("HTTP_REFERER"),
            "cookie": environ.get("HTTP_COOKIE"),
            "authorization": environ.get("HTTP_AUTHORIZATION"),
        }
        self._environ = environ

    def form(self) -> dict[str, str]:
        """The urlencoded body of a POST (bounded: a console form is small)."""
        content_type = str(self._environ.get("CONTENT_TYPE", ""))
        if not content_type.startswith("application/x-www-form-urlencoded"):
            raise ConsoleRequestError(
                "an action is a form post (application/x-www-form-urlencoded)", status=415
            )
        try:
            length = int(self._environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ConsoleRequestError("bad Content-Length") from None
        if length > FORM_LIMIT:
            raise ConsoleRequestError(f"the form is larger than {FORM_LIMIT} bytes", status=413)
        body = self._environ["wsgi.input"].read(length).decode("utf-8", errors="replace")
        return dict(parse_qsl(body, keep_blank_values=True))


class Response:
    """A status, extra headers and a body."""

    def __init__(
        self, body: str | bytes, *, status: int = 200, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.status = status
        self.headers: list[tuple[str, str]] = [("Content-Type", content_type)]

    @classmethod
    def redirect(cls, location: str) -> Response:
        response = cls(b"", status=303)
        response.headers.append(("Location", location))
        return response


_REASONS = {200: "OK", 303: "See Other", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}
_REASONS |= {404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large"}
_REASONS |= {415: "Unsupported Media Type", 421: "Misdirected Request", 502: "Bad Gateway"}


class ConsoleApp:
    """The console over ``client``; ``default_domain`` is where ``/`` leads when given.

    ``store`` decodes out-of-band values (None: they are shown as references, with why).
    """

    def __init__(
        self,
        client: SWFClient,
        guard: Guard,
        *,
        default_domain: str | None = None,
        store: PayloadStore | None = None,
        endpoint_label: str = "Amazon SWF",
    ) -> None:
        self.client = client
        self.guard = guard
        self.default_domain = default_domain
        self.store = store
        self.endpoint_label = endpoint_label
        self.templates = _jinja_environment()
        self._routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", "/"): self.domains_page,
            ("GET", "/executions"): self.executions_page,
            ("GET", "/execution"): self.execution_page,
            ("GET", "/execution/tasks"): self.tasks_page,
            ("GET", "/execution/timeline"): self.timeline_page,
            ("GET", "/execution/history"): self.history_page,
            ("GET", "/execution/confirm"): self.confirm_page,
            ("GET", "/execution/state"): self.state_json,
            ("POST", "/execution/act"): self.act,
        }

    # -- WSGI ---------------------------------------------------------------------------------------

    def __call__(self, environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._respond(request)
        except ConsoleRequestError as error:
            response = self._error(request, error.message, status=error.status)
        except UnknownResource as error:
            response = self._error(request, str(error), status=404)
        except SimpleflowError as error:
            response = self._error(request, str(error), status=502)
        except Exception:
            logger.exception("console: %s %s failed", request.method, request.path)
            response = self._error(request, "internal error (see the console's log)", status=500)
        headers = response.headers + SECURITY_HEADERS + [("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {_REASONS.get(response.status, 'Error')}", headers)
        return [response.body]

    def _respond(self, request: Request) -> Response:
        self.guard.check_host(request.headers["host"])
        query_token = request.params.pop("token", None)
        if not self.guard.is_authorized(
            cookie_header=request.headers["cookie"],
            authorization=request.headers["authorization"],
            query_token=query_token,
        ):
            raise ConsoleRequestError(
                "this console needs its access token: open the link it printed at start-up", status=401
            )
        if query_token is not None:
            # The token goes into a cookie once and out of the address bar (and of history and logs).
            response = Response.redirect(
                request.path + ("?" + urlencode(request.params) if request.params else "")
            )
            response.headers.append(
                ("Set-Cookie", f"{TOKEN_COOKIE}={query_token}; Path=/; HttpOnly; SameSite=Strict")
            )
            return response
        if request.path.startswith("/static/") and request.method == "GET":
            return self._static(request.path.removeprefix("/static/"))
        handler = self._routes.get((request.method, request.path))
        if handler is None:
            if any(path == request.path for _, path in self._routes):
                raise ConsoleRequestError(f"{request.method} is not allowed here", status=405)
            raise ConsoleRequestError(f"no page at {request.path}", status=404)
        return handler(request)

    def _static(self, name: str) -> Response:
        suffix = name[name.rfind(".") :] if "." in name else ""
        if "/" in name or name.startswith(".") or suffix not in STATIC_TYPES:
            raise ConsoleRequestError(f"no asset {name!r}", status=404)
        asset = resources.files("simpleflow.console").joinpath("static").joinpath(name)
        if not asset.is_file():
            raise ConsoleRequestError(f"no asset {name!r}", status=404)
        response = Response(asset.read_bytes(), content_type=STATIC_TYPES[suffix])
        return response

    def _render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        page = self.templates.get_template(template).render(
            guard=self.guard,
            endpoint_label=self.endpoint_label,
            default_domain=self.default_domain,
            refresh_seconds=REFRESH_SECONDS,
            **context,
        )
        return Response(page, status=status)

    def _error(self, request: Request, message: str, *, status: int) -> Response:
        if request.path == "/execution/state":
            response = Response(
                json.dumps({"error": message}), status=status, content_type="application/json"
            )
            return response
        return self._render("error.html", status=status, message=message, status_code=status, refresh=False)

    # -- pages --------------------------------------------------------------------------------------

    def _domain(self, request: Request) -> str:
        domain = request.params.get("domain") or self.default_domain
        if not domain:
            raise ConsoleRequestError("no domain given (?domain=NAME)")
        return domain

    def domains_page(self, request: Request) -> Response:
        if self.default_domain and "all" not in request.params:
            return Response.redirect("/executions?" + _query_string(domain=self.default_domain))
        return self._render("domains.html", domains=listing.list_domains(self.client), refresh=False)

    def executions_page(self, request: Request) -> Response:
        domain = self._domain(request)
        query = listing.ExecutionQuery.from_params(request.params)
        page = listing.list_executions(self.client, domain, query=query)
        return self._render(
            "executions.html",
            domain=domain,
            query=query,
            page=page,
            statuses=listing.STATUSES,
            close_statuses=listing.CLOSE_STATUSES,
            params={key: value for key, value in request.params.items() if key != "page"},
            refresh=False,
        )

    def _overview(self, request: Request) -> overview.Overview:
        workflow_id = request.params.get("workflow_id")
        if not workflow_id:
            raise ConsoleRequestError("no execution given (?workflow_id=ID&run_id=RUN)")
        return overview.load_overview(
            self.client,
            self._domain(request),
            workflow_id=workflow_id,
            run_id=request.params.get("run_id") or None,
            store=self.store,
        )

    def _execution_context(self, request: Request, tab: str) -> dict[str, Any]:
        summary = self._overview(request)
        execution = summary.execution
        return {
            "domain": execution.domain,
            "summary": summary,
            "execution": execution,
            "tab": tab,
            "refresh": summary.is_open,
            "run_query": _query_string(
                domain=execution.domain, workflow_id=execution.workflow_id, run_id=execution.run_id
            ),
        }

    def execution_page(self, request: Request) -> Response:
        context = self._execution_context(request, "overview")
        return self._render("execution.html", notice=NOTICES.get(request.params.get("notice", "")), **context)

    def tasks_page(self, request: Request) -> Response:
        context = self._execution_context(request, "tasks")
        found = picture.collect(context["execution"])
        return self._render("tasks.html", found=found, notice=None, **context)

    def timeline_page(self, request: Request) -> Response:
        context = self._execution_context(request, "timeline")
        execution = context["execution"]
        found = picture.collect(execution)
        svg = picture.timeline_svg(found, title=f"{execution.workflow_id} {execution.run_id}")
        from markupsafe import Markup

        # Markup: the renderer escapes every value it draws (tested with hostile ids and reasons).
        return self._render("timeline.html", svg=Markup(svg), found=found, notice=None, **context)

    def history_page(self, request: Request) -> Response:
        context = self._execution_context(request, "history")
        query = history_page.HistoryQuery.from_params(request.params)
        page = history_page.load_history(context["execution"], query)
        params = {key: value for key, value in request.params.items() if key != "page"}
        return self._render(
            "history.html",
            query=query,
            page=page,
            params=params,
            event_types=history_page.event_types(),
            notice=None,
            **context,
        )

    def confirm_page(
        self,
        request: Request,
        *,
        form: Mapping[str, str] | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        action = (form or request.params).get("action", "")
        if action not in actions.ACTIONS:
            raise ConsoleRequestError(f"unknown action {action!r}", status=404)
        if self.guard.read_only:
            raise ConsoleRequestError("this console is read-only (--read-only): actions are off", status=403)
        context = self._execution_context(request, "overview")
        return self._render(
            "confirm.html",
            status=status,
            action=action,
            form=form or {},
            error=error,
            notice=None,
            **{**context, "refresh": False, "tab": "confirm"},
        )

    def state_json(self, request: Request) -> Response:
        workflow_id, run_id = request.params.get("workflow_id"), request.params.get("run_id")
        if not workflow_id or not run_id:
            raise ConsoleRequestError("state needs workflow_id and run_id")
        state = overview.execution_state(
            self.client, self._domain(request), workflow_id=workflow_id, run_id=run_id
        )
        return Response(json.dumps(state), content_type="application/json")

    def act(self, request: Request) -> Response:
        form = request.form()
        self.guard.check_action(form, headers=request.headers)
        domain = form.get("domain") or ""
        request.params = {
            "domain": domain,
            "workflow_id": form.get("workflow_id", ""),
            "run_id": form.get("run_id", ""),
        }
        try:
            outcome = actions.perform(self.client, domain, action=form.get("action", ""), form=form)
        except ConsoleRequestError as error:
            if error.status == 404 or not form.get("workflow_id"):
                raise
            # The form comes back with what was typed in it, and the reason it was refused.
            return self.confirm_page(request, form=form, error=error.message, status=error.status)
        except SimpleflowError as error:
            return self.confirm_page(request, form=form, error=str(error), status=409)
        return Response.redirect(
            "/execution?"
            + _query_string(
                domain=domain, workflow_id=outcome.workflow_id, run_id=outcome.run_id, notice=outcome.notice
            )
        )
