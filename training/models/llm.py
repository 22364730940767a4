"""A LLaMA-style decoder (RMSNorm, rotary positions, SwiGLU, grouped-query attention) at small scale, with the
KV-cache interface of the Optimum / transformers.js export layout that the `llm` node drives:

``llm.decoder``: inputs_embeds [B,S,H], attention_mask [B,T], position_ids [B,S], past_key_values.{i}.key/value
[B,kv,P,hd] → logits [B,S,V], present.{i}.key/value [B,kv,T,hd], hidden_states [B,S,H] (final norm applied,
before the LM head). ``llm.embed``: input_ids [B,S] → inputs_embeds [B,S,H].

LoRA adapters (NExT-GPT tunes the LLM with LoRA in instruction tuning) wrap every attention and MLP projection and are merged
into the weights before export.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn
import torch.nn.functional as F


@dataclass
class LlmConfig:
    vocab_size: int = 1024
    hidden_size: int = 256
    layers: int = 6
    heads: int = 8
    kv_heads: int = 4
    intermediate_size: int = 704
    rope_theta: float = 10000.0
    rms_eps: float = 1e-5

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.heads

    def to_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class LoRALinear(nn.Module):
    """A frozen-able Linear plus a low-rank update (B·A scaled by alpha/r); ``merge()`` folds it in."""

    def __init__(self, base: nn.Linear, r: int = 8, alpha: float = 16.0):
        super().__init__()
        self.base = base
        self.a = nn.Parameter(torch.randn(r, base.in_features) * 0.01)
        self.b = nn.Parameter(torch.zeros(base.out_features, r))
        self.scale = alpha / r

    def forward(self, x: Tensor) -> Tensor:
        return self.base(x) + (x @ self.a.t() @ self.b.t()) * self.scale

    def merge(self) -> nn.Linear:
        with torch.no_grad():
            self.base.weight += (self.b @ self.a) * self.scale
        return self.base


def rotate_half(x: Tensor) -> Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.c = c
        hd = c.head_dim
        self.q_proj = nn.Linear(c.hidden_size, c.heads * hd, bias=False)
        self.k_proj = nn.Linear(c.hidden_size, c.kv_heads * hd, bias=False)
        self.v_proj = nn.Linear(c.hidden_size, c.kv_heads * hd, bias=False)
        self.o_proj = nn.Linear(c.heads * hd, c.hidden_size, bias=False)

    def forward(self, x: Tensor, cos: Tensor, sin: Tensor, mask: Tensor, past_k: Tensor, past_v: Tensor):
        B, S, _ = x.shape
        c, hd = self.c, self.c.head_dim
        q = self.q_proj(x).view(B, S, c.heads, hd).transpose(1, 2)
        k = self.k_proj(x).view(B, S, c.kv_heads, hd).transpose(1, 2)
        v = self.v_proj(x).view(B, S, c.kv_heads, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        rep = c.heads // c.kv_heads
        # expand + reshape rather than repeat_interleave, whose opset-17 export breaks with dynamic shapes
        T = k.shape[2]
        kk = k.unsqueeze(2).expand(B, c.kv_heads, rep, T, hd).reshape(B, c.heads, T, hd)
        vv = v.unsqueeze(2).expand(B, c.kv_heads, rep, T, hd).reshape(B, c.heads, T, hd)
        att = (q @ kk.transpose(-1, -2)) / math.sqrt(hd)
        att = att.masked_fill(~mask, -1e9).softmax(-1)
        y = (att @ vv).transpose(1, 2).reshape(B, S, c.heads * hd)
        return self.o_proj(y), k, v


class Block(nn.Module):
    def __init__(self, c: LlmConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_eps)
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, mask, pk, pv):
        a, k, v = self.self_attn(self.input_layernorm(x), cos, sin, mask, pk, pv)
        x = x + a
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h)), k, v


class LlamaLM(nn.Module):
    """The decoder. ``forward`` takes embeddings (so media soft tokens can be spliced in) and a KV cache."""

    def __init__(self, c: LlmConfig):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.norm = RMSNorm(c.hidden_size, c.rms_eps)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        inv = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2).float() / c.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def empty_cache(self, batch: int) -> list[tuple[Tensor, Tensor]]:
        z = torch.zeros(batch, self.c.kv_heads, 0, self.c.head_dim)
        return [(z, z) for _ in range(self.c.layers)]

    def forward(self, inputs_embeds: Tensor, attention_mask: Tensor, position_ids: Tensor,
                past: list[tuple[Tensor, Tensor]]):
        """→ logits [B,S,V], hidden_states [B,S,H], present [(k, v)] per layer."""
        freqs = position_ids.unsqueeze(-1).float() * self.inv_freq  # [B,S,hd/2]
        emb = torch.cat([freqs, freqs], dim=-1).unsqueeze(1)  # [B,1,S,hd]
        cos, sin = emb.cos(), emb.sin()
        T = attention_mask.shape[1]
        k_pos = torch.arange(T, device=inputs_embeds.device).view(1, 1, 1, T)
        mask = (k_pos <= position_ids.unsqueeze(1).unsqueeze(-1)) & attention_mask.bool().view(-1, 1, 1, T)
        x = inputs_embeds
        present = []
        for layer, (pk, pv) in zip(self.layers, past):
            x, k, v = layer(x, cos, sin, mask, pk, pv)
            present.append((k, v))
        h = self.norm(x)
        return self.lm_head(h), h, present

    #: Where ``add_lora`` puts adapters: every projection of attention and the MLP. (q/v only, as NExT-GPT's
    #: LoRA config does for Vicuna, left a 0.95M model unable to learn the held-out phrasings' intents.)
    LORA_TARGETS = (("self_attn", "q_proj"), ("self_attn", "k_proj"), ("self_attn", "v_proj"),
                    ("self_attn", "o_proj"), ("", "gate_proj"), ("", "up_proj"), ("", "down_proj"))

    def _lora_sites(self):
        for layer in self.layers:
            for parent, name in self.LORA_TARGETS:
                yield (getattr(layer, parent) if parent else layer), name

    def add_lora(self, r: int = 16) -> None:
        for owner, name in self._lora_sites():
            setattr(owner, name, LoRALinear(getattr(owner, name), r))

    def merge_lora(self) -> None:
        for owner, name in self._lora_sites():
            m = getattr(owner, name)
            if isinstance(m, LoRALinear):
                setattr(owner, name, m.merge())


class DecoderExport(nn.Module):
    """Flat-argument wrapper for ``torch.onnx.export`` with the node's tensor names."""

    def __init__(self, lm: LlamaLM):
        super().__init__()
        self.lm = lm

    def forward(self, inputs_embeds, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.lm.c.layers)]
        logits, hidden, present = self.lm(inputs_embeds, attention_mask, position_ids, past)
        flat = [t for kv in present for t in kv]
        return (logits, *flat, hidden)


