"""llama.cpp's own `llama-server` as a benchmark peer: built from the llama.cpp vendored in the installed
llama-cpp-python's sdist (never committed; cached under ~/.cache/bisum/peer/), started on a free port, fed
`/completion` requests, and always stopped.
"""
from __future__ import annotations

import ctypes
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Self

import httpx

from summarizer.config import cache_dir

log = logging.getLogger(__name__)

# what the peer is built with, whatever the kernels: a static server, no downloads, no web UI
BASE_FLAGS = (
    "-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_SERVER=ON", "-DBUILD_SHARED_LIBS=OFF",
    "-DGGML_NATIVE=OFF", "-DLLAMA_OPENSSL=OFF", "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_APP=OFF",
)
LOCAL_SDIST = Path("/tmp/sdist")  # a shortcut when the sdist was already extracted there
STOPS = ["<|im_end|>", "<|endoftext|>"]
PENALTY_WINDOW = 64  # bisum's penalty window (its decoder's) and llama.cpp's default repeat_last_n


@dataclass(frozen=True)
class PeerBuild:
    """A llama-server binary and how it was made."""

    version: str  # llama-cpp-python version whose vendored llama.cpp was built
    variant: str  # CPU kernels (same as the ones bisum loaded)
    flags: tuple[str, ...]  # kernel flags only (BASE_FLAGS always apply)
    binary: Path
    build_seconds: float  # configure + build time when it was built
    reused: bool  # found in the cache this run


def peer_dir(version: str, variant: str) -> Path:
    return cache_dir() / "peer" / f"llama-server-{version}-{variant}"


def cached_build(version: str, variant: str, flags: list[str]) -> PeerBuild | None:
    """The cached binary for this version, variant and flags, or None."""
    folder = peer_dir(version, variant)
    info_path, binary = folder / "build.json", folder / "llama-server"
    if not (info_path.is_file() and binary.is_file()):
        return None
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if info.get("flags") != list(flags) or info.get("base_flags") != list(BASE_FLAGS):
        log.info("cached peer in %s was built with other flags; rebuilding", folder)
        return None
    return PeerBuild(version, variant, tuple(flags), binary, info.get("build_seconds", 0.0), True)


