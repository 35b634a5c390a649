"""``proxy=`` and ``trust_env=``: requests through a real forwarding proxy process, to a
sandbox on loopback, in both wire formats."""

from __future__ import annotations

import aiohttp
import pytest

from kashflow_async import InvalidArgumentError, Invoice, KashFlowClient
from kashflow_async.sandbox import Sandbox
from kashflow_async.transport._call import proxy_from_env
from tests.support.peers import forward_proxy

SMALL = {"seed": 3, "invoices": 5, "quotes": 2, "customers": 3, "purchases": 2}


async def test_proxy_carries_every_request_in_both_formats(fmt: str) -> None:
    async with Sandbox(**SMALL) as sb:
        with forward_proxy() as proxy:
            async with KashFlowClient(
                token=sb.token, base_url=sb.url, wire_format=fmt, proxy=proxy.url
            ) as kf:
                first = await kf.invoices.get(1)
                created = await kf.invoices.create(Invoice(customer_code=first.customer_code))
            lines = proxy.stop()
        assert lines == [f"VIA GET {sb.url}/invoices/1", f"VIA POST {sb.url}/invoices"]
        assert sb.state.invoice_count() == 6
        assert created.customer_code == first.customer_code


@pytest.mark.parametrize(
    ("trust_env", "no_proxy", "through_proxy"),
    [(True, None, True), (True, "127.0.0.1", False), (False, None, False)],
    ids=["trust_env", "trust_env+NO_PROXY", "default"],
)
async def test_the_proxy_variables_count_only_with_trust_env(
    trust_env: bool, no_proxy: str | None, through_proxy: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Sandbox(**SMALL) as sb:
        with forward_proxy() as proxy:
            for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
                monkeypatch.setenv(name, proxy.url)
            for name in ("NO_PROXY", "no_proxy"):
                if no_proxy is None:
                    monkeypatch.delenv(name, raising=False)
                else:
                    monkeypatch.setenv(name, no_proxy)
            async with KashFlowClient(token=sb.token, base_url=sb.url, trust_env=trust_env) as kf:
                assert (await kf.invoices.get(2)).number == 2
            lines = proxy.stop()
        assert lines == ([f"VIA GET {sb.url}/invoices/2"] if through_proxy else [])
        assert sb.stats.requests["GET /invoices/{number}"] == 1


def test_a_proxy_must_be_an_http_url_and_its_password_is_never_shown() -> None:
    with pytest.raises(InvalidArgumentError, match="proxy must be") as caught:
        KashFlowClient(token="t", proxy="socks5://user:s3cret@proxy:1080")
    assert "s3cret" not in str(caught.value)
    with pytest.raises(InvalidArgumentError, match="trust_env must be"):
        KashFlowClient(token="t", trust_env="yes")  # type: ignore[arg-type]


async def test_trust_env_reads_the_variables_once_for_a_session_of_your_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with Sandbox(**SMALL) as sb:
        with forward_proxy() as proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            monkeypatch.delenv("NO_PROXY", raising=False)
            monkeypatch.delenv("no_proxy", raising=False)
            async with aiohttp.ClientSession() as session:
                kf = KashFlowClient(
                    token=sb.token, base_url=sb.url, session=session, trust_env=True
                )
                monkeypatch.delenv("HTTP_PROXY")  # read when the client was made
                assert (await kf.invoices.get(3)).number == 3
                await kf.aclose()
            lines = proxy.stop()
        assert lines == [f"VIA GET {sb.url}/invoices/3"]


def test_proxy_from_env_gives_the_proxy_and_its_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_PROXY", "no_proxy", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:s3cret@proxy.internal:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://plain.internal:8080")
    found, headers = proxy_from_env("https://api.kashflow.com/v2")
    assert found == "http://proxy.internal:3128"
    assert headers == {"Proxy-Authorization": "Basic YWxpY2U6czNjcmV0"}  # alice:s3cret
    assert proxy_from_env("http://127.0.0.1:8080/v2") == ("http://plain.internal:8080", None)
    monkeypatch.setenv("NO_PROXY", "kashflow.com")
    assert proxy_from_env("https://api.kashflow.com/v2") == (None, None)
