"""The `clearinghouse-endpoint/<model>` Inspect provider: a lab's OpenAI-compatible endpoint,
called with the grant's key held by the model object alone.

Inspect's `openai-api/<service>/<model>` reads its key from `<SERVICE>_API_KEY` in
`os.environ`, where every subprocess (the local sandbox's commands among them) inherits it.
This provider is that one, given the key as `api_key` instead and never writing the
environment; its HTTP client goes through the outbound policy (`core.egress`: the endpoint's
name is vetted and pinned on every request, redirects included). A resumed run rebuilds the
model from its log, which keeps no key, so the worker lends the key and the allow-list for the
duration of a run with `granted(...)`, and the provider takes them from there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx2
from inspect_ai.model import GenerateConfig, ModelAPI, modelapi
from inspect_ai.model._providers.openai_compatible import OpenAICompatibleAPI
from openai import DefaultAsyncHttpxClient

from clearinghouse.core import egress

PROVIDER = "clearinghouse-endpoint"


@dataclass(frozen=True)
class Grant:
    """What a run lends the provider: the decrypted key and the outbound allow-list."""

    api_key: str = field(repr=False)
    allow: egress.Allowlist = field(default_factory=egress.Allowlist)


_granted: ContextVar[Grant | None] = ContextVar("clearinghouse_endpoint_grant", default=None)


@contextlib.contextmanager
def granted(grant: Grant) -> Iterator[None]:
    """Lend `grant` to the endpoint models built in this context, for this block only."""
    token = _granted.set(grant)
    try:
        yield
    finally:
        _granted.reset(token)


class EndpointAPI(OpenAICompatibleAPI):
    """Inspect's OpenAI-compatible provider with an explicit key and the vetted HTTP client."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008  (Inspect's own signature)
        **model_args: Any,
    ) -> None:
        lent = _granted.get()
        key = api_key or (lent.api_key if lent else "")
        if not key:
            raise ValueError(f"{PROVIDER} models take the key as api_key, never the environment")
        if not base_url:
            raise ValueError(f"{PROVIDER} models need the endpoint's base_url")
        self._allow = lent.allow if lent else egress.Allowlist()
        model_args.pop("http_client", None)  # ours only: the vetted one
        super().__init__(model_name, base_url, key, config, service=PROVIDER, **model_args)

    def _create_http_client(self) -> DefaultAsyncHttpxClient:
        # The SDK's own client class (its defaults, the httpx flavour it expects) with the
        # vetting transport and no proxy from the environment.
        client = DefaultAsyncHttpxClient(
            transport=egress.async_transport(self._allow), trust_env=False
        )
        if self.client_timeout is not None:
            client.timeout = httpx2.Timeout(self.client_timeout)
        return client


@modelapi(name=PROVIDER)
def endpoint_provider() -> type[ModelAPI]:
    """Inspect's registration of granted endpoints as a provider."""
    return EndpointAPI
