"""Channel price lists, their versions and entries, pricing rules and guard-rails."""

from __future__ import annotations
