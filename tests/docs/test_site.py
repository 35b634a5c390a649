"""The documentation site's promises: every public name in the API reference with a
first line that says what it is, every public error exported and documented, the CLI
reference written from the commands, a short README that points into the docs, and no
reference to a document outside the repository."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import kashflow_async
from kashflow_async import KashFlowError
from tools.docs_hooks import API_MARKER, CLI_MARKER, api_names, cli_reference

from .blocks import DOCS, README, ROOT

REFERENCE = DOCS / "reference"
DIRECTIVE = re.compile(r"^::: ([\w.]+)$", re.M)
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")


def documented() -> set[str]:
    """Every name an API reference page renders: its ``::: kashflow_async.X`` lines, and
    the names its ``<!-- api-reference: KIND -->`` lines stand for."""
    names: set[str] = set()
    for page in REFERENCE.glob("*.md"):
        text = page.read_text()
        names |= set(DIRECTIVE.findall(text))
        for kind in API_MARKER.findall(text):
            names |= {f"kashflow_async.{name}" for name in api_names(kind)}
    return names


def resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    while module:
        try:
            return getattr(importlib.import_module(module), name)
        except ModuleNotFoundError:
            module, _, parent = module.rpartition(".")
            name = f"{parent}.{name}"
    raise AssertionError(path)


def public_errors() -> set[type[KashFlowError]]:
    """Every error class of the library (the command line's and the sandbox's own aside)."""
    for info in pkgutil.walk_packages(kashflow_async.__path__, "kashflow_async."):
        if not info.name.startswith(("kashflow_async.cli", "kashflow_async.sandbox")):
            importlib.import_module(info.name)
    found: set[type[KashFlowError]] = set()
    todo: list[type[KashFlowError]] = [KashFlowError]
    while todo:
        cls = todo.pop()
        if not cls.__name__.startswith("_") and not cls.__module__.startswith(
            ("kashflow_async.cli", "kashflow_async.sandbox", "tests")
        ):
            found.add(cls)
        todo += cls.__subclasses__()
    return found


def test_every_public_name_is_in_the_api_reference() -> None:
    names = documented()
    short = {n.rsplit(".", 1)[-1] for n in names}
    missing = [n for n in kashflow_async.__all__ if n != "__version__" and n not in short]
    assert not missing, f"not in docs/reference/: {missing}"
    from kashflow_async import coordination

    assert {f"kashflow_async.coordination.{n}" for n in coordination.__all__} - {
        "kashflow_async.coordination.CoordinationError"  # one class: under Errors
    } <= names


def first_paragraph(path: str) -> str:
    """The first paragraph of the docstring the API reference shows for `path` (for a
    module attribute: the string right after its assignment, as mkdocstrings reads it)."""
    obj = resolve(path)
    if inspect.isclass(obj):
        return (obj.__doc__ or "").strip().split("\n\n")[0]
    if inspect.isfunction(obj):
        return (inspect.getdoc(obj) or "").split("\n\n")[0]
    module, _, name = path.rpartition(".")
    source = inspect.getsource(importlib.import_module(module))
    after = re.search(rf"^{name}\b[^\n]*=[^\n]*\n\"\"\"(.*?)\"\"\"", source, re.M | re.S)
    return after.group(1).split("\n\n")[0] if after else ""


@pytest.mark.parametrize("path", sorted(documented()))
def test_every_documented_name_has_a_first_line(path: str) -> None:
    first = first_paragraph(path)
    assert len(first) > 15, f"{path}: no first line saying what it is"
    assert first[0].isupper() or first[0] in "`'\"", f"{path}: {first!r}"


def test_every_public_error_is_exported_and_documented() -> None:
    guide = (DOCS / "guide" / "errors.md").read_text()
    assert "<!-- api-reference: errors -->" in (REFERENCE / "errors.md").read_text()
    reference = api_names("errors")
    errors = public_errors()
    assert len(errors) >= 15
    for cls in errors:
        name = cls.__name__
        assert getattr(kashflow_async, name, None) is cls, f"{name} not exported"
        assert name in kashflow_async.__all__, name
        assert name in reference, f"{name} not in the reference"
        assert f"| [`{name}`][kashflow_async.{name}]" in guide, f"{name} not in the guide"


def test_the_error_guide_says_whether_each_error_may_be_retried() -> None:
    rows = [r for r in (DOCS / "guide" / "errors.md").read_text().splitlines() if "][kash" in r]
    for row in rows[1:]:  # KashFlowError itself is only the base
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 4 and cells[3], f"no retry advice: {row}"


def test_the_cli_reference_is_written_from_the_commands() -> None:
    page = (DOCS / "cli" / "reference.md").read_text()
    assert CLI_MARKER in page
    assert "--sort-by" not in page  # typed by hand: it comes from the commands
    reference = cli_reference()
    for command in (
        "kashflow", "kashflow demo", "kashflow sandbox", "kashflow invoices list",
        "kashflow invoices import", "kashflow quotes convert", "kashflow payments create",
        "kashflow credits apply",
    ):  # fmt: skip
        assert f"`{command}`" in reference, command
    for option in ("--account-rate", "--sort-by", "--resolve-ambiguous", "--retain", "--all"):
        assert f"`{option}" in reference or f", {option}" in reference, option
    assert "{" not in "".join(line for line in reference.splitlines() if line.startswith("Usage:"))


def test_the_readme_is_short_and_points_into_the_docs() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 300
    targets = {m.group(1) for m in LINK.finditer(text) if "://" not in m.group(1)}
    for target in targets:
        assert (ROOT / target).exists(), f"README links to a missing {target}"
    for page in ("docs/guide/proxies.md", "docs/guide/many-accounts.md", "docs/guide/errors.md"):
        assert page in targets, f"the README does not point to {page}"
    assert "python -m pytest -q" in text and "kashflow demo" in text


def test_nothing_refers_to_a_document_outside_the_repository() -> None:
    outside = re.compile(r"\bSPEC\b")
    files = [README, ROOT / "CHANGELOG.md", *DOCS.rglob("*.md"), *ROOT.glob("codecs/*.md")]
    for folder in ("kashflow_async", "tests", "benchmarks", "tools"):
        files += [p for p in (ROOT / folder).rglob("*.py") if p != Path(__file__)]
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if outside.search(line)
    ]
    assert not found, found
