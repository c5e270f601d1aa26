"""llama.cpp CPU kernels chosen at run time, safely.

A llama-cpp-python wheel built with `GGML_BACKEND_DL=ON GGML_CPU_ALL_VARIANTS=ON` ships one CPU backend per
instruction-set level (`libggml-cpu-<name>.so`: x64, haswell, skylakex, icelake, zen4, sapphirerapids, ...).
Left alone, llama.cpp loads the highest-scoring one and judges AMX by CPUID alone; on virtual machines that list
AMX but never enable the tiles, that variant dies with SIGILL. So bisum loads the variant itself, before llama.cpp
initialises: each variant's own `ggml_backend_score()` says whether this CPU runs it, and a variant with AMX is
allowed only where Linux grants the tile state (`arch_prctl(ARCH_REQ_XCOMP_PERM)`). Once a CPU backend is
registered, llama.cpp's own `ggml_backend_load_all()` is skipped.
"""
from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import platform
import threading
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import EngineUnavailable

log = logging.getLogger(__name__)

BUILT_IN = "built-in"
REBUILD = ('CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON" '
           "pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python")
_PREFIX, _SUFFIX = "libggml-cpu-", ".so"

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


def _ggml(lib_dir: Path) -> ctypes.CDLL:
    """llama.cpp's own libggml (and, through it, libggml-base, which the variants link against by soname)."""
    if "ggml" not in _handles:
        # the file libllama links (by soname): wheels hold copies, not symlinks, and a second copy of libggml
        # loaded by another name would keep its own backend registry
        path = next((p for p in (lib_dir / "libggml.so.0", lib_dir / "libggml.so") if p.exists()), lib_dir / "libggml.so")
        _handles["ggml"] = ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
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


def choose(variants: list[Variant], wanted: str | None = None) -> Variant:
    """The best runnable variant, or the one asked for (refused with a clear error if it cannot run here)."""
    if not variants:
        return Variant(BUILT_IN, None, 0, f"kernels linked into this wheel at build time; for run-time choice: {REBUILD}")
    if wanted:
        match = next((v for v in variants if v.name == wanted), None)
        if match is None:
            raise EngineUnavailable(f"no CPU variant {wanted!r}; this wheel has: {', '.join(v.name for v in variants)}")
        if match.score <= 0:
            raise EngineUnavailable(f"CPU variant {wanted!r} cannot run here: {match.reason}")
        return Variant(match.name, match.path, match.score, "asked for")
    best = variants[0]
    if best.score <= 0:
        raise EngineUnavailable("no llama.cpp CPU variant runs on this machine")
    return Variant(best.name, best.path, best.score, "best that runs here")


def load(wanted: str | None = None) -> Variant:
    """Register the chosen CPU backend with ggml, once per process, before llama.cpp initialises."""
    with _lock:
        if "active" in _state:
            active = _state["active"]
            if wanted and wanted != active.name:
                log.warning("CPU variant %s is already loaded; %s needs a new process", active.name, wanted)
            return active
        lib_dir = library_dir()
        chosen = choose(available(lib_dir), wanted)
        if chosen.path is not None:
            _register(lib_dir, chosen.path)
        log.info("llama.cpp CPU kernels: %s (%s)", chosen.name, chosen.reason)
        _state["active"] = chosen
        return chosen


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
            variant = choose(available())
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
