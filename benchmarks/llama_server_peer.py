"""bisum's engine against llama.cpp's own server on the main job's workload: same GGUF, same prompts, greedy, one run.

    python benchmarks/llama_server_peer.py [--limit N] [--quality Q] [--bisum-only]
                                           [--json benchmarks/results/llama_server_peer.json]

1. bisum   the main job, `summarizer run examples --to auto --translate summary` (translation memory off, engine
           llamacpp), through the library, in the same article batches as `run_batch`. A wrapper that keeps the
           Generator protocol records every generate() call: conversations, token limits, sampling, wall time,
           outputs. --bisum-only stops here (a quick check of this side, no peer build).
2. peer    `llama-server` built from the llama.cpp vendored in the installed llama-cpp-python's sdist, with the CPU
           kernels bisum loaded (cached in ~/.cache/bisum/peer/), 16 slots, continuous batching. The recorded calls
           are replayed in order; each call's conversations go to /completion concurrently (16 at a time) as the
           token ids of bisum's own chat-template rendering, with the same token limits, greedy (temperature 0,
           top_k 1), the same repetition penalty (1.05 over the last 64 tokens), cache_prompt on. Sampled
           candidates (--quality best) go to the peer greedy too; only greedy outputs are compared.
Engine seconds exclude model loading on both sides. Generated tokens are the outputs re-tokenized with the model's
tokenizer (the same count for both). "Positions evaluated" are the token positions each side ran through the main
model (bisum: every llama_decode of that model, speculative drafts included, a draft model's apart; peer: prompt_n
+ tokens_predicted); "prompt tokens read" are the prompt positions not served from a cache (peer: the server's
prompt_n; bisum: positions evaluated minus generated tokens, so rejected drafts count there too). CPU seconds (this
process's for bisum, draft model included; the server process's for the peer) are a cross-check only. Run it on a
quiet machine: the load average at the start and end of each side is printed, with a warning when it was busy.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path

import peer_server
from peer_server import PeerCall

from summarizer import api
from summarizer.llamacpp import cpu_variants

log = logging.getLogger("benchmarks.llama_server_peer")
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RESULTS = ROOT / "benchmarks" / "results"


@dataclass
class Call:
    """One generate() call of bisum's engine, as recorded."""

    conversations: list[list[dict]]
    max_new_tokens: list[int]
    seconds: float
    cpu_seconds: float  # this process's CPU time during the call (all its threads)
    outputs: list[str]
    truncated: list[bool]
    sampled: list[bool]  # per conversation: a sampled candidate (not greedy)
    generated_tokens: int
    decoded_positions: int  # token positions llama.cpp evaluated during the call (prompts, outputs, drafts)
    generator: int = 0  # which recorded generator made it


# --- bisum side ----------------------------------------------------------------------------------
class DecodeCounter:
    """Token positions that go through llama_decode (llama-cpp-python and bisum's own decoders), per model: the
    main model's prompts, outputs and verified drafts, and apart from them a draft model's, if one is used."""

    def __init__(self):
        self.by_model: dict[int, int] = {}
        self._saved: list[tuple[object, object]] = []

    def install(self) -> None:
        import llama_cpp
        import llama_cpp.llama_cpp as low

        original = low.llama_decode

        def counting(ctx, batch):
            model = _address(low.llama_get_model(ctx))
            self.by_model[model] = self.by_model.get(model, 0) + int(batch.n_tokens)
            return original(ctx, batch)

        for module in (llama_cpp, low):
            self._saved.append((module, module.llama_decode))
            module.llama_decode = counting

    def uninstall(self) -> None:
        for module, function in reversed(self._saved):
            module.llama_decode = function
        self._saved.clear()

    def positions(self, generator) -> int:
        """Positions evaluated so far by this generator's model."""
        return self.by_model.get(_address(generator.llama.model), 0)


def _address(pointer) -> int:
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


class RecordingGenerator:
    """The Generator protocol around another generator: delegates, and records each generate() call."""

    def __init__(self, inner, calls: list[Call], counter: DecodeCounter, index: int = 0):
        self.inner, self.calls, self.counter, self.index = inner, calls, counter, index
        self.name, self.model_id, self.model_sha256 = inner.name, inner.model_id, inner.model_sha256

    def __getattr__(self, name: str):  # everything else (threads, spec, ...) is the inner generator's
        return getattr(self.inner, name)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def generate(self, conversations, max_new_tokens, sampling=None):
        conversations = [[dict(m) for m in conv] for conv in conversations]
        limits = [int(n) for n in max_new_tokens]
        sampled = [s is not None for s in sampling] if sampling is not None else [False] * len(conversations)
        before = self.counter.positions(self.inner)
        start, cpu = time.perf_counter(), time.process_time()
        outputs = self.inner.generate(conversations, limits, sampling)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        decoded = self.counter.positions(self.inner) - before
        texts = [g.text for g in outputs]
        self.calls.append(Call(conversations, limits, seconds, cpu, texts, [g.truncated for g in outputs], sampled,
                               sum(self.inner.count_tokens(t) for t in texts), decoded, self.index))
        return outputs


