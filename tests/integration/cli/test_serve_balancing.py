"""`salesdev serve --workers N`: the supervisor accepts the connections and hands each to
the worker with the fewest open connections, so a burst of keep-alive connections is spread
evenly (uvicorn's shared socket let the first worker to wake take them all)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import uvicorn

from salesdev.cli.worker_pool import Balancer, Worker, WorkerPool
from tests.conftest import Database

SALESDEV = str(Path(sys.executable).parent / "salesdev")


class Counter:
    """Stands in for the shared integer a worker writes its closed connections to (-1
    while it starts)."""

    def __init__(self, value: int = 0) -> None:
        self.value = value


@pytest.fixture
def opened() -> Iterator[list[socket.socket]]:
    """Sockets a test opens, closed after it."""
    sockets: list[socket.socket] = []
    yield sockets
    for each in sockets:
        each.close()


def fake_worker(opened: list[socket.socket]) -> tuple[Worker, socket.socket]:
    """A worker without a process: the supervisor's end of its channel, and the worker's."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    theirs.setblocking(False)
    opened += [ours, theirs]
    return Worker(process=cast(Any, None), channel=ours, closed=Counter()), theirs


def received(channel: socket.socket) -> int:
    """How many connections arrived on a worker's end of its channel (and closes them)."""
    count = 0
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(channel, 1, 1)
        except BlockingIOError:
            return count
        for fd in fds:
            os.close(fd)
            count += 1


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def accepted(listener: socket.socket, opened: list[socket.socket]) -> socket.socket:
    """A connection from a new client, as the supervisor accepts it."""
    opened.append(socket.create_connection(listener.getsockname()))
    connection, _ = listener.accept()
    return connection


def test_connections_go_to_the_worker_with_the_fewest_open_ones_in_turn(
    listener: socket.socket, opened: list[socket.socket]
) -> None:
    # Given two idle workers
    (first, first_end), (second, second_end) = fake_worker(opened), fake_worker(opened)
    balancer = Balancer(workers=[first, second])
    # When six connections arrive at once
    chosen = [balancer.hand_over(accepted(listener, opened)) for _ in range(6)]
    # Then they alternate: three each
    assert chosen == [first, second] * 3
    assert (received(first_end), received(second_end)) == (3, 3)
    assert (first.open_connections, second.open_connections) == (3, 3)
    # When the first worker has closed two of its connections
    first.closed.value = 2
    # Then the next two go to it, and the one after in turn again
    chosen = [balancer.hand_over(accepted(listener, opened)) for _ in range(3)]
    assert chosen == [first, first, second]
    assert (first.open_connections, second.open_connections) == (3, 4)


def test_a_worker_that_cannot_take_a_connection_is_passed_over(
    listener: socket.socket, opened: list[socket.socket]
) -> None:
    # Given two workers, the first of which has gone (its end of the channel is closed)
    (gone, gone_end), (alive, alive_end) = fake_worker(opened), fake_worker(opened)
    gone_end.close()
    balancer = Balancer(workers=[gone, alive])
    # When two connections arrive
    chosen = [balancer.hand_over(accepted(listener, opened)) for _ in range(2)]
    # Then the live worker gets both; the gone one is not counted as holding any
    assert chosen == [alive, alive]
    assert (gone.handed, received(alive_end)) == (0, 2)
    # And with no worker left, the connection is closed rather than kept waiting
    alive_end.close()
    assert balancer.hand_over(accepted(listener, opened)) is None
    assert opened[-1].recv(1) == b""  # the client sees the connection closed


