"""The commands README.md and docs/*.md show cannot go stale: every `pytest …`, `af-bench …` and
`inspect eval …` line of their shell blocks (```bash, and the `run:` steps of ```yaml) is checked
without a network call and without running a gate:

- a pytest command runs from the repository root with `--collect-only -q -p no:cacheprovider`
  added (dummy provider keys, output paths moved to a temporary directory) and must exit 0 or 5,
  never 4 (a usage error: a stale flag, an unknown alias, a missing file);
- an `af-bench <sub>` command's subcommand must answer `--help`, and every `--flag` it uses must be
  in that help;
- an `inspect eval` command's task must be a shipped scenario, and its `-T` options parameters of
  that task.

Relative links and anchors in the same files must resolve too.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("docs_commands")

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Placeholders a reader fills in, and what the check puts there.
SUBSTITUTIONS = {
    "<model>": "claude-opus-4-5-20251101",
    "${{ matrix.shard }}": "1",
}
PLACEHOLDER = re.compile(r"<[A-Za-z_][\w-]*>|\.\.\.|…")
PYTEST_PROGRAMS = (("pytest",), ("python", "-m", "pytest"), ("python3", "-m", "pytest"), (".venv/bin/pytest",))
# Flags whose value is a path the command writes: moved under a temporary directory.
OUTPUT_FLAGS = {"--af-report", "--af-html", "--af-log-dir", "--junitxml", "--junit-xml"}
CHAIN = {"&&", "||", ";", "|", "&"}
REDIRECTION = re.compile(r"\s\d*(?:>>?|>&|&>)\s*\S+")
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass
class Command:
    kind: str  # "pytest", "af-bench" or "inspect"
    args: list[str]  # after the program
    places: list[str] = field(default_factory=list)  # "README.md:27", one per occurrence
    text: str = ""

    @property
    def id(self) -> str:
        return f"{self.places[0]}:{self.kind}:{self.args[0] if self.args else ''}"


# ------------------------------------------------------------------ extraction


def _blocks(path: Path) -> Iterator[tuple[str, int, list[str]]]:
    """(language, line number of the first body line, body lines) of every fenced block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = re.match(r"^\s*```(\w*)", lines[i])
        if match:
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                body.append(lines[i])
                i += 1
            yield match.group(1).lower(), start + 1, body
        i += 1


def _logical_lines(lang: str, first: int, body: list[str]) -> Iterator[tuple[int, str]]:
    """(line number, one command line): bash lines with `\\` continuations joined; the `run:` steps
    of a YAML block (a folded `run: >` step joined into one line)."""
    if lang in ("bash", "sh", "shell", "console"):
        k = 0
        while k < len(body):
            number, line = first + k, body[k]
            while line.rstrip().endswith("\\") and k + 1 < len(body):
                k += 1
                line = line.rstrip()[:-1] + " " + body[k].strip()
            yield number, line.strip()
            k += 1
    elif lang in ("yaml", "yml"):
        k = 0
        while k < len(body):
            match = re.match(r"^(\s*)(?:-\s+)?run:\s*(.*)$", body[k])
            if not match:
                k += 1
                continue
            indent, rest, number = len(match.group(1)), match.group(2).strip(), first + k
            if rest in (">", "|", ">-", "|-"):
                parts, k = [], k + 1
                while k < len(body) and (not body[k].strip() or len(body[k]) - len(body[k].lstrip()) > indent):
                    parts.append(body[k].strip())
                    k += 1
                steps = [" ".join(p for p in parts if p)] if rest.startswith(">") else parts
                for step in steps:
                    yield number, step
            else:
                yield number, rest
                k += 1


def _segments(line: str) -> Iterator[list[str]]:
    """The simple commands of a shell line: comments, redirections and `&&`/`||`/`|` chains
    split off; leading `NAME=value` assignments dropped."""
    for old, new in SUBSTITUTIONS.items():
        line = line.replace(old, new)
    line = REDIRECTION.sub(" ", " " + line)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: not a command line
        return
    current: list[str] = []
    for token in [*tokens, "&&"]:
        if token in CHAIN:
            while current and ENV_ASSIGNMENT.match(current[0]):
                current.pop(0)
            if current:
                yield current
            current = []
        else:
            current.append(token)


