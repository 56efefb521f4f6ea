"""Seeing that a waiting long poll's client has gone, so that the service withdraws that poller.

A poll holds its connection for up to a minute while it waits. If its client is killed meanwhile, the
kernel closes the socket, but the service's thread is waiting on a condition, not reading, and would
hand the next task to that dead poller: the task is then lost until its timeout (300 s by default for a
decision task). :class:`ClosedPollWatcher` watches the sockets of waiting polls from one thread: a socket
that turns readable while its poll waits is peeked at, and an end of stream (or a reset) means the client
left. Its ``withdrawn`` event is set and the service told, so the poll returns without taking a task and
the task goes to a live poller.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class ClosedPollWatcher:
    """Watches the connections of waiting polls from one daemon thread; ``on_withdrawn`` wakes the polls.

    :meth:`watch` a socket before its poll waits and :meth:`unwatch` it once the poll returned, from the
    connection's thread; the selector itself is only touched by the watching thread (changes reach it
    through a queue and a wake-up socket), since selectors are not safe to change from other threads.
    """

    def __init__(self, on_withdrawn: Callable[[], None]) -> None:
        self._on_withdrawn = on_withdrawn
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._selector.register(self._wake_reader, selectors.EVENT_READ)
        self._lock = threading.Lock()
        self._changes: list[tuple[socket.socket, threading.Event | None]] = []
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="localswf-poll-watch", daemon=True)
        self._thread.start()

    def watch(self, sock: socket.socket) -> threading.Event:
        """Start watching ``sock``; the event returned is set if its client goes away."""
        withdrawn = threading.Event()
        self._change(sock, withdrawn)
        return withdrawn

    def unwatch(self, sock: socket.socket) -> None:
        """Stop watching ``sock`` (its poll returned); call before the connection reads or closes again."""
        self._change(sock, None)

    def stop(self) -> None:
        """End the watching thread and release its sockets."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._wake()
        self._thread.join(timeout=5)
        self._selector.close()
        self._wake_reader.close()
        self._wake_writer.close()

    def _change(self, sock: socket.socket, withdrawn: threading.Event | None) -> None:
        with self._lock:
            if self._stopped:
                return
            self._changes.append((sock, withdrawn))
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_writer.send(b"\0")
        except OSError:  # the wake-up socket's buffer is full: the thread has wake-ups pending anyway
            pass

    def _run(self) -> None:
        watched: dict[socket.socket, threading.Event] = {}
        while True:
            for key, _events in self._selector.select():
                if key.fileobj is self._wake_reader:
                    self._drain_wakeups()
                    continue
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if self._has_left(sock):
                    withdrawn = watched.pop(sock, None)
                    self._forget(sock)
                    if withdrawn is not None:
                        withdrawn.set()
                        logger.debug("localswf: a waiting poll's client left; the poll is withdrawn")
                        self._notify()
                elif sock in watched:
                    # Bytes while the poll waits (a pipelined request): the client is alive, and the
                    # connection's thread reads them once the poll returns. Watching on would spin.
                    del watched[sock]
                    self._forget(sock)
            with self._lock:
                changes, self._changes = self._changes, []
                stopped = self._stopped
            if stopped:
                return
            for sock, withdrawn in changes:
                if withdrawn is None:
                    if watched.pop(sock, None) is not None:
                        self._forget(sock)
                elif sock not in watched:
                    try:
                        self._selector.register(sock, selectors.EVENT_READ)
                    except (KeyError, ValueError, OSError):  # already closed: nothing to watch
                        continue
                    watched[sock] = withdrawn

    def _notify(self) -> None:
        try:
            self._on_withdrawn()
        except Exception:  # the watcher must outlive a failing service call (e.g. it is closing)
            logger.exception("localswf: could not withdraw a dead poller")

    def _drain_wakeups(self) -> None:
        try:
            while self._wake_reader.recv(4096):
                pass
        except BlockingIOError:
            pass

    def _forget(self, sock: socket.socket) -> None:
        try:
            self._selector.unregister(sock)
        except (KeyError, ValueError):
            pass

    @staticmethod
    def _has_left(sock: socket.socket) -> bool:
        """True when the peer closed or reset the connection; False when it sent bytes (or nothing yet)."""
        try:
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True
