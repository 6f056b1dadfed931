"""``synthgen keys`` as users run it: a real process, its stdout, stderr and exit code."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from synthgen_service.settings import Settings
from synthgen_service.store import keys
from synthgen_service.store.engine import create_engine, session_factory

SYNTHGEN = str(Path(sys.executable).parent / "synthgen")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHGEN_")}
    return subprocess.run(
        [SYNTHGEN, "keys", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def owner_of(data_dir: Path, key: str) -> str | None:
    async def find() -> str | None:
        engine = create_engine(Settings(data_dir=data_dir))
        try:
            async with session_factory(engine)() as session:
                row = await keys.find_active(session, key)
                return None if row is None else row.owner
        finally:
            await engine.dispose()

    return asyncio.run(find())


def test_keys_create_says_whose_key_it_is_and_whether_the_owner_is_new(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run(["create", "--owner", "alice", "--name", "laptop"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "created key 'laptop' for a new owner 'alice'" in first.stderr
    second = run(["create", "--owner", "alice", "--name", "ci"], tmp_path)
    assert "for the existing owner 'alice' (1 other active key(s), 0 project(s))" in second.stderr
    assert "opens the same projects" in second.stderr
    by_name = run(["create", "--name", "bob"], tmp_path)  # the owner defaults to the name
    assert "created key 'bob' for a new owner 'bob'" in by_name.stderr
    for result, owner in ((first, "alice"), (second, "alice"), (by_name, "bob")):
        key = result.stdout.strip()
        assert result.stdout == key + "\n"  # stdout is the key alone, for KEY=$(...)
        assert owner_of(data, key) == owner


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", ""], "--name is empty"),
        (["--owner", "  ", "--name", "laptop"], "--owner is empty"),
        (["--owner", "x" * 201], "--owner is longer than 200 characters"),
        ([], "give --owner"),
    ],
)
def test_keys_create_refuses_missing_or_empty_values(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(["create", *args], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"synthgen: error: {message}")
    assert result.stderr.count("\n") == 1  # one line, no traceback
    assert not (tmp_path / "data").exists()  # nothing was created


def test_keys_create_names_its_database_and_warns_when_it_is_new(tmp_path: Path) -> None:
    server, elsewhere = tmp_path / "server", tmp_path / "elsewhere"
    server.mkdir()
    elsewhere.mkdir()
    run(["create", "--owner", "alice"], server)  # the database a server would use
    server_db = (server / "data" / "synthgen.db").resolve()

    stray = run(["create", "--owner", "alice"], elsewhere)
    assert stray.returncode == 0
    assert f"stored in {(elsewhere / 'data' / 'synthgen.db').resolve()}" in stray.stderr
    assert "warning: that database was empty (just created)" in stray.stderr
    assert "for a new owner 'alice'" in stray.stderr

    aimed = run(["create", "--owner", "alice", "--data-dir", str(server / "data")], elsewhere)
    assert f"stored in {server_db}\n" in aimed.stderr
    assert "warning" not in aimed.stderr
    assert "existing owner 'alice'" in aimed.stderr
    assert owner_of(server / "data", aimed.stdout.strip()) == "alice"

    env = {"SYNTHGEN_DATA_DIR": str(server / "data")}
    from_env = run(["create", "--owner", "alice"], elsewhere, **env)
    assert f"stored in {server_db}\n" in from_env.stderr


def test_keys_revoke_uses_the_data_dir_it_is_given(tmp_path: Path) -> None:
    data = tmp_path / "server" / "data"
    key = run(["create", "--owner", "alice", "--data-dir", str(data)], tmp_path).stdout.strip()
    elsewhere = run(["revoke", key], tmp_path)
    assert elsewhere.returncode == 1
    assert f"no key matches in {(tmp_path / 'data' / 'synthgen.db').resolve()}" in elsewhere.stderr
    assert owner_of(data, key) == "alice"
    revoked = run(["revoke", key, "--data-dir", str(data)], tmp_path)
    assert revoked.returncode == 0
    assert owner_of(data, key) is None
