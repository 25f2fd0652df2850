"""The server processes of ``salesdev serve --workers N`` and how connections reach them.

This process (the supervisor) accepts every connection on the one listening socket and
hands it to the worker process with the fewest open connections (ties in turn), passing the
connected socket over a Unix socket (``SCM_RIGHTS``). A connection stays with the worker
that got it for as long as it is kept alive.

Why not let every worker accept from the shared socket, as uvicorn's own ``--workers`` does:
the worker that wakes first accepts every pending connection in one go, so a client that
opens its keep-alive connections in a burst (a load balancer, a proxy's upstream pool, the
load test) can land all of them on one process, which then works on one core while the
others idle (measured: 410 instead of 585 qualifications/s). ``SO_REUSEPORT`` spreads
connections by a hash of their addresses: fair on average, uneven for a few long-lived ones.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing.context import SpawnProcess
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

logger = logging.getLogger("uvicorn.error")

_SPAWN = multiprocessing.get_context("spawn")
# How long the supervisor waits to hand over a connection before trying another worker.
_HANDOFF_TIMEOUT_SECONDS = 2.0
# How long workers get to finish their requests once asked to stop.
_STOP_TIMEOUT_SECONDS = 30.0


@dataclass
class Worker:
    """One worker process as the supervisor sees it."""

    process: SpawnProcess
    channel: socket.socket  # the supervisor's end of the socket pair connections go over
    # A shared integer the worker writes: -1 until it serves, then the connections it has
    # closed.
    closed: Any
    handed: int = 0  # connections handed to it

    @property
    def ready(self) -> bool:
        return int(self.closed.value) >= 0

    @property
    def open_connections(self) -> int:
        return self.handed - max(int(self.closed.value), 0)


@dataclass
class Balancer:
    """Chooses the worker a new connection goes to and hands it over."""

    workers: list[Worker] = field(default_factory=list)
    _next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hand_over(self, connection: socket.socket) -> Worker | None:
        """Send ``connection`` to the worker with the fewest open connections (ties go in
        turn), among those that serve already (a worker still starting would keep it
        waiting for seconds); a worker that cannot take it (gone, or not reading) is passed
        over. The supervisor's copy of the socket is closed either way. None if no worker
        took it."""
        with self._lock, connection:
            count = len(self.workers)
            order = [self.workers[(self._next + k) % count] for k in range(count)]
            # Stable sort: the turn breaks ties.
            order.sort(key=lambda worker: (not worker.ready, worker.open_connections))
            for worker in order:
                try:
                    socket.send_fds(worker.channel, [b"c"], [connection.fileno()])
                except OSError:
                    continue
                worker.handed += 1
                self._next = (self.workers.index(worker) + 1) % count
                return worker
            return None

    def replace(self, old: Worker, new: Worker) -> None:
        with self._lock:
            self.workers[self.workers.index(old)] = new
        old.channel.close()


class WorkerPool:
    """``workers`` uvicorn server processes for the app factory named in ``config``."""

    def __init__(self, config: uvicorn.Config, *, workers: int) -> None:
        self.config = config
        self.size = workers
        self.balancer = Balancer()
        self._stop = threading.Event()
        self._startup_failed = False

    def run(self, listener: socket.socket) -> None:
        """Serve the connections of ``listener`` (bound, not yet listening) until
        SIGINT or SIGTERM; exits with uvicorn's start-up failure code if a worker cannot
        start (the app is broken: restarting would not help)."""
        listener.listen(self.config.backlog)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self._stop.set())
        self.balancer.workers = [self._start_worker() for _ in range(self.size)]
        acceptor = threading.Thread(
            target=self._accept, args=(listener,), name="salesdev-accept", daemon=True
        )
        acceptor.start()
        try:
            while not self._stop.wait(0.5):
                self._replace_dead_workers()
        finally:
            listener.close()
            acceptor.join(timeout=2)
            self._stop_workers()
        if self._startup_failed:
            sys.exit(STARTUP_FAILURE)

    def _start_worker(self) -> Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.settimeout(_HANDOFF_TIMEOUT_SECONDS)
        closed = _SPAWN.Value("q", -1, lock=False)
        process = _SPAWN.Process(
            target=serve_handed_connections,
            kwargs={"config": self.config, "channel": theirs, "closed": closed},
            name="salesdev-worker",
        )
        process.start()
        theirs.close()
        return Worker(process=process, channel=ours, closed=closed)

    def _accept(self, listener: socket.socket) -> None:
        # A timeout so that the thread notices the stop: closing a socket does not wake a
        # thread blocked in accept() on Linux.
        listener.settimeout(0.5)
        while not self._stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                logger.exception("Accepting a connection failed")
                continue
            if connection.family != socket.AF_UNIX:
                # Answers go out as soon as written (uvicorn's own accept does the same).
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.balancer.hand_over(connection) is None:
                logger.error("No worker process took a connection; it was closed")

    def _replace_dead_workers(self) -> None:
        for worker in list(self.balancer.workers):
            exitcode = worker.process.exitcode
            if exitcode is None:
                continue
            if exitcode == STARTUP_FAILURE or not worker.ready:
                # It never served (its app failed to load or start): another would
                # fail the same way, over and over.
                logger.error("Worker process [%d] failed to start; stopping", worker.process.pid)
                self._startup_failed = True
                self._stop.set()
                return
            logger.warning(
                "Worker process [%d] died (exit %d); starting another", worker.process.pid, exitcode
            )
            self.balancer.replace(worker, self._start_worker())

    def _stop_workers(self) -> None:
        workers = self.balancer.workers
        for worker in workers:
            worker.channel.close()  # the worker sees the end of its channel and stops
            if worker.process.exitcode is None:
                worker.process.terminate()
        for worker in workers:
            worker.process.join(timeout=_STOP_TIMEOUT_SECONDS)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()


def serve_handed_connections(
    *, config: uvicorn.Config, channel: socket.socket, closed: Any
) -> None:
    """A worker process: uvicorn serving the connections the supervisor hands over."""
    config.configure_logging()
    HandedConnectionsServer(config, channel=channel, closed=closed).run()


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server without a listening socket of its own: it serves the connected
    sockets that arrive on ``channel`` and publishes how many of them it has closed."""

    def __init__(self, config: uvicorn.Config, *, channel: socket.socket, closed: Any) -> None:
        super().__init__(config)
        self._channel = channel
        self._closed = closed
        self._pending: set[asyncio.Task[Any]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        if self.should_exit or not self.started:
            return
        self._channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self._channel.fileno(), self._receive)
        self._closed.value = 0  # serving: the supervisor may prefer this worker now
        logger.info("Worker process [%d] serving", os.getpid())

    def _receive(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                _, fds, _, _ = socket.recv_fds(self._channel, 1, 1)
            except BlockingIOError:
                return
            if not fds:  # the supervisor closed its end: it is stopping
                self._close_channel()
                self.should_exit = True
                return
            connection = socket.socket(fileno=fds[0])
            task = loop.create_task(loop.connect_accepted_socket(self._create_protocol, connection))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    def _create_protocol(self) -> asyncio.Protocol:
        protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        lost = protocol.connection_lost

        def connection_lost(exc: Exception | None) -> None:
            lost(exc)
            # Told at once, so that the next connection goes where there is room.
            self._closed.value += 1

        protocol.connection_lost = connection_lost  # type: ignore[method-assign]
        return protocol

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._close_channel()
        await super().shutdown(sockets=sockets)

    def _close_channel(self) -> None:
        if self._channel.fileno() != -1:
            asyncio.get_running_loop().remove_reader(self._channel.fileno())
            self._channel.close()
