"""The web dashboard: server-rendered pages at ``/`` over the same store as the REST API.

Pages are Jinja2 templates rendered by Litestar; htmx (vendored, ``static/htmx.min.js``,
BSD Zero-Clause, see ``static/htmx.LICENSE.txt``) refreshes parts of a page without a
build step. Sign-in, sessions and form tokens: :mod:`~synthgen_service.dashboard.session`
and :mod:`~synthgen_service.dashboard.web`. The user guide is docs/dashboard.md.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from synthgen_service.dashboard import (
    columns,
    deleting,
    generating,
    jobs,
    model_types,
    projects,
    signin,
    training,
    uploads,
)
from synthgen_service.dashboard.session import load_secret
from synthgen_service.dashboard.web import EXCEPTION_HANDLERS, provide_viewer, secure

HERE = Path(__file__).parent
#: The pinned htmx release in ``static/`` (from the npm package ``htmx.org``).
HTMX_VERSION = "2.0.11"


def dashboard_router() -> Router:
    """Every dashboard page and its static files, with HTML error pages and security headers."""
    pages = [
        signin.home,
        signin.sign_in,
        signin.sign_out,
        projects.project_list,
        projects.new_project,
        projects.create_project,
        projects.project_page,
        projects.project_models,
        uploads.upload_form,
        uploads.upload,
        columns.version_page,
        training.train_form,
        training.train,
        training.model_page,
        training.model_status,
        training.cancel,
        deleting.confirm_model,
        deleting.delete_model,
        deleting.confirm_dataset,
        deleting.delete_dataset,
        deleting.confirm_project,
        deleting.delete_project,
        model_types.model_types_page,
        generating.generate_form,
        generating.generate,
        jobs.job_list,
        jobs.job_page,
        jobs.job_status,
        jobs.download,
    ]
    static = create_static_files_router(
        path="/dashboard/static", directories=[HERE / "static"], after_request=secure
    )
    return Router(
        path="/",
        route_handlers=[*pages, static],
        dependencies={"viewer": Provide(provide_viewer)},
        exception_handlers=EXCEPTION_HANDLERS,
        after_request=secure,
        include_in_schema=False,
    )


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)


__all__ = ["HTMX_VERSION", "dashboard_router", "load_secret", "template_config"]
