"""Application services, one package per capability.

Importing any domain installs the audit hook (``salesdev.domains.audit``), so no
change to business data can be flushed without its audit event.
"""

import salesdev.domains.audit  # noqa: F401
