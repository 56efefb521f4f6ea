"""Turning command-line arguments into values: workflow input JSON and workflow classes by dotted path.

Both are where users make typing mistakes, so every failure here is a :class:`ConfigurationError`
(one line, exit code 2) that says what was given and what was expected.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from simpleflow.exceptions import ConfigurationError, WorkflowImportError

if TYPE_CHECKING:
    from simpleflow.process.middleware import Middlewares
    from simpleflow.workflow import Workflow

F = TypeVar("F", bound=Callable[..., Any])


def add_working_directory_to_path() -> None:
    """Let ``examples.basic.BasicWorkflow`` import from a checkout, as users expect.

    A console script's ``sys.path`` starts with the script's directory, not the current one, so without
    this a module next to the user is not importable (a classic trip-up with simpleflow 0.x).
    """
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


def read_input(input_text: str | None, input_file: str | None) -> Any:
    """The workflow input given as ``--input JSON`` or ``--input-file PATH`` (``-`` for stdin).

    Returns the decoded JSON value, or ``None`` when neither is given. Raises ConfigurationError when
    both are given, the file cannot be read, or the text is not JSON.
    """
    if input_text is not None and input_file is not None:
        raise ConfigurationError("give --input or --input-file, not both")
    if input_file is not None:
        source = "--input-file" if input_file == "-" else f"--input-file {input_file}"
        try:
            text = sys.stdin.read() if input_file == "-" else Path(input_file).read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(f"cannot read {source}: {error.strerror or error}") from error
    elif input_text is not None:
        source, text = "--input", input_text
    else:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigurationError(
            f"{source} is not valid JSON ({error.msg} at line {error.lineno} column {error.colno}); "
            """expected e.g. '[1, 5]' or '{"args": [1], "kwargs": {"t": 5}}'"""
        ) from error


def load_object(path: str) -> Any:
    """Import ``package.module.attribute`` and return the attribute.

    Raises WorkflowImportError telling apart a missing module, a module that fails while importing
    (with the underlying error) and a missing attribute.
    """
    if "/" in path or path.endswith(".py"):
        dotted = path.removesuffix(".py").replace("/", ".")
        raise WorkflowImportError(path, f"expected a dotted path like '{dotted}.ClassName', not a file path")
    module_name, _, attribute = path.rpartition(".")
    if not module_name or not attribute:
        raise WorkflowImportError(path, "expected a dotted path like 'package.module.Name'")
    add_working_directory_to_path()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # Only a missing module named by the path itself is "not found"; a missing dependency of the
        # user's module is an import failure worth showing as such.
        if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
            raise WorkflowImportError(
                path, f"no module named {error.name!r} (current directory: {os.getcwd()})"
            ) from error
        raise WorkflowImportError(path, f"importing {module_name} failed: {error}") from error
    except Exception as error:
        raise WorkflowImportError(
            path, f"importing {module_name} failed: {type(error).__name__}: {error}"
        ) from error
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise WorkflowImportError(path, f"module {module_name!r} has no attribute {attribute!r}") from None


def load_workflow(path: str) -> type[Workflow]:
    """The Workflow subclass named by ``path`` (``module.WorkflowClass``)."""
    from simpleflow.workflow import Workflow

    candidate = load_object(path)
    if not (isinstance(candidate, type) and issubclass(candidate, Workflow)):
        raise WorkflowImportError(path, f"{candidate!r} is not a Workflow subclass")
    return candidate


def input_options(command: F) -> F:
    """``--input JSON`` and ``--input-file PATH``, read together by :func:`read_input`."""
    command = click.option(
        "--input-file",
        metavar="PATH",
        help="Read the workflow input (JSON) from PATH; '-' reads stdin.",
    )(command)
    return click.option(
        "--input",
        "-i",
        "input_text",
        metavar="JSON",
        help="""Workflow input: a JSON list of positional arguments ('[1, 5]') or an object with "args" and
        "kwargs".""",
    )(command)


def domain_option(*, required: bool = True) -> Callable[[F], F]:
    """``--domain`` (``-d``) with ``SWF_DOMAIN`` as its default; the option wins when both are given."""
    return click.option(
        "--domain",
        "-d",
        envvar="SWF_DOMAIN",
        required=required,
        show_envvar=True,
        help="SWF domain.",
    )


def check_arguments(workflow_cls: type[Workflow], value: Any) -> None:
    """Refuse an input that ``workflow_cls.run()`` cannot take, before anything is started.

    The input is read as the decider will read it (:func:`simpleflow.payload.parse_input`).
    """
    from simpleflow.payload import parse_input

    args, kwargs = parse_input(value)
    try:
        signature = inspect.signature(workflow_cls.run)
    except (TypeError, ValueError):  # a run() inspect cannot describe: let the run itself tell
        return
    try:
        signature.bind(None, *args, **kwargs)
    except TypeError as error:
        shown = str(signature).replace("(self, ", "(", 1).replace("(self)", "()", 1)
        raise ConfigurationError(
            f"the input does not fit {workflow_cls.__name__}.run{shown}: {error}"
        ) from None


def middleware_options(command: F) -> F:
    """Upstream's ``--middleware-pre-execution`` / ``--middleware-post-execution``, each repeatable."""
    command = click.option(
        "--middleware-post-execution",
        multiple=True,
        metavar="MODULE.FUNCTION",
        help="Call FUNCTION(context, result=result) after each activity that returned (repeatable).",
    )(command)
    return click.option(
        "--middleware-pre-execution",
        multiple=True,
        metavar="MODULE.FUNCTION",
        help="Call FUNCTION(context) before each activity (repeatable, called in the order given).",
    )(command)


