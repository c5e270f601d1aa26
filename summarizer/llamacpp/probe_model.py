"""A small random llama-architecture GGUF for the kernel probe when no model is at hand (`summarizer doctor` before
`summarizer models pull`).

Its weights are Q8_0 with every matrix dimension a multiple of 32, so llama.cpp's AMX buffer takes them and a prompt
batch runs `ggml_backend_amx_mul_mat` on its tiles (the path that dies where a VM lists AMX but cannot run it). The
file is written with numpy alone (the `gguf` package is an optional extra), once, and reused.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

VERSION = 1  # bump when the model changes: its file name and the cached verdicts follow
EMBED, FFN, LAYERS, HEADS = 1024, 2816, 2, 16
_SPECIAL = ["<unk>", "<s>", "</s>"]
_VOCAB = _SPECIAL + [f"<0x{b:02X}>" for b in range(256)] + [f"\u2581w{i}" for i in range(29)]  # 288 = 9 * 32
_ALIGN = 32
_F32, _Q8_0 = 0, 8
_U32, _I32, _F32V, _STR, _ARR = 4, 5, 6, 8, 9


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def _value(value) -> bytes:
    """A typed GGUF value: str, int (u32), float (f32) or a list of one of those."""
    if isinstance(value, str):
        return struct.pack("<I", _STR) + _string(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        raise TypeError(f"unsupported GGUF value {value!r}")
    if isinstance(value, int):
        return struct.pack("<II", _U32, value)
    if isinstance(value, float):
        return struct.pack("<If", _F32V, value)
    kind = {str: _STR, int: _I32, float: _F32V}[type(value[0])]
    items = b"".join(_string(v) if kind == _STR else struct.pack("<i" if kind == _I32 else "<f", v) for v in value)
    return struct.pack("<IIQ", _ARR, kind, len(value)) + items


def _metadata() -> dict:
    types = [2, 3, 3] + [6] * 256 + [1] * 29  # unknown, control (bos, eos), bytes, normal
    return {
        "general.architecture": "llama", "general.name": "bisum kernel probe", "general.alignment": _ALIGN,
        "llama.context_length": 1024, "llama.embedding_length": EMBED, "llama.block_count": LAYERS,
        "llama.feed_forward_length": FFN, "llama.attention.head_count": HEADS, "llama.attention.head_count_kv": HEADS,
        "llama.rope.dimension_count": EMBED // HEADS, "llama.attention.layer_norm_rms_epsilon": 1e-5,
        "tokenizer.ggml.model": "llama", "tokenizer.ggml.tokens": _VOCAB,
        "tokenizer.ggml.scores": [0.0] * len(_VOCAB), "tokenizer.ggml.token_type": types,
        "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2, "tokenizer.ggml.unknown_token_id": 0,
    }


def _q8_0(rows: int, cols: int, rng: np.random.Generator) -> bytes:
    """Random Q8_0 blocks (f16 scale + 32 int8) for a rows x cols matrix, small enough to keep activations finite."""
    blocks = rows * cols // 32
    out = np.empty((blocks, 34), dtype=np.uint8)
    out[:, :2] = np.full((blocks, 1), 0.002, dtype=np.float16).view(np.uint8)
    out[:, 2:] = rng.integers(-127, 128, size=(blocks, 32), dtype=np.int8).view(np.uint8)
    return out.tobytes()


def _tensors(rng: np.random.Generator) -> list[tuple[str, tuple[int, ...], int, bytes]]:
    """(name, ggml dims with ne[0] first, type, data) for every tensor of the model."""
    ones = np.ones(EMBED, dtype=np.float32).tobytes()
    vocab = len(_VOCAB)
    found = [("token_embd.weight", (EMBED, vocab), _Q8_0, _q8_0(vocab, EMBED, rng)),
             ("output_norm.weight", (EMBED,), _F32, ones),
             ("output.weight", (EMBED, vocab), _Q8_0, _q8_0(vocab, EMBED, rng))]
    for i in range(LAYERS):
        found += [(f"blk.{i}.attn_norm.weight", (EMBED,), _F32, ones), (f"blk.{i}.ffn_norm.weight", (EMBED,), _F32, ones)]
        found += [(f"blk.{i}.attn_{n}.weight", (EMBED, EMBED), _Q8_0, _q8_0(EMBED, EMBED, rng))
                  for n in ("q", "k", "v", "output")]
        found += [(f"blk.{i}.ffn_{n}.weight", (EMBED, FFN), _Q8_0, _q8_0(FFN, EMBED, rng)) for n in ("gate", "up")]
        found.append((f"blk.{i}.ffn_down.weight", (FFN, EMBED), _Q8_0, _q8_0(EMBED, FFN, rng)))
    return found


def _pad(size: int) -> int:
    return -size % _ALIGN


def write(path: Path) -> Path:
    """Write the probe model to `path` (atomically) and return it."""
    tensors = _tensors(np.random.default_rng(0))
    meta = _metadata()
    header = struct.pack("<4sIQQ", b"GGUF", 3, len(tensors), len(meta))
    header += b"".join(_string(k) + _value(v) for k, v in meta.items())
    offset = 0
    for name, dims, kind, data in tensors:
        header += _string(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
        header += struct.pack("<IQ", kind, offset)
        offset += len(data) + _pad(len(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    with open(partial, "wb") as out:
        out.write(header + b"\0" * _pad(len(header)))
        for _, _, _, data in tensors:
            out.write(data + b"\0" * _pad(len(data)))
    os.replace(partial, path)
    return path


def ensure(folder: Path) -> Path:
    """The probe model in `folder`, written on first use."""
    path = folder / f"bisum-kernel-probe-q8_0-v{VERSION}.gguf"
    return path if path.is_file() else write(path)
