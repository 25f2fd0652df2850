from tests.integration.api.conftest import (  # noqa: F401  (fixtures)
    admin_token,
    anonymous,
    app,
    client,
)
from tests.integration.cli.conftest import cli  # noqa: F401  (fixture)
