"""MkDocs hooks of the documentation site (``hooks:`` in mkdocs.yml).

- The CLI reference page holds the line `CLI_MARKER`; at build time it is replaced by
  `cli_reference()`, written from the ``kashflow`` command's own definitions (usage,
  help, every option with its type, default and environment variable), never by hand.
- The Models and Errors pages of the API reference hold ``<!-- api-reference: models -->``
  and ``<!-- api-reference: errors -->``: at build time each becomes a ``:::`` directive
  for every public model, enumeration or error class (`api_names`), so that a name added
  to ``kashflow_async.__all__`` is documented without editing the page.
- The benchmark charts in ``benchmarks/results/`` are served as ``benchmarks/*.png``, so
  that the performance pages show the charts of the last run without a copy in docs/.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHARTS = ROOT / "benchmarks" / "results"
#: The line of docs/cli/reference.md that the generated reference replaces.
CLI_MARKER = "<!-- cli-reference -->"
#: ``<!-- api-reference: KIND -->``: the directives of every public name of KIND.
API_MARKER = re.compile(r"^<!-- api-reference: (\w+) -->$", re.M)
#: What each model directive shows: every field, documented or not.
_FIELDS = "    options:\n      show_if_no_docstring: true\n"


#: Model modules shown first, in this order; the others follow by name.
_FIRST = ("invoices", "quotes", "payments", "credits")
#: Public models with a reference page of their own (Pagination).
_ELSEWHERE = {"Page", "PageMeta"}


def _source_order(cls: type) -> tuple[int, str, int]:
    module = cls.__module__.rsplit(".", 1)[-1]
    rank = _FIRST.index(module) if module in _FIRST else len(_FIRST)
    try:
        return (rank, module, inspect.getsourcelines(cls)[1])
    except (OSError, TypeError):
        return (rank, module, 0)


def _error_tree(root: type, public: set[type]) -> list[type]:
    """`root` and its subclasses, each followed by its own, in source order."""
    order = [root] if root in public else []
    for sub in sorted(root.__subclasses__(), key=_source_order):
        order += _error_tree(sub, public)
    return order


def api_names(kind: str) -> list[str]:
    """The public names of `kind` (``models``, ``enums`` or ``errors``) that
    ``kashflow_async`` exports, in the order the reference shows them."""
    from enum import Enum

    import msgspec

    import kashflow_async
    from kashflow_async.errors import KashFlowError

    public = [getattr(kashflow_async, n) for n in kashflow_async.__all__ if n != "Sandbox"]
    classes = {c for c in public if inspect.isclass(c)}
    if kind == "errors":
        chosen = _error_tree(KashFlowError, classes)
    else:
        base = Enum if kind == "enums" else msgspec.Struct
        chosen = sorted(
            (c for c in classes if issubclass(c, base) and c.__name__ not in _ELSEWHERE
             and c.__module__.startswith("kashflow_async.models")),
            key=_source_order,
        )  # fmt: skip
    return [c.__name__ for c in chosen]


def api_reference(kind: str) -> str:
    """The ``:::`` directives of every public name of `kind`."""
    options = "" if kind == "errors" else _FIELDS
    return "\n".join(f"::: kashflow_async.{name}\n{options}" for name in api_names(kind))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _params_table(command: Any, ctx: Any, kind: str) -> list[str]:
    """The rows of the command's parameters of `kind` (``option`` or ``argument``): their
    names and type, and their help with its default, range and variable, as ``--help``
    words them."""
    rows = []
    for param in command.get_params(ctx):
        if param.param_type_name != kind or getattr(param, "hidden", False):
            continue
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, meaning = record
        rows.append(f"| `{_cell(names)}` | {_cell(meaning)} |")
    if not rows:
        return []
    return [f"| {kind} | meaning |", "|---|---|", *rows, ""]


def _command_section(command: Any, ctx: Any, depth: int) -> list[str]:
    heading = "#" * min(depth + 2, 4)
    lines = [f"{heading} `{ctx.command_path}`", ""]
    if command.help:
        lines += [command.help.split("\f")[0].strip(), ""]
    lines += ["```text", command.get_usage(ctx), "```", ""]
    lines += _params_table(command, ctx, "argument")
    lines += _params_table(command, ctx, "option")
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
            lines += _command_section(sub, sub_ctx, depth + 1)
    return lines


def cli_reference() -> str:
    """The reference of every ``kashflow`` command, in Markdown, from the commands."""
    import typer

    from kashflow_async.cli.app import app

    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="kashflow", terminal_width=100)
    return "\n".join(_command_section(root, ctx, 0)).rstrip() + "\n"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Put the generated CLI reference in place of `CLI_MARKER`, and the API reference
    directives in place of each `API_MARKER`."""
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    return API_MARKER.sub(lambda m: api_reference(m.group(1)), markdown)


def on_files(files: Any, config: Any, **_: Any) -> Any:
    """Serve the benchmark charts as ``benchmarks/<name>.png``."""
    from mkdocs.structure.files import File

    for chart in sorted(CHARTS.glob("*.png")):
        files.append(File.generated(config, f"benchmarks/{chart.name}", abs_src_path=str(chart)))
    return files
