"""The ``synthgen`` parser and dispatch: a handler per subcommand, errors as one line.

Every subcommand is one ``add_<name>(subparsers)`` function that registers its parser and
handler; :data:`SUBCOMMANDS` lists them, so adding a command is one function and one line.
Handlers return an exit code. A :class:`SynthGenError` becomes its message on stderr and
exit code 2, never a traceback: the messages already say what to fix. The service's
commands are listed in every install; without the ``service`` extra they say how to
install it before doing anything.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from synthgen_cli import library, service
from synthgen_core._version import __version__
from synthgen_core.errors import MissingDependencyError, SynthGenError

Handler = Callable[[argparse.Namespace], int]
EXIT_ERROR = 2
SERVICE_INSTALL = "pip install 'synthgen-core[service]'"
#: The modules behind ``serve``, ``worker`` and ``keys``; importing them checks the extra.
SERVICE_MODULES = ("synthgen_cli.serve", "synthgen_cli.worker", "synthgen_cli.keys")
#: Packages of SynthGen itself: a module of theirs missing is a broken install, not an extra.
OWN_PACKAGES = ("synthgen_cli", "synthgen_core", "synthgen_service", "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``synthgen`` with ``argv`` (default: the process arguments); return the exit code."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        _check_service_installed(handler)
        return handler(args)
    except SynthGenError as error:
        print(f"synthgen: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`synthgen sample ... | head`): stop quietly, as cat does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _check_service_installed(handler: Handler) -> None:
    """Stop a service command up front, in one line, when the ``service`` extra is missing."""
    if handler.__module__ != service.__name__:
        return
    for module in SERVICE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            missing = (error.name or "").partition(".")[0]
            if missing in OWN_PACKAGES:
                raise  # a broken install of SynthGen itself: not a missing extra
            raise MissingDependencyError(
                f"this command needs the service, from the 'service' extra (no module named "
                f"{missing!r}); install it with: {SERVICE_INSTALL}"
            ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synthgen",
        description="Synthetic tabular data that keeps a table's statistics.",
        epilog="serve, worker and keys run the REST service, from the 'service' extra:\n"
        f"  {SERVICE_INSTALL}",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps the command whole
    )
    parser.add_argument("--version", action="version", version=f"synthgen {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


#: Every subcommand's registration function, in help order.
SUBCOMMANDS: list[Callable[[Any], None]] = [
    library.add_inspect,
    library.add_fit,
    library.add_sample,
    library.add_evaluate,
    service.add_serve,
    service.add_worker,
    service.add_keys,
]
