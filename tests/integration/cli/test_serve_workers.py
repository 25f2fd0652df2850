"""`salesdev serve --workers N`: each worker process builds the app with its own job runner."""

from __future__ import annotations

from typer.testing import CliRunner

from salesdev.cli.main import app as cli
from salesdev.cli.serve import build_worker_app
from salesdev.jobs.runner import SERVICE_KEY, InProcessJobRunner
from salesdev.runtime import Runtime


def test_a_worker_runs_the_jobs_it_is_given_without_settling_other_processes_jobs(
    runtime: Runtime,
) -> None:
    # When a worker's app is built
    app = build_worker_app(runtime)
    # Then it serves the API and runs its own job runner (the supervisor settles the jobs
    # of earlier processes once; a worker never fails another worker's running job)
    runner = runtime.services[SERVICE_KEY]
    assert isinstance(runner, InProcessJobRunner)
    assert runner.running
    assert app.state.runtime is runtime
    assert "notifications" not in runtime.services


def test_serve_offers_a_number_of_workers() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--workers" in result.output
    refused = CliRunner().invoke(cli, ["serve", "--workers", "0"])
    assert refused.exit_code == 2
