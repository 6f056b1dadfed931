"""The ArtifactStore contract, run against every implementation the factory can build.

A new implementation (an object store) joins ``IMPLEMENTATIONS`` and so every test marked
by the ``store`` fixture; the tests after the contract are specific to the local disk.
"""

from __future__ import annotations

import hashlib
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path

import anyio
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthgen_service.artifacts import (
    IMPLEMENTATIONS,
    ArtifactKey,
    ArtifactMissing,
    ArtifactStore,
    InvalidArtifactKey,
    LocalArtifactStore,
    disk_full,
    open_artifact_store,
    read_chunks,
    removed_on_error,
    text_stream,
)
from synthgen_service.settings import Settings
from tests.service.full_disk import fill_disk

MIB = 1024 * 1024


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    settings = msgspec.structs.replace(Settings(data_dir=tmp_path), artifact_store=request.param)
    return open_artifact_store(settings)


def _key(name: str = "data.csv") -> ArtifactKey:
    return ArtifactKey(uuid.uuid4(), name)


def _read(store: ArtifactStore, key: ArtifactKey) -> bytes:
    with store.open(key) as handle:
        return handle.read()


# -- the contract ---------------------------------------------------------------------------


def test_put_then_open_exists_and_size(store: ArtifactStore) -> None:
    assert isinstance(store, ArtifactStore)  # the API's dependency injection checks this
    key = _key()
    assert not store.exists(key)
    assert store.put(key, b"a,b\n1,2\n") == 8
    assert store.exists(key) and store.size(key) == 8
    assert _read(store, key) == b"a,b\n1,2\n"
    assert store.put(key, b"a\n") == 2  # put replaces
    assert _read(store, key) == b"a\n" and store.size(key) == 2


def test_an_opened_object_is_a_seekable_binary_file(store: ArtifactStore) -> None:
    key = _key("data.parquet")
    store.put(key, bytes(range(256)))
    with store.open(key) as handle:
        handle.seek(250)
        assert handle.read() == bytes(range(250, 256))
        handle.seek(0)
        assert handle.read(3) == b"\x00\x01\x02"


def test_a_missing_object_is_artifact_missing(store: ArtifactStore) -> None:
    key = _key()
    with pytest.raises(ArtifactMissing, match=str(key.artifact_id)):
        store.open(key)
    with pytest.raises(ArtifactMissing):
        store.size(key)
    store.delete([key.artifact_id])  # deleting what is not there is fine


def test_staged_bytes_are_invisible_until_published(store: ArtifactStore) -> None:
    key = _key()
    with store.writer() as writer:
        writer.stream.write(b"half")
        assert not store.exists(key)
        with writer.read_back() as staged:
            assert staged.read() == b"half"
        writer.stream.write(b" and the rest")
        assert writer.publish(key) == len(b"half and the rest")
    assert _read(store, key) == b"half and the rest"


def _abort_while_writing(store: ArtifactStore) -> None:
    with store.writer() as writer:
        writer.stream.write(b"partial")
        raise RuntimeError("upload aborted")


def test_unpublished_bytes_are_discarded(store: ArtifactStore) -> None:
    key = _key()
    with store.writer() as writer:
        writer.stream.write(b"never published")
    with pytest.raises(RuntimeError, match="aborted"):
        _abort_while_writing(store)
    assert not store.exists(key)


def test_a_reader_keeps_the_object_it_opened_while_it_is_replaced(store: ArtifactStore) -> None:
    key = _key()
    store.put(key, b"old " * 100_000)
    with store.open(key) as reader:
        first = reader.read(4)
        store.put(key, b"new " * 10)
        assert first + reader.read() == b"old " * 100_000  # old or new, never half of each
    assert _read(store, key) == b"new " * 10


def test_delete_removes_every_object_of_the_artifact_only(store: ArtifactStore) -> None:
    doomed, kept = _key(), _key()
    export = doomed.sibling("export.jsonl")
    for key in (doomed, export, kept):
        store.put(key, b"x")
    store.delete([doomed.artifact_id])
    assert not store.exists(doomed) and not store.exists(export)
    assert _read(store, kept) == b"x"


def _store_rows_and_fail(store: ArtifactStore, artifact_id: uuid.UUID) -> None:
    with removed_on_error(store, artifact_id):
        raise RuntimeError("the database refused the rows")


def test_a_published_object_is_removed_when_its_rows_fail(store: ArtifactStore) -> None:
    kept, refused = _key(), _key()
    for key in (kept, refused):
        store.put(key, b"a\n1\n")
    with removed_on_error(store, kept.artifact_id):
        pass
    with pytest.raises(RuntimeError, match="refused"):
        _store_rows_and_fail(store, refused.artifact_id)
    assert store.exists(kept) and not store.exists(refused)


