#!/usr/bin/python3
"""
A LLaMA-architecture decoder of realistic shape (~100M parameters, random weights) for bench/llm-compare.ts,
exported in the same layout as the tiny fixture (tests/fixtures/models/nextgpt/make.py): RMSNorm, rotary,
SwiGLU, grouped-query attention, the KV cache as `past_key_values.{i}.key/value` → `present.{i}.*`, the
embedding table as its own graph, and a byte-level BPE `tokenizer.json` with the NExT-GPT signal tokens.

    nice -n 10 /usr/bin/python3 bench/models/make_llm.py [--out bench/.models]

Run it with Debian's PyTorch (1.13, CPU) + onnx; opset 17; seeded, one thread. It writes (never committed;
bench/.models/ is gitignored, ~0.8 GB):

- `<out>/bench-llm-100m/{decoder,embed}.onnx`, `tokenizer.json`, `tokenizer_config.json` and a `model.json`
  manifest (roles llm.decoder + llm.embed, sha256 of every file) so the LLM node runs it through the model
  registry and the session pool (`SWITCHBOARD_MODELS_DIR=<out>`).
- `<out>/bench-llm-100m/tfjs/` the transformers.js layout of the same weights: `config.json`,
  `generation_config.json`, the tokenizer files and `onnx/model.onnx` — the same decoder with the embedding
  lookup inside (transformers.js feeds `input_ids` to a decoder-only model; it has no path that runs a separate
  embedding graph for a plain causal LM).
"""
import argparse
import hashlib
import json
import math
import os
import re
import shutil
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPSET = 17
MODEL_ID = "bench-llm-100m"

# Shape: ~101M parameters (LLaMA-style, GQA 12 heads / 4 kv heads).
H, N_LAYERS, N_HEADS, N_KV, INTER, V = 768, 12, 12, 4, 2048, 16384
HD = H // N_HEADS
MAX_POS = 2048

torch.manual_seed(0)
torch.set_num_threads(1)

# ---------------------------------------------------------------------------------------------------------
# Tokenizer: byte-level BPE (GPT-2's byte ↔ unicode map, ByteLevel pre-tokenizer and decoder). The vocabulary
# is the 256 bytes plus, for the most frequent words of the repo's own docs and code, the chain of merges that
# builds each word from its first byte on; specials and the signal tokens are added tokens. No training
# library is needed and the result is a valid tokenizer.json that any BPE implementation loads.
# ---------------------------------------------------------------------------------------------------------

SPECIALS = ["<unk>", "<s>", "</s>"]
SIGNALS = [f"[IMG{i}]" for i in range(4)] + [f"[AUD{i}]" for i in range(8)] + [f"[VID{i}]" for i in range(24)]


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def corpus_words():
    """Word counts (GPT-2 style pieces: an optional leading space, then letters / digits / punctuation)."""
    counts = {}
    pat = re.compile(r" ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+")
    for sub in ("README.md", "models/README.md", "bench/README.md", "src", "nodes"):
        base = os.path.join(ROOT, sub)
        files = [base] if os.path.isfile(base) else [os.path.join(d, f) for d, _, fs in sorted(os.walk(base)) for f in sorted(fs)]
        for path in files:
            if not path.endswith((".md", ".ts", ".tsx")):
                continue
            with open(path, encoding="utf-8", errors="ignore") as f:
                for w in pat.findall(f.read()):
                    counts[w] = counts.get(w, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def tokenizer_json():
    b2u = bytes_to_unicode()
    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for b in range(256):
        vocab[b2u[b]] = len(vocab)
    merges = []
    budget = V - len(SIGNALS)
    for word, _ in corpus_words():
        sym = "".join(b2u[b] for b in word.encode("utf-8"))
        for end in range(2, len(sym) + 1):
            if len(vocab) >= budget:
                break
            piece = sym[:end]
            if piece in vocab:
                continue
            merges.append([sym[: end - 1], sym[end - 1]])
            vocab[piece] = len(vocab)
        if len(vocab) >= budget:
            break
    # Pad with unused byte pairs if the corpus was too small (keeps the vocabulary exactly V).
    i = 0
    while len(vocab) < budget:
        piece = f"<extra_{i}>"
        vocab[piece] = len(vocab)
        i += 1
    for s in SIGNALS:
        vocab[s] = len(vocab)
    assert len(vocab) == V, len(vocab)

    def added(content, special):
        return {"id": vocab[content], "content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": special}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(t, True) for t in SPECIALS] + [added(t, False) for t in SIGNALS],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": merges,
        },
    }