def _classify(tokens: list[str]) -> tuple[str, list[str]] | None:
    for program in PYTEST_PROGRAMS:
        if tuple(tokens[: len(program)]) == program:
            return "pytest", tokens[len(program):]
    if tokens[0] == "af-bench":
        return "af-bench", tokens[1:]
    if tokens[:2] == ["inspect", "eval"]:
        return "inspect", tokens[2:]
    return None


def documented_commands() -> list[Command]:
    found: dict[tuple[str, tuple[str, ...]], Command] = {}
    for doc in DOCS:
        name = doc.relative_to(ROOT).as_posix()
        for lang, first, body in _blocks(doc):
            for number, line in _logical_lines(lang, first, body):
                for tokens in _segments(line):
                    kind_args = _classify(tokens)
                    if kind_args is None:
                        continue
                    kind, args = kind_args
                    key = (kind, tuple(args))
                    if key not in found:
                        found[key] = Command(kind, args, text=" ".join(tokens))
                    found[key].places.append(f"{name}:{number}")
    return list(found.values())


def _params(kind: str) -> list[object]:
    params = []
    for command in documented_commands():
        if command.kind != kind:
            continue
        marks = []
        unfilled = [a for a in command.args if PLACEHOLDER.search(a)]
        if unfilled:
            marks.append(pytest.mark.skip(reason=f"placeholder that cannot be filled in: {unfilled}"))
        params.append(pytest.param(command, id=command.id, marks=marks))
    return params


def test_the_docs_show_commands() -> None:
    """The extraction itself: the README's own commands are found (a parser that finds nothing
    would pass every check below)."""
    commands = documented_commands()
    kinds = {c.kind for c in commands}
    assert kinds == {"pytest", "af-bench", "inspect"}, kinds
    places = {p for c in commands for p in c.places}
    assert any(p.startswith("README.md:") for p in places)


def test_a_chained_line_gives_its_commands() -> None:
    line = ("python3 -m venv .venv && .venv/bin/pip install -q uv && FOO=1 .venv/bin/pytest tests/gates "
            "--model af-bench/faker --af-report r.json >out.txt 2>&1 || true   # a comment")
    commands = [_classify(tokens) for tokens in _segments(line)]
    assert ("pytest", ["tests/gates", "--model", "af-bench/faker", "--af-report", "r.json"]) in commands
    assert [c for c in commands if c is not None] == [commands[2]]


# ------------------------------------------------------------------ pytest commands


def _python_example(command: Command, filename: str) -> str | None:
    """A ```python block of the documents the command appears in that defines the test function a
    missing `test_x.py` is named after (the README's new-scenario example)."""
    wanted = re.compile(rf"^def {re.escape(Path(filename).stem)}\(", re.M)
    for place in command.places:
        doc = ROOT / place.rsplit(":", 1)[0]
        for lang, _, body in _blocks(doc):
            text = "\n".join(body) + "\n"
            if lang == "python" and wanted.search(text):
                return text
    return None