def load_middlewares(pre: Sequence[str], post: Sequence[str]) -> Middlewares:
    """The middlewares the options name, every function imported now so that a bad path stops the command."""
    from simpleflow.process.middleware import Middlewares

    add_working_directory_to_path()
    middlewares = Middlewares.of(pre, post)
    middlewares.load()
    return middlewares


def log_level_option(command: F) -> F:
    """Upstream's deprecated ``--log-level`` (``-l``): sets the level of simpleflow's loggers."""

    def apply(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None:
            import logging

            level = logging.getLevelName(value.upper())
            if not isinstance(level, int):
                raise click.BadParameter(f"{value!r} is not a logging level (DEBUG, INFO, WARNING, ERROR)")
            # Children (supervised processes, activity children) read LOG_LEVEL when they set up logging.
            os.environ["LOG_LEVEL"] = value.upper()
            logging.getLogger("simpleflow").setLevel(level)
        return value

    return click.option(
        "--log-level",
        "-l",
        callback=apply,
        expose_value=False,
        metavar="LEVEL",
        help="Log level of simpleflow's loggers (as LOG_LEVEL does).",
    )(command)


def complete_workflow_path(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of ``MODULE.WORKFLOW``: packages and modules from the current directory (and
    ``sys.path``), then the Workflow subclasses a module defines.

    Completing a class name imports the module it is in, as running the command would. Completion never
    fails: a module that does not import offers nothing.
    """
    import pkgutil

    add_working_directory_to_path()
    package, _, _ = incomplete.rpartition(".")
    try:
        if not package:
            found = [module.name for module in pkgutil.iter_modules() if not module.name.startswith("_")]
            return sorted(name for name in set(found) if name.startswith(incomplete))
        module = importlib.import_module(package)
    except Exception:  # a module that fails to import: nothing to offer, never a traceback in the shell
        return []
    from simpleflow.workflow import Workflow

    names = [
        f"{package}.{name}"
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, Workflow) and value is not Workflow
    ]
    if hasattr(module, "__path__"):
        names += [f"{package}.{sub.name}" for sub in pkgutil.iter_modules(module.__path__)]
    return sorted(name for name in names if name.startswith(incomplete))