def _pattern(index: int) -> bytes:
    return hashlib.sha256(index.to_bytes(4, "little")).digest() * (MIB // 32)


def _write_large(store: ArtifactStore, key: ArtifactKey, chunks: int) -> str:
    digest = hashlib.sha256()
    with store.writer() as writer:
        for index in range(chunks):
            writer.stream.write(_pattern(index))
            digest.update(_pattern(index))
        writer.publish(key)
    return digest.hexdigest()


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    yield
    tracemalloc.stop()


def test_a_large_object_streams_in_and_out_in_flat_memory(
    store: ArtifactStore, traced: None
) -> None:
    """64 MiB through a writer and back through ``open``, never more than a few MiB held."""
    key, chunks = _key(), 64
    tracemalloc.reset_peak()
    expected = _write_large(store, key, chunks)
    digest = hashlib.sha256()
    with store.open(key) as handle:
        while block := handle.read(MIB):
            digest.update(block)
    _, peak = tracemalloc.get_traced_memory()
    assert digest.hexdigest() == expected
    assert store.size(key) == chunks * MIB
    assert peak < 8 * MIB, f"held {peak / MIB:.1f} MiB at once"


def test_read_chunks_streams_to_an_async_consumer(store: ArtifactStore, traced: None) -> None:
    key = _key()
    expected = _write_large(store, key, 32)

    async def consume() -> tuple[str, int]:
        digest, count = hashlib.sha256(), 0
        async for chunk in read_chunks(store, key, chunk_bytes=MIB):
            digest.update(chunk)
            count += 1
        return digest.hexdigest(), count

    tracemalloc.reset_peak()
    assert anyio.run(consume) == (expected, 32)
    assert tracemalloc.get_traced_memory()[1] < 8 * MIB


def test_text_stream_writes_utf8_and_leaves_the_binary_open(store: ArtifactStore) -> None:
    key = _key()
    with store.writer() as writer:
        with text_stream(writer.stream) as text:
            text.write("Zürich\r\n")
        writer.stream.write(b"tail")
        writer.publish(key)
    assert _read(store, key) == "Zürich\r\ntail".encode()


# -- keys -----------------------------------------------------------------------------------

ID = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")


def test_stored_rows_parse_back_to_their_keys() -> None:
    key = ArtifactKey.data(ID, ".csv")
    assert str(key) == f"artifacts/{ID}/data.csv"
    assert ArtifactKey.parse(str(key)) == key
    assert key.suffix == ".csv" and ArtifactKey.data(ID, "").suffix == ""
    assert key.sibling("export-formula-safe.csv").suffix == ".csv"


@pytest.mark.parametrize(
    "text",
    [
        "../../etc/passwd",
        f"artifacts/{ID}/../../../etc/passwd",
        f"artifacts/{ID}/..",
        f"artifacts/{ID}/.hidden",
        f"artifacts/{ID}/a/b.csv",
        f"artifacts/{ID}/",
        f"artifacts/{str(ID).upper()}/data.csv",
        f"artifacts/{ID.hex}/data.csv",
        f"/artifacts/{ID}/data.csv",
        f"{ID}/data.csv",
        f"artifacts/{ID}/data.csv\x00.png",
        f"artifacts/{ID}/DATA.CSV",
        "artifacts/not-a-uuid/data.csv",
    ],
)
def test_keys_that_could_leave_the_artifact_area_are_refused(text: str) -> None:
    with pytest.raises(InvalidArtifactKey):
        ArtifactKey.parse(text)


def test_names_and_suffixes_are_checked_when_a_key_is_made() -> None:
    for name in ("../x", "a/b", ".x", "", "x" * 80, "data.tar.gz", "a b"):
        with pytest.raises(InvalidArtifactKey):
            ArtifactKey(ID, name)
    with pytest.raises(InvalidArtifactKey, match="suffix"):
        ArtifactKey.data(ID, "/../../x")
    with pytest.raises(InvalidArtifactKey, match="UUID"):
        ArtifactKey(str(ID), "data.csv")  # type: ignore[arg-type]


@given(st.text(max_size=80) | st.builds(lambda s: f"artifacts/{ID}/{s}", st.text(max_size=40)))
def test_any_text_is_refused_or_names_a_file_inside_its_artifact_folder(text: str) -> None:
    try:
        key = ArtifactKey.parse(text)
    except InvalidArtifactKey:
        return
    root = Path("/srv/synthgen/artifacts")
    store = LocalArtifactStore(root.parent)
    assert str(key) == text
    assert store.path(key).parent == root / str(key.artifact_id)


# -- the factory and the local disk ---------------------------------------------------------


def test_the_factory_builds_the_local_store_by_default(tmp_path: Path) -> None:
    store = open_artifact_store(Settings(data_dir=tmp_path))
    assert isinstance(store, LocalArtifactStore)
    key = _key()
    store.put(key, b"x")
    assert (tmp_path / "artifacts" / str(key.artifact_id) / "data.csv").read_bytes() == b"x"


def test_an_artifact_store_that_is_not_installed_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(msgspec.ValidationError, match="artifact_store"):
        Settings.from_env({"SYNTHGEN_ARTIFACT_STORE": "s3"})
    unchecked = msgspec.structs.replace(Settings(data_dir=tmp_path), artifact_store="s3")
    with pytest.raises(ValueError, match="SYNTHGEN_ARTIFACT_STORE='s3'.*'local'"):
        open_artifact_store(unchecked)


def test_a_local_writer_leaves_no_temp_file(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    store.put(_key(), b"kept")
    with store.writer() as writer:
        writer.stream.write(b"dropped")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_full_disk_fails_the_publish_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalArtifactStore(tmp_path)
    key = _key()
    fill_disk(monkeypatch, tmp_path / "tmp")
    with pytest.raises(OSError, match="No space left") as error:
        store.put(key, b"a few bytes that sit in the write buffer")
    assert disk_full(error.value)
    monkeypatch.undo()
    assert not store.exists(key)
    assert list((tmp_path / "tmp").iterdir()) == []
