"""``salesdev serve``: the console and the API in one process."""

from __future__ import annotations

import gc
import socket
import sys
from typing import Any

import typer

from salesdev.cli.context import load_settings, require_current_schema
from salesdev.cli.errors import reports_errors
from salesdev.cli.prepare import prepare_demo
from salesdev.cli.progress import progress_bar
from salesdev.core.errors import Conflict
from salesdev.core.settings import Settings
from salesdev.jobs import start_job_runner
from salesdev.runtime import Runtime


@reports_errors
def serve_command(
    host: str | None = typer.Option(
        None, help="Interface to listen on (default: SALESDEV_HOST, else 127.0.0.1)."
    ),
    port: int | None = typer.Option(
        None, min=1, max=65535, help="Port to listen on (default: SALESDEV_PORT, else 8000)."
    ),
    prepare_demo_data: bool = typer.Option(
        False,
        "--prepare-demo",
        help="Migrate the database and load the small demo data set if it is empty.",
    ),
    workers: int = typer.Option(
        1,
        min=1,
        max=32,
        help="Server processes: one per core uses every core. With more than one, this "
        "process accepts the connections, gives each to the worker with the fewest, "
        "supervises the workers and sends the hub notifications.",
    ),
) -> None:
    """Serve the web console and the REST API."""
    settings = load_settings()
    host = host or settings.host
    port = port or settings.port
    runtime = Runtime.from_settings(settings)
    try:
        if prepare_demo_data:
            with progress_bar("Loading the small demo data set") as progress:
                preparation = prepare_demo(runtime, progress=progress)
            if preparation.demo_loaded:
                typer.echo("Loaded the small demo data set (seed 42).")
            else:
                typer.echo(f"Demo data not loaded: {preparation.skipped_because}.")
        else:
            require_current_schema(runtime)
        start_job_runner(runtime)
        # Imported here: the web stack is only needed by this command.
        import uvicorn

        from salesdev.server import create_app

        if workers > 1:
            # This process supervises the workers; it keeps the runner started above (it
            # settles and reruns what a previous server left) and the one notification
            # dispatcher, which polls the outbox the workers write to.
            from salesdev.domains.notifications import start_dispatcher

            start_dispatcher(runtime)
            config = uvicorn.Config(
                f"{__name__}:worker_app", factory=True, **_server_options(settings, host, port)
            )
        else:
            config = uvicorn.Config(create_app(runtime), **_server_options(settings, host, port))
        # Bound before the banner: an address in use is said instead of a URL that is not
        # served.
        listener = _listening_socket(host, port)
    except BaseException:
        runtime.close()
        raise
    typer.echo(f"salesdev console and API: http://{host}:{port}/")
    typer.echo(f"API documentation: http://{host}:{port}/docs")
    if prepare_demo_data:
        for line in demo_login_lines(runtime):
            typer.echo(line)
    if workers > 1:
        from salesdev.cli.worker_pool import WorkerPool

        WorkerPool(config, workers=workers).run(listener)
        return
    server = uvicorn.Server(config)
    server.run(sockets=[listener])
    if not server.started:
        sys.exit(uvicorn.config.STARTUP_FAILURE)  # as uvicorn.run: the app's start-up failed


def _listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound as uvicorn binds it (reused address, inheritable); a
    clear error, and nothing left open, when it cannot be."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise Conflict(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listener.set_inheritable(True)
    return listener


def _server_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "log_level": settings.log_level.lower(),
        # Access logs carry client addresses (personal data): off unless asked for.
        "access_log": settings.access_log,
    }


def worker_app() -> Any:
    """The app of one worker process of ``serve --workers N`` (uvicorn calls it in each).

    Settings come from the environment, as in the supervisor. The worker runs the jobs it
    is asked for itself, without settling those of earlier processes (the supervisor did,
    once; another worker's running job is not "left behind"), and queues notifications
    for the supervisor's dispatcher.
    """
    app = build_worker_app(Runtime.from_settings(load_settings()))
    # What is alive after start-up lives as long as the process (as create_app does with
    # background work): out of the cyclic collector's full passes.
    gc.collect()
    gc.freeze()
    return app


def build_worker_app(runtime: Runtime) -> Any:
    """A worker's app on ``runtime``: its own job runner (not settling others' jobs), no
    notification dispatcher."""
    from salesdev.jobs.runner import SERVICE_KEY, InProcessJobRunner
    from salesdev.server import create_app

    runner = InProcessJobRunner(runtime)
    runtime.services[SERVICE_KEY] = runner
    runner.start(recover=False)
    return create_app(runtime, background=False)


def demo_login_lines(runtime: Runtime) -> list[str]:
    """The demo logins present in the database, one per role, for the start-up banner."""
    from salesdev.demo import DEMO_PASSWORD, existing_demo_logins

    with runtime.session_factory() as session:
        logins = existing_demo_logins(session)
    if not logins:
        return []
    lines = [f"Demo logins (password {DEMO_PASSWORD!r} unless changed since):"]
    lines += [f"  {login:<10} {role.value:<17} {name}" for role, login, name in logins]
    return lines
