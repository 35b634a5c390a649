"""``python -m kashflow_async.cli``: the ``kashflow`` command."""

from . import main

main()
