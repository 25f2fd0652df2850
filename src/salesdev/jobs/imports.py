"""The ``import`` job: a bulk file imported in the background, with progress.

Params: ``dataset`` (e.g. ``partners``), ``path`` (the file, inside the imports directory
``$SALESDEV_DATA_DIR/imports``), ``format`` (optional: csv, json, jsonl, parquet; else from the
extension) and ``dry_run`` (optional: check everything, write nothing).

The file must be in the imports directory: a job's parameters come from the API and the
console, and an import's error report quotes the file's cells, so a path anywhere on the
server would let a user read files they have no business reading. Interfaces store the
upload with :func:`stage_import_file` and submit with :func:`submit_import`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from salesdev.core.errors import ErrorDetail, InvalidInput
from salesdev.core.settings import Settings
from salesdev.db.models import Job
from salesdev.domains.access import Principal, authorize
from salesdev.domains.interchange import FILE_FORMATS, get_dataset, import_file, resolve_format
from salesdev.jobs.context import JobContext
from salesdev.jobs.registry import register_handler
from salesdev.jobs.submit import submit_job
from salesdev.runtime import Runtime

IMPORT = "import"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_COPY_CHUNK = 1024 * 1024


def imports_dir(settings: Settings) -> Path:
    return settings.data_dir / "imports"


def stage_import_file(settings: Settings, *, file_name: str, content: BinaryIO) -> str:
    """Save an uploaded file in the imports directory under a new, unique name that keeps
    the original's extension (which tells the format); returns the name to submit."""
    directory = imports_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    original = _UNSAFE.sub("_", Path(file_name).name).strip("._") or "upload"
    name = f"{uuid.uuid4().hex[:12]}-{original}"
    with (directory / name).open("xb") as target:
        while chunk := content.read(_COPY_CHUNK):
            target.write(chunk)
    return name


def submit_import(
    runtime: Runtime,
    *,
    session: Session,
    principal: Principal,
    dataset: str,
    path: str,
    format: str | None = None,
    dry_run: bool = False,
) -> Job:
    """Check what can be checked before queueing (the dataset, the permission, the file and
    its format), then submit the job in the caller's transaction."""
    params: dict[str, Any] = {"dataset": dataset, "path": path, "dry_run": dry_run}
    if format is not None:
        params["format"] = format
    checked = _checked_params(params, runtime.settings)
    authorize(principal, get_dataset(checked.dataset).family, "write")
    return submit_job(
        runtime, session=session, kind=IMPORT, params=params, requested_by=principal.actor
    )


def run_import_job(context: JobContext) -> dict[str, Any]:
    params = _checked_params(context.params, context.runtime.settings)
    now = context.runtime.clock.now()
    with context.unit_of_work(now=now) as session:
        result = import_file(
            session,
            dataset=params.dataset,
            path=params.path,
            format=params.format,
            now=now,
            progress=context.progress,
        )
        if params.dry_run:
            session.rollback()
    return {
        "dataset": result.dataset,
        "file": params.path.name,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "dry_run": params.dry_run,
    }


@dataclass(frozen=True)
class _Params:
    dataset: str
    path: Path
    format: str | None
    dry_run: bool


def _checked_params(params: Mapping[str, Any], settings: Settings) -> _Params:
    errors: list[ErrorDetail] = []
    dataset = params.get("dataset")
    if not isinstance(dataset, str) or not dataset:
        errors.append(ErrorDetail("params.dataset", "give the name of a dataset"))
    raw_format = params.get("format")
    if raw_format is not None and raw_format not in FILE_FORMATS:
        errors.append(
            ErrorDetail("params.format", f"expected one of {', '.join(FILE_FORMATS)} or none")
        )
    dry_run = params.get("dry_run", False)
    if not isinstance(dry_run, bool):
        errors.append(ErrorDetail("params.dry_run", "expected true or false"))
    path = _inside_imports_dir(params.get("path"), settings, errors)
    if errors:
        raise InvalidInput("Invalid import parameters", errors)
    assert isinstance(dataset, str) and path is not None
    get_dataset(dataset)
    resolve_format(path, raw_format)
    return _Params(dataset, path, raw_format, dry_run)


def _inside_imports_dir(raw: Any, settings: Settings, errors: list[ErrorDetail]) -> Path | None:
    if not isinstance(raw, str) or not raw:
        errors.append(ErrorDetail("params.path", "give the file's name in the imports directory"))
        return None
    base = imports_dir(settings).resolve()
    path = (base / raw).resolve()
    if not path.is_relative_to(base):
        errors.append(
            ErrorDetail("params.path", f"the file must be in the imports directory {base}")
        )
        return None
    if not path.is_file():
        errors.append(ErrorDetail("params.path", f"no file {raw!r} in the imports directory"))
        return None
    return path


register_handler(IMPORT, run_import_job)
