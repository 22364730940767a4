"""Projectors (the parts NExT-GPT trains) and the decoders' conditioning text encoder.

- InputProjector: encoder embedding [B,D] → [B,tokens,H] soft tokens for the LLM (Linear + reshape).
- OutputProjector: signal-token hidden states [B,N,H] → decoder conditioning [B,Q,C]: Linear H→d, a
  transformer encoder over the signal states, a transformer decoder whose learnable queries cross-attend to
  them, Linear d→C (NExT-GPT: d=512, 4+4 layers, 77×768 for SD; here d=128, 2+2, small Q×C).
- CondTextEncoder: the decoders' own text encoder (the role CLIP's text tower plays for Stable Diffusion):
  caption ids → [B,Q,C]; the diffusion / direct decoders are pretrained on its output, and decoder-side
  alignment trains output projectors to reproduce it from the LLM's signal tokens.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

from .layers import Block

COND_DIM = 128
#: Conditioning rows per generated modality (NExT-GPT: image 77, audio 1, video 77).
COND_QUERIES = {"image": 16, "audio": 1, "video": 16}
COND_LEN = 16  # caption tokens the conditioning encoder reads
#: Soft tokens per item from the input projectors (NExT-GPT: 1 from ImageBind's one vector). With one token
#: the 0.95M LLM could not read an image's shape from it (stage 1's caption loss stopped at 2.1, captions
#: named the shape in 18–24%); images and videos carry four attributes or three with a motion, so 4.
INPUT_TOKENS = {"image": 4, "audio": 2, "video": 4}


class InputProjector(nn.Module):
    def __init__(self, in_dim: int, out_dim: int, tokens: int = 1):
        super().__init__()
        self.tokens, self.out_dim = tokens, out_dim
        self.linear = nn.Linear(in_dim, tokens * out_dim)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 — the contract's tensor name
        return self.linear(input).view(-1, self.tokens, self.out_dim)


class OutputProjector(nn.Module):
    def __init__(self, in_dim: int, queries: int, out_dim: int = COND_DIM, d: int = 128, layers: int = 2,
                 heads: int = 4):
        super().__init__()
        self.inp = nn.Linear(in_dim, d)
        self.encoder = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.queries = nn.Parameter(torch.randn(1, queries, d) * 0.02)
        self.decoder = nn.ModuleList(Block(d, heads, cross_dim=d) for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, out_dim)

    def forward(self, hidden_states: Tensor) -> Tensor:
        m = self.inp(hidden_states)
        for b in self.encoder:
            m = b(m)
        q = self.queries.expand(hidden_states.shape[0], -1, -1)
        for b in self.decoder:
            q = b(q, ctx=m)
        return self.out(self.norm(q))


class CondTextEncoder(nn.Module):
    """Caption ids [B,COND_LEN] (zero-padded) → per-token states [B,COND_LEN,C] and a pooled vector [B,1,C]."""

    def __init__(self, vocab: int, d: int = 128, layers: int = 2, heads: int = 4, out_dim: int = COND_DIM):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, COND_LEN, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, out_dim)

    def forward(self, ids: Tensor) -> tuple[Tensor, Tensor]:
        keep = ids != 0
        x = self.embed(ids) + self.pos
        for b in self.blocks:
            x = b(x, key_mask=keep)
        seq = self.out(self.norm(x))
        w = keep.unsqueeze(-1).float()
        pooled = (seq * w).sum(1, keepdim=True) / w.sum(1, keepdim=True).clamp(min=1)
        return seq, pooled

    def condition(self, ids: Tensor, modality: str) -> Tensor:
        """The conditioning a decoder of `modality` takes: the sequence, or (audio) the pooled vector."""
        seq, pooled = self(ids)
        return pooled if COND_QUERIES[modality] == 1 else seq[:, : COND_QUERIES[modality]]
