"""Small transformer layers written out by hand: PyTorch 1.13's nn.Transformer* layers take fused "fast paths"
in eval mode that do not export to ONNX, and these are short enough to read."""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn
import torch.nn.functional as F


class MultiHeadAttention(nn.Module):
    """Attention of `x` over `ctx` (itself when None), with an optional key mask [B, Tk] (True = attend)."""

    def __init__(self, dim: int, heads: int, ctx_dim: int | None = None):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(ctx_dim or dim, 2 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x: Tensor, ctx: Tensor | None = None, key_mask: Tensor | None = None) -> Tensor:
        ctx = x if ctx is None else ctx
        B, S, D = x.shape
        h, hd = self.heads, D // self.heads
        q = self.q(x).view(B, S, h, hd).transpose(1, 2)
        k, v = self.kv(ctx).view(B, ctx.shape[1], 2, h, hd).permute(2, 0, 3, 1, 4)
        att = q @ k.transpose(-1, -2) / math.sqrt(hd)
        if key_mask is not None:
            att = att.masked_fill(~key_mask[:, None, None, :], -1e9)
        y = att.softmax(-1) @ v
        return self.out(y.transpose(1, 2).reshape(B, S, D))


class Block(nn.Module):
    """Pre-norm transformer block: self-attention, optional cross-attention, GELU MLP."""

    def __init__(self, dim: int, heads: int, cross_dim: int | None = None, mlp: int = 4):
        super().__init__()
        self.n1 = nn.LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, heads)
        self.cross = MultiHeadAttention(dim, heads, cross_dim) if cross_dim else None
        self.n2 = nn.LayerNorm(dim) if cross_dim else None
        self.n3 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * mlp), nn.GELU(), nn.Linear(dim * mlp, dim))

    def forward(self, x: Tensor, key_mask: Tensor | None = None, ctx: Tensor | None = None,
                ctx_mask: Tensor | None = None) -> Tensor:
        x = x + self.attn(self.n1(x), key_mask=key_mask)
        if self.cross is not None and ctx is not None:
            x = x + self.cross(self.n2(x), ctx, ctx_mask)
        return x + self.mlp(self.n3(x))


def timestep_embedding(t: Tensor, dim: int) -> Tensor:
    """Sinusoidal embedding of (float) timesteps [N] → [N, dim], as Diffusers' UNet does."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = t.float().unsqueeze(-1) * freqs
    return torch.cat([a.cos(), a.sin()], dim=-1)


__all__ = ["MultiHeadAttention", "Block", "timestep_embedding", "F"]
