"""The server-rendered web console: shell, reference-data pages, dashboard and jobs."""

from salesdev.web.console import install_console
from salesdev.web.routing import page_not_found

__all__ = ["install_console", "page_not_found"]