def main_job_batches(settings, limit: int | None) -> list[list]:
    """The main job's articles in run_batch's batches (files gathered until BATCH_ARTICLES), first `limit` only."""
    from summarizer.batch.local import BATCH_ARTICLES, iter_pending
    from summarizer.prepare.ingest import expand_paths

    roots = [str(EXAMPLES)]
    batches, buffer, taken = [], [], 0
    for pending, errors in iter_pending(expand_paths(roots), roots, settings, set()):
        for error in errors:
            log.warning("%s: %s", error["id"], error["error"])
        if limit is not None:
            pending = pending[: max(0, limit - taken)]
        taken += len(pending)
        buffer.extend(pending)
        if len(buffer) >= BATCH_ARTICLES:
            batches.append(buffer)
            buffer = []
    if buffer:
        batches.append(buffer)
    return batches


def run_bisum(limit: int | None, quality: str | None = None) -> tuple[dict, list[Call], list]:
    """The main job through the library with every engine call recorded: (figures, calls, generators)."""
    settings = api.settings(engine="llamacpp", to="auto", translate="summary", cache=False, quality=quality)
    counter, calls = DecodeCounter(), []
    start = time.perf_counter()
    runner = api.pipeline(settings)
    load_s = time.perf_counter() - start
    generators = wrap_generators(runner, calls, counter)
    counter.install()  # only now: importing llama_cpp before bisum picks its CPU kernels breaks the model load
    try:
        batches = main_job_batches(settings, limit)
        articles = sum(len(b) for b in batches)
        log.info("bisum: %d articles in %d batches", articles, len(batches))
        start, loads = time.perf_counter(), [os.getloadavg()[0]]
        for batch in batches:
            runner.run(batch)
        job_s = time.perf_counter() - start
        loads.append(os.getloadavg()[0])
    finally:
        counter.uninstall()
    errors = [r.error for b in batches for r in b if r.error]
    for error in errors:
        log.warning("article failed: %s", error)
    job = {"articles": articles, "batches": len(batches), "load_s": round(load_s, 2), "job_s": round(job_s, 2),
           "failed_articles": len(errors), "load_average": loads,
           "generator": {k: getattr(generators[0], k, None) for k in (
               "threads", "parallel_sequences", "repetition_penalty", "speculative", "draft_model", "draft_tokens")}}
    return job, calls, generators


def wrap_generators(runner, calls: list[Call], counter: DecodeCounter) -> list:
    """Put a recorder around the generator of every prompted engine the pipeline uses (each engine once)."""
    inner = []
    for engine in {id(e): e for e in (runner.summarizer, runner.translator, runner.repairer) if e}.values():
        generator = getattr(engine, "generator", None)
        if generator is None:
            continue
        engine.generator = RecordingGenerator(generator, calls, counter, len(inner))
        inner.append(generator)
    if not inner:
        raise SystemExit("the pipeline has no llama.cpp generator to record")
    return inner


# --- peer side -----------------------------------------------------------------------------------
def _render_ids(generator, conversation: list[dict]) -> list[int]:
    """Token ids of the prompt exactly as bisum builds it: its GGUF chat-template rendering, specials parsed."""
    return generator.llama.tokenize(generator.render(conversation).encode("utf-8"), add_bos=False, special=True)


def peer_variant() -> tuple[str, list[str], str]:
    """(name, CMake flags, why): the CPU kernels bisum loaded, so that the peer runs the same ones."""
    loaded = cpu_variants.active()
    name = loaded.name if loaded else cpu_variants.BUILT_IN
    try:
        return name, cpu_variants.cmake_flags(name), loaded.reason if loaded else "none loaded"
    except ValueError:
        why = (f"bisum runs {name!r} kernels, for which no flags are known: assuming haswell "
               "(what a -DGGML_NATIVE=OFF wheel builds)")
        log.warning(why)
        return "haswell", cpu_variants.cmake_flags("haswell"), why


