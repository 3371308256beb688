"""How reviewers reach the model under review: validated before anything is stored."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from clearinghouse.core.egress import check_url


class AccessKind(StrEnum):
    """An OpenAI-compatible endpoint with a key, or an Inspect provider string."""

    OPENAI_COMPATIBLE = "openai_compatible"
    INSPECT_PROVIDER = "inspect_provider"


_URL_NAMES = ("url", "endpoint", "api_base")


def provider_urls(provider_args: Mapping[str, Any]) -> dict[str, str]:
    """The URLs an Inspect provider grant's arguments give the provider (``base_url``,
    ``azure_endpoint``, …): every string argument written as a URL or named like one.

    The server calls each of them for the lab, so each goes through the outbound policy like
    an OpenAI-compatible grant's ``base_url`` (a provider's own default, such as Ollama's
    ``localhost:11434``, is checked when the model is built: the runner's ``vetted_model``).
    """
    return {
        name: value
        for name, value in provider_args.items()
        if isinstance(value, str) and ("://" in value or name.lower().endswith(_URL_NAMES))
    }


class AccessGrantRequest(BaseModel):
    """What a lab submits to give reviewers access; the secret is kept out of reprs and logs."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: AccessKind
    base_url: Annotated[str, Field(max_length=500)] = ""
    model: Annotated[str, Field(min_length=1, max_length=200)]
    api_key: SecretStr | None = None
    provider_args: dict[str, Any] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str, info: ValidationInfo) -> str:
        # the operator's outbound allow-list comes in the validation context
        # (`model_validate(data, context={"outbound_allow": ...})`); without it (a typed input
        # parsed by the API or a form) only the URL's form is checked here, and the service
        # checks the address against the server's allow-list
        allow = (info.context or {}).get("outbound_allow")
        if allow is None or not value:
            return value
        return check_url(value, allow)

    @model_validator(mode="after")
    def _complete(self) -> AccessGrantRequest:
        if self.kind is AccessKind.OPENAI_COMPATIBLE:
            if not self.base_url:
                raise ValueError("an OpenAI-compatible grant needs base_url")
            if self.api_key is None or not self.api_key.get_secret_value():
                raise ValueError("an OpenAI-compatible grant needs api_key")
        elif "/" not in self.model:
            raise ValueError("an Inspect provider grant names provider/model, e.g. hf/org/name")
        return self