def _environment(tmp: Path, args: list[str] = ()) -> dict[str, str]:
    """Dummy keys and unroutable base URLs (nothing may reach a provider), inspect's files in `tmp`,
    and for every `openai-api/<service>/` model its `<SERVICE>_BASE_URL` and `<SERVICE>_API_KEY`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "INSPECT_"))}
    env.update(
        ANTHROPIC_API_KEY="sk-test", OPENAI_API_KEY="sk-test", GOOGLE_API_KEY="test", DEEPSEEK_API_KEY="sk-test",
        ANTHROPIC_BASE_URL="http://127.0.0.1:9", OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        INSPECT_LOG_DIR=str(tmp / "inspect-logs"), INSPECT_CACHE_DIR=str(tmp / "inspect-cache"),
        INSPECT_DISPLAY="none",
    )
    for arg in args:
        match = re.search(r"openai-api/([^/\s]+)/", arg)
        if match:
            service = re.sub(r"\W", "_", match.group(1)).upper()
            env[f"{service}_BASE_URL"] = "http://127.0.0.1:9/v1"
            env[f"{service}_API_KEY"] = "x"
    return env


def _job(command: Command, tmp: Path) -> dict[str, object]:
    """The collect-only run of a documented command: its arguments with output paths moved into
    `tmp`, from the repository root (or from `tmp`, beside the example a missing `test_x.py` names)."""
    tmp.mkdir(parents=True, exist_ok=True)
    args, cwd = list(command.args), ROOT
    for i, arg in enumerate(args):
        flag, eq, value = arg.partition("=")
        if flag in OUTPUT_FLAGS:
            if eq:
                args[i] = f"{flag}={tmp / Path(value).name}"
            elif i + 1 < len(args):
                args[i + 1] = str(tmp / Path(args[i + 1]).name)
    for arg in args:
        if arg.endswith(".py") and not arg.startswith("-") and not (ROOT / arg).exists():
            example = _python_example(command, arg)
            if example is not None:
                (tmp / arg).write_text(example, encoding="utf-8")
                cwd = tmp
    return {
        "key": command.id,
        "args": [*args, "--collect-only", "-q", "-p", "no:cacheprovider"],
        "cwd": str(cwd),
        "env": _environment(tmp, args),
        "stdout": str(tmp / "stdout.txt"),
        "stderr": str(tmp / "stderr.txt"),
    }


# Importing pytest, inspect and af-bench takes a collect-only run most of its time: the driver
# imports them once, then forks one process per command (its own cwd, environment and pytest
# session, like a fresh `python -m pytest`), two at a time.
DRIVER = r"""
import json, os, sys
jobs, parallel, out = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
for name in ("pytest", "hypothesis", "inspect_ai", "inspect_ai.model", "af_bench.pytest_plugin.plugin", "af_bench.tasks"):
    try:
        __import__(name)
    except Exception:
        pass
import pytest

def start(job):
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 99
    try:
        os.chdir(job["cwd"])
        os.environ.clear(); os.environ.update(job["env"])
        for fd, path in ((1, job["stdout"]), (2, job["stderr"])):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        sys.argv = ["pytest", *job["args"]]
        code = int(pytest.main(job["args"]))
    except BaseException:
        import traceback; traceback.print_exc()
    finally:
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code)

pending, running, results = list(jobs), {}, {}
while pending or running:
    while pending and len(running) < parallel:
        job = pending.pop(0)
        running[start(job)] = job["key"]
    pid, status = os.wait()
    results[running.pop(pid)] = os.waitstatus_to_exitcode(status)
