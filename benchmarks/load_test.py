"""Load test: qualification requests against ``salesdev serve`` (uvicorn) on loopback.

    .venv/bin/python benchmarks/load_test.py [--duration 20] [--connections 16]
                                             [--offerings 3] [--workers N]
                                             [--database-url URL] [--profile FILE]

Builds the data set of ``benchmarks/qualification.py`` (one channel, 2,000 authorised
offerings, 242 eligibility rules, a customer with an installed base and a premise) in a
temporary SQLite file (or a fresh PostgreSQL schema), starts ``salesdev serve`` on a free
loopback port as a separate process, and drives it with an asyncio load generator in this
process: ``--connections`` keep-alive HTTP/1.1 connections, each sending the next request
as soon as the previous answer is read (closed loop). Every request is a TMF679 POST
qualifying ``--offerings`` offerings (rotating through the catalogue) for the customer at
the premise; each answer is checked (201) and stored by the server, as in production.

Phases: ``GET /healthz`` for 5 s (the HTTP stack alone: the ceiling of this server on this
machine), then the qualification POSTs for ``--duration`` s. For each: requests/s,
p50/p95/p99 latency, and the CPU time used by the server process and by the generator
(from /proc), as a share of one core. The generator competes with the server for the
machine's cores: its CPU share is printed so the figures can be read with that in mind.
``--workers`` (default: one per core) is ``salesdev serve --workers``.

"what limits it" says where the machine's cores went during the qualification phase
(the server, the generator, other processes such as a database server, idle) and the
rate the server's measured CPU per request would allow on the cores the generator
leaves; idle cores while requests are in flight mean waits (writes taking turns).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import percentiles
from qualification import POQ, build

from salesdev.db.migrate import upgrade
from salesdev.db.session import make_engine, make_session_factory, unit_of_work
from salesdev.domains.access import SYSTEM
from salesdev.domains.qualification import (
    QualificationRequest,
    create_qualification,
    qualify_offerings,
)

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy_seconds() -> float:
    """CPU time spent by every process of the machine (all cores), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its live descendants (``serve --workers N``)."""
    total = 0.0
    for current in server_processes(pid):
        try:
            total += cpu_seconds(current)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def server_processes(pid: int) -> list[int]:
    """The server process and its live descendants (``serve --workers N``)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        found.append(current)
    return found