class EmbedExport(nn.Module):
    def __init__(self, lm: LlamaLM):
        super().__init__()
        self.embed = lm.embed_tokens

    def forward(self, input_ids):
        return self.embed(input_ids)


def export_llm(lm: LlamaLM, decoder_path: str, embed_path: str) -> None:
    """Writes ``decoder.onnx`` (with KV cache and hidden_states) and ``embed.onnx`` (opset 17)."""
    lm = lm.eval()
    c = lm.c
    n = c.layers
    past_names = [f"past_key_values.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    B, S, P = 1, 2, 3
    args = (torch.randn(B, S, c.hidden_size), torch.ones(B, P + S, dtype=torch.long),
            torch.arange(P, P + S).view(1, S), *[torch.randn(B, c.kv_heads, P, c.head_dim) for _ in past_names])
    axes = {"inputs_embeds": {0: "B", 1: "S"}, "attention_mask": {0: "B", 1: "T"}, "position_ids": {0: "B", 1: "S"},
            "logits": {0: "B", 1: "S"}, "hidden_states": {0: "B", 1: "S"}}
    axes.update({p: {0: "B", 2: "P"} for p in past_names})
    axes.update({p: {0: "B", 2: "T"} for p in present_names})
    with torch.no_grad():
        torch.onnx.export(DecoderExport(lm), args, decoder_path, opset_version=17,
                          input_names=["inputs_embeds", "attention_mask", "position_ids", *past_names],
                          output_names=["logits", *present_names, "hidden_states"], dynamic_axes=axes)
        torch.onnx.export(EmbedExport(lm), (torch.tensor([[1, 2]]),), embed_path, opset_version=17,
                          input_names=["input_ids"], output_names=["inputs_embeds"],
                          dynamic_axes={"input_ids": {0: "B", 1: "S"}, "inputs_embeds": {0: "B", 1: "S"}})
