"""Code blocks of a Markdown file and the ``<!-- doctest: ... -->`` directives before them.

The convention, for README.md and docs/*.md alike:

* a ```` ```python ```` block runs as is; blocks of one file run in order, in one namespace
  and one temporary working directory, so a later block may use an earlier block's names
  and files;
* a ```` ```bash ```` (or ``sh``/``shell``) block runs with ``bash -euo pipefail`` in the
  same directory, with the virtual environment's ``bin`` first on ``PATH``;
* any other fence (``json``, ``text``, ``ini`` ...) is output or configuration, never run;
* ``<!-- doctest: service -->`` on the line before a block: the block talks to a running
  service. The test starts a real ``synthgen serve`` (embedded defaults, its own data dir,
  a free port) and replaces ``http://localhost:8888`` and ``YOUR_API_KEY`` in the block
  with its address and first key; shell blocks also get ``BASE_URL``, ``API_KEY`` and
  ``SYNTHGEN_DATA_DIR`` in their environment;
* ``<!-- doctest: skip - REASON -->``: the block cannot run here (a multi-machine deployment,
  a package install, a server that runs forever). The reason is required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\S*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*doctest:\s*(\w+)\s*(?:-\s*(.*?))?\s*-->\s*$")
RUNNABLE = {"python": "python", "py": "python", "bash": "shell", "sh": "shell", "shell": "shell"}
DIRECTIVES = {"service", "skip"}


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str  # "python", "shell" or the fence's own word for blocks that never run
    code: str
    directive: str | None
    reason: str | None

    @property
    def runs(self) -> bool:
        return self.language in ("python", "shell") and self.directive != "skip"

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def _directive(lines: list[str], fence: int) -> tuple[str | None, str | None]:
    """The directive on the nearest non-blank line above the fence, if that is one."""
    above = fence - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    match = DIRECTIVE.match(lines[above].strip()) if above >= 0 else None
    if match is None:
        return None, None
    name, reason = match.group(1), match.group(2)
    if name not in DIRECTIVES:
        raise ValueError(f"unknown doctest directive {name!r} above line {fence + 1}")
    return name, reason


def blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path``, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next(k for k in range(index + 1, len(lines)) if lines[k].startswith("```"))
        language = RUNNABLE.get(opening.group(1), opening.group(1))
        directive, reason = _directive(lines, index)
        code = "\n".join(lines[index + 1 : end]) + "\n"
        found.append(Block(path, index + 1, language, code, directive, reason))
        index = end + 1
    return found
