"""Fixtures shared with the CLI and API tests: the ``salesdev`` command and an API client
on the test database (the CLI's data directory is the settings' one, so both see the
same event store)."""

from tests.integration.api.conftest import admin_token, app, client  # noqa: F401
from tests.integration.cli.conftest import cli  # noqa: F401
