"""What af-bench needs to know about model providers before it sends anything: which key a
model needs (where it will reach is `af_bench.endpoint.endpoint`)."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from af_bench.endpoint import service_prefix

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


def missing_key(model: str) -> str | None:
    """The environment variable a model needs and lacks, or None."""
    provider, prefix = service_prefix(model)
    if provider in KEYLESS:
        return None
    names = KEY_VARS.get(provider, (f"{prefix}_API_KEY",) if provider == "openai-api" else ())
    if not names or any(os.environ.get(name) for name in names):
        return None
    return " or ".join(names)


_VERSION_SEGMENT_RE = re.compile(r"/v\d+[a-z0-9]*(/|$)", re.IGNORECASE)


def endpoint_problem(model: str) -> str | None:
    """What is wrong with where an OpenAI-compatible model's requests would go, or None: inspect's
    `openai-api/<service>/<model>` has no default address, and servers of that kind (vLLM,
    llama.cpp, Ollama, hosted ones) answer under a version path such as `/v1`: without it every
    request is a bare 404."""
    provider, prefix = service_prefix(model)
    if provider != "openai-api":
        return None
    variable = f"{prefix}_BASE_URL"
    url = os.environ.get(variable)
    if not url:
        return (f"{variable} is not set: set it to the server's OpenAI-compatible address, "
                f"for example {variable}=http://127.0.0.1:8000/v1")
    if not _VERSION_SEGMENT_RE.search(urlsplit(url).path):
        return (f"{variable}={url} has no version path: OpenAI-compatible servers answer under /v1, "
                f"so set {variable}={url.rstrip('/')}/v1")
    return None
