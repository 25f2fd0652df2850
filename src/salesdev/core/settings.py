"""The one place that reads the environment (prefix ``SALESDEV_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from salesdev.core.errors import ErrorDetail, InvalidInput

DEFAULT_SECRET_KEY = "dev-insecure-change-me"  # noqa: S105  (refused in production)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SALESDEV_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str = DEFAULT_SECRET_KEY
    log_level: str = "INFO"
    # HTTP access logs carry client addresses, which are personal data.
    access_log: bool = False
    # Outbound notifications (TMF hub): attempts before an event is dead-lettered,
    # and the first retry delay, doubled on each attempt.
    notification_max_attempts: int = Field(default=6, ge=1)
    notification_backoff_seconds: float = Field(default=2.0, gt=0)
    notification_timeout_seconds: float = Field(default=5.0, gt=0)
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    job_workers: int = Field(default=2, ge=1)

    def check_production_ready(self) -> None:
        """In production, refuse what is only safe on a developer's machine."""
        if self.environment != "production":
            return
        problems: list[ErrorDetail] = []
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            problems.append(
                ErrorDetail("SALESDEV_SECRET_KEY", "set a random secret of at least 32 characters")
            )
        if problems:
            raise InvalidInput(
                "salesdev refuses to start in production with unsafe settings", problems
            )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'salesdev.db').as_posix()}"

    @property
    def event_store_dir(self) -> Path:
        """Root of the Parquet sales-event store read by the analytical engine."""
        return self.data_dir / "events"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
