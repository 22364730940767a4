"""Decoders.

Image: a latent diffusion model in the Diffusers ONNX layout: a VAE (64×64×3 ↔ 4×8×8 latents, h = H/8 as the
decoder node expects) and a small cross-attention UNet trained for epsilon prediction on Stable Diffusion
1.5's noise schedule (1000 steps, scaled_linear 0.00085…0.012), which the node's DDIM / Euler schedulers
assume. Conditioning is dropped to zeros 10% of the time: the node's classifier-free guidance uses zeros as
the unconditional input.

Audio ("direct" kind): a DDSP-style harmonic synthesiser. From conditioning [B,1,C] an MLP predicts, per 10 ms
frame, f0, loudness and 16 harmonic amplitudes; a fixed oscillator bank (cumulative phase, sines below
Nyquist) renders ``waveform`` [B,16000] inside the graph.

Video ("direct" kind): conditioning [B,16,C] → 16 per-frame latents (a transformer over frame queries) →
the image VAE's decoder → ``frames`` [B,16,3,64,64] in [0,1].
"""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn
import torch.nn.functional as F

from .layers import Block, MultiHeadAttention, timestep_embedding
from .projectors import COND_DIM

LATENT_CH = 4
TRAIN_STEPS = 1000


def sd15_alphas_cumprod() -> Tensor:
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, TRAIN_STEPS, dtype=torch.float64) ** 2
    return torch.cumprod(1 - betas, 0).float()


# --- VAE ------------------------------------------------------------------------------------------------
def _res(ch: int) -> nn.Module:
    return nn.Sequential(nn.GroupNorm(8, ch), nn.SiLU(), nn.Conv2d(ch, ch, 3, padding=1))


