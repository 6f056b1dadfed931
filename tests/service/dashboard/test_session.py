"""The session cookie's signature, expiry and the signing secret's one home."""

from __future__ import annotations

import stat
import time
import uuid
from pathlib import Path

import msgspec

from synthgen_service.dashboard.session import SECRET_FILE, Session, load_secret, sign, verify
from synthgen_service.settings import Settings

KEY_ID = uuid.UUID(int=7)


def test_the_secret_is_created_once_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = load_secret(settings)
    path = settings.data_dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64
    assert load_secret(settings) == first  # a restart keeps every session valid


def test_the_setting_wins_and_no_file_is_written(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, session_secret="s" * 32)
    assert load_secret(settings) == b"s" * 32
    assert not (tmp_path / SECRET_FILE).exists()
    env = Settings.from_env({"SYNTHGEN_SESSION_SECRET": "abc" * 8})
    assert env.session_secret == "abc" * 8


def test_a_signed_session_round_trips_and_holds_no_key() -> None:
    session = Session.start("alice", KEY_ID)
    cookie = sign(session, b"secret")
    assert verify(cookie, b"secret") == session
    assert verify(cookie, b"another secret") is None


def test_edited_or_expired_cookies_are_no_session() -> None:
    session = Session.start("alice", KEY_ID)
    payload, mac = sign(session, b"secret").split(".")
    as_bob = sign(msgspec.structs.replace(session, owner="bob"), b"secret").split(".")[0]
    assert verify(f"{as_bob}.{mac}", b"secret") is None
    expired = msgspec.structs.replace(session, expires=int(time.time()) - 1)
    assert verify(sign(expired, b"secret"), b"secret") is None
    for junk in [None, "", "no-dot", "a.b.c", f"{payload}!.{mac}", f"{payload}.{mac}x"]:
        assert verify(junk, b"secret") is None
