"""The service's commands: ``serve``, ``worker`` and ``keys``.

They import ``synthgen_service`` (installed with the ``service`` extra), and only when they
run, through :mod:`~synthgen_cli.serve`, :mod:`~synthgen_cli.worker` and
:mod:`~synthgen_cli.keys`: the library's commands work without it. The environment is
read here, once, into ``Settings``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthgen_core.errors import ConfigError

if TYPE_CHECKING:
    from synthgen_cli.keys import NewKey
    from synthgen_service.settings import Settings

EXIT_NOT_FOUND = 1


def _settings(data_dir: Path | None = None) -> Settings:
    """The settings from the environment; ``data_dir`` (a ``--data-dir``) overrides its own."""
    try:
        from synthgen_service.settings import Settings
    except ImportError:  # pragma: no cover - depends on how SynthGen was installed
        raise ConfigError(
            "the service is not installed; install it with: pip install 'synthgen-core[service]'"
        ) from None
    import msgspec

    try:
        settings = Settings.from_env()
    except msgspec.ValidationError as error:
        raise ConfigError(f"invalid SYNTHGEN_* environment variable: {error}") from None
    return settings if data_dir is None else msgspec.structs.replace(settings, data_dir=data_dir)


def add_serve(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "serve",
        help="run the REST API (embedded Redis and worker unless SYNTHGEN_REDIS_URL is set)",
    )
    command.add_argument("--host", help="interface to bind (default: SYNTHGEN_HOST or 127.0.0.1)")
    command.add_argument("--port", type=int, help="port (default: SYNTHGEN_PORT or 8888)")
    command.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from synthgen_cli.serve import serve

    serve(_settings(), host=args.host, port=args.port)
    return 0


def add_worker(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "worker", help="run a background worker against SYNTHGEN_REDIS_URL (any number of them)"
    )
    command.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    from synthgen_cli.worker import run_worker

    run_worker(_settings())
    return 0


def add_keys(subparsers: Any) -> None:
    command = subparsers.add_parser("keys", help="create or revoke API keys")
    actions = command.add_subparsers(title="actions", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        help="create a key and print it (shown only once)",
        description="Keys of the same owner share that owner's projects. Give --owner, "
        "--name or both: each defaults to the other.",
    )
    create.add_argument("--owner", help="whose projects the key opens (default: the --name)")
    create.add_argument("--name", help="a label for this key, e.g. laptop (default: the owner)")
    _add_data_dir(create)
    create.set_defaults(handler=_keys_create)
    revoke = actions.add_parser("revoke", help="revoke a key, given by its id or the key itself")
    revoke.add_argument("key", help="the key's id or the key")
    _add_data_dir(revoke)
    revoke.set_defaults(handler=_keys_revoke)


def _add_data_dir(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--data-dir",
        type=Path,
        help="the server's data dir, whose synthgen.db holds the keys (default: "
        "SYNTHGEN_DATA_DIR, else ./data; SYNTHGEN_DATABASE_URL, when set, names the database)",
    )


def _keys_create(args: argparse.Namespace) -> int:
    from synthgen_cli.keys import create_key

    created = create_key(_settings(args.data_dir), owner=args.owner, name=args.name)
    print(created.key)  # alone on stdout, for KEY=$(synthgen keys create ...)
    for line in _describe(created):
        print(f"synthgen: {line}", file=sys.stderr)
    return 0


def _describe(created: NewKey) -> list[str]:
    """Who the key belongs to and where it is stored, so a wrong guess shows at once."""
    usage = created.usage
    if usage.exists:
        whose = (
            f"the existing owner '{created.owner}' ({usage.active_keys} other active key(s), "
            f"{usage.projects} project(s)): it opens the same projects"
        )
    else:
        whose = f"a new owner '{created.owner}'"
    lines = [f"created key '{created.name}' for {whose}", f"stored in {created.database}"]
    if created.new_database:
        lines.append(
            "warning: that database was empty (just created), so no server has used it yet; a "
            "running server answers 401 to this key unless it uses the same database "
            "(give --data-dir, or the server's SYNTHGEN_DATA_DIR / SYNTHGEN_DATABASE_URL)"
        )
    return lines


def _keys_revoke(args: argparse.Namespace) -> int:
    from synthgen_cli.database import database_label
    from synthgen_cli.keys import keys_revoke

    settings = _settings(args.data_dir)
    if keys_revoke(settings, args.key):
        print(f"revoked (in {database_label(settings)})", file=sys.stderr)
        return 0
    print(
        f"synthgen: error: no key matches in {database_label(settings)}; give the key or its "
        "id, and the server's --data-dir or SYNTHGEN_* settings",
        file=sys.stderr,
    )
    return EXIT_NOT_FOUND
