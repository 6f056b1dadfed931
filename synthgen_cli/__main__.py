"""``python -m synthgen_cli``: the same as the ``synthgen`` command."""

from synthgen_cli.main import main

raise SystemExit(main())
