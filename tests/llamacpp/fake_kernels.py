"""Fake llama.cpp CPU backends built with `cc` (a `ggml_backend_score` and a "kernel" each) and a fake probe child
that runs that kernel: it may die by signal like AMX's `tilezero`, or take its time."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from summarizer.llamacpp import cpu_variants, kernel_probe

DIES, SLOW, FAST = "raise(SIGILL);", "usleep(150000);", "usleep(15000);"
SCORES = [("x64", 1), ("haswell", 100), ("zen4", 400), ("sapphirerapids", 4000), ("skylakex", 0)]

_FAKE_CHILD = """
import ctypes, json, sys, time
library = ctypes.CDLL(sys.argv[1])
start = time.perf_counter()
library.bisum_fake_kernel()
print(json.dumps({"tok_s": int(sys.argv[2]) / (time.perf_counter() - start)}))
"""


def backend(lib_dir: Path, name: str, score: int, kernel: str = FAST) -> None:
    source = lib_dir / f"{name}.c"
    source.write_text("#include <signal.h>\n#include <unistd.h>\n"
                      f"int ggml_backend_score(void) {{ return {score}; }}\n"
                      f"void bisum_fake_kernel(void) {{ {kernel} }}\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib_dir / f"libggml-cpu-{name}.so"), str(source)], check=True)


def fake_lib_dir(folder: Path) -> Path:
    """A wheel's worth of variants (every kernel fast; skylakex cannot run here)."""
    folder.mkdir(parents=True)
    for name, score in SCORES:
        backend(folder, name, score)
    return folder


def fake_children(monkeypatch) -> list[str]:
    """Every probe runs the fake child and the OS grants AMX; the list records the variants probed, in order."""
    probed: list[str] = []

    def command(ggml, variant, probe, model, threads, tokens):
        probed.append(variant.name[len("libggml-cpu-"):-len(".so")])
        return [sys.executable, "-c", _FAKE_CHILD, str(variant), str(tokens)]

    monkeypatch.setattr(kernel_probe, "child_command", command)
    monkeypatch.setattr(cpu_variants, "amx_granted", lambda: True)
    return probed
