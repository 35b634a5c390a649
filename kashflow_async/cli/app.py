"""The `kashflow` application: the root options, and the commands hung under it."""

from __future__ import annotations

from typing import Annotated

import typer

from ..client import DEFAULT_BASE_URL
from ..models import CustomerSortField, PurchaseSortField, SupplierSortField
from .commands.credits import credits_app
from .commands.demo import demo
from .commands.invoices import invoices_app
from .commands.listed import listed_apps
from .commands.payments import payments_app
from .commands.quotes import quotes_app
from .commands.records import records_app
from .commands.sandbox import sandbox
from .console import setup_logging
from .kinds import CUSTOMERS, PROJECTS, PURCHASES, SUPPLIERS
from .options import CommandGroup, flag
from .settings import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, Settings, check_account_rate

__all__ = ["app"]

app = typer.Typer(
    cls=CommandGroup,
    name="kashflow",
    help="Work with the KashFlow REST API v2 from the shell: invoices, quotes, bulk "
    "payments and credits, customers, suppliers, purchases and projects, bulk import and "
    "export, and a local sandbox.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root_options(
    ctx: typer.Context,
    base_url: Annotated[
        str, typer.Option("--base-url", envvar="KASHFLOW_BASE_URL", help="API root.")
    ] = DEFAULT_BASE_URL,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="KASHFLOW_TOKEN", help="Session token.", show_default=False),
    ] = None,
    username: Annotated[
        str | None,
        typer.Option("--username", envvar="KASHFLOW_USERNAME", help="User name to log in with."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password", envvar="KASHFLOW_PASSWORD", help="Password (prefer the variable)."
        ),
    ] = None,
    memorable_word: Annotated[
        str | None,
        typer.Option(
            "--memorable-word",
            envvar="KASHFLOW_MEMORABLE_WORD",
            help="Memorable word (prefer the variable).",
        ),
    ] = None,
    xml: Annotated[bool, flag("--xml", help="Speak XML instead of JSON.")] = False,
    debug: Annotated[bool, flag("--debug", help="Show tracebacks and log every request.")] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds per request attempt.")
    ] = DEFAULT_TIMEOUT,
    max_retries: Annotated[
        int, typer.Option("--max-retries", min=0, help="Retries of a failed request.")
    ] = 3,
    deadline: Annotated[
        float,
        typer.Option(
            "--deadline",
            min=0.1,
            help="Seconds for a whole request, every attempt and retry wait included.",
        ),
    ] = DEFAULT_DEADLINE,
    proxy: Annotated[
        str | None,
        typer.Option(
            "--proxy",
            envvar="KASHFLOW_PROXY",
            help="Proxy URL for every request (default: HTTPS_PROXY, NO_PROXY, ...).",
            show_default=False,
        ),
    ] = None,
    redis: Annotated[
        str | None,
        typer.Option(
            "--redis",
            envvar="KASHFLOW_REDIS_URL",
            help="Redis URL: share the account's limits and session with other processes.",
            show_default=False,
        ),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option(
            "--namespace",
            envvar="KASHFLOW_NAMESPACE",
            help="Redis namespace: one per account (default: a digest of base URL and username).",
            show_default=False,
        ),
    ] = None,
    redis_strict: Annotated[
        bool,
        typer.Option(
            "--redis-strict",
            envvar="KASHFLOW_REDIS_STRICT",
            help="Fail when Redis is unreachable instead of going on at this run's share.",
            metavar="",
        ),
    ] = False,
    account_rate: Annotated[
        float | None,
        typer.Option(
            "--account-rate",
            envvar="KASHFLOW_ACCOUNT_RATE",
            min=0.001,
            help="Requests per second for the whole account (with --redis).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Work with the KashFlow REST API v2: invoices, quotes, bulk payments, credits,
    bulk import and export, and a local sandbox (`kashflow demo` shows it all)."""
    check_account_rate(redis, account_rate)
    ctx.obj = Settings(
        base_url=base_url,
        token=token,
        username=username,
        password=password,
        memorable_word=memorable_word,
        xml=xml,
        debug=debug,
        timeout=timeout,
        max_retries=max_retries,
        deadline=deadline,
        proxy=proxy,
        redis=redis,
        namespace=namespace,
        account_rate=account_rate,
        redis_strict=redis_strict,
    )
    setup_logging(debug)


app.command("demo")(demo)
app.command("sandbox")(sandbox)
app.add_typer(invoices_app, name="invoices")
app.add_typer(quotes_app, name="quotes")
app.add_typer(payments_app, name="payments")
app.add_typer(credits_app, name="credits")
for _name, _listed in listed_apps:
    app.add_typer(_listed, name=_name)
app.add_typer(records_app(CUSTOMERS, "Customers, by code.", CustomerSortField), name="customers")
app.add_typer(records_app(SUPPLIERS, "Suppliers, by code.", SupplierSortField), name="suppliers")
app.add_typer(
    records_app(PURCHASES, "Purchases (supplier invoices).", PurchaseSortField), name="purchases"
)
app.add_typer(records_app(PROJECTS, "Projects.", transfer=False), name="projects")
