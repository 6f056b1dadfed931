from __future__ import annotations

import uuid

import pytest

from synthgen_service.artifacts import ArtifactFiles


def test_write_publish_and_delete(tmp_path):
    files = ArtifactFiles(tmp_path)
    artifact_id = uuid.uuid4()
    relative, size = files.write_bytes(artifact_id, ".csv", b"a,b\n1,2\n")
    assert relative == f"artifacts/{artifact_id}/data.csv"
    assert size == 8
    assert files.path(relative).read_bytes() == b"a,b\n1,2\n"
    assert list(files.tmp.iterdir()) == []
    files.delete([artifact_id, uuid.uuid4()])
    assert not files.folder(artifact_id).exists()


def test_paths_outside_the_artifact_folder_are_refused(tmp_path):
    files = ArtifactFiles(tmp_path)
    with pytest.raises(ValueError, match="escapes"):
        files.path("../../etc/passwd")
    with pytest.raises(ValueError, match="suffix"):
        files.relative_path(uuid.uuid4(), "/../../x")


def _abort_while_writing(files: ArtifactFiles) -> None:
    with files.temp_file(".csv") as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError("upload aborted")


def test_temp_file_is_removed_when_not_published(tmp_path):
    files = ArtifactFiles(tmp_path)
    with pytest.raises(RuntimeError, match="aborted"):
        _abort_while_writing(files)
    assert list(files.tmp.iterdir()) == []


def _store_rows_and_fail(files: ArtifactFiles, artifact_id: uuid.UUID) -> None:
    with files.removed_on_error(artifact_id):
        raise RuntimeError("the database refused the rows")


def test_a_published_file_is_removed_when_its_rows_fail(tmp_path):
    files = ArtifactFiles(tmp_path)
    kept, refused = uuid.uuid4(), uuid.uuid4()
    for artifact_id in (kept, refused):
        files.write_bytes(artifact_id, ".csv", b"a\n1\n")
    with files.removed_on_error(kept):
        pass
    with pytest.raises(RuntimeError, match="refused"):
        _store_rows_and_fail(files, refused)
    assert files.folder(kept).is_dir()
    assert not files.folder(refused).exists()