def test_a_worker_still_starting_gets_connections_only_when_none_serves(
    listener: socket.socket, opened: list[socket.socket]
) -> None:
    # Given a worker that serves two connections and a replacement still starting
    (serving, serving_end), (starting, starting_end) = fake_worker(opened), fake_worker(opened)
    serving.handed = 2
    starting.closed.value = -1
    balancer = Balancer(workers=[starting, serving])
    # When a connection arrives, it goes to the one that serves, however busy
    assert balancer.hand_over(accepted(listener, opened)) is serving
    # When the replacement serves, it gets the next ones until they are even
    starting.closed.value = 0
    chosen = [balancer.hand_over(accepted(listener, opened)) for _ in range(4)]
    assert chosen == [starting, starting, starting, serving]
    assert (received(serving_end), received(starting_end)) == (2, 3)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def worker_pids(server: subprocess.Popen[bytes]) -> set[int]:
    """The server's worker processes (its children that serve: not multiprocessing's
    resource tracker)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return {
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    }


def connections_held(pid: int, port: int) -> int:
    """Connections to ``port`` among the process's open files, in any state but listening
    (from /proc)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] != "0A":
            inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def get(connection: socket.socket, path: str) -> bytes:
    """The status line of a GET on a kept-alive connection (the body is read and dropped)."""
    connection.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += connection.recv(65536)
    head, body = answer.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head.split(b"\r\n", 1)[0]


def wait_until(condition: Any, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


@pytest.mark.slow
def test_two_workers_share_a_burst_of_keep_alive_connections_and_a_dead_one_is_replaced(
    database: Database, tmp_path: Path
) -> None:
    # Given `salesdev serve --workers 2` on a migrated database
    port = free_port()
    env = {
        **os.environ,
        "SALESDEV_DATABASE_URL": database.url,
        "SALESDEV_DATA_DIR": str(tmp_path / "var"),
        "SALESDEV_LOG_LEVEL": "INFO",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [SALESDEV, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    connections: list[socket.socket] = []
    try:

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    return get(probe, "/healthz") == b"HTTP/1.1 200 OK"
            except OSError:
                return False

        wait_until(
            lambda: log.read_text().count("serving") == 2, seconds=60, what="both workers serve"
        )
        wait_until(answers, seconds=60, what="the server answers /healthz")
        workers = worker_pids(server)
        assert len(workers) == 2
        # (the probes' connections are closed by the workers before the burst comes)
        wait_until(
            lambda: all(connections_held(pid, port) == 0 for pid in workers),
            seconds=10,
            what="the probes' connections closed",
        )
        time.sleep(0.2)  # (and counted: a worker counts a connection as its socket closes)
        # When eight keep-alive connections are opened at once and each asks twice
        connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
        statuses = [get(c, "/healthz") for c in connections for _ in range(2)]
        # Then every answer is 200 and each worker holds four of the connections
        assert statuses == [b"HTTP/1.1 200 OK"] * 16
        assert sorted(connections_held(pid, port) for pid in workers) == [4, 4]
        assert connections_held(server.pid, port) == 0
        # When a worker dies
        dead = min(workers)
        os.kill(dead, signal.SIGKILL)
        # Then another takes its place and new connections are served
        wait_until(
            lambda: len(worker_pids(server) - {dead}) == 2,
            seconds=60,
            what="a replacement worker",
        )
        wait_until(
            lambda: log.read_text().count("serving") == 3,
            seconds=60,
            what="the replacement serves",
        )
        wait_until(answers, seconds=60, what="the server answers after the replacement")
        # When the server is asked to stop, it stops its workers and exits cleanly
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert worker_pids_gone(workers | worker_pids_or_empty(server))
    except AssertionError as failure:
        raise AssertionError(f"{failure}\nserver output:\n{log.read_text()[-3000:]}") from None
    finally:
        for connection in connections:
            connection.close()
        if server.poll() is None:
            server.kill()
            server.wait()


def worker_pids_or_empty(server: subprocess.Popen[bytes]) -> set[int]:
    try:
        return worker_pids(server)
    except FileNotFoundError:
        return set()


def worker_pids_gone(pids: set[int]) -> bool:
    return not any(Path(f"/proc/{pid}").exists() for pid in pids)


def dies_while_starting() -> None:
    """An app factory whose process ends before it serves (as a crash would)."""
    os._exit(1)


def test_workers_that_die_before_serving_stop_the_server_instead_of_restarting() -> None:
    # Given an app whose worker processes end while starting, with an ordinary exit code
    config = uvicorn.Config(
        f"{__name__}:dies_while_starting", factory=True, host="127.0.0.1", port=free_port()
    )
    # When the pool starts them
    with pytest.raises(SystemExit) as stopped:
        WorkerPool(config, workers=2).run(config.bind_socket())
    # Then the server stops with uvicorn's start-up failure code rather than restarting
    # workers that would die the same way
    assert stopped.value.code == 3
