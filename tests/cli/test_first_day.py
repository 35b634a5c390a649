"""The rough edges a new user's first day found in the command line: an option that was
silently ignored, a cryptic message for a bad Redis URL, braces in usage lines, and sort
values spelled one way in the help and another in the error."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kashflow_async import InvalidArgumentError, InvoiceSortField, QuoteSortField
from kashflow_async.cli.app import app
from kashflow_async.cli.options import usage_name, wire_choice, wire_choices
from kashflow_async.cli.settings import check_account_rate
from kashflow_async.coordination import RedisCoordinator

#: Nothing listens there: a command that got as far as sending would exit 1, not 2.
NOWHERE = {"KASHFLOW_BASE_URL": "http://127.0.0.1:9/v2", "KASHFLOW_TOKEN": "t" * 40}


def invoke(*args: str, **env: str) -> Any:
    variables = {"COLUMNS": "100", "NO_COLOR": "1", **NOWHERE, **env}
    return CliRunner().invoke(app, list(args), env=variables, prog_name="kashflow")


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--account-rate", "5", "invoices", "get", "1"), {}),
        (("invoices", "get", "1"), {"KASHFLOW_ACCOUNT_RATE": "5"}),
    ],
)
def test_an_account_rate_without_redis_is_a_usage_error(
    args: tuple[str, ...], env: dict[str, str]
) -> None:
    result = invoke(*args, **env)
    assert result.exit_code == 2, result.output
    assert "--account-rate" in result.output
    assert "needs --redis" in result.output


def test_an_account_rate_with_redis_is_accepted() -> None:
    check_account_rate("redis://127.0.0.1:6379/0", 5.0)
    check_account_rate(None, None)
    with pytest.raises(typer.BadParameter):
        check_account_rate("", 5.0)


@pytest.mark.parametrize(
    ("url", "said"),
    [("notaurl", "one without a scheme"), ("http://user:hunter2@host/0", "scheme 'http'")],
)
def test_a_bad_redis_url_says_what_a_redis_url_looks_like(url: str, said: str) -> None:
    result = invoke("--redis", url, "invoices", "get", "1")
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert "--redis" in line
    assert "redis://127.0.0.1:6379/0" in line
    assert said in line
    assert "hunter2" not in line
    assert "not one of scheme" not in line


def test_the_library_names_the_expected_form_of_a_redis_url() -> None:
    with pytest.raises(InvalidArgumentError, match=r"such as redis://.*without a scheme"):
        RedisCoordinator("127.0.0.1", namespace="acme")


def _commands(command: Any, ctx: Any) -> list[tuple[Any, Any]]:
    found = [(command, ctx)]
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            found += _commands(sub, sub.context_class(sub, info_name=name, parent=ctx))
    return found


def test_usage_lines_show_arguments_in_upper_case_without_braces() -> None:
    root = typer.main.get_command(app)
    commands = _commands(root, root.context_class(root, info_name="kashflow"))
    with_arguments = 0
    for command, ctx in commands:
        usage = command.get_usage(ctx)
        assert "{" not in usage and "}" not in usage, usage
        for param in command.params:
            if param.param_type_name == "argument":
                with_arguments += 1
                assert usage_name(param) in usage.split(), usage
                assert usage_name(param).strip("[].").isupper()
    assert with_arguments >= 10  # get, delete, export, import, convert, create, ...
    shown = invoke("invoices", "get", "-h").output
    assert "kashflow invoices get [OPTIONS] NUMBER" in shown


def _sort_by_help(kind: str) -> str:
    """The option column ``kashflow KIND list --help`` shows for ``--sort-by``."""
    root = typer.main.get_command(app)
    for command, ctx in _commands(root, root.context_class(root, info_name="kashflow")):
        if ctx.command_path == f"kashflow {kind} list":
            option = next(p for p in command.params if "--sort-by" in p.opts)
            return str(option.get_help_record(ctx)[0])
    raise AssertionError(f"no kashflow {kind} list")


@pytest.mark.parametrize(
    ("kind", "enum"), [("invoices", InvoiceSortField), ("quotes", QuoteSortField)]
)
def test_sort_values_are_spelled_alike_in_help_and_errors(kind: str, enum: Any) -> None:
    assert _sort_by_help(kind) == f"--sort-by {wire_choices(enum)}"
    refused = invoke(kind, "list", "--sort-by", "sideways")
    assert refused.exit_code == 2
    said = "".join(refused.output.split()).replace("│", "")
    for member in enum:
        value = str(member.value)
        assert f"'{value}'" in said
        if value != value.lower():
            assert f"'{value.lower()}'" not in said


def test_a_sort_value_is_taken_in_any_letter_case() -> None:
    parse = wire_choice(InvoiceSortField)
    assert parse("grossamount") is InvoiceSortField.GROSS_AMOUNT
    assert parse("GrossAmount") is InvoiceSortField.GROSS_AMOUNT
    assert parse(InvoiceSortField.STATUS) is InvoiceSortField.STATUS
    with pytest.raises(typer.BadParameter, match="'PaymentDueDate'"):
        parse("due")
