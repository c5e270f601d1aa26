"""llama.cpp CPU kernels chosen at run time, safely.

A llama-cpp-python wheel built with `GGML_BACKEND_DL=ON GGML_CPU_ALL_VARIANTS=ON` ships one CPU backend per
instruction-set level (`libggml-cpu-<name>.so`: x64, haswell, skylakex, icelake, zen4, sapphirerapids, ...).
Left alone, llama.cpp loads the highest-scoring one and judges AMX by CPUID alone; on virtual machines that list
AMX, and even grant the tiles, that variant can still die with SIGILL. So bisum loads the variant itself, before
llama.cpp initialises: each variant's own `ggml_backend_score()` says whether this CPU runs it; a variant with AMX
needs the OS to grant the tile state (`arch_prctl(ARCH_REQ_XCOMP_PERM)`) and then a probe in a child process
(`kernel_probe`): it must run a real quantized prompt batch cleanly and be measured at least FASTER_BY faster than
the best variant without AMX, else that one is used. Verdicts are cached per CPU and build (`summarizer doctor`
shows them). Once a CPU backend is registered, llama.cpp's own `ggml_backend_load_all()` is skipped.
"""
from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import platform
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import EngineUnavailable
from summarizer.llamacpp import kernel_probe
from summarizer.llamacpp.kernel_probe import ProbeResult

log = logging.getLogger(__name__)

BUILT_IN = "built-in"
REBUILD = ('CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON" '
           "pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python")
_PREFIX, _SUFFIX = "libggml-cpu-", ".so"
FASTER_BY = 1.05  # an AMX variant must beat the best variant without AMX by this factor in its probe
Probe = Callable[[str, Path], ProbeResult | None]

# x86 variants as ggml/src/CMakeLists.txt defines them (GGML_CPU_ALL_VARIANTS): the GGML_* features of each.
X86_FEATURES = ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2", "AVX512", "AVX512_VBMI", "AVX512_VNNI",
                "AVX512_BF16", "AVX_VNNI", "AMX_TILE", "AMX_INT8")
_AVX2 = ("SSE42", "AVX", "F16C", "FMA", "AVX2", "BMI2")
X86_VARIANTS: dict[str, tuple[str, ...]] = {
    "x64": (),
    "sse42": ("SSE42",),
    "sandybridge": ("SSE42", "AVX"),
    "ivybridge": ("SSE42", "AVX", "F16C"),
    "piledriver": ("SSE42", "AVX", "F16C", "FMA"),
    "haswell": _AVX2,
    "skylakex": _AVX2 + ("AVX512",),
    "cannonlake": _AVX2 + ("AVX512", "AVX512_VBMI"),
    "cascadelake": _AVX2 + ("AVX512", "AVX512_VNNI"),
    "icelake": _AVX2 + ("AVX512", "AVX512_VBMI", "AVX512_VNNI"),
    "cooperlake": _AVX2 + ("AVX512", "AVX512_VNNI", "AVX512_BF16"),
    "zen4": _AVX2 + ("AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16"),
    "alderlake": _AVX2 + ("AVX_VNNI",),
    "sapphirerapids": _AVX2 + ("AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AMX_TILE", "AMX_INT8"),
}


@dataclass(frozen=True)
class Variant:
    """One CPU backend: `score` is ggml's own (0 = this CPU cannot run it); `reason` says why it was or was not used."""

    name: str
    path: Path | None
    score: int
    reason: str

    @property
    def uses_amx(self) -> bool:
        return "AMX_TILE" in X86_VARIANTS.get(self.name, ())


_state: dict[str, Variant] = {}
_handles: dict[str, ctypes.CDLL] = {}
_lock = threading.Lock()


