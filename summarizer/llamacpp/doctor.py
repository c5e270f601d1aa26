"""`summarizer doctor`: the CPU, every llama.cpp CPU variant and whether it may run, the probe verdicts the choice
rests on (cached or fresh, with timings), and the variant bisum will use and why."""
from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass, field
from pathlib import Path

from summarizer import models
from summarizer.errors import EngineUnavailable, ModelError
from summarizer.llamacpp import cpu_variants, kernel_probe
from summarizer.llamacpp.kernel_probe import ProbeResult

_FLAGS = ("avx", "f16c", "fma", "avx2", "avx512f", "avx512vbmi", "avx512_vnni", "avx512_bf16", "avx_vnni",
          "amx_tile", "amx_int8", "amx_bf16")


@dataclass
class _Recorder:
    """Passes probes through and remembers what the choice asked, in order."""

    prober: kernel_probe.Prober
    results: dict[str, ProbeResult | None] = field(default_factory=dict)

    def __call__(self, name: str, path: Path) -> ProbeResult | None:
        self.results[name] = self.prober(name, path)
        return self.results[name]


def probe_model(model: str | None) -> Path | None:
    """The GGUF to probe with: the one given (path or registry name), else the offline default once pulled, else
    None (the probe writes its own small model)."""
    if model and Path(model).is_file():
        return Path(model)
    try:
        path = models.model_path(model)
    except ModelError:
        if model:
            raise
        return None
    if model and not path.is_file():
        raise ModelError(f"{model} is not pulled (summarizer models pull {model})")
    return path if path.is_file() else None


def _cpu_lines() -> list[str]:
    name, _, flags = kernel_probe.cpu_identity().partition("|")
    present = set(flags.split())
    shown = " ".join(f for f in _FLAGS if f in present) or "none of the x86 SIMD flags"
    return [f"cpu: {name}, {os.cpu_count()} cores",
            f"  flags: {shown}",
            f"  OS grants the AMX tiles (arch_prctl): {'yes' if cpu_variants.amx_granted() else 'no'}"
            + (" (not proof: only a probe is)" if "amx_tile" in present else "")]


def _variant_lines(variants: list[cpu_variants.Variant], chosen: str | None) -> list[str]:
    try:
        version = importlib.metadata.version("llama_cpp_python")
    except importlib.metadata.PackageNotFoundError:
        return ["llama-cpp-python is not installed: " + cpu_variants.REBUILD]
    folder = variants[0].path.parent if variants and variants[0].path else cpu_variants.library_dir()
    lines = [f"llama-cpp-python {version}; CPU variants in {folder} (best score first, * = used):"]
    if not variants:
        lines.append(f"  none: kernels built into the wheel; for run-time choice: {cpu_variants.REBUILD}")
    for v in variants:
        note = "; AMX: needs a clean, faster probe" if v.uses_amx and v.score > 0 else ""
        lines.append(f" {'*' if v.name == chosen else ' '} {v.name:15} score {v.score:5}  {v.reason}{note}")
    return lines


def _probe_lines(recorder: _Recorder, model: Path | None) -> list[str]:
    if not recorder.results:
        return ["probes: none needed (no AMX variant is in the running here)"]
    timed = f"then timed on {model.name}" if model else "timed on it"
    lines = [f"probes, each in a child process: a {kernel_probe.PROBE_TOKENS}-token prompt batch on every core, on "
             f"the Q8_0 probe model (all its weights on AMX tiles), {timed}; cache {recorder.prober.cache_file}:"]
    for name, result in recorder.results.items():
        if result is None:
            lines.append(f"  {name:15} not probed yet")
        else:
            lines.append(f"  {name:15} {'' if result.ok else 'REFUSED: '}{result.summary()}")
    return lines


def report(wanted: str | None = None, model: str | None = None, *, fresh: bool = False,
           run: bool = True) -> tuple[list[str], bool]:
    """The doctor's lines and whether a variant can be used. `fresh` probes again; `run=False` reads the cache only."""
    lib_dir = cpu_variants.library_dir()
    variants = cpu_variants.available(lib_dir)
    gguf = probe_model(model) if run else None
    ggml = cpu_variants.ggml_path(lib_dir) if lib_dir else None
    recorder = _Recorder(kernel_probe.Prober(gguf, ggml=ggml, fresh=fresh, run=run))
    try:
        chosen, problem = cpu_variants.choose(variants, wanted, recorder), None
    except EngineUnavailable as exc:
        chosen, problem = None, str(exc)
    plain = next((v for v in variants if v.score > 0 and not v.uses_amx and v.path), None)
    if recorder.results and plain is not None and plain.name not in recorder.results:
        recorder(plain.name, plain.path)  # the timing an AMX variant is measured against, shown beside it
    lines = _cpu_lines() + _variant_lines(variants, chosen.name if chosen else None) + _probe_lines(recorder, gguf)
    if chosen is None:
        return lines + [f"will use: nothing: {problem}"], False
    asked = f" (BISUM_CPU_VARIANT / cpu_variant = {wanted})" if wanted else ""
    return lines + [f"will use: {chosen.name}{asked}: {chosen.reason}"], True