def run_peer(calls: list[Call], generators: list, jobs: int) -> tuple[dict, list[PeerCall]]:
    """Build (or reuse) the peer, start it, replay the calls, stop it (always)."""
    from summarizer.llamacpp.generator import CONTEXT_TOKENS

    name, flags, why = peer_variant()
    build = peer_server.build_server(package_version("llama-cpp-python"), name, flags, jobs=jobs)
    main = generators[0]
    prompts = [[_render_ids(generators[c.generator], conv) for conv in c.conversations] for c in calls]
    server = peer_server.PeerServer(build.binary, Path(main.llama.model_path), parallel=main.parallel_sequences,
                                    context_per_slot=CONTEXT_TOKENS // 2, threads=main.threads)
    start = time.perf_counter()
    with server:
        load_s = time.perf_counter() - start
        loads = [os.getloadavg()[0]]
        peer_calls = peer_server.replay(server, prompts, [c.max_new_tokens for c in calls], main.repetition_penalty,
                                        [c.seconds for c in calls])
        loads.append(os.getloadavg()[0])
    info = {"variant": name, "variant_reason": why, "build": peer_server.build_record(build),
            "command": server.command(), "load_s": round(load_s, 2), "load_average": loads}
    return info, peer_calls


# --- figures -------------------------------------------------------------------------------------
def side(seconds: float, cpu: float, generated: int, prompt_tokens: int, evaluated: int, prompt_read: int) -> dict:
    return {"engine_s": round(seconds, 2), "cpu_s": round(cpu, 2), "generated_tokens": generated,
            "prompt_tokens": prompt_tokens, "positions_evaluated": evaluated, "prompt_read": prompt_read,
            "generated_tok_s": round(generated / seconds, 2) if seconds else 0.0,
            "prompt_and_generated_tok_s": round((prompt_tokens + generated) / seconds, 2) if seconds else 0.0,
            "generated_tok_per_cpu_s": round(generated / cpu, 2) if cpu else 0.0}


def figures(calls: list[Call], peer_calls: list[PeerCall], prompt_tokens: int, count_tokens) -> dict:
    bisum_gen = sum(c.generated_tokens for c in calls)
    bisum_eval = sum(c.decoded_positions for c in calls)
    replies = [r for pc in peer_calls for r in pc.replies]
    peer_gen = sum(count_tokens(r.text) for r in replies)
    peer_read = sum(r.prompt_read for r in replies)
    bisum = side(sum(c.seconds for c in calls), sum(c.cpu_seconds for c in calls), bisum_gen, prompt_tokens,
                 bisum_eval, bisum_eval - bisum_gen)
    peer = side(sum(pc.seconds for pc in peer_calls), sum(pc.cpu_seconds for pc in peer_calls), peer_gen,
                prompt_tokens, peer_read + sum(r.tokens_predicted for r in replies), peer_read)
    pairs = [(out, r.text) for c, pc in zip(calls, peer_calls)
             for out, r, sampled in zip(c.outputs, pc.replies, c.sampled) if not sampled]
    different = [{"bisum": a[:300], "peer": b[:300]} for a, b in pairs if a != b]
    ratios = {key: round(bisum[key] / peer[key], 2) if peer[key] else None
              for key in ("generated_tok_s", "prompt_and_generated_tok_s", "generated_tok_per_cpu_s")}
    return {"bisum": bisum, "peer": peer, "ratios": ratios,
            "identical_outputs": len(pairs) - len(different), "outputs": len(pairs),
            "peer_truncated": sum(r.stop_type == "limit" for r in replies),
            "bisum_truncated": sum(t for c in calls for t in c.truncated), "differences": different[:5]}


def call_rows(calls: list[Call], peer_calls: list[PeerCall]) -> list[dict]:
    return [{"conversations": len(c.conversations), "max_new_tokens": sum(c.max_new_tokens),
             "bisum_s": round(c.seconds, 2), "peer_s": round(pc.seconds, 2), "bisum_cpu_s": round(c.cpu_seconds, 2),
             "peer_cpu_s": round(pc.cpu_seconds, 2), "bisum_generated": c.generated_tokens,
             "peer_predicted": sum(r.tokens_predicted for r in pc.replies)} for c, pc in zip(calls, peer_calls)]


def print_report(job: dict, peer: dict, fig: dict) -> None:
    b, p, r = fig["bisum"], fig["peer"], fig["ratios"]
    build = peer["build"]
    print(cpu_variants.machine_line())
    print(f"workload: {job['articles']} articles, {job['calls']} engine calls, {fig['outputs']} conversations, "
          f"{b['prompt_tokens']} prompt tokens (bisum's rendering, as token ids to both)")
    print(f"peer: llama-server of llama-cpp-python {build['version']}, kernels {peer['variant']} ({peer['variant_reason']}), "
          f"{'reused' if build['reused'] else 'built'} (build {build['build_seconds']:.0f} s), load {peer['load_s']:.1f} s")
    print(f"{'':26} {'bisum':>10} {'peer':>10} {'bisum/peer':>11}")
    rows = [("engine seconds", "engine_s", "{:10.1f}"), ("engine CPU seconds", "cpu_s", "{:10.1f}"),
            ("generated tokens", "generated_tokens", "{:10d}"), ("generated tok/s", "generated_tok_s", "{:10.2f}"),
            ("(prompt+generated) tok/s", "prompt_and_generated_tok_s", "{:10.2f}"),
            ("generated tok/CPU-s", "generated_tok_per_cpu_s", "{:10.2f}"),
            ("positions evaluated", "positions_evaluated", "{:10d}"), ("prompt tokens read", "prompt_read", "{:10d}")]
    for label, key, fmt in rows:
        ratio = r.get(key) or (round(b[key] / p[key], 2) if p[key] else None)
        print(f"{label:26} {fmt.format(b[key])} {fmt.format(p[key])} {ratio if ratio is not None else '-':>11}")
    print(f"{'identical outputs':26} {fig['identical_outputs']:>10} {'of ' + str(fig['outputs']):>10}")
    print(f"{'cut by token limit':26} {fig['bisum_truncated']:>10} {fig['peer_truncated']:>10}")
    verdict = "met" if (r["generated_tok_s"] or 0) >= 1.3 else "NOT met"
    print(f"target bisum >= 1.3x the peer's generated tok/s: {verdict} ({r['generated_tok_s']}x)")
    print(f"bisum whole job: {job['job_s']:.1f} s (model load {job['load_s']:.1f} s apart), "
          f"{job['failed_articles']} failed articles")
    loads = {"bisum": job["load_average"], "peer": peer["load_average"]}
    print("1-min load average at start/end: " + ", ".join(f"{k} {a:.1f}/{b:.1f}" for k, (a, b) in loads.items()))
    if max(max(v) for v in loads.values()) > (os.cpu_count() or 1) + 0.5:
        print("WARNING: other processes were using the CPU; wall-clock figures are not reliable")


def bisum_only(job: dict, calls: list[Call], out: Path) -> None:
    """--bisum-only: the recorded side alone (what the peer would be given), printed and written."""
    rows = [{"conversations": len(c.conversations), "sampled": sum(c.sampled), "max_new_tokens": sum(c.max_new_tokens),
             "bisum_s": round(c.seconds, 2), "bisum_cpu_s": round(c.cpu_seconds, 2),
             "bisum_generated": c.generated_tokens, "positions_evaluated": c.decoded_positions} for c in calls]
    generated, seconds = sum(r["bisum_generated"] for r in rows), sum(c.seconds for c in calls)
    print(f"bisum: {job['articles']} articles, {len(calls)} engine calls, {sum(r['conversations'] for r in rows)} "
          f"conversations ({sum(r['sampled'] for r in rows)} sampled), {generated} generated tokens in {seconds:.1f} s "
          f"of engine time, {sum(r['positions_evaluated'] for r in rows)} positions evaluated")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": cpu_variants.machine_line(), "bisum_job": job, "calls": rows}, indent=2),
                   encoding="utf-8")
    log.info("wrote %s", out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles (a quick run)")
    ap.add_argument("--quality", choices=("fast", "balanced", "best"), default=None,
                    help="the engine's translation level [default: the settings']")
    ap.add_argument("--jobs", type=int, default=2, help="parallel compile jobs when the peer must be built")
    ap.add_argument("--bisum-only", action="store_true", help="record bisum's side only: no peer is built or run")
    ap.add_argument("--json", type=Path, default=None,
                    help="default: benchmarks/results/llama_server_peer[_limitN].json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill runs the cleanup too (the server is stopped)
    job, calls, generators = run_bisum(args.limit, args.quality)
    job["calls"] = len(calls)
    log.info("bisum: %d calls, %.1f s in the engine, job %.1f s", len(calls), sum(c.seconds for c in calls), job["job_s"])
    if args.bisum_only:
        return bisum_only(job, calls, args.json or RESULTS / "llama_server_peer_bisum_only.json")
    peer, peer_calls = run_peer(calls, generators, args.jobs)
    prompt_tokens = sum(len(_render_ids(generators[c.generator], conv)) for c in calls for conv in c.conversations)
    fig = figures(calls, peer_calls, prompt_tokens, generators[0].count_tokens)
    print_report(job, peer, fig)
    out = args.json or RESULTS / (f"llama_server_peer_limit{args.limit}.json" if args.limit is not None
                                   else "llama_server_peer.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {"machine": cpu_variants.machine_line(), "cpu_count": os.cpu_count(), "bisum_job": job, "peer_server": peer,
              **fig, "calls": call_rows(calls, peer_calls)}
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    log.info("wrote %s", out)


if __name__ == "__main__":
    main()