json.dump(results, open(out, "w"))
"""


@dataclass
class Collected:
    returncode: int
    stdout: str
    stderr: str


def _run_jobs(jobs: list[dict[str, object]], base: Path) -> dict[str, Collected]:
    parallel = max(2, min(4, os.cpu_count() or 2))
    if hasattr(os, "fork"):
        (base / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
        driver = subprocess.run(
            [sys.executable, "-c", DRIVER, str(base / "jobs.json"), str(parallel), str(base / "codes.json")],
            cwd=ROOT, env=_environment(base), capture_output=True, text=True, timeout=900,
        )
        assert driver.returncode == 0, f"the collect-only driver failed:\n{driver.stdout}\n{driver.stderr}"
        codes = json.loads((base / "codes.json").read_text(encoding="utf-8"))
    else:  # no fork: a fresh interpreter per command
        def run(job: dict[str, object]) -> int:
            with open(job["stdout"], "w") as out, open(job["stderr"], "w") as err:
                return subprocess.run([sys.executable, "-m", "pytest", *job["args"]], cwd=job["cwd"], env=job["env"],
                                      stdout=out, stderr=err, timeout=300).returncode
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            codes = dict(zip([j["key"] for j in jobs], pool.map(run, jobs)))
    return {
        job["key"]: Collected(codes[job["key"]], Path(job["stdout"]).read_text(), Path(job["stderr"]).read_text())
        for job in jobs
    }


@pytest.fixture(scope="module")
def collected(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Collected]:
    """The collect-only run of every selected pytest command, made once for the module."""
    selected = [
        item.callspec.params["command"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and getattr(item, "originalname", "") == "test_pytest_command_collects"
        and not item.get_closest_marker("skip")
    ]
    base = tmp_path_factory.mktemp("docs-commands")
    return _run_jobs([_job(c, base / f"c{i}") for i, c in enumerate(selected)], base)


@pytest.mark.parametrize("command", _params("pytest"))
def test_pytest_command_collects(command: Command, collected: dict[str, Collected], tmp_path: Path) -> None:
    result = collected.get(command.id) or _run_jobs([_job(command, tmp_path / "c")], tmp_path)[command.id]
    assert result.returncode in (0, 5), (
        f"`{command.text}` ({', '.join(command.places)}) does not collect: exit {result.returncode}"
        + (" (a usage error: a stale flag or argument)" if result.returncode == 4 else "")
        + f"\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )


# ------------------------------------------------------------------ af-bench commands


def _af_bench() -> list[str]:
    script = Path(sys.executable).with_name("af-bench")
    if script.exists():
        return [str(script)]
    found = shutil.which("af-bench")
    return [found] if found else [sys.executable, "-m", "af_bench"]


@pytest.mark.parametrize("command", _params("af-bench"))
def test_af_bench_command_flags_exist(command: Command) -> None:
    assert command.args and not command.args[0].startswith("-"), f"`{command.text}`: no subcommand"
    sub = command.args[0]
    result = subprocess.run([*_af_bench(), sub, "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (
        f"`af-bench {sub} --help` exited {result.returncode} ({', '.join(command.places)})\n{result.stderr}"
    )
    flags = {a.split("=", 1)[0] for a in command.args[1:] if a.startswith("--")}
    missing = sorted(f for f in flags if not re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", result.stdout))
    assert not missing, f"`{command.text}` ({', '.join(command.places)}): not in `af-bench {sub} --help`: {missing}"


# ------------------------------------------------------------------ inspect eval commands


@pytest.mark.parametrize("command", _params("inspect"))
def test_inspect_eval_task_is_shipped(command: Command) -> None:
    import af_bench.tasks

    task = command.args[0] if command.args else ""
    match = re.fullmatch(r"af_bench/(\w+)", task) or re.fullmatch(r"tasks/(\w+)\.py(?:@\w+)?", task)
    assert match, f"`{command.text}` ({', '.join(command.places)}): task {task!r} is neither af_bench/<name> nor tasks/<name>.py"
    name = match.group(1)
    assert name in af_bench.tasks.SCENARIOS, (
        f"`{command.text}` ({', '.join(command.places)}): {name!r} is not a shipped scenario "
        f"({', '.join(af_bench.tasks.SCENARIOS)})"
    )
    if task.startswith("tasks/"):
        assert (ROOT / task.split("@")[0]).is_file(), f"{task} is not in the checkout"
    from af_bench.scenarios.build import ScenarioOptions

    parameters = ScenarioOptions.__annotations__  # every scenario task takes these (`build_scenario`)
    options = [command.args[i + 1].split("=", 1)[0] for i, a in enumerate(command.args[:-1]) if a == "-T"]
    unknown = [o for o in options if o not in parameters]
    assert not unknown, f"`{command.text}` ({', '.join(command.places)}): {name} has no task option {unknown}"


# ------------------------------------------------------------------ links


def _anchor(heading: str) -> str:
    """GitHub's anchor: lower case, punctuation other than '-' and '_' removed, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _prose(path: Path) -> list[str]:
    out, fence = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fence = not fence
        elif not fence:
            out.append(line)
    return out


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for line in _prose(path):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            anchor = _anchor(match.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            anchors.add(anchor if count == 0 else f"{anchor}-{count}")
    return anchors


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_links_resolve(doc: Path) -> None:
    broken = []
    for line in _prose(doc):
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):
                continue  # https:, mailto:
            path, _, fragment = target.partition("#")
            dest = (doc.parent / path).resolve() if path else doc
            if not dest.exists():
                broken.append(f"{target}: no such file")
            elif fragment and fragment not in _anchors(dest):
                broken.append(f"{target}: no heading #{fragment} in {dest.relative_to(ROOT).as_posix()}")
    assert not broken, f"{doc.relative_to(ROOT).as_posix()}: " + "; ".join(broken)
