"""The ``synthgen`` subcommands that belong to the service: ``serve``, ``worker``, ``keys``.

They live apart from :mod:`synthgen_core.cli` because they import ``synthgen_service``
(installed with the ``service`` extra), and only when they run: the library's commands
work without it. The environment is read here, once, into ``Settings``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from synthgen_core.errors import ConfigError

if TYPE_CHECKING:
    from synthgen_service.settings import Settings

EXIT_NOT_FOUND = 1


def _settings() -> Settings:
    try:
        from synthgen_service.settings import Settings
    except ImportError:  # pragma: no cover - depends on how SynthGen was installed
        raise ConfigError(
            "the service is not installed; install it with: pip install 'synthgen-core[service]'"
        ) from None
    import msgspec

    try:
        return Settings.from_env()
    except msgspec.ValidationError as error:
        raise ConfigError(f"invalid SYNTHGEN_* environment variable: {error}") from None


def add_serve(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "serve",
        help="run the REST API (embedded Redis and worker unless SYNTHGEN_REDIS_URL is set)",
    )
    command.add_argument("--host", help="interface to bind (default: SYNTHGEN_HOST or 127.0.0.1)")
    command.add_argument("--port", type=int, help="port (default: SYNTHGEN_PORT or 8888)")
    command.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from synthgen_service.cli import serve

    serve(_settings(), host=args.host, port=args.port)
    return 0


def add_worker(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "worker", help="run a background worker against SYNTHGEN_REDIS_URL (any number of them)"
    )
    command.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    from synthgen_service.worker_cli import run_worker

    run_worker(_settings())
    return 0


def add_keys(subparsers: Any) -> None:
    command = subparsers.add_parser("keys", help="create or revoke API keys")
    actions = command.add_subparsers(title="actions", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a key and print it (shown only once)")
    create.add_argument("--name", required=True, help="a label for the key")
    create.add_argument(
        "--owner", help="keys with the same owner share projects (default: the name)"
    )
    create.set_defaults(handler=_keys_create)
    revoke = actions.add_parser("revoke", help="revoke a key, given by its id or the key itself")
    revoke.add_argument("key", help="the key's id or the key")
    revoke.set_defaults(handler=_keys_revoke)


def _keys_create(args: argparse.Namespace) -> int:
    from synthgen_service.cli import keys_create

    print(keys_create(_settings(), args.name, owner=args.owner))
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    from synthgen_service.cli import keys_revoke

    if keys_revoke(_settings(), args.key):
        print("revoked", file=sys.stderr)
        return 0
    print("synthgen: error: no key matches; list ids in the database", file=sys.stderr)
    return EXIT_NOT_FOUND
