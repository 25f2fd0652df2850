"""The REST API (TMF630 conventions): the toolkit, health checks, docs and resources."""

from __future__ import annotations

from fastapi import FastAPI

from salesdev.api.docs import install_docs
from salesdev.api.health import install_health
from salesdev.api.platform import (
    install_delivery_retry,
    job_resource,
    notification_delivery_resource,
)
from salesdev.api.sales_development import sales_development_api
from salesdev.api.toolkit import install_error_handlers, install_resources
from salesdev.runtime import Runtime


def install_api(app: FastAPI, runtime: Runtime) -> None:
    install_error_handlers(app)
    install_health(app, runtime)
    install_docs(app)
    api = sales_development_api().add(job_resource(), notification_delivery_resource())
    install_resources(app, runtime, api)
    install_delivery_retry(app, runtime, api)


__all__ = ["install_api"]
