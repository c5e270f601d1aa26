"""Run-time choice of llama.cpp CPU kernels: real shared libraries with a `ggml_backend_score` each, built here, and
AMX variants that must survive (and win) a probe in a child process before they are used."""
import json
import shutil
import subprocess
import sys

import pytest

from summarizer.errors import EngineUnavailable
from summarizer.llamacpp import cpu_variants, kernel_probe
from summarizer.llamacpp.cpu_variants import Variant, available, choose, cmake_flags
from summarizer.llamacpp.kernel_probe import Prober

from fake_kernels import DIES, FAST, SLOW, backend as _backend, fake_children, fake_lib_dir

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler to build fake backends")

@pytest.fixture
def lib_dir(tmp_path):
    return fake_lib_dir(tmp_path / "lib")


@pytest.fixture
def children(monkeypatch):
    """Every probe runs the fake child; the list records which variants were probed, in order."""
    return fake_children(monkeypatch)


@pytest.fixture
def prober(tmp_path):
    return lambda **kw: Prober(tmp_path / "model.gguf", cache_dir=tmp_path / "cache", **kw)


def test_amx_variant_that_dies_in_its_probe_is_skipped_and_the_verdict_cached(lib_dir, children, prober, tmp_path):
    _backend(lib_dir, "sapphirerapids", 4000, DIES)
    chosen = choose(available(lib_dir), probe=prober())
    assert chosen.name == "zen4"
    assert "sapphirerapids refused: killed by SIGILL" in chosen.reason
    assert children == ["sapphirerapids"]  # a dead AMX variant needs no comparison
    [entry] = json.loads((tmp_path / "cache" / kernel_probe.CACHE_NAME).read_text())["probes"].values()
    assert entry["variant"] == "sapphirerapids" and entry["ok"] is False and entry["detail"] == "killed by SIGILL"


def test_the_job_still_loads_the_plain_variant(lib_dir, children, prober, monkeypatch):
    _backend(lib_dir, "sapphirerapids", 4000, DIES)
    registered = []
    monkeypatch.setattr(cpu_variants, "_state", {})
    monkeypatch.setattr(cpu_variants, "_register", lambda folder, path: registered.append(path.name))
    assert cpu_variants.load(lib_dir=lib_dir, probe=prober()).name == "zen4"
    assert registered == ["libggml-cpu-zen4.so"]
    assert cpu_variants.active().name == "zen4"


def test_forcing_an_amx_variant_that_died_is_refused_in_one_line(lib_dir, children, prober):
    _backend(lib_dir, "sapphirerapids", 4000, DIES)
    with pytest.raises(EngineUnavailable, match="'sapphirerapids' was refused: .*killed by SIGILL.*BISUM_CPU_VARIANT"):
        choose(available(lib_dir), "sapphirerapids", prober())
    assert choose(available(lib_dir), "haswell", prober()).reason == "asked for"


def test_slower_amx_variant_that_runs_is_not_chosen(lib_dir, children, prober):
    _backend(lib_dir, "sapphirerapids", 4000, SLOW)
    chosen = choose(available(lib_dir), probe=prober())
    assert chosen.name == "zen4" and "not faster than zen4" in chosen.reason
    assert children == ["sapphirerapids", "zen4"]
    assert choose(available(lib_dir), "sapphirerapids", prober()).name == "sapphirerapids"  # asked for: it runs


def test_faster_amx_variant_that_runs_is_chosen(lib_dir, children, prober):
    _backend(lib_dir, "zen4", 400, SLOW)
    chosen = choose(available(lib_dir), probe=prober())
    assert chosen.name == "sapphirerapids" and "beat zen4" in chosen.reason


def test_a_cache_hit_does_not_probe_again(lib_dir, children, prober):
    _backend(lib_dir, "sapphirerapids", 4000, SLOW)
    first = choose(available(lib_dir), probe=prober())
    probes = len(children)
    again = prober()
    assert choose(available(lib_dir), probe=again).reason == first.reason
    assert len(children) == probes == 2
    assert again("sapphirerapids", lib_dir / "libggml-cpu-sapphirerapids.so").cached
    assert choose(available(lib_dir), probe=prober(fresh=True)).name == "zen4" and len(children) == 4  # --reprobe


