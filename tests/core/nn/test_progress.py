"""What a long ``fit`` shows: a bar in a terminal, log lines elsewhere, nothing when asked.

The terminal case runs in a child process whose stderr is a pseudo-terminal, as when a
person runs a script; the rest runs here, where stderr is not a terminal.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import synthgen_core as sg
from synthgen_core.demo import demo_table

OPTIONS: dict[str, Any] = {"epochs": 3, "batch_size": 100, "device": "cpu", "seed": 0}
LOGGER = "synthgen_core.training"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return demo_table().head(300)


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def test_fit_logs_progress_and_writes_nothing_outside_a_terminal(
    table: pd.DataFrame, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    sg.create("tvae", **OPTIONS).fit(table)
    assert capfd.readouterr() == ("", "")
    messages = _messages(caplog)
    assert messages[0].startswith("tvae: epoch 1/3 (")
    assert messages[-1].startswith("tvae: epoch 3/3 (")
    assert "s elapsed" in messages[-1]


def test_the_log_shows_the_epoch_that_a_callback_stopped_at(
    table: pd.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    model = sg.TVAE(**OPTIONS)
    model.fit(table, callback=lambda progress: progress.epoch >= 2)
    assert len(model.loss_history_) == 2  # the user's callback still stops training
    assert _messages(caplog)[-1].startswith("tvae: epoch 2/3 (")


@pytest.mark.parametrize("where", ["model", "fit"])
def test_verbose_false_keeps_training_silent(
    table: pd.DataFrame, caplog: pytest.LogCaptureFixture, where: str
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    if where == "model":
        sg.create("tvae", verbose=False, **OPTIONS).fit(table)
    else:
        sg.create("tvae", **OPTIONS).fit(table, verbose=False)
    assert _messages(caplog) == []


def test_verbose_is_not_a_model_option_so_saved_files_are_unchanged(
    table: pd.DataFrame, tmp_path: Path
) -> None:
    model = sg.create("gaussian_copula", verbose=False, seed=0).fit(table)
    assert "verbose" not in model.get_config()
    model.save(tmp_path / "m.sgm")
    assert sg.load(tmp_path / "m.sgm").options == {"seed": 0}


CHILD = f"""
import sys
import threading
import synthgen_core as sg
from synthgen_core.demo import demo_table

table, options = demo_table().head(300), {OPTIONS!r}
sg.create("tvae", **options).fit(table)
print("--silent from here--", file=sys.stderr, flush=True)
sg.create("tvae", verbose=False, **options).fit(table)
sg.create("tvae", **options).fit(table, verbose=False)
# a worker thread (the service's) logs instead of drawing over the main thread's output
worker = threading.Thread(target=lambda: sg.create("tvae", **options).fit(table))
worker.start()
worker.join()
"""


def _run_in_a_terminal(code: str) -> str:
    """Run ``code`` with stderr on a pseudo-terminal; return what the terminal showed."""
    leader, follower = pty.openpty()
    rows_and_columns = struct.pack("HHHH", 24, 100, 0, 0)  # a pty starts 0 columns wide
    fcntl.ioctl(follower, termios.TIOCSWINSZ, rows_and_columns)
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.DEVNULL, stderr=follower
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert child.wait(timeout=300) == 0, shown.decode(errors="replace")
    return shown.decode(errors="replace")


def test_fit_draws_a_progress_bar_in_a_terminal_on_the_main_thread_only() -> None:
    shown = _run_in_a_terminal(CHILD)
    bar, silent = shown.split("--silent from here--")
    assert "tvae" in bar and "3/3" in bar and "epoch" in bar
    assert silent.strip() == ""