def connections_per_process(server_pid: int, port: int) -> dict[int, int]:
    """How many of the established connections to ``port`` each server process holds
    (the balance between workers), from /proc: the sockets' inodes, then each process's
    file descriptors. Processes holding none are listed with 0."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
    counts: dict[int, int] = {}
    for pid in server_processes(server_pid):
        count = 0
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    count += 1
        except (FileNotFoundError, ProcessLookupError):
            continue
        counts[pid] = count
    return counts


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _connection(
    port: int,
    requests: list[bytes],
    offset: int,
    expected: int,
    deadline: float,
    latencies: list[float],
    failures: list[str],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index = offset
    try:
        while time.perf_counter() < deadline:
            request = requests[index % len(requests)]
            index += 1
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status, body = await _read_response(reader)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != expected:
                failures.append(f"{status}: {body[:200]!r}")
    finally:
        writer.close()


def phase(
    port: int,
    server_pid: int,
    requests: list[bytes],
    *,
    expected: int,
    seconds: float,
    connections: int,
) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[str] = []
    server_before, own_before = tree_cpu_seconds(server_pid), cpu_seconds(os.getpid())
    machine_before = machine_busy_seconds()
    started = time.perf_counter()
    deadline = started + seconds

    balance: dict[int, int] = {}

    async def drive() -> None:
        async def sample_balance() -> None:
            await asyncio.sleep(min(1.0, seconds / 2))
            balance.update(connections_per_process(server_pid, port))

        await asyncio.gather(
            sample_balance(),
            *(
                _connection(port, requests, n * 7, expected, deadline, latencies, failures)
                for n in range(connections)
            ),
        )

    asyncio.run(drive())
    elapsed = time.perf_counter() - started
    server_cpu = tree_cpu_seconds(server_pid) - server_before
    own_cpu = cpu_seconds(os.getpid()) - own_before
    machine_cpu = machine_busy_seconds() - machine_before
    return {
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": percentiles(latencies),
        "server_cpu_share_of_one_core": round(server_cpu / elapsed, 2),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(len(latencies), 1), 2),
        "generator_cpu_share_of_one_core": round(own_cpu / elapsed, 2),
        # Every process of the machine: the rest is other work (a database server, other
        # programs) or idle cores.
        "machine_cpu_share_of_one_core": round(machine_cpu / elapsed, 2),
        # Connections held by each server process (pid order; the supervisor of
        # ``--workers N`` holds none once it has handed them over).
        "connections_per_process": [balance[pid] for pid in sorted(balance)],
    }


def service_baseline(
    factory: Any, ids: dict[str, Any], per_request: int, seconds: float
) -> dict[str, Any]:
    """The same qualifications without HTTP, one after another in this process: the service
    that stores (``create_qualification``, its own transaction each) and the one that only
    answers (``qualify_offerings``)."""
    offerings = ids["offerings"]
    results: dict[str, Any] = {}
    for name in ("service_stored", "service_answer_only"):
        latencies: list[float] = []
        started = time.perf_counter()
        cpu = time.process_time()
        n = 0
        while time.perf_counter() - started < seconds:
            chosen = [offerings[(n * 31 + k * 401) % len(offerings)] for k in range(per_request)]
            n += 1
            now = datetime.now(UTC)
            begun = time.perf_counter()
            with unit_of_work(factory) as session:
                if name == "service_stored":
                    create_qualification(
                        session,
                        principal=SYSTEM,
                        request=QualificationRequest(
                            channel_id=ids["channel"],
                            customer_id=ids["customer"],
                            premise_id=ids["premise"],
                            offering_ids=chosen,
                        ),
                        now=now,
                    )
                else:
                    qualify_offerings(
                        session,
                        principal=SYSTEM,
                        channel_id=ids["channel"],
                        customer_id=ids["customer"],
                        premise_id=ids["premise"],
                        offering_ids=chosen,
                        at=now,
                    )
            latencies.append((time.perf_counter() - begun) * 1000)
        elapsed = time.perf_counter() - started
        results[name] = {
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "latency_ms": percentiles(latencies[10:] or latencies),
            "cpu_ms_per_request": round((time.process_time() - cpu) * 1000 / len(latencies), 2),
        }
    return results


def http_request(method: str, path: str, port: int, token: str, body: bytes = b"") -> bytes:
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Authorization: Bearer {token}",
    ]
    if body:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _start_profiler(target: str, pid: int, seconds: float) -> subprocess.Popen[bytes] | None:
    """``py-spy record`` of the server (and its workers) during the qualification phase,
    written to ``target`` as collapsed stacks (one line per stack: ``frames count``)."""
    if not target:
        return None
    spy = ROOT / ".venv" / "bin" / "py-spy"
    command = [str(spy), "record", "--pid", str(pid), "--subprocesses", "--gil"]
    command += ["--format", "raw", "--rate", "200", "--duration", str(int(seconds))]
    return subprocess.Popen(
        [*command, "--output", target],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run(database_url: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    engine = make_engine(database_url)
    upgrade(engine)
    ids = build(make_session_factory(engine))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    backend = engine.dialect.name
    baselines = service_baseline(make_session_factory(engine), ids, args.offerings, 4.0)
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "SALESDEV_DATABASE_URL": database_url,
        "SALESDEV_DATA_DIR": str(workdir / "var"),
        "SALESDEV_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "salesdev"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(
                        server.stderr.read().decode() if server.stderr else ""
                    ) from None
                time.sleep(0.1)
        token = str(ids["token"])
        offerings = ids["offerings"]
        bodies = []
        for n in range(97):
            chosen = [offerings[(n * 31 + k * 401) % len(offerings)] for k in range(args.offerings)]
            payload = {
                "channel": {"id": str(ids["channel"])},
                "relatedParty": [{"id": str(ids["customer"]), "@referredType": "Customer"}],
                "place": [{"id": str(ids["premise"])}],
                "productOfferingQualificationItem": [
                    {"productOffering": {"id": str(o)}} for o in chosen
                ],
            }
            bodies.append(http_request("POST", POQ, port, token, json.dumps(payload).encode()))
        healthz = [http_request("GET", "/healthz", port, token)]
        # Warm up: the first qualification compiles the channel and the rules.
        try:
            phase(port, server.pid, bodies, expected=201, seconds=2, connections=args.connections)
        except OSError:
            server.terminate()
            raise RuntimeError(
                "the server failed: "
                + (server.stderr.read().decode()[-3000:] if server.stderr else "")
            ) from None
        results: dict[str, Any] = {
            "backend": backend,
            "connections": args.connections,
            "offerings_per_request": args.offerings,
            "cpus": os.cpu_count(),
            "workers": args.workers,
            "load_average_before": os.getloadavg()[0],
        }
        results.update(baselines)
        results["healthz"] = phase(
            port, server.pid, healthz, expected=200, seconds=5, connections=args.connections
        )
        profiler = _start_profiler(args.profile, server.pid, args.duration)
        results["qualification"] = phase(
            port,
            server.pid,
            bodies,
            expected=201,
            seconds=args.duration,
            connections=args.connections,
        )
        results["load_average_after"] = os.getloadavg()[0]
        if profiler is not None:
            profiler.wait(timeout=60)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    q = results["qualification"]
    results["limit"] = what_limits(q, cores=os.cpu_count() or 1)
    results["meets_500_rps"] = q["requests_per_second"] >= 500
    results["meets_p99_100ms"] = q["latency_ms"]["p99"] < 100
    return results


def what_limits(measured: dict[str, Any], *, cores: int) -> dict[str, Any]:
    """Where the machine's cores went during a phase, and what that says bounds the rate.

    ``ceiling`` is the rate the server's CPU per request would allow with every core that
    the generator leaves; ``idle`` is time no process of the machine used."""
    server = measured["server_cpu_share_of_one_core"]
    generator = measured["generator_cpu_share_of_one_core"]
    machine = max(measured["machine_cpu_share_of_one_core"], server + generator)
    other = round(machine - server - generator, 2)
    idle = round(cores - machine, 2)
    per_request = measured["server_cpu_ms_per_request"]
    ceiling = round((cores - generator) * 1000 / per_request, 1) if per_request else None
    if idle >= 0.25:
        verdict = (
            f"waiting: {idle:.2f} of {cores} cores idle while requests were in flight "
            "(writes taking turns: the SQLite writer turn or the PostgreSQL audit chain's "
            "head; or too few requests in flight)"
        )
    elif other >= 0.25:
        verdict = (
            f"shared cores: other processes (a database server, other programs) used "
            f"{other:.2f} core"
        )
    else:
        verdict = f"server CPU: {per_request} ms per request with the cores busy"
    return {
        "server_cores": server,
        "generator_cores": generator,
        "other_cores": other,
        "idle_cores": idle,
        "ceiling_requests_per_second": ceiling,
        "verdict": verdict,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--offerings", type=int, default=3)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (default: one per core, as a deployment would run)",
    )
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    parser.add_argument(
        "--profile",
        default="",
        help="write a py-spy profile of the server's qualification phase to this file "
        "(collapsed stacks; needs py-spy installed in the venv, not a dependency)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        if args.database_url.startswith("postgresql"):
            schema = f"load_{uuid.uuid4().hex[:10]}"
            admin = make_engine(args.database_url)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            separator = "&" if "?" in args.database_url else "?"
            try:
                results = run(
                    f"{args.database_url}{separator}options=-csearch_path%3D{schema}",
                    args,
                    workdir,
                )
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        else:
            url = args.database_url or f"sqlite:///{workdir / 'load.db'}"
            results = run(url, args, workdir)
    print(
        f"load test on loopback ({results['backend']}, {results['connections']} connections, "
        f"{results['offerings_per_request']} offerings per qualification, "
        f"{results['cpus']} CPUs, load average {results['load_average_before']:.1f} before)"
    )
    for name in ("service_answer_only", "service_stored"):
        r = results[name]
        lat = r["latency_ms"]
        print(
            f"  {name:20} {r['requests_per_second']:8.1f} req/s (one at a time, no HTTP)  "
            f"p50 {lat['p50']:7.2f}  p95 {lat['p95']:7.2f}  p99 {lat['p99']:7.2f} ms  "
            f"CPU {r['cpu_ms_per_request']} ms/req"
        )
    for name in ("healthz", "qualification"):
        r = results[name]
        lat = r["latency_ms"]
        print(
            f"  {name:20} {r['requests_per_second']:8.1f} req/s  p50 {lat['p50']:7.2f}  "
            f"p95 {lat['p95']:7.2f}  p99 {lat['p99']:7.2f} ms  server CPU "
            f"{r['server_cpu_share_of_one_core']:.2f} core ({r['server_cpu_ms_per_request']} ms/req)"
            f"  generator CPU {r['generator_cpu_share_of_one_core']:.2f} core"
            f"  failures {r['failures']}  connections per process "
            f"{'/'.join(str(c) for c in r['connections_per_process'])}"
        )
    limit = results["limit"]
    print(
        f"  what limits it: {limit['verdict']}; cores: server {limit['server_cores']:.2f}, "
        f"generator {limit['generator_cores']:.2f}, other {limit['other_cores']:.2f}, "
        f"idle {limit['idle_cores']:.2f}; the server's CPU per request allows "
        f"{limit['ceiling_requests_per_second']} req/s on the cores the generator leaves"
    )
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
