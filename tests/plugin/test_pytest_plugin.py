"""The package's pytest plugin works in pytest-asyncio's strict mode (its default), with
and without ``@pytest.mark.asyncio``, and its markers configure the fixtures."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import pytest
from kashflow_async import KashFlowClient
from kashflow_async.sandbox import Sandbox


@pytest.mark.kashflow_sandbox(invoices=7, quotes=3)
async def test_unmarked(kashflow_client: KashFlowClient, kashflow_sandbox: Sandbox) -> None:
    page = await kashflow_client.invoices.page(1)
    assert page.meta.total_records == 7


@pytest.mark.asyncio
@pytest.mark.kashflow_client(wire_format="xml")
async def test_marked(kashflow_client: KashFlowClient) -> None:
    assert kashflow_client.wire_format == "xml"
    assert (await kashflow_client.quotes.page(1)).meta.total_records == 20


@pytest.mark.parametrize("n", [1, 2])
async def test_parametrized(kashflow_sandbox: Sandbox, n: int) -> None:
    assert kashflow_sandbox.url.startswith("http://127.0.0.1:")


async def test_other_async_tests_are_left_to_the_user() -> None:
    pass
"""


def test_fixtures_in_strict_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_strict=TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-o", "asyncio_mode=strict",
        "-o", "asyncio_default_fixture_loop_scope=function",
    )  # fmt: skip
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*test_other_async_tests_are_left_to_the_user*"])