# ---------------------------------------------------------------------------------------------------------
# The decoder (as in the fixture's make.py, at realistic size; HF LLaMA's init: normal(0, 0.02)).
# ---------------------------------------------------------------------------------------------------------


class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.weight


def rotate_half(x):
    a, b = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat([-b, a], dim=-1)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = RMSNorm(H), RMSNorm(H)
        self.q = nn.Linear(H, N_HEADS * HD, bias=False)
        self.k = nn.Linear(H, N_KV * HD, bias=False)
        self.v = nn.Linear(H, N_KV * HD, bias=False)
        self.o = nn.Linear(N_HEADS * HD, H, bias=False)
        self.gate = nn.Linear(H, INTER, bias=False)
        self.up = nn.Linear(H, INTER, bias=False)
        self.down = nn.Linear(INTER, H, bias=False)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        b, s, _ = x.shape
        h = self.norm1(x)
        q = self.q(h).view(b, s, N_HEADS, HD).transpose(1, 2)
        k = self.k(h).view(b, s, N_KV, HD).transpose(1, 2)
        v = self.v(h).view(b, s, N_KV, HD).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        rep = N_HEADS // N_KV
        kk = k[:, :, None].expand(-1, -1, rep, -1, -1).reshape(b, N_HEADS, -1, HD)
        vv = v[:, :, None].expand(-1, -1, rep, -1, -1).reshape(b, N_HEADS, -1, HD)
        att = (q @ kk.transpose(-1, -2)) / math.sqrt(HD) + mask
        y = (att.softmax(-1) @ vv).transpose(1, 2).reshape(b, s, N_HEADS * HD)
        x = x + self.o(y)
        h = self.norm2(x)
        x = x + self.down(F.silu(self.gate(h)) * self.up(h))
        return x, k, v


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([Layer() for _ in range(N_LAYERS)])
        self.norm = RMSNorm(H)
        self.lm_head = nn.Linear(H, V, bias=False)
        self.register_buffer("inv_freq", 1.0 / (10000 ** (torch.arange(0, HD, 2).float() / HD)))

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        s = inputs_embeds.shape[1]
        p = past[0].shape[2]
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        q_pos = torch.arange(s)[:, None] + p
        k_pos = torch.arange(p + s)[None, :]
        allowed = (k_pos <= q_pos)[None, None] & (attention_mask[:, None, None, :] > 0)
        mask = torch.where(allowed, torch.tensor(0.0), torch.tensor(-1e9))
        x = inputs_embeds
        presents = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, mask, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        hidden = self.norm(x)
        return (self.lm_head(hidden), *presents, hidden)


class Embed(nn.Module):
    def __init__(self):
        super().__init__()
        self.table = nn.Embedding(V, H)

    def forward(self, input_ids):
        return self.table(input_ids)


class Fused(nn.Module):
    """input_ids → the same decoder (transformers.js layout); no hidden_states output."""

    def __init__(self, emb, dec):
        super().__init__()
        self.emb, self.dec = emb, dec

    def forward(self, input_ids, attention_mask, position_ids, *past):
        out = self.dec(self.emb(input_ids), attention_mask, position_ids, *past)
        return out[:-1]