def test_a_changed_variant_file_is_probed_again(lib_dir, children, prober):
    _backend(lib_dir, "sapphirerapids", 4000, DIES)
    assert choose(available(lib_dir), probe=prober()).name == "zen4"
    _backend(lib_dir, "sapphirerapids", 4000, FAST + FAST)  # a new build: other size and mtime
    _backend(lib_dir, "zen4", 400, SLOW)
    assert choose(available(lib_dir), probe=prober()).name == "sapphirerapids"
    assert children == ["sapphirerapids", "sapphirerapids", "zen4"]


def test_a_probe_that_hangs_or_fails_is_a_refusal(lib_dir, children, tmp_path, monkeypatch):
    _backend(lib_dir, "sapphirerapids", 4000, "sleep(30);")
    slow = Prober(None, cache_dir=tmp_path / "cache", timeout=1)
    monkeypatch.setattr(kernel_probe.probe_model, "ensure", lambda folder: tmp_path / "probe.gguf")
    result = slow("sapphirerapids", lib_dir / "libggml-cpu-sapphirerapids.so")
    assert not result.ok and result.detail == "timed out after 1 s"
    assert "timed out" in choose(available(lib_dir), probe=slow).reason
    monkeypatch.setattr(kernel_probe, "child_command", lambda *a: [sys.executable, "-c", "raise SystemExit('no')"])
    failed = kernel_probe.run_probe("zen4", lib_dir / "libggml-cpu-zen4.so", tmp_path, tmp_path, ggml=None, threads=1)
    assert not failed.ok and failed.detail == "exit 1: no"


def test_without_a_probe_amx_is_never_chosen_unasked(lib_dir, monkeypatch):
    monkeypatch.setattr(cpu_variants, "amx_granted", lambda: True)
    chosen = choose(available(lib_dir))
    assert chosen.name == "zen4" and "used only after its probe" in chosen.reason
    assert choose(available(lib_dir), "sapphirerapids").name == "sapphirerapids"


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


def _wheel_variants():
    pytest.importorskip("llama_cpp")
    if not cpu_variants.variant_files(cpu_variants.library_dir()):
        pytest.skip("this llama-cpp-python wheel has its kernels built in (no GGML_BACKEND_DL)")


@pytest.mark.parametrize("wanted, order", [("", "bisum first"), ("haswell", "bisum first"), ("", "llama_cpp first")])
def test_installed_wheel_runs_the_chosen_kernels(wanted, order, tmp_path, monkeypatch):
    """In a fresh process: bisum registers its choice (AMX only after its probe) before llama.cpp initialises, and
    llama.cpp keeps it."""
    _wheel_variants()
    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))
    done = subprocess.run([sys.executable, "-c", _PROBE, wanted, order], capture_output=True, text=True, check=True)
    name, registered = done.stdout.split()
    assert name == (wanted or choose(available(), probe=Prober(cache_dir=tmp_path, run=False)).name)
    assert registered == "1"
    assert f"libggml-cpu-{name}.so" in done.stderr


def test_real_probe_of_a_plain_variant_runs_the_probe_model(tmp_path):
    """The real child: the wheel's haswell kernels on the small Q8_0 probe model, timed."""
    _wheel_variants()
    lib_dir = cpu_variants.library_dir()
    variant = cpu_variants.variant_files(lib_dir)["haswell"]
    model = kernel_probe.probe_model.ensure(tmp_path)
    result = kernel_probe.run_probe("haswell", variant, model, model, ggml=cpu_variants.ggml_path(lib_dir), threads=1,
                                    tokens=64)
    assert result.ok, result.detail
    assert result.tok_s > 0 and result.model == model.name


def test_a_cache_that_cannot_be_written_leaves_amx_unproven(lib_dir, children, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    chosen = choose(available(lib_dir), probe=Prober(None, cache_dir=blocked / "cache"))
    assert chosen.name == "zen4" and "used only after its probe" in chosen.reason and children == []
