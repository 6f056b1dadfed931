"""The OpenAPI document lists every answer a SynthGen endpoint can give, with its body."""

from __future__ import annotations

from typing import Any

import pytest

ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
EXPECTED = [
    ("/api/synthgen/models", "post", {400, 401, 404, 422, 429, 503}),
    ("/api/synthgen/models", "get", {400, 401}),
    ("/api/synthgen/models/{model_id}", "get", {401, 404}),
    ("/api/synthgen/models/{model_id}", "delete", {401, 404, 409}),
    ("/api/synthgen/models/{model_id}/generate", "post", {400, 401, 404, 409, 422, 503}),
    ("/api/synthgen/jobs", "get", {400, 401}),
    ("/api/synthgen/jobs/{job_id}", "get", {401, 404}),
    ("/api/synthgen/jobs/{job_id}/download", "get", {400, 401, 404, 409}),
    ("/api/synthgen/jobs/{job_id}/cancel", "post", {401, 404, 409}),
    ("/api/synthgen/model-types", "get", {401}),
]


@pytest.fixture
async def document(client) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("path", "method", "statuses"), EXPECTED)
async def test_error_statuses_are_documented_with_the_error_body(document, path, method, statuses):
    responses = document["paths"][path][method]["responses"]
    assert statuses <= {int(status) for status in responses}, sorted(responses)
    for status in statuses - {400}:
        assert responses[str(status)]["content"]["application/json"]["schema"] == ERROR_BODY
        assert responses[str(status)]["description"]


async def test_error_body_schema_names_field_details(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["ErrorBody"]["required"]) == {"status_code", "detail"}
    assert set(schemas["FieldError"]["properties"]) == {"message", "key", "source"}


async def test_generate_documents_its_bounds_and_an_optional_body(document):
    operation = document["paths"]["/api/synthgen/models/{model_id}/generate"]["post"]
    assert operation["requestBody"]["required"] is False
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/GenerateRequest"}
    fields = document["components"]["schemas"]["GenerateRequest"]["properties"]
    assert fields["num_rows"]["minimum"] == 1
    assert fields["num_rows"]["default"] == 1000
    assert (fields["seed"]["minimum"], fields["seed"]["maximum"]) == (0, 2**63 - 1)


async def test_download_documents_each_file_type(document):
    ok = document["paths"]["/api/synthgen/jobs/{job_id}/download"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {
        "text/csv",
        "application/vnd.apache.parquet",
        "application/x-ndjson",
    }
    assert "" not in ok["content"]


async def test_ready_documents_its_503(document):
    responses = document["paths"]["/ready"]["get"]["responses"]
    body = responses["503"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Readiness"}
    readiness = document["components"]["schemas"]["Readiness"]["properties"]
    assert {"status", "database", "redis", "workers", "warning"} <= set(readiness)