def source_tree(version: str, work: Path) -> Path:
    """The vendored llama.cpp of llama-cpp-python==version: the local extracted sdist, else `pip download`."""
    local = LOCAL_SDIST / f"llama_cpp_python-{version}" / "vendor" / "llama.cpp"
    if (local / "CMakeLists.txt").is_file():
        log.info("using the extracted sdist at %s", local.parent.parent)
        return local
    log.info("downloading the llama-cpp-python %s sdist", version)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet",
                    f"llama-cpp-python=={version}", "-d", str(work)], check=True)
    archive = next(work.glob("llama_cpp_python-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    tree = work / archive.name.removesuffix(".tar.gz") / "vendor" / "llama.cpp"
    if not (tree / "CMakeLists.txt").is_file():
        raise RuntimeError(f"{archive.name} has no vendored llama.cpp")
    return tree


def build_server(version: str, variant: str, flags: list[str], jobs: int = 2) -> PeerBuild:
    """llama-server for these kernels: from the cache, else configured and built (only that target)."""
    found = cached_build(version, variant, flags)
    if found:
        log.info("peer: reusing %s", found.binary)
        return found
    folder = peer_dir(version, variant)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="build-", dir=folder.parent) as tmp:
        work = Path(tmp)
        tree = source_tree(version, work)
        build = work / "build"
        start = time.perf_counter()
        log.info("peer: building llama-server %s (%s: %s), -j %d; this takes minutes",
                 version, variant, " ".join(flags), jobs)
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        _quiet_run(["cmake", "-S", str(tree), "-B", str(build), *generator, *BASE_FLAGS, *flags], build / "configure.log")
        _quiet_run(["cmake", "--build", str(build), "--target", "llama-server", "-j", str(jobs)], build / "build.log")
        seconds = round(time.perf_counter() - start, 1)
        binary = next(p for p in build.rglob("llama-server") if p.is_file() and p.stat().st_mode & 0o111)
        folder.mkdir(exist_ok=True)
        shutil.copy2(binary, folder / "llama-server.tmp")
        (folder / "llama-server.tmp").replace(folder / "llama-server")
    info = {"version": version, "variant": variant, "flags": list(flags), "base_flags": list(BASE_FLAGS),
            "build_seconds": seconds}
    (folder / "build.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    log.info("peer: built in %.0f s -> %s", seconds, folder / "llama-server")
    return PeerBuild(version, variant, tuple(flags), folder / "llama-server", seconds, False)


def _quiet_run(cmd: list[str], log_path: Path) -> None:
    """Run a build command with its output in a file; on failure, show the file's tail."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as out:
        rc = subprocess.run(cmd, check=False, stdout=out, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(cmd[:3])} ... failed ({rc}):\n{tail}")


# --- running it ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _death_signal():
    """A child-side hook (Linux): the server gets SIGTERM when this process dies without cleaning up (kill -9).
    prctl is looked up here, in the parent, so the child calls it without loading anything between fork and exec."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class PeerServer:
    """`with PeerServer(...) as server:` a running llama-server, stopped on exit (errors and Ctrl-C included)."""

    binary: Path
    model: Path
    parallel: int = 16
    context_per_slot: int = 2048
    threads: int = 2
    extra_args: tuple[str, ...] = ()
    log_path: Path | None = None
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [str(self.binary), "-m", str(self.model), "-np", str(self.parallel), "-cb",
                "-c", str(self.parallel * self.context_per_slot), "-t", str(self.threads), "-tb", str(self.threads),
                "--host", "127.0.0.1", "--port", str(self.port), "--no-webui", *self.extra_args]

    def __enter__(self) -> Self:
        self.port = self.port or free_port()
        self.log_path = self.log_path or Path(tempfile.gettempdir()) / f"bisum-peer-{self.port}.log"
        log.info("peer: %s (log %s)", " ".join(self.command()), self.log_path)
        with open(self.log_path, "w", encoding="utf-8") as out:
            hook = _death_signal() if sys.platform == "linux" else None  # only calls prctl, resolved beforehand
            self.process = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True,
                                            preexec_fn=hook)  # noqa: PLW1509
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_healthy(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama-server exited ({self.process.returncode}); see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"llama-server not healthy after {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s (it finishes requests in flight first); the server is in its own session,
        so a Ctrl-C in the terminal never reached it."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.info("peer: stopped (pid %d)", proc.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server so far (Linux /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (AttributeError, OSError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- querying it ---------------------------------------------------------------------------------
@dataclass
class PeerReply:
    """One /completion answer."""

    text: str
    tokens_predicted: int
    prompt_read: int  # prompt tokens the server evaluated (the rest came from its prompt cache)
    prompt_cached: int
    stop_type: str
    seconds: float


@dataclass
class PeerCall:
    """One replayed generate() call: its prompts sent together, wall time until the last answer."""

    seconds: float
    cpu_seconds: float  # the server process's user + system time during the call
    replies: list[PeerReply] = field(default_factory=list)


def completion_request(prompt: list[int], limit: int, penalty: float) -> dict:
    """Greedy, as bisum decodes: temperature 0, top_k 1, the same penalty and window; the server's prompt cache on."""
    return {"prompt": prompt, "n_predict": limit, "temperature": 0.0, "top_k": 1, "top_p": 1.0, "min_p": 0.0,
            "repeat_penalty": penalty, "repeat_last_n": PENALTY_WINDOW, "cache_prompt": True, "seed": 0,
            "stop": STOPS, "stream": False}


def _complete(client: httpx.Client, url: str, body: dict) -> PeerReply:
    start = time.perf_counter()
    response = client.post(f"{url}/completion", json=body)
    response.raise_for_status()
    data = response.json()
    timings = data.get("timings", {})
    return PeerReply(data.get("content", "").strip(), int(data.get("tokens_predicted", 0)),
                     int(timings.get("prompt_n", data.get("tokens_evaluated", 0))), int(data.get("tokens_cached", 0)),
                     str(data.get("stop_type", "")), time.perf_counter() - start)


def _gather(futures: list) -> list:
    """The futures' results in order; waits in short steps so that Ctrl-C reaches the main thread at once."""
    while not all(f.done() for f in futures):
        wait(futures, timeout=0.5)
    return [f.result() for f in futures]


def replay(server: PeerServer, prompts: list[list[list[int]]], limits: list[list[int]], penalty: float,
           reference: list[float] | None = None) -> list[PeerCall]:
    """Calls in order; within a call, its prompts concurrently (up to the server's slots at a time).
    reference: the seconds the same calls took elsewhere, for the progress log."""
    results, slots = [], server.parallel
    client = httpx.Client(timeout=httpx.Timeout(1800.0, connect=10.0),
                          limits=httpx.Limits(max_connections=slots, max_keepalive_connections=slots))
    pool = ThreadPoolExecutor(max_workers=slots)
    try:
        for n, (call_prompts, call_limits) in enumerate(zip(prompts, limits), start=1):
            start, cpu = time.perf_counter(), server.cpu_seconds()
            bodies = [completion_request(p, m, penalty) for p, m in zip(call_prompts, call_limits)]
            replies = _gather([pool.submit(_complete, client, server.url, body) for body in bodies])
            results.append(PeerCall(time.perf_counter() - start, server.cpu_seconds() - cpu, replies))
            log.info("peer: call %d/%d, %d conversations, %.1f s%s", n, len(prompts), len(bodies),
                     results[-1].seconds, f" (bisum {reference[n - 1]:.1f} s)" if reference else "")
    except BaseException:  # Ctrl-C: wait for nothing (closing the client would wait for the requests in flight);
        pool.shutdown(wait=False, cancel_futures=True)  # stopping the server ends them
        raise
    pool.shutdown()
    client.close()
    return results


def build_record(build: PeerBuild) -> dict:
    record = asdict(build)
    record["binary"] = str(build.binary)
    record["flags"] = list(build.flags)
    return record
