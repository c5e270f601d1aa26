"""Run-time choice of llama.cpp CPU kernels: real shared libraries with a `ggml_backend_score` each, built here."""
import shutil
import subprocess

import pytest

from summarizer.llamacpp import cpu_variants
from summarizer.llamacpp.cpu_variants import Variant, available, choose, cmake_flags
from summarizer.errors import EngineUnavailable

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler to build fake backends")


def _backend(lib_dir, name: str, score: int) -> None:
    source = lib_dir / f"{name}.c"
    source.write_text(f"int ggml_backend_score(void) {{ return {score}; }}\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib_dir / f"libggml-cpu-{name}.so"), str(source)], check=True)


@pytest.fixture
def lib_dir(tmp_path):
    for name, score in [("x64", 1), ("haswell", 100), ("zen4", 400), ("sapphirerapids", 4000), ("skylakex", 0)]:
        _backend(tmp_path, name, score)
    return tmp_path


def test_best_runnable_variant_wins_when_the_os_grants_amx(lib_dir, monkeypatch):
    monkeypatch.setattr(cpu_variants, "amx_granted", lambda: True)
    assert choose(available(lib_dir)).name == "sapphirerapids"


def test_amx_variant_is_never_chosen_without_the_tiles(lib_dir, monkeypatch):
    monkeypatch.setattr(cpu_variants, "amx_granted", lambda: False)
    variants = {v.name: v for v in available(lib_dir)}
    assert variants["sapphirerapids"].score == 0
    assert "does not grant" in variants["sapphirerapids"].reason
    assert choose(list(variants.values())).name == "zen4"
    with pytest.raises(EngineUnavailable, match="does not grant"):
        choose(list(variants.values()), "sapphirerapids")


def test_variant_the_cpu_cannot_run_is_refused(lib_dir, monkeypatch):
    monkeypatch.setattr(cpu_variants, "amx_granted", lambda: False)
    variants = available(lib_dir)
    assert [v.name for v in variants][:3] == ["zen4", "haswell", "x64"]
    with pytest.raises(EngineUnavailable, match="lacks its instructions"):
        choose(variants, "skylakex")
    with pytest.raises(EngineUnavailable, match="no CPU variant 'avx9000'"):
        choose(variants, "avx9000")
    assert choose(variants, "haswell").reason == "asked for"


def test_a_wheel_without_variants_runs_its_built_in_kernels(tmp_path):
    chosen = choose(available(tmp_path))
    assert chosen.name == cpu_variants.BUILT_IN and chosen.path is None
    assert "GGML_BACKEND_DL=ON" in chosen.reason


def test_amx_flag_follows_the_variant():
    assert Variant("sapphirerapids", None, 1, "").uses_amx
    assert not Variant("zen4", None, 1, "").uses_amx


def test_cmake_flags_build_exactly_the_variant():
    flags = cmake_flags("zen4")
    assert "-DGGML_AVX512_BF16=ON" in flags and "-DGGML_AMX_TILE=OFF" in flags and "-DGGML_NATIVE=OFF" in flags
    assert "-DGGML_AVX2=OFF" in cmake_flags("sse42")
    with pytest.raises(ValueError):
        cmake_flags("armv8.2_1")


def test_amx_permission_is_asked_of_the_os_without_crashing():
    assert cpu_variants.amx_granted() in (True, False)


_PROBE = """
import ctypes, sys
if sys.argv[2] == "llama_cpp first":
    import llama_cpp  # loads libggml before bisum does: both must still be one library
from summarizer.llamacpp import cpu_variants
chosen = cpu_variants.load(sys.argv[1] or None)
import llama_cpp
llama_cpp.llama_backend_init()
ggml = ctypes.CDLL(str(cpu_variants.library_dir() / "libggml.so.0"))
ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
print(chosen.name, ggml.ggml_backend_reg_count())
"""


@pytest.mark.parametrize("wanted, order", [("", "bisum first"), ("haswell", "bisum first"), ("", "llama_cpp first")])
def test_installed_wheel_runs_the_chosen_kernels(wanted, order):
    """In a fresh process: bisum registers its choice before llama.cpp initialises, and llama.cpp keeps it."""
    import subprocess
    import sys

    pytest.importorskip("llama_cpp")
    if not cpu_variants.variant_files(cpu_variants.library_dir()):
        pytest.skip("this llama-cpp-python wheel has its kernels built in (no GGML_BACKEND_DL)")
    done = subprocess.run([sys.executable, "-c", _PROBE, wanted, order], capture_output=True, text=True, check=True)
    name, registered = done.stdout.split()
    best = choose(available()).name
    assert name == (wanted or best)
    assert registered == "1"
    assert f"libggml-cpu-{name}.so" in done.stderr
