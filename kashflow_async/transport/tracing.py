"""OpenTelemetry: one CLIENT span per call, covering its retries (extra ``[otel]``).

Only ``opentelemetry-api`` is used, and only once the application has imported it: a
process that never imports OpenTelemetry never loads it from here. Without a tracer
provider (the API's default proxy or no-op provider) no span is created at all; the
check is repeated per call, so a provider set later is picked up.

The span is named ``KashFlow {METHOD} {route}`` and carries the HTTP client semantic
conventions: ``http.request.method``, ``url.template``, ``url.full`` (secret path
segments masked), ``server.address``, ``server.port``, ``http.response.status_code``,
``http.request.resend_count`` (attempts after the first) and, on failure,
``error.type``. It is the current span while the call runs, so the spans of
``opentelemetry-instrumentation-aiohttp-client`` (one per attempt) become its children.
"""

from __future__ import annotations

import sys
from typing import Any

from .._version import __version__

__all__ = ["OTEL_TRACE", "Tracing"]

#: The module that holds the global tracer provider.
OTEL_TRACE = "opentelemetry.trace"
_NO_OP_PROVIDERS = ("ProxyTracerProvider", "NoOpTracerProvider")
_UNKNOWN: Any = object()


class Tracing:
    """Finds the tracer for one client: its own provider, else the global one."""

    __slots__ = ("_checked", "_seen", "_tracer", "provider")

    def __init__(self, provider: Any = None) -> None:
        #: the client's own provider (None: the global one)
        self.provider = provider
        self._checked = False
        self._seen: Any = None
        self._tracer: Any = None

    def tracer(self) -> Any:
        """The tracer to use now, or None when nothing would record spans."""
        provider = self.provider
        if provider is None:
            api = sys.modules.get(OTEL_TRACE)
            if api is None:
                return None  # OpenTelemetry was never imported: nobody set a provider
            # The API's global, read directly: `get_tracer_provider()` looks the
            # environment up on every call while none is set (about 1 µs). It is called
            # once, which also loads a provider named by OTEL_PYTHON_TRACER_PROVIDER.
            provider = getattr(api, "_TRACER_PROVIDER", _UNKNOWN) if self._checked else _UNKNOWN
            if provider is None:
                return None
            if provider is _UNKNOWN:
                self._checked = True
                provider = api.get_tracer_provider()
        if provider is not self._seen:
            self._seen = provider
            if type(provider).__name__ in _NO_OP_PROVIDERS:
                self._tracer = None
            else:
                self._tracer = provider.get_tracer("kashflow_async", __version__)
        return self._tracer


def start_span(
    tracer: Any, method: str, route: str, url: str, host: str | None, port: int | None
) -> tuple[Any, Any]:
    """Start the call's span and make it current: ``(span, context token)``."""
    api = sys.modules[OTEL_TRACE]  # imported: a tracer came from it
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.template": route,
        "url.full": url,
    }
    if host is not None:
        attributes["server.address"] = host
    if port is not None:
        attributes["server.port"] = port
    span = tracer.start_span(
        f"KashFlow {method} {route}", kind=api.SpanKind.CLIENT, attributes=attributes
    )
    context = sys.modules["opentelemetry.context"]
    return span, context.attach(api.set_span_in_context(span))


def end_span(
    span: Any, token: Any, status: int | None, attempts: int, error: BaseException | None
) -> None:
    """Restore the context `start_span` replaced, record the outcome and end the span."""
    sys.modules["opentelemetry.context"].detach(token)
    api = sys.modules[OTEL_TRACE]
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if attempts > 1:
        span.set_attribute("http.request.resend_count", attempts - 1)
    if error is not None:
        code = getattr(error, "status", None)
        span.set_attribute("error.type", str(code) if code is not None else type(error).__name__)
        span.set_status(api.Status(api.StatusCode.ERROR, type(error).__name__))
    span.end()
