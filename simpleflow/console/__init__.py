"""The web console: see and steer workflow executions in a browser, over any SWF endpoint.

It talks to SWF only through a boto3 ``swf`` client (Amazon SWF or the embedded service alike) and
shows domains, executions, and each run's summary, timeline, tasks and history; it can signal, request
cancel, terminate and restart a run (``read_only`` turns that off). Start it with ``simpleflow console``
or ``simpleflow localswf.start --console``, or from Python::

    from simpleflow.console import ConsoleServer
    with ConsoleServer(client, port=0) as server:
        print(server.url)

It needs the ``console`` extra (``pip install 'simpleflow[console]'``) for its templates.
"""

from __future__ import annotations

from simpleflow.console.errors import INSTALL_HINT, ConsoleRequestError, ConsoleUnavailable
from simpleflow.console.server import DEFAULT_PORT, ConsoleServer

__all__ = ["DEFAULT_PORT", "INSTALL_HINT", "ConsoleRequestError", "ConsoleServer", "ConsoleUnavailable"]
