"""MkDocs hooks of the documentation site (``hooks:`` in mkdocs.yml).

- The CLI reference page holds the line `CLI_MARKER`; at build time it is replaced by
  `cli_reference()`, written from the ``kashflow`` command's own definitions (usage,
  help, every option with its type, default and environment variable), never by hand.
- The benchmark charts in ``benchmarks/results/`` are served as ``benchmarks/*.png``, so
  that the performance pages show the charts of the last run without a copy in docs/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHARTS = ROOT / "benchmarks" / "results"
#: The line of docs/cli/reference.md that the generated reference replaces.
CLI_MARKER = "<!-- cli-reference -->"


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
    """Put the generated CLI reference in place of `CLI_MARKER`."""
    if CLI_MARKER in markdown:
        return markdown.replace(CLI_MARKER, cli_reference())
    return markdown


def on_files(files: Any, config: Any, **_: Any) -> Any:
    """Serve the benchmark charts as ``benchmarks/<name>.png``."""
    from mkdocs.structure.files import File

    for chart in sorted(CHARTS.glob("*.png")):
        files.append(File.generated(config, f"benchmarks/{chart.name}", abs_src_path=str(chart)))
    return files
