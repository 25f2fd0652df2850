"""``salesdev users``: an operator manages who logs in, with passwords never on the command line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from salesdev.db.models import AuditEvent, User
from salesdev.domains.identity.passwords import verify_password
from tests.conftest import Database
from tests.integration.cli.conftest import Cli

PASSWORD = "Tarifa-Fibra-2026"
CHANNELS = "code,name,channel_type,parent_code,status\nDEALERS,Dealers,franchise_dealer,,active\n"
PARTNERS = (
    "code,name,partner_type,tier,parent_code,channel_code,region_code,status\n"
    "MA1,Master One,master_agent,gold,,DEALERS,,active\n"
)


def _user(database: Database, login: str) -> User | None:
    with database.session_factory() as session:
        return session.scalar(select(User).where(User.login == login))


def _create(cli: Cli, login: str = "carla", *options: str) -> None:
    result = cli(
        "users", "create", login, "--name", "Carla Channel", "--role", "channel_manager",
        *options, "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def test_create_reads_the_password_from_stdin_and_says_what_it_created(
    cli: Cli, database: Database
) -> None:
    result = cli(
        "users", "create", "Carla", "--name", "Carla Channel",
        "--role", "channel_manager", "--role", "auditor", "--password-stdin",
        input=PASSWORD + "\n",
    )  # fmt: skip

    assert (result.exit_code, result.stdout) == (
        0,
        "Created user carla with role(s) auditor, channel_manager.\n",
    )
    user = _user(database, "carla")
    assert user is not None
    assert (user.display_name, user.roles, user.status) == (
        "Carla Channel",
        ["auditor", "channel_manager"],
        "active",
    )
    assert verify_password(user.password_hash, PASSWORD)


def test_create_prompts_for_the_password_twice_without_echoing_it(
    cli: Cli, database: Database
) -> None:
    result = cli(
        "users", "create", "carla", "--name", "Carla", "--role", "auditor",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip

    # The prompt text goes to stderr; Click's test runner stands in for the terminal by
    # printing one blank line per hidden answer on stdout.
    assert result.stderr == "Password:Repeat for confirmation:"
    assert (result.exit_code, result.stdout) == (
        0,
        " \n \nCreated user carla with role(s) auditor.\n",
    )
    assert PASSWORD not in result.stdout + result.stderr
    user = _user(database, "carla")
    assert user is not None and verify_password(user.password_hash, PASSWORD)


def test_a_password_is_never_accepted_as_an_argument(cli: Cli, database: Database) -> None:
    result = cli(
        "users", "create", "carla", "--name", "C", "--role", "auditor", "--password", PASSWORD
    )

    assert result.exit_code == 2
    assert _user(database, "carla") is None


def test_a_weak_password_exits_3_with_every_problem_and_creates_nothing(
    cli: Cli, database: Database
) -> None:
    result = cli(
        "users", "create", "carla", "--name", "Carla", "--role", "auditor", "--password-stdin",
        input="carla\n",
    )  # fmt: skip

    assert (result.exit_code, result.stderr) == (
        3,
        "Error: Invalid user\n"
        "  - password: must be at least 12 characters\n"
        "  - password: must not contain the login name\n",
    )
    assert _user(database, "carla") is None


def test_an_empty_stdin_exits_3(cli: Cli, database: Database) -> None:
    result = cli(
        "users", "create", "carla", "--name", "C", "--role", "auditor", "--password-stdin", input=""
    )

    assert (result.exit_code, result.stderr) == (
        3,
        "Error: No password given\n"
        "  - password: expected the password on the first line of standard input\n",
    )
    assert _user(database, "carla") is None


def test_an_unknown_role_or_code_exits_3_naming_it(cli: Cli, database: Database) -> None:
    role = cli(
        "users", "create", "carla", "--name", "C", "--role", "emperor", "--password-stdin",
        input=PASSWORD + "\n",
    )  # fmt: skip
    partner = cli(
        "users", "create", "carla", "--name", "C", "--role", "partner_user",
        "--partner", "NOPE", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip

    assert (role.exit_code, role.stderr) == (
        3,
        "Error: Invalid user\n  - roles: unknown role(s) emperor; known: admin, "
        "sales_operations, channel_manager, product_manager, sales_manager, sales_rep, "
        "partner_user, auditor\n",
    )
    assert (partner.exit_code, partner.stderr) == (
        3,
        "Error: Invalid user\n  - --partner: no partner with code 'NOPE'\n",
    )
    assert _user(database, "carla") is None


def test_a_partner_user_is_bound_to_its_partner_by_code(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    for dataset, text in (("sales_channels", CHANNELS), ("partners", PARTNERS)):
        path = tmp_path / f"{dataset}.csv"
        path.write_text(text, encoding="utf-8")
        assert cli("import", dataset, str(path)).exit_code == 0

    _create_partner_user = cli(
        "users", "create", "dealer", "--name", "Dealer Desk", "--role", "partner_user",
        "--partner", "MA1", "--include-sub-dealers", "--password-stdin", input=PASSWORD + "\n",
    )  # fmt: skip
    _create(cli, "carla")
    listing = cli("users", "list")

    assert _create_partner_user.exit_code == 0
    assert listing.stdout == (
        "LOGIN   NAME           ROLES            STATUS  SCOPE                        MUST CHANGE PASSWORD\n"
        "carla   Carla Channel  channel_manager  active  -                            no\n"
        "dealer  Dealer Desk    partner_user     active  partner MA1 and sub-dealers  no\n"
    )


def test_an_existing_login_exits_4_before_asking_for_a_password(cli: Cli) -> None:
    _create(cli)

    again = cli("users", "create", "Carla", "--name", "Other", "--role", "auditor")

    assert (again.exit_code, again.stdout, again.stderr) == (
        4,
        "",
        "Error: A user with login 'carla' already exists\n",
    )


def test_set_roles_replaces_the_roles(cli: Cli, database: Database) -> None:
    _create(cli)

    result = cli("users", "set-roles", "carla", "--role", "product_manager", "--role", "auditor")

    assert (result.exit_code, result.stdout) == (
        0,
        "User carla now has role(s) auditor, product_manager.\n",
    )
    user = _user(database, "carla")
    assert user is not None and user.roles == ["auditor", "product_manager"]


def test_disable_then_enable(cli: Cli, database: Database) -> None:
    _create(cli)

    disabled = cli("users", "disable", "carla")
    status_disabled = _user(database, "carla")
    enabled = cli("users", "enable", "carla")

    assert (disabled.exit_code, disabled.stdout) == (
        0,
        "Disabled user carla; their console sessions and API tokens are revoked.\n",
    )
    assert status_disabled is not None and status_disabled.status == "disabled"
    assert (enabled.exit_code, enabled.stdout) == (0, "Enabled user carla.\n")
    user = _user(database, "carla")
    assert user is not None and user.status == "active"


def test_reset_password_sets_a_temporary_password_to_change_at_next_login(
    cli: Cli, database: Database
) -> None:
    _create(cli)
    temporary = "Temporary-Pass-77"

    result = cli("users", "reset-password", "carla", "--password-stdin", input=temporary + "\n")

    assert (result.exit_code, result.stdout) == (
        0,
        "Reset the password of carla; they must choose a new one at their next login.\n",
    )
    user = _user(database, "carla")
    assert user is not None and user.must_change_password
    assert verify_password(user.password_hash, temporary)
    assert not verify_password(user.password_hash, PASSWORD)


def test_an_unknown_user_exits_4_and_is_not_prompted_for(cli: Cli) -> None:
    for command in ("disable", "enable", "reset-password"):
        result = cli("users", command, "nobody")

        assert (result.exit_code, result.stderr) == (4, "Error: No user with login 'nobody'\n")
    set_roles = cli("users", "set-roles", "nobody", "--role", "auditor")
    assert (set_roles.exit_code, set_roles.stderr) == (4, "Error: No user with login 'nobody'\n")


def test_every_change_is_audited_as_the_operating_system_user(cli: Cli, database: Database) -> None:
    _create(cli)
    cli("users", "disable", "carla")

    with database.session_factory() as session:
        events = [
            (e.actor, e.action, e.object_type)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.sequence))
        ]
    assert events == [
        ("cli:operator", "create", "app_user"),
        ("cli:operator", "update", "app_user"),
    ]
