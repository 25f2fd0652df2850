"""Relational operational store (SQLAlchemy 2.0, sync sessions)."""
