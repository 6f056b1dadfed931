"""Generating rows from a ready model: the generate form and what it posts.

The form offers a condition per column the model can condition on, from the metadata the
model learned: a category picker for discrete columns, a text field for numbers and dates,
which takes one value or a range in the command line's short form (``30..40``, ``30..``,
``..40``).
What it posts goes through the REST API's own path (``start_generation``: row limit, model
ready, conditions checked against the learned metadata), and what that refuses is shown
next to its field, with what was typed kept.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from arq.connections import ArqRedis
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_core.errors import ConditionError
from synthgen_core.metadata import Metadata
from synthgen_core.metadata.kinds import CONTINUOUS_KINDS, DISCRETE_KINDS, ColumnKind
from synthgen_core.ranges import Range
from synthgen_core.sampling.conditions import condition_from_text
from synthgen_service.api.models import sampling_metadata, start_generation
from synthgen_service.api.projects import owned_project
from synthgen_service.dashboard.web import CSRF_FIELD, SECURITY_HEADERS, Viewer, check_csrf, page
from synthgen_service.errors import Conflict, InvalidField, NotFound
from synthgen_service.schemas.models import GenerateRequest
from synthgen_service.settings import Settings
from synthgen_service.store import models
from synthgen_service.store.models import ModelRow
from synthgen_service.store.payloads import DEFAULT_ROWS
from synthgen_service.store.status import ModelStatus

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: Condition fields are named ``condition.<column>``.
PREFIX = "condition."
#: A discrete column with more categories than this gets a text field, not a picker.
MAX_PICKER = 500
ROWS_ERROR = "Enter a whole number of rows, at least 1."
SEED_ERROR = "Enter a whole number from 0 to 9223372036854775807, or leave it empty."


class Condition(msgspec.Struct, kw_only=True):
    """One column's condition field: a picker when ``choices`` is set, else text."""

    column: str
    kind: str
    value: str
    choices: list[str] | None = None
    help: str = ""


RANGE_HELP = "One value, or a range such as 30..40 (30.. or ..40 leave a side open)."


def _numeric_help(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return RANGE_HELP
    return f"Learned range {low:g} to {high:g}. {RANGE_HELP}"


def conditions(metadata: Metadata, sent: dict[str, str]) -> list[Condition]:
    """A field per column that can be conditioned on, in the table's order."""
    fields = []
    for spec in metadata.columns:
        value = sent.get(PREFIX + spec.name, "")
        categories = [str(c) for c in spec.categories or []]
        if spec.kind in DISCRETE_KINDS and 0 < len(categories) <= MAX_PICKER:
            picker = Condition(column=spec.name, kind=spec.kind, value=value, choices=categories)
            fields.append(picker)
        elif spec.kind in DISCRETE_KINDS or spec.kind in CONTINUOUS_KINDS:
            hint = ""
            if spec.kind == ColumnKind.NUMERICAL:
                hint = _numeric_help(spec.min_value, spec.max_value)
            elif spec.kind == ColumnKind.DATETIME:
                hint = "One date, or a range such as 2020-01-01..2020-06-30."
            fields.append(Condition(column=spec.name, kind=spec.kind, value=value, help=hint))
    return fields


async def _ready_model(session: AsyncSession, owner: str, model_id: uuid.UUID) -> ModelRow:
    row = await models.get(session, owner, model_id)
    if row is None:
        raise NotFound.of("model", model_id)
    if row.model.status != ModelStatus.READY:
        raise Conflict(f"model {model_id} is {row.model.status}; generate needs it ready")
    return row


async def _form(
    session: AsyncSession,
    viewer: Viewer,
    row: ModelRow,
    sent: dict[str, str],
    errors: dict[str, str],
) -> Template:
    project = await owned_project(session, viewer.owner, row.model.project_id)
    metadata = await sampling_metadata(session, viewer.owner, row)
    return page(
        "generate.html",
        viewer,
        status_code=422 if errors else 200,
        project=project,
        row=row,
        conditions=conditions(metadata, sent),
        sent=sent,
        errors=errors,
        prefix=PREFIX,
    )


@get("/dashboard/models/{model_id:uuid}/generate", include_in_schema=False)
async def generate_form(viewer: Viewer, session: AsyncSession, model_id: uuid.UUID) -> Template:
    row = await _ready_model(session, viewer.owner, model_id)
    return await _form(session, viewer, row, {"num_rows": str(DEFAULT_ROWS)}, {})


def _whole(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def parse_request(data: dict[str, str], metadata: Metadata) -> GenerateRequest | dict[str, str]:
    """The form as the API's request body, or the errors by field.

    A number or date field's ``LOW..HIGH`` becomes a range condition (see
    :func:`~synthgen_core.sampling.conditions.condition_from_text`).
    """
    rows, seed_text = _whole(data.get("num_rows", "")), data.get("seed", "").strip()
    seed = _whole(seed_text) if seed_text else None
    errors = {}
    if rows is None or rows < 1:
        errors["num_rows"] = ROWS_ERROR
    if seed_text and (seed is None or not 0 <= seed < 2**63):
        errors["seed"] = SEED_ERROR
    if errors or rows is None:
        return errors
    picked: dict[str, Any] = {}
    for name, value in data.items():
        column = name.removeprefix(PREFIX)
        if not name.startswith(PREFIX) or not value.strip():
            continue
        try:
            picked[column] = _condition(metadata, column, value.strip())
        except ConditionError as exc:
            errors[name] = str(exc)
    if errors:
        return errors
    return GenerateRequest(num_rows=rows, seed=seed, conditions=picked or None)


def _condition(metadata: Metadata, column: str, text: str) -> Any:
    """The request's value for one field: a range's bounds, or the text itself."""
    found = condition_from_text(metadata, column, text)
    return msgspec.to_builtins(found) if isinstance(found, Range) else found


async def _started(
    session: AsyncSession,
    viewer: Viewer,
    *,
    row: ModelRow,
    request: GenerateRequest,
    queue: ArqRedis,
    settings: Settings,
) -> uuid.UUID | dict[str, str]:
    """The new job's id, or what the API's checks refused, by field."""
    try:
        job = await start_generation(
            session, viewer.owner, row, request, queue=queue, settings=settings
        )
    except InvalidField as exc:  # the row limit
        return {exc.key or "num_rows": exc.detail}
    except ConditionError as exc:
        return {PREFIX + exc.column if exc.column else "conditions": str(exc)}
    return job.id


@post("/dashboard/models/{model_id:uuid}/generate", include_in_schema=False)
async def generate(
    *,
    viewer: Viewer,
    session: AsyncSession,
    model_id: uuid.UUID,
    data: Form,
    queue: ArqRedis,
    settings: Settings,
) -> Response[Any]:
    """Queue the generate job as ``POST .../generate`` does, then open the job's page."""
    check_csrf(viewer, data.get(CSRF_FIELD))
    row = await _ready_model(session, viewer.owner, model_id)
    request = parse_request(data, await sampling_metadata(session, viewer.owner, row))
    started = (
        await _started(session, viewer, row=row, request=request, queue=queue, settings=settings)
        if isinstance(request, GenerateRequest)
        else request
    )
    if not isinstance(started, uuid.UUID):
        return await _form(session, viewer, row, data, started)
    return Redirect(f"/dashboard/jobs/{started}", status_code=303, headers=SECURITY_HEADERS)


__all__ = ["Condition", "conditions", "generate", "generate_form", "parse_request"]
