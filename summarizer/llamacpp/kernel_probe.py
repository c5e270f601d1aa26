"""Proof, not promise: a CPU variant of llama.cpp runs its real kernels in a child process before bisum trusts it.

CPUID and `arch_prctl(ARCH_REQ_XCOMP_PERM)` can both say yes on a virtual machine where AMX still dies with SIGILL
(`tilezero` inside `ggml_backend_amx_mul_mat`, on llama.cpp's worker threads). So a variant is probed: a child
process registers it and evaluates a prompt batch of PROBE_TOKENS tokens on every core, first on a small Q8_0 model
written for the purpose (`probe_model`: every weight goes to AMX tiles, so a clean run proves the tiles whatever the
user's model holds), then on the GGUF about to be used, which is timed (prompt tokens/s, best of PROBE_REPEATS or
more). llama.cpp multiplies Q4_0/Q4_1/Q8_0/Q4_K/Q5_K/Q6_K/IQ4_XS weights on tiles once a batch has more than one
token. A death by signal, a non-zero exit or a timeout is a refusal.

Verdicts are cached in `<cache dir>/cpu_kernels.json`, keyed by the CPU (model name and flags), the variant build
(file size and mtime, llama-cpp-python version) and the timed model (name and size): one probe per machine, build
and model, not per run.

    python -m summarizer.llamacpp.kernel_probe LIBGGML VARIANT PROBE_GGUF MODEL THREADS TOKENS  # the child (JSON)
"""
from __future__ import annotations

import ctypes
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from filelock import FileLock

from summarizer import config
from summarizer.llamacpp import probe_model

log = logging.getLogger(__name__)

PROBE_VERSION = 1  # bump when the probe's workload changes: older verdicts are then probed again
PROBE_TOKENS = 128
PROBE_REPEATS = 2
MIN_EVAL_S = 1.0  # a small model is evaluated again until this much time was measured
TIMEOUT_S = 180.0
CACHE_NAME = "cpu_kernels.json"
_STAGE = "bisum probe: evaluating "  # the child's stderr says which model it evaluates, so a death can be placed


@dataclass
class ProbeResult:
    """What one variant did in its child process: `ok` only after a clean exit with a measured speed."""

    variant: str
    ok: bool
    detail: str  # "ran cleanly", "killed by SIGILL", "exit 1: ...", "timed out after 180 s"
    tok_s: float | None = None  # prompt tokens/s, best of PROBE_REPEATS
    seconds: float = 0.0  # the whole child: start, model load, evaluations
    model: str = ""
    tokens: int = PROBE_TOKENS
    threads: int = 1
    when: str = ""
    cached: bool = field(default=False, compare=False)

    def summary(self) -> str:
        """e.g. "ran cleanly: 95.1 prompt tok/s (...)" or "killed by SIGILL (...)"."""
        speed = f": {self.tok_s:.1f} prompt tok/s" if self.ok and self.tok_s else ""
        source = f"cached, probed {self.when}" if self.cached else "probed now"
        return (f"{self.detail}{speed} ({self.tokens} tokens, {self.threads} threads, {self.model}; "
                f"child took {self.seconds:.1f} s; {source})")


def cpu_identity() -> str:
    """The CPU as the cache knows it: model name and feature flags of the first processor."""
    found: dict[str, str] = {}
    try:
        first = Path("/proc/cpuinfo").read_text(encoding="utf-8").split("\n\n", 1)[0]
    except OSError:
        first = ""
    for line in first.splitlines():
        key, _, value = line.partition(":")
        found.setdefault(key.strip(), value.strip())
    name = found.get("model name") or platform.processor() or platform.machine()
    flags = " ".join(sorted((found.get("flags") or found.get("Features") or "").split()))
    return f"{name}|{flags}"


def build_identity(path: Path) -> str:
    """The variant build: its file (size, mtime) and the llama-cpp-python it came with."""
    try:
        version = importlib.metadata.version("llama_cpp_python")
    except importlib.metadata.PackageNotFoundError:
        version = "none"
    stat = path.stat()
    return f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}|llama-cpp-python {version}|probe {PROBE_VERSION}"