def init_weights(m):
    for p in m.parameters():
        if p.dim() > 1:
            nn.init.normal_(p, std=0.02)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", ".models"))
    args = ap.parse_args()
    d = os.path.join(args.out, MODEL_ID)
    tf = os.path.join(d, "tfjs")
    os.makedirs(os.path.join(tf, "onnx"), exist_ok=True)
    t0 = time.time()

    tok = tokenizer_json()
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        json.dump(tok, f, ensure_ascii=False)
    tok_config = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "clean_up_tokenization_spaces": False, "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_POS}
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump(tok_config, f, indent=1)

    dec, emb = Decoder(), Embed()
    init_weights(dec)
    init_weights(emb)
    dec.eval()
    emb.eval()
    n_params = sum(p.numel() for p in dec.parameters()) + sum(p.numel() for p in emb.parameters())
    print(f"parameters: {n_params / 1e6:.1f}M", flush=True)

    past_names, present_names, dyn = [], [], {}
    for i in range(N_LAYERS):
        for kind in ("key", "value"):
            past_names.append(f"past_key_values.{i}.{kind}")
            present_names.append(f"present.{i}.{kind}")
            dyn[f"past_key_values.{i}.{kind}"] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[f"present.{i}.{kind}"] = {0: "batch_size", 2: "total_sequence_length"}
    common = {
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    s, p = 3, 2
    past = [torch.randn(1, N_KV, p, HD) for _ in range(2 * N_LAYERS)]
    mask, pos = torch.ones(1, p + s, dtype=torch.long), torch.arange(p, p + s)[None]
    with torch.no_grad():
        torch.onnx.export(
            dec,
            (torch.randn(1, s, H), mask, pos, *past),
            os.path.join(d, "decoder.onnx"),
            input_names=["inputs_embeds", "attention_mask", "position_ids", *past_names],
            output_names=["logits", *present_names, "hidden_states"],
            dynamic_axes={**dyn, **common, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}, "hidden_states": {0: "batch_size", 1: "sequence_length"}},
            opset_version=OPSET,
        )
        print(f"decoder.onnx ({time.time() - t0:.0f} s)", flush=True)
        torch.onnx.export(
            emb,
            (torch.tensor([[1, 2, 3]]),),
            os.path.join(d, "embed.onnx"),
            input_names=["input_ids"],
            output_names=["inputs_embeds"],
            dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}},
            opset_version=OPSET,
        )
        torch.onnx.export(
            Fused(emb, dec),
            (torch.tensor([[5, 6, 7]]), mask, pos, *past),
            os.path.join(tf, "onnx", "model.onnx"),
            input_names=["input_ids", "attention_mask", "position_ids", *past_names],
            output_names=["logits", *present_names],
            dynamic_axes={**dyn, **common, "input_ids": {0: "batch_size", 1: "sequence_length"}},
            opset_version=OPSET,
        )
        print(f"tfjs/onnx/model.onnx ({time.time() - t0:.0f} s)", flush=True)

    # The transformers.js layout: config + tokenizer beside onnx/model.onnx.
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": H,
        "intermediate_size": INTER,
        "num_hidden_layers": N_LAYERS,
        "num_attention_heads": N_HEADS,
        "num_key_value_heads": N_KV,
        "head_dim": HD,
        "vocab_size": V,
        "max_position_embeddings": MAX_POS,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "hidden_act": "silu",
        "bos_token_id": 1,
        "eos_token_id": 2,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
    }
    with open(os.path.join(tf, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    with open(os.path.join(tf, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": 2, "do_sample": False}, f, indent=1)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(d, name), os.path.join(tf, name))

    files = []
    for name, rel in (("decoder", "decoder.onnx"), ("embed", "embed.onnx"), ("tokenizer", "tokenizer.json")):
        path = os.path.join(d, rel)
        files.append({"name": name, "path": f"{MODEL_ID}/{rel}", "sha256": sha256(path), "bytes": os.path.getsize(path)})
    manifest = {
        "id": MODEL_ID,
        "title": "Bench LLM (LLaMA architecture, ~100M parameters, random weights)",
        "role": "llm.decoder",
        "roles": ["llm.embed"],
        "license": "MIT",
        "source": {"kind": "project", "script": "bench/models/make_llm.py"},
        "files": files,
        "dir": MODEL_ID,
        # EOS never ends a bench run: every run writes the asked number of tokens.
        "config": {"hiddenSize": H, "eosTokenId": -1, "parameters": n_params},
    }
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {d} ({n_params / 1e6:.1f}M parameters, {time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