class VaeEncoder(nn.Module):
    def __init__(self, ch: int = 64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, ch // 2, 3, padding=1), nn.SiLU(),
            nn.Conv2d(ch // 2, ch, 4, 2, 1), _res(ch), nn.SiLU(),
            nn.Conv2d(ch, ch, 4, 2, 1), _res(ch), nn.SiLU(),
            nn.Conv2d(ch, ch, 4, 2, 1), nn.GroupNorm(8, ch), nn.SiLU(),
            nn.Conv2d(ch, 2 * LATENT_CH, 3, padding=1))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        mu, logvar = self.net(x).chunk(2, dim=1)
        return mu, logvar.clamp(-10, 5)


class VaeDecoder(nn.Module):
    """``latent_sample`` [N,4,8,8] → ``sample`` [N,3,64,64] in [-1,1]."""

    def __init__(self, ch: int = 64):
        super().__init__()
        up = lambda a, b: nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(a, b, 3, padding=1))
        self.net = nn.Sequential(
            nn.Conv2d(LATENT_CH, ch, 3, padding=1), nn.SiLU(), _res(ch), nn.SiLU(),
            up(ch, ch), nn.SiLU(), _res(ch), nn.SiLU(),
            up(ch, ch), nn.SiLU(), _res(ch), nn.SiLU(),
            up(ch, ch // 2), nn.SiLU(), nn.Conv2d(ch // 2, 3, 3, padding=1), nn.Tanh())

    def forward(self, latent_sample: Tensor) -> Tensor:
        return self.net(latent_sample)


# --- UNet -----------------------------------------------------------------------------------------------
class ResBlock(nn.Module):
    def __init__(self, cin: int, cout: int, tdim: int):
        super().__init__()
        self.n1, self.c1 = nn.GroupNorm(8, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(tdim, cout)
        self.n2, self.c2 = nn.GroupNorm(8, cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: Tensor, temb: Tensor) -> Tensor:
        h = self.c1(F.silu(self.n1(x))) + self.t(temb)[:, :, None, None]
        return self.skip(x) + self.c2(F.silu(self.n2(h)))


class SpatialCrossAttention(nn.Module):
    """A transformer block over the feature map's positions with cross-attention to the conditioning."""

    def __init__(self, ch: int, cond_dim: int, heads: int = 4):
        super().__init__()
        self.block = Block(ch, heads, cross_dim=cond_dim, mlp=2)

    def forward(self, x: Tensor, cond: Tensor) -> Tensor:
        B, C, H, W = x.shape
        h = self.block(x.flatten(2).transpose(1, 2), ctx=cond)
        return h.transpose(1, 2).reshape(B, C, H, W)


class UNet(nn.Module):
    """(sample [B,4,8,8], timestep [1] int64, encoder_hidden_states [B,Q,C]) → out_sample (predicted noise)."""

    def __init__(self, ch: int = 64, cond_dim: int = COND_DIM):
        super().__init__()
        td = ch * 4
        self.ch = ch
        self.time = nn.Sequential(nn.Linear(ch, td), nn.SiLU(), nn.Linear(td, td))
        self.conv_in = nn.Conv2d(LATENT_CH, ch, 3, padding=1)
        self.d1, self.a1 = ResBlock(ch, ch, td), SpatialCrossAttention(ch, cond_dim)
        self.down = nn.Conv2d(ch, 2 * ch, 3, 2, 1)
        self.m1, self.am = ResBlock(2 * ch, 2 * ch, td), SpatialCrossAttention(2 * ch, cond_dim)
        self.m2 = ResBlock(2 * ch, 2 * ch, td)
        self.up = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(2 * ch, ch, 3, padding=1))
        self.u1, self.au = ResBlock(2 * ch, ch, td), SpatialCrossAttention(ch, cond_dim)
        self.out = nn.Sequential(nn.GroupNorm(8, ch), nn.SiLU(), nn.Conv2d(ch, LATENT_CH, 3, padding=1))

    def forward(self, sample: Tensor, timestep: Tensor, encoder_hidden_states: Tensor) -> Tensor:
        t = timestep.reshape(-1).float()
        temb = self.time(timestep_embedding(t, self.ch))
        temb = temb.expand(sample.shape[0], -1) if temb.shape[0] == 1 else temb
        c = encoder_hidden_states
        h0 = self.a1(self.d1(self.conv_in(sample), temb), c)
        h = self.down(h0)
        h = self.m2(self.am(self.m1(h, temb), c), temb)
        h = self.au(self.u1(torch.cat([self.up(h), h0], dim=1), temb), c)
        return self.out(h)


@torch.no_grad()
def ddim_sample(unet: UNet, cond: Tensor, steps: int = 20, guidance: float = 3.0,
                generator: torch.Generator | None = None) -> Tensor:
    """Python twin of the node's loop (DDIM η=0, leading spacing, offset 1; zeros as unconditional)."""
    ac = sd15_alphas_cumprod()
    ratio = TRAIN_STEPS // steps
    x = torch.randn(cond.shape[0], LATENT_CH, 8, 8, generator=generator)
    for i in range(steps):
        t = (steps - 1 - i) * ratio + 1
        both = torch.cat([torch.zeros_like(cond), cond])
        eps_u, eps_c = unet(torch.cat([x, x]), torch.tensor([t]), both).chunk(2)
        eps = eps_u + guidance * (eps_c - eps_u)
        a_t, a_p = ac[t], ac[t - ratio] if t - ratio >= 0 else ac[0]
        x0 = (x - (1 - a_t).sqrt() * eps) / a_t.sqrt()
        x = a_p.sqrt() * x0 + (1 - a_p).sqrt() * eps
    return x


# --- audio (direct, DDSP) -------------------------------------------------------------------------------
class AudioDecoder(nn.Module):
    """``conditioning`` [B,1,C] → ``waveform`` [B,16000]; also returns its controls for supervision."""

    def __init__(self, cond_dim: int = COND_DIM, frames: int = 100, harmonics: int = 16, rate: int = 16000,
                 samples: int = 16000, hidden: int = 256):
        super().__init__()
        self.frames, self.harmonics, self.rate, self.samples = frames, harmonics, rate, samples
        self.net = nn.Sequential(nn.Linear(cond_dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU())
        self.frame_q = nn.Parameter(torch.randn(1, frames, hidden) * 0.02)
        self.frame_net = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.SiLU(), nn.Linear(hidden, 2 + harmonics))

    def controls(self, conditioning: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Per-frame log2-f0 (Hz), loudness in [0,1], harmonic distribution: [B,F], [B,F], [B,F,K]."""
        g = self.net(conditioning[:, 0])  # [B,h]
        x = torch.cat([g.unsqueeze(1).expand(-1, self.frames, -1), self.frame_q.expand(g.shape[0], -1, -1)], -1)
        y = self.frame_net(x)
        log2_f0 = 6.5 + 4.5 * torch.sigmoid(y[..., 0])  # 90 Hz … 2 kHz
        loud = torch.sigmoid(y[..., 1])
        harm = torch.softmax(y[..., 2:], dim=-1)
        return log2_f0, loud, harm

    def synthesize(self, log2_f0: Tensor, loud: Tensor, harm: Tensor) -> Tensor:
        up = lambda v: F.interpolate(v.unsqueeze(1), size=self.samples, mode="linear", align_corners=False)[:, 0]
        f0 = up(torch.pow(2.0, log2_f0))  # [B,N]
        amp = up(loud)
        phase = torch.cumsum(f0 / self.rate, dim=1)
        phase = phase - torch.floor(phase)  # keeps sin's argument small in float32
        k = torch.arange(1, self.harmonics + 1, dtype=torch.float32).view(1, -1, 1)
        hk = F.interpolate(harm.transpose(1, 2), size=self.samples, mode="linear", align_corners=False)
        alive = (f0.unsqueeze(1) * k < self.rate / 2 * 0.9).float()
        wave = (torch.sin(2 * math.pi * ((phase.unsqueeze(1) * k) % 1.0)) * hk * alive).sum(1)
        return 0.9 * amp * wave

    def forward(self, conditioning: Tensor) -> Tensor:
        return self.synthesize(*self.controls(conditioning))


# --- video (direct) -------------------------------------------------------------------------------------
class VideoDecoder(nn.Module):
    """``conditioning`` [B,Q,C] → ``frames`` [B,16,3,64,64] in [0,1] through the (frozen) image VAE decoder."""

    def __init__(self, vae_decoder: VaeDecoder, cond_dim: int = COND_DIM, frames: int = 16, d: int = 128,
                 layers: int = 2, latent_scale: float = 1.0):
        super().__init__()
        self.frames, self.latent_scale = frames, latent_scale
        self.frame_q = nn.Parameter(torch.randn(1, frames, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, 4, cross_dim=cond_dim) for _ in range(layers))
        self.to_latent = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 512), nn.SiLU(), nn.Linear(512, LATENT_CH * 64))
        self.vae = vae_decoder

    def latents(self, conditioning: Tensor) -> Tensor:
        """[B,F,4,8,8] in the VAE's unscaled latent space."""
        q = self.frame_q.expand(conditioning.shape[0], -1, -1)
        for b in self.blocks:
            q = b(q, ctx=conditioning)
        return self.to_latent(q).view(-1, self.frames, LATENT_CH, 8, 8)

    def forward(self, conditioning: Tensor) -> Tensor:
        z = self.latents(conditioning)
        B = z.shape[0]
        img = self.vae(z.reshape(B * self.frames, LATENT_CH, 8, 8))
        return ((img + 1) / 2).clamp(0, 1).view(B, self.frames, 3, 64, 64)


__all__ = ["VaeEncoder", "VaeDecoder", "UNet", "AudioDecoder", "VideoDecoder", "ddim_sample",
           "sd15_alphas_cumprod", "MultiHeadAttention"]