def library_dir() -> Path | None:
    """llama_cpp/lib of the installed llama-cpp-python, found without importing (and initialising) it."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "lib"


def variant_files(lib_dir: Path | None) -> dict[str, Path]:
    """The CPU backends shipped beside llama_cpp/lib: the wheel installs ggml's variants to site-packages/bin,
    where llama.cpp itself never looks (it searches the executable's folder and the working directory)."""
    if lib_dir is None:
        return {}
    found: dict[str, Path] = {}
    for folder in (lib_dir, lib_dir.parent.parent / "bin"):
        for path in sorted(folder.glob(f"{_PREFIX}*{_SUFFIX}")) if folder.is_dir() else []:
            found.setdefault(path.name[len(_PREFIX):-len(_SUFFIX)], path)
    return found


def ggml_path(lib_dir: Path) -> Path:
    """The libggml file libllama links (by soname): wheels hold copies, not symlinks, and a second copy of libggml
    loaded by another name would keep its own backend registry."""
    return next((p for p in (lib_dir / "libggml.so.0", lib_dir / "libggml.so") if p.exists()), lib_dir / "libggml.so")


def _ggml(lib_dir: Path) -> ctypes.CDLL:
    """llama.cpp's own libggml (and, through it, libggml-base, which the variants link against by soname)."""
    if "ggml" not in _handles:
        _handles["ggml"] = ctypes.CDLL(str(ggml_path(lib_dir)), mode=ctypes.RTLD_GLOBAL)
    return _handles["ggml"]


def amx_granted() -> bool:
    """Whether Linux lets this process use the AMX tile data (the kernel refuses where the VM never enabled it)."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        return False
    sys_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata = 158, 0x1023, 18
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(sys_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata) == 0


def _score(path: Path) -> int:
    """The variant's own verdict on this CPU (CPUID checks compiled into it); 0 = cannot run here."""
    try:
        library = ctypes.CDLL(str(path), mode=os.RTLD_LOCAL)
        score = library.ggml_backend_score
    except (OSError, AttributeError) as exc:
        log.warning("cannot inspect %s: %s", path.name, exc)
        return 0
    score.restype = ctypes.c_int
    return int(score())


def available(lib_dir: Path | None = None) -> list[Variant]:
    """Every variant the installed wheel ships, best first, each with whether and why it may run here."""
    lib_dir = lib_dir or library_dir()
    files = variant_files(lib_dir)
    if files and any(lib_dir.glob("libggml.so*")):
        _ggml(lib_dir)
    tiles = None
    found = []
    for name, path in files.items():
        score = _score(path)
        if score <= 0:
            found.append(Variant(name, path, 0, "this CPU lacks its instructions"))
            continue
        if "AMX_TILE" in X86_VARIANTS.get(name, ()):
            tiles = amx_granted() if tiles is None else tiles
            if not tiles:
                found.append(Variant(name, path, 0, "CPU lists AMX but the OS does not grant the tiles"))
                continue
        found.append(Variant(name, path, score, "runs here"))
    return sorted(found, key=lambda v: (-v.score, v.name))


def choose(variants: list[Variant], wanted: str | None = None, probe: Probe | None = None) -> Variant:
    """The best runnable variant, or the one asked for (refused with a clear error if it cannot run here).
    `probe(name, path)` proves AMX variants (see kernel_probe.Prober); without one, AMX is never chosen unasked."""
    if not variants:
        return Variant(BUILT_IN, None, 0, f"kernels linked into this wheel at build time; for run-time choice: {REBUILD}")
    if wanted:
        return _asked_for(variants, wanted, probe)
    runnable = [v for v in variants if v.score > 0]
    if not runnable:
        raise EngineUnavailable("no llama.cpp CPU variant runs on this machine")
    best = runnable[0]
    plain = next((v for v in runnable if not v.uses_amx), None)
    if not best.uses_amx or plain is None:
        return Variant(best.name, best.path, best.score, "best that runs here")
    use_amx, why = amx_verdict(best, plain, probe)
    chosen = best if use_amx else plain
    return Variant(chosen.name, chosen.path, chosen.score, why)


def _asked_for(variants: list[Variant], wanted: str, probe: Probe | None) -> Variant:
    match = next((v for v in variants if v.name == wanted), None)
    if match is None:
        raise EngineUnavailable(f"no CPU variant {wanted!r}; this wheel has: {', '.join(v.name for v in variants)}")
    if match.score <= 0:
        raise EngineUnavailable(f"CPU variant {wanted!r} cannot run here: {match.reason}")
    result = probe(match.name, match.path) if probe and match.uses_amx and match.path else None
    if result is not None and not result.ok:
        raise EngineUnavailable(f"CPU variant {wanted!r} was refused: its probe on this machine was {result.detail} "
                                f"(see `summarizer doctor`); unset BISUM_CPU_VARIANT to use the best safe one")
    return Variant(match.name, match.path, match.score, "asked for")


def amx_verdict(amx: Variant, plain: Variant, probe: Probe | None) -> tuple[bool, str]:
    """Whether the AMX variant may run, and why: it ran its probe cleanly and beat the best plain variant's."""
    tried = probe(amx.name, amx.path) if probe and amx.path else None
    if tried is None:
        return False, f"best that runs safely here; {amx.name} is used only after its probe (run `summarizer doctor`)"
    if not tried.ok:
        return False, f"best that runs safely here; {amx.name} refused: {tried.detail} in its probe"
    base = probe(plain.name, plain.path) if plain.path else None
    if base is None or not base.ok or not base.tok_s:
        detail = base.detail if base is not None else "not probed"
        return False, f"best that runs safely here; {amx.name} ran but could not be compared ({plain.name}: {detail})"
    speeds = f"{tried.tok_s:.1f} vs {base.tok_s:.1f} prompt tok/s"
    if tried.tok_s < base.tok_s * FASTER_BY:
        return False, f"best that runs safely here; {amx.name} ran its probe but is not faster than {plain.name} ({speeds})"
    return True, f"ran its probe and beat {plain.name} ({speeds})"


def load(wanted: str | None = None, model: str | Path | None = None, *, lib_dir: Path | None = None,
         probe: Probe | None = None) -> Variant:
    """Register the chosen CPU backend with ggml, once per process, before llama.cpp initialises. `model`: the
    GGUF about to be used, which an AMX variant's probe runs (None: a small probe model)."""
    with _lock:
        if "active" in _state:
            active = _state["active"]
            if wanted and wanted != active.name:
                log.warning("CPU variant %s is already loaded; %s needs a new process", active.name, wanted)
            return active
        lib_dir = lib_dir or library_dir()
        variants = available(lib_dir)
        if probe is None and lib_dir is not None:
            probe = kernel_probe.Prober(Path(model) if model else None, ggml=ggml_path(lib_dir))
        chosen = choose(variants, wanted, probe)
        if chosen.path is not None:
            _register(lib_dir, chosen.path)
        log.info("llama.cpp CPU kernels: %s (%s)", chosen.name, chosen.reason)
        _state["active"] = chosen
        return chosen


def planned(wanted: str | None = None, model: str | Path | None = None, *, run: bool = False) -> Variant:
    """The variant `load` would pick for `model`, from cached probe verdicts (`run`: probing what is not cached);
    nothing is loaded in this process."""
    lib_dir = library_dir()
    ggml = ggml_path(lib_dir) if lib_dir else None
    return choose(available(lib_dir), wanted, kernel_probe.Prober(Path(model) if model else None, ggml=ggml, run=run))


def _register(lib_dir: Path, path: Path) -> None:
    ggml = _ggml(lib_dir)
    ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
    if ggml.ggml_backend_reg_count():
        raise EngineUnavailable("llama.cpp picked its CPU kernels before bisum could choose them safely")
    ggml.ggml_backend_load.restype = ctypes.c_void_p
    ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
    if not ggml.ggml_backend_load(str(path).encode()):
        raise EngineUnavailable(f"llama.cpp could not load its CPU backend {path.name}")


def active() -> Variant | None:
    """The variant this process loaded, or None before the first model load."""
    return _state.get("active")


def describe() -> str:
    """One line for benchmark output: the variant that runs (or would run) in this process."""
    variant = active()
    if variant is None:
        try:
            variant = planned()
        except EngineUnavailable as exc:
            return f"none ({exc})"
    return f"{variant.name} ({variant.reason})"


def cmake_flags(name: str) -> list[str]:
    """The CMake flags that build this variant's kernels into a single-variant llama.cpp (e.g. the peer server)."""
    if name not in X86_VARIANTS:
        raise ValueError(f"no CMake flags known for CPU variant {name!r}")
    on = set(X86_VARIANTS[name])
    return ["-DGGML_NATIVE=OFF"] + [f"-DGGML_{f}={'ON' if f in on else 'OFF'}" for f in X86_FEATURES]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_line() -> str:
    """What every benchmark prints first: the CPU, its cores and the llama.cpp kernels that run."""
    return f"machine: {cpu_name()}, {os.cpu_count()} cores; llama.cpp CPU kernels: {describe()}"
