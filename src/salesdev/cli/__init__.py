"""The ``salesdev`` command line (Typer): serve, db, demo, import/export, jobs, users, tokens,
clients, audit, catalogue browsing, partner on-boarding views."""
