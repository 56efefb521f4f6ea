"""The poll loop the decider and the activity worker share.

A :class:`Poller` polls one task list until a stop is requested and hands each task to
:meth:`~Poller.process_task`. A failed poll is retried after a back-off that doubles up to a cap, for as
long as it takes: an endpoint that is away (down, restarting, a network blip, throttling) never ends
the loop, and an outage is logged once when it begins and once when it ends. Errors that polling again
cannot fix (a missing domain, bad settings) end the loop at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from simpleflow.exceptions import ConfigurationError, SWFError, UnknownResource
from simpleflow.process.shutdown import Shutdown, ShutdownRequested
from simpleflow.swf.backoff import Backoff, OutageLog

logger = logging.getLogger(__name__)

# After an SWF error on a poll, wait this long (doubling, capped) before polling again.
POLL_ERROR_BACKOFF = (0.5, 5.0)


class Poller:
    """Polls until ``shutdown`` is requested; subclasses say how to poll and what to do with a task."""

    shutdown: Shutdown
    # Subclasses log under their own module's name, so a failing poll says whose it was.
    logger: logging.Logger = logger

    def poll_task(self) -> Mapping[str, Any] | None:
        """One long poll: the task, or None when the poll came back empty."""
        raise NotImplementedError

    def process_task(self, task: Mapping[str, Any]) -> object:
        """Handle one task (never raises for the task's own failures)."""
        raise NotImplementedError

    def run(self, *, one_task: bool = False) -> int:
        """Poll and process tasks until a stop is requested (or after one task); returns tasks done."""
        done = 0
        backoff = Backoff(*POLL_ERROR_BACKOFF)
        outage = OutageLog(self.logger, "poll")
        while not self.shutdown.is_requested:
            try:
                with self.shutdown.interruptible():
                    task = self.poll_task()
            except ShutdownRequested:
                break
            except (ConfigurationError, UnknownResource):
                raise  # a missing domain or bad settings: polling again cannot help
            except SWFError as error:
                if self.shutdown.is_requested:
                    break  # the engine went away because we are stopping: nothing to retry
                outage.failed(error)
                self.shutdown.wait(backoff.next_delay())
                continue
            outage.recovered()
            backoff.reset()
            if task is None:
                continue
            self.process_task(task)
            done += 1
            if one_task:
                break
        return done
