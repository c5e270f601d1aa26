"""`summarizer doctor`: the CPU, every variant, the probe verdicts the choice rests on and the variant used."""
import shutil

import pytest

from summarizer.llamacpp import cpu_variants, doctor

from fake_kernels import DIES, SLOW, backend, fake_children, fake_lib_dir

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler to build fake backends")


@pytest.fixture
def wheel(tmp_path, monkeypatch):
    """Fake variants where the installed wheel's would be, fake probe children, a private cache."""
    lib_dir = fake_lib_dir(tmp_path / "lib")
    monkeypatch.setattr(cpu_variants, "library_dir", lambda: lib_dir)
    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BISUM_CPU_VARIANT", raising=False)
    monkeypatch.setattr(doctor, "probe_model", lambda model: None)
    return lib_dir, fake_children(monkeypatch)


def test_doctor_shows_the_refused_amx_variant_and_the_one_used(wheel, run_cli):
    lib_dir, probed = wheel
    backend(lib_dir, "sapphirerapids", 4000, DIES)
    code, out, _ = run_cli("doctor")
    assert code == 0
    assert "cpu: " in out and "OS grants the AMX tiles" in out
    assert " * zen4 " in out
    assert "sapphirerapids  REFUSED: killed by SIGILL" in out and "probed now" in out
    assert "zen4            ran cleanly: " in out  # the baseline's timing, shown beside it
    assert out.strip().splitlines()[-1].startswith("will use: zen4: best that runs safely here; sapphirerapids refused")
    code, again, _ = run_cli("models", "verify", "--kernels")
    assert code == 0 and again.count("cached, probed") == 2 and len(probed) == 2


def test_doctor_refuses_a_forced_amx_variant_that_died(wheel, run_cli, monkeypatch):
    lib_dir, _ = wheel
    backend(lib_dir, "sapphirerapids", 4000, DIES)
    monkeypatch.setenv("BISUM_CPU_VARIANT", "sapphirerapids")
    code, out, _ = run_cli("doctor")
    assert code == 1
    assert "will use: nothing: CPU variant 'sapphirerapids' was refused" in out


def test_listing_models_reads_verdicts_without_probing(wheel, run_cli):
    lib_dir, probed = wheel
    backend(lib_dir, "sapphirerapids", 4000, SLOW)
    code, out, _ = run_cli("models", "list", "--verbose")
    assert code == 0 and probed == []
    assert "sapphirerapids  not probed yet" in out and " * zen4 " in out
    run_cli("doctor")
    code, out, _ = run_cli("models", "list", "--verbose")
    assert "not faster than zen4" in out and len(probed) == 2
