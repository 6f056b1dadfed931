"""A dataset version's page: its detected columns (kind, missing rate, categories)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from synthgen_service.api.projects import owned_project
from synthgen_service.dashboard.web import Viewer, page
from synthgen_service.errors import NotFound
from synthgen_service.store import datasets

#: Categories listed per column; the rest are counted.
SHOWN_CATEGORIES = 20


class ColumnLine(msgspec.Struct, kw_only=True):
    name: str
    kind: str
    missing_rate: float | None
    categories: list[str]
    more_categories: int


def column_lines(table_metadata: dict[str, Any]) -> list[ColumnLine]:
    """One line per column of the stored metadata (what detection found at upload)."""
    lines = []
    for column in table_metadata.get("columns", []):
        categories = [str(c) for c in column.get("categories") or []]
        lines.append(
            ColumnLine(
                name=str(column["name"]),
                kind=str(column["kind"]),
                missing_rate=column.get("missing_rate"),
                categories=categories[:SHOWN_CATEGORIES],
                more_categories=max(len(categories) - SHOWN_CATEGORIES, 0),
            )
        )
    return lines


@get("/dashboard/versions/{version_id:uuid}", include_in_schema=False)
async def version_page(viewer: Viewer, session: AsyncSession, version_id: uuid.UUID) -> Template:
    found = await datasets.get_version(session, viewer.owner, version_id)
    if found is None:
        raise NotFound.of("dataset version", version_id)
    version, dataset = found
    project = await owned_project(session, viewer.owner, dataset.project_id)
    return page(
        "version.html",
        viewer,
        project=project,
        dataset=dataset,
        version=version,
        columns=column_lines(version.table_metadata),
        issues=version.quality.get("issues", []),
    )


__all__ = ["column_lines", "version_page"]
