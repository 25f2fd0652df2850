"""`salesdev serve --prepare-demo` tells a newcomer how to log in, one login per role."""

from __future__ import annotations

import socket

import pytest

from salesdev.cli.serve import demo_login_lines
from salesdev.runtime import Runtime
from tests.conftest import DemoLoader
from tests.integration.cli.conftest import Cli


def test_the_banner_lists_one_demo_login_per_role(
    runtime: Runtime, load_demo_copy: DemoLoader
) -> None:
    load_demo_copy(runtime, "tiny", 3)

    lines = demo_login_lines(runtime)

    assert lines[0] == "Demo logins (password 'salesdev-demo-2026' unless changed since):"
    assert [line.split()[:2] for line in lines[1:]] == [
        ["admin", "admin"],
        ["salesops", "sales_operations"],
        ["channels", "channel_manager"],
        ["products", "product_manager"],
        ["manager", "sales_manager"],
        ["rep", "sales_rep"],
        ["partner", "partner_user"],
        ["auditor", "auditor"],
    ]


def test_no_banner_without_demo_logins(runtime: Runtime) -> None:
    assert demo_login_lines(runtime) == []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_address_in_use_is_refused_before_the_banner_is_printed(cli: Cli, workers: str) -> None:
    # Given another program listening on the port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        # When the server is started on it
        result = cli("serve", "--host", "127.0.0.1", "--port", port, "--workers", workers)
    # Then it is refused (exit 4) with the address and the reason, without announcing a URL it does not serve
    assert (result.exit_code, result.stderr) == (
        4,
        f"Error: Cannot listen on 127.0.0.1:{port}: Address already in use\n",
    )
    assert "salesdev console and API" not in result.stdout
