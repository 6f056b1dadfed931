"""The ``synthgen`` command line, on top of both the library and the service.

Floors, top down (imports only go down, then into ``synthgen_service`` and
``synthgen_core``):

* :mod:`~synthgen_cli.main`: the parser, the dispatch and errors without tracebacks;
* :mod:`~synthgen_cli.library` (``inspect``, ``fit``, ``sample``, ``evaluate``) and
  :mod:`~synthgen_cli.service` (``serve``, ``worker``, ``keys``): one ``add_<name>``
  function per subcommand, registering its parser and handler;
* :mod:`~synthgen_cli.serve`, :mod:`~synthgen_cli.worker`, :mod:`~synthgen_cli.keys` and
  :mod:`~synthgen_cli.database`: what the service's commands run. They import
  ``synthgen_service`` (the ``service`` extra) and are imported only when such a command
  runs, so the library's commands work in an install without it.
"""

from __future__ import annotations

from synthgen_cli.main import build_parser, main

__all__ = ["build_parser", "main"]