def model_identity(model: Path | None) -> str:
    """The timed model as the cache knows it (None: the probe model alone)."""
    if model is None:
        return f"probe model {probe_model.VERSION}"
    try:
        return f"{model.name}|{model.stat().st_size}"
    except OSError:
        return model.name


def cache_key(path: Path, model: Path | None = None) -> str:
    text = f"{cpu_identity()}\n{build_identity(path)}\n{model_identity(model)}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def child_command(ggml: Path | None, variant: Path, probe: Path, model: Path, threads: int, tokens: int) -> list[str]:
    """The child that runs one probe (tests swap it for a fake workload)."""
    return [sys.executable, "-m", __name__, str(ggml or ""), str(variant), str(probe), str(model), str(threads),
            str(tokens)]


def _child_env() -> dict[str, str]:
    """The parent's environment, with this package importable from the child wherever the parent found it."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=root + (os.pathsep + path if path else ""))


def run_probe(name: str, variant: Path, probe: Path, model: Path, *, ggml: Path | None, threads: int,
              tokens: int = PROBE_TOKENS, timeout: float = TIMEOUT_S) -> ProbeResult:
    """One variant, one child process (tiles proven on `probe`, speed timed on `model`); never raises for what the
    child did."""
    result = ProbeResult(name, False, "", model=model.name, tokens=tokens, threads=threads,
                         when=time.strftime("%Y-%m-%d %H:%M:%S"))
    start = time.perf_counter()
    try:
        done = subprocess.run(child_command(ggml, variant, probe, model, threads, tokens), capture_output=True,
                              text=True, timeout=timeout, env=_child_env(), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        result.detail = f"timed out after {timeout:.0f} s"
    except OSError as exc:
        result.detail = f"could not start: {exc}"
    else:
        result.ok, result.detail, result.tok_s = _verdict(done)
    result.seconds = round(time.perf_counter() - start, 2)
    return result


def _verdict(done: subprocess.CompletedProcess) -> tuple[bool, str, float | None]:
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        stages = [line[len(_STAGE):] for line in done.stderr.splitlines() if line.startswith(_STAGE)]
        return False, f"killed by {name}" + (f" on {stages[-1]}" if stages else ""), None
    if done.returncode > 0:
        last = (done.stderr.strip().splitlines() or [""])[-1][:200]
        return False, f"exit {done.returncode}: {last}".rstrip(": "), None
    try:
        speed = float(json.loads(done.stdout.strip().splitlines()[-1])["tok_s"])
    except (IndexError, KeyError, TypeError, ValueError):
        return False, "exited cleanly without a measurement", None
    return True, "ran cleanly", round(speed, 1)


class Prober:
    """probe(name, path) -> ProbeResult: the cached verdict for this CPU and build, else a fresh child-process probe
    (None when `run` is False and nothing is cached). One process probes at a time; the others wait and read."""

    def __init__(self, model: Path | None = None, *, ggml: Path | None = None, threads: int | None = None,
                 cache_dir: Path | None = None, fresh: bool = False, run: bool = True, timeout: float = TIMEOUT_S):
        self.model = Path(model) if model else None
        self.ggml = ggml
        self.threads = threads or os.cpu_count() or 1
        self.folder = Path(cache_dir) if cache_dir else config.cache_dir()
        self.fresh = fresh
        self.run = run
        self.timeout = timeout
        self._probed: set[str] = set()

    @property
    def cache_file(self) -> Path:
        return self.folder / CACHE_NAME

    def __call__(self, name: str, path: Path) -> ProbeResult | None:
        key = cache_key(path, self.model)
        fresh = self.fresh and key not in self._probed
        cached = None if fresh else self._read().get(key)
        if cached is not None or not self.run:
            return cached
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with FileLock(str(self.folder / "cpu_kernels.lock"), timeout=4 * self.timeout):
                cached = None if fresh else self._read().get(key)  # another process may have probed while we waited
                return cached if cached is not None else self._probe(key, name, path)
        except OSError as exc:  # an unwritable cache, a lock held too long: unproven, so not used
            log.warning("cannot probe llama.cpp CPU kernels %s (%s): not using them", name, exc)
            return None

    def _probe(self, key: str, name: str, path: Path) -> ProbeResult:
        probe = probe_model.ensure(self.folder / "kernels")
        log.info("probing llama.cpp CPU kernels %s in a child process (once per machine, build and model)", name)
        result = run_probe(name, path, probe, self.model or probe, ggml=self.ggml, threads=self.threads,
                           timeout=self.timeout)
        log.info("CPU kernels %s: %s", name, result.summary())
        self._write(key, result, path)
        self._probed.add(key)
        return result

    def _read(self) -> dict[str, ProbeResult]:
        try:
            entries = json.loads(self.cache_file.read_text(encoding="utf-8")).get("probes", {})
        except (OSError, ValueError, AttributeError):
            return {}
        names = {f.name for f in fields(ProbeResult)} - {"cached"}
        found = {}
        for key, entry in entries.items() if isinstance(entries, dict) else []:
            try:
                found[key] = ProbeResult(**{k: v for k, v in entry.items() if k in names}, cached=True)
            except (TypeError, AttributeError):
                continue
        return found

    def _write(self, key: str, result: ProbeResult, path: Path) -> None:
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        probes = data.get("probes") if isinstance(data.get("probes"), dict) else {}
        entry = {k: v for k, v in asdict(result).items() if k != "cached"}
        probes[key] = dict(entry, cpu=cpu_identity().split("|")[0], build=build_identity(path))
        partial = self.cache_file.with_name(f"{CACHE_NAME}.{os.getpid()}.part")
        partial.write_text(json.dumps({"probes": probes}, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.cache_file)


# ---------------------------------------------------------------- the child


def _register(ggml: str, variant: str) -> None:
    library = ctypes.CDLL(ggml, mode=ctypes.RTLD_GLOBAL)
    library.ggml_backend_load.restype = ctypes.c_void_p
    library.ggml_backend_load.argtypes = [ctypes.c_char_p]
    if not library.ggml_backend_load(variant.encode()):
        raise SystemExit(f"llama.cpp could not load {variant}")


def measure(model: str, threads: int, tokens: int, repeat: bool = True) -> dict:
    """Prompt tokens/s of one batch of `tokens` tokens, the best of PROBE_REPEATS or more evaluations (until they
    add up to MIN_EVAL_S), the KV cache emptied between."""
    import llama_cpp

    start = time.perf_counter()
    llama = llama_cpp.Llama(model_path=model, n_ctx=max(512, 2 * tokens), n_batch=max(512, tokens),
                            n_threads=threads, n_threads_batch=threads, seed=0, verbose=False)
    load_s = time.perf_counter() - start
    vocab = llama.n_vocab()
    ids = [(7 + 7919 * i) % vocab for i in range(tokens)]
    times: list[float] = []
    while not times or repeat and (len(times) < PROBE_REPEATS or sum(times) < MIN_EVAL_S and len(times) < 50):
        llama.reset()
        start = time.perf_counter()
        llama.eval(ids)
        times.append(time.perf_counter() - start)
    llama.close()
    return {"tok_s": tokens / min(times), "load_s": round(load_s, 2), "eval_s": round(min(times), 3),
            "evals": len(times)}


def main(argv: list[str] | None = None) -> None:
    ggml, variant, probe, model, threads, tokens = argv if argv is not None else sys.argv[1:]
    if ggml:
        _register(ggml, variant)
    if Path(probe).resolve() != Path(model).resolve():
        print(f"{_STAGE}{Path(probe).name}", file=sys.stderr, flush=True)
        measure(probe, int(threads), int(tokens), repeat=False)  # the tiles, whatever `model` holds
    print(f"{_STAGE}{Path(model).name}", file=sys.stderr, flush=True)
    print(json.dumps(measure(model, int(threads), int(tokens))), flush=True)


if __name__ == "__main__":
    main()
