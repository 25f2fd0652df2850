"""`salesdev serve --prepare-demo` tells a newcomer how to log in, one login per role."""

from __future__ import annotations

from salesdev.cli.serve import demo_login_lines
from salesdev.demo import load_demo
from salesdev.runtime import Runtime
from tests.conftest import T0


def test_the_banner_lists_one_demo_login_per_role(runtime: Runtime) -> None:
    with runtime.session_factory() as session:
        load_demo(
            session=session,
            event_store_dir=runtime.settings.event_store_dir,
            scale="tiny",
            seed=3,
            now=T0,
        )
        session.commit()

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
