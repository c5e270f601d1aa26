"""`python -m summarizer.engines.remote.llama_server --model GGUF [llama_cpp.server flags]`: llama-cpp-python's
OpenAI-compatible server (its `server` extra) on the CPU kernels bisum proved safe on this machine.

Started as `python -m llama_cpp.server`, llama.cpp picks its CPU kernels by CPUID, and on machines that list AMX
without running it cleanly that variant dies with SIGILL. Here `cpu_variants.load` registers the variant bisum
chose (BISUM_CPU_VARIANT, else the best one that passed its probe) before llama_cpp is imported. The server also
gets `--interrupt_requests false` unless told otherwise: by default it cuts a running stream short whenever
another request arrives, which no concurrent client wants.
"""
from __future__ import annotations

import logging
import runpy
import sys

from summarizer.config import Settings
from summarizer.llamacpp import cpu_variants


def server_args(argv: list[str]) -> list[str]:
    """The flags passed on, with --interrupt_requests false unless given."""
    if not any(a.startswith("--interrupt_requests") for a in argv):
        argv = [*argv, "--interrupt_requests", "false"]
    return argv


def model_arg(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--model" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--model="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="bisum: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    cpu_variants.load(Settings.from_env().cpu_variant, model=model_arg(argv))  # logs the variant it loaded
    sys.argv = ["llama_cpp.server", *server_args(argv)]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
