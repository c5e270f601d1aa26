"""Seq2seq throughput: batched against per-sentence on a real-size, randomly initialised Marian model.

    python benchmarks/seq2seq_marian.py [-n 64] [--batch-size 32] [--new-tokens 32] [--beams 1] [--tiny]

The model has Marian opus-mt's shape (6+6 layers, d_model 512, 8 heads, FFN 2048, vocabulary 65,001), so it
decodes as fast as a real one; outputs are forced to a fixed length so both runs do the same work. Both rows go
through `Seq2SeqEngine.translate` (sentence splitting, length sorting, batching); only `batch_size` differs.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
import time
from pathlib import Path

from summarizer import api
from summarizer.engines import get_engine
from summarizer.evaluation.datasets import load_eval_set

ROOT = Path(__file__).resolve().parents[1]


def build_model(directory: Path, new_tokens: int, tiny: bool = False) -> Path:
    """A random Marian model saved to `directory`, set to write exactly `new_tokens` tokens (tiny: 2+2 layers of
    width 32, for a quick check that the benchmark runs)."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    spec = importlib.util.spec_from_file_location("tiny_models", ROOT / "tests" / "tiny_models.py")
    tiny_models = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tiny_models)
    tiny_models.build_tiny_marian(directory)  # tokenizer files (SentencePiece trained on the fly)
    width, layers, heads = (32, 2, 2) if tiny else (512, 6, 8)
    config = MarianConfig(
        vocab_size=65001, d_model=width, encoder_layers=layers, decoder_layers=layers, encoder_attention_heads=heads,
        decoder_attention_heads=heads, encoder_ffn_dim=width * 4, decoder_ffn_dim=width * 4, max_position_embeddings=512,
        pad_token_id=2, eos_token_id=0, decoder_start_token_id=2, forced_eos_token_id=None,
        share_encoder_decoder_embeddings=True,
    )
    model = MarianMTModel(config)
    with torch.no_grad():  # the on-the-fly tokenizer knows fewer pieces than the 65,001 logits
        model.final_logits_bias[:, len(MarianTokenizer.from_pretrained(directory)):] = -1e9
    model.generation_config.min_new_tokens = new_tokens  # every output exactly --new-tokens long
    model.save_pretrained(directory)
    return directory


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--beams", type=int, default=1)
    ap.add_argument("--tiny", action="store_true", help="a 2+2-layer model: checks that the benchmark runs")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    texts = [item.source for item in load_eval_set("flores-zh-en", limit=args.n).items]
    model_dir = build_model(Path(tempfile.mkdtemp(prefix="marian-")) / "marian", args.new_tokens, args.tiny)
    results = {}
    for label, batch in (("batched", args.batch_size), ("per-sentence", 1)):
        settings = api.settings(engine="seq2seq", model=str(model_dir), batch_size=batch, min_new_tokens=args.new_tokens,
                                max_new_tokens_ratio=0.1, repetition_penalty=1.0, num_beams=args.beams, cache=False)
        engine = get_engine("seq2seq", settings)  # the registry's engine, as `summarizer run --engine seq2seq` builds it
        engine.translate(texts[:2], "zh", "en")  # warm-up
        start = time.perf_counter()
        engine.translate(texts, "zh", "en")
        seconds = time.perf_counter() - start
        results[label] = {"batch_size": batch, "seconds": round(seconds, 2), "sentences_per_s": round(len(texts) / seconds, 2)}
        print(f"{label:13} batch {batch:3d}: {seconds:7.2f} s  {len(texts) / seconds:6.2f} sentences/s", flush=True)
    results["speedup"] = round(results["per-sentence"]["seconds"] / results["batched"]["seconds"], 2)
    print(f"batched / per-sentence speed-up: {results['speedup']}x ({args.n} sentences, {args.new_tokens} tokens each, beams {args.beams})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
