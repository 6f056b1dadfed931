"""Property-based fuzzing of every operation in the OpenAPI document: never a 5xx.

The app runs under a real uvicorn server (in a thread) so schemathesis sends real HTTP,
including multipart uploads, with a valid key. Half of the generated cases have their ids
(in the path and in JSON bodies) replaced by ids of real resources, so the fuzz also reaches
past the 404s into config, condition and state validation. Examples are bounded and
derandomized so the test is fast and repeatable; a failure prints the offending request.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance

from synthgen_cli.keys import keys_create
from synthgen_service.app import create_app

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def server(settings) -> Iterator[tuple[str, str]]:
    """(base URL, API key) of the app served by uvicorn on a free local port."""
    key = keys_create(settings, "fuzz")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", key
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


def _real_ids(base_url: str, headers: dict[str, str], csv: bytes) -> dict[str, str]:
    """A project with a dataset, a pending model and a ready one, as the fuzz's real ids."""
    session = requests.Session()
    session.headers.update(headers)
    project = session.post(f"{base_url}/api/projects", json={"name": "fuzz"}).json()
    upload = session.post(
        f"{base_url}/api/datasets/upload",
        data={"project_id": project["id"], "name": "fuzz"},
        files={"file": ("fuzz.csv", csv)},
    ).json()
    model = session.post(
        f"{base_url}/api/synthgen/models",
        json={
            "project_id": project["id"],
            "dataset_version_id": upload["dataset_version_id"],
            "name": "fuzz",
        },
    ).json()
    return {
        "project_id": project["id"],
        "dataset_id": upload["dataset_id"],
        "dataset_version_id": upload["dataset_version_id"],
        "model_id": model["model_id"],
        "job_id": model["job_id"],
    }


def _with_real_ids(case: Any, real: dict[str, str], use: bool) -> Any:
    if not use or case.method == "DELETE":
        return case
    for name in list(case.path_parameters or {}):
        if name in real:
            case.path_parameters[name] = real[name]
    if isinstance(case.body, dict):
        for name in list(case.body):
            if name in real:
                case.body[name] = real[name]
    return case


def _fuzz(operation: Any, base_url: str, headers: dict[str, str], real: dict[str, str]) -> None:
    strategy = st.builds(
        lambda case, use: _with_real_ids(case, real, use), operation.as_strategy(), st.booleans()
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    run()


def test_no_operation_answers_5xx(server: tuple[str, str], tables) -> None:
    base_url, key = server
    headers = {"Authorization": f"Bearer {key}"}
    real = _real_ids(base_url, headers, tables.csv(tables.frame()))
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 18
    for operation in operations:
        _fuzz(operation, base_url, headers, real)
