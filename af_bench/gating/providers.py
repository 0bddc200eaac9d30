"""What af-bench needs to know about model providers before it sends anything: which key a
model needs, and which endpoint it will reach (for error messages)."""

from __future__ import annotations

import os

# Providers whose models need no key (offline, local or scripted).
KEYLESS = {"af-bench", "mockllm", "none", "hf", "vllm", "sglang", "ollama", "llama-cpp-python", "transformer_lens"}

KEY_VARS: dict[str, tuple[str, ...]] = {
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"),
    "openai": ("OPENAI_API_KEY",),
    "google": ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
    "mistral": ("MISTRAL_API_KEY",),
    "grok": ("XAI_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "together": ("TOGETHER_API_KEY",),
    "fireworks": ("FIREWORKS_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "perplexity": ("PERPLEXITY_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
}

DEFAULT_ENDPOINTS = {
    "anthropic": "https://api.anthropic.com",
    "openai": "https://api.openai.com/v1",
}


def _service_prefix(model: str) -> tuple[str, str]:
    provider, _, rest = model.partition("/")
    if provider == "openai-api":
        service = rest.split("/")[0]
        return provider, service.upper().replace("-", "_")
    return provider, provider.upper().replace("-", "_")


def missing_key(model: str) -> str | None:
    """The environment variable a model needs and lacks, or None."""
    provider, prefix = _service_prefix(model)
    if provider in KEYLESS:
        return None
    names = KEY_VARS.get(provider, (f"{prefix}_API_KEY",) if provider == "openai-api" else ())
    if not names or any(os.environ.get(name) for name in names):
        return None
    return " or ".join(names)


def endpoint(model: str) -> str:
    """Where requests for `model` go: its base-URL variable, or the provider's default."""
    provider, prefix = _service_prefix(model)
    return os.environ.get(f"{prefix}_BASE_URL") or DEFAULT_ENDPOINTS.get(provider, f"{provider} (provider default)")
