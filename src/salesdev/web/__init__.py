"""The server-rendered web console: shell, reference-data pages, dashboard and jobs."""

from salesdev.web.console import install_console

__all__ = ["install_console"]
