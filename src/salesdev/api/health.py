"""Liveness and readiness for load balancers and orchestrators (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import JSONResponse, Response

from salesdev.db.migrate import is_current
from salesdev.runtime import Runtime

_STATUS = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "reason": {"type": "string"},
    },
}


def install_health(app: FastAPI, runtime: Runtime) -> None:
    router = APIRouter(tags=["Health"])

    @router.get("/healthz", summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="The database answers and its schema is at the latest migration",
        responses={
            200: {"description": "Ready", "content": {"application/json": {"schema": _STATUS}}},
            503: {
                "description": "Not ready, with the reason",
                "content": {"application/json": {"schema": _STATUS}},
            },
        },
    )
    def readyz() -> Response:
        try:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current = is_current(runtime.engine)
        except SQLAlchemyError as exc:
            reason = f"database unavailable: {type(exc).__name__}"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        if not current:
            reason = "database schema is not at the latest migration; run `salesdev db upgrade`"
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        return JSONResponse({"status": "ok"})

    app.include_router(router)
