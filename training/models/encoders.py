"""ImageBind-style encoders: one transformer per modality over patches (image), spectrogram patches (audio),
tubelets (video) or tokens (text), each pooled and projected into one shared, L2-normalised embedding space,
aligned to text by a contrastive (InfoNCE) loss as ImageBind aligns every modality to image/text.

Input layouts follow the encoder node's contract at small sizes (fixed dims, which the executor reads):
image ``pixel_values`` [B,3,64,64] (normalised with mean/std 0.5), audio ``input_features`` [B,1,64,100]
(Kaldi fbank of a 1 s clip, as nodes/encoder/mel.ts computes it), video ``pixel_values`` [B,3,4,64,64],
text ``input_ids`` [B,24] (the LLM's tokenizer, zero-padded). Output ``embeddings`` [B,D].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from .layers import Block

AUDIO_BINS, AUDIO_FRAMES = 64, 100
AUDIO_MEAN, AUDIO_STD = -4.268, 9.138  # ImageBind's statistics (the executor's defaults)
VIDEO_T = 4
TEXT_LEN = 24
IMAGE_MEAN = IMAGE_STD = 0.5


@dataclass
class EncoderConfig:
    embed_dim: int = 256  # the shared space (ImageBind huge: 1024)
    width: int = 128
    layers: int = 3
    heads: int = 4
    tubelet_t: int = 2  # video tubelet length in frames (ImageBind: 2); 4 = one token per 8×8 patch of the clip
    merge: int = 1  # patch merging: a k×k group of patch embeddings → one token (k² fewer tokens)


# --- preprocessing identical to the encoder executor ---------------------------------------------------------
def image_pixels(img: np.ndarray) -> np.ndarray:
    """[H,W,3] in [0,1] → [3,H,W] normalised (the executor: /255 then (x-mean)/std with the manifest's 0.5)."""
    x = np.round(np.clip(img, 0, 1) * 255) / 255  # media travel as 8-bit pixels
    return ((x - IMAGE_MEAN) / IMAGE_STD).transpose(2, 0, 1).astype(np.float32)


def video_pixels(frames: np.ndarray, t: int = VIDEO_T) -> np.ndarray:
    """[F,H,W,3] → [3,t,H,W], frames at the middle of t equal parts (the executor's sampleFrameIndices)."""
    n = frames.shape[0]
    idx = [min(n - 1, int(((i + 0.5) * n) // t)) for i in range(t)]
    return np.stack([image_pixels(frames[i]) for i in idx], axis=1)


def _mel_banks(bins: int, n_fft: int, rate: int, low: float = 20.0) -> np.ndarray:
    mel = lambda f: 1127.0 * np.log(1.0 + f / 700.0)
    lo, hi = mel(low), mel(rate / 2)
    delta = (hi - lo) / (bins + 1)
    half = n_fft // 2
    fft_mel = mel(np.arange(half) * rate / n_fft)
    banks = np.zeros((bins, half + 1))
    for m in range(bins):
        left, centre, right = lo + m * delta, lo + (m + 1) * delta, lo + (m + 2) * delta
        up = (fft_mel - left) / (centre - left)
        down = (right - fft_mel) / (right - centre)
        banks[m, :half] = np.maximum(0, np.minimum(up, down))
    return banks


_BANKS: dict[tuple[int, int, int], np.ndarray] = {}


def audio_features(wave: np.ndarray, rate: int = 16000, bins: int = AUDIO_BINS, frames: int = AUDIO_FRAMES,
                   mean: float = AUDIO_MEAN, std: float = AUDIO_STD) -> np.ndarray:
    """Kaldi fbank as nodes/encoder/mel.ts computes it → [1, bins, frames] (padded value normalised too)."""
    x = wave.astype(np.float64) - wave.mean()
    flen, shift, n_fft = round(rate * 0.025), round(rate * 0.01), 512
    n = 0 if len(x) < flen else 1 + (len(x) - flen) // shift
    idx = np.arange(flen)[None, :] + shift * np.arange(n)[:, None]
    fr = x[idx]
    fr = fr - fr.mean(axis=1, keepdims=True)
    prev = np.concatenate([fr[:, :1], fr[:, :-1]], axis=1)
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(flen) / (flen - 1))
    fr = (fr - 0.97 * prev) * win
    power = np.abs(np.fft.rfft(fr, n=n_fft, axis=1)) ** 2
    key = (bins, n_fft, rate)
    if key not in _BANKS:
        _BANKS[key] = _mel_banks(bins, n_fft, rate)
    fb = np.log(np.maximum(power @ _BANKS[key].T, 1.1920928955078125e-7))  # [n, bins]
    out = np.zeros((bins, frames))
    k = min(n, frames)
    out[:, :k] = fb[:k].T
    return ((out - mean) / (2 * std))[None].astype(np.float32)


# --- modules --------------------------------------------------------------------------------------------
class TransformerTrunk(nn.Module):
    """Pre-norm transformer over tokens + learned positions, mean-pooled (masked), projected, L2-normalised."""

    def __init__(self, c: EncoderConfig, tokens: int):
        super().__init__()
        self.pos = nn.Parameter(torch.randn(1, tokens, c.width) * 0.02)
        self.blocks = nn.ModuleList(Block(c.width, c.heads) for _ in range(c.layers))
        self.norm = nn.LayerNorm(c.width)
        self.head = nn.Linear(c.width, c.embed_dim, bias=False)

    def forward(self, x: Tensor, keep: Tensor | None = None) -> Tensor:
        x = x + self.pos[:, : x.shape[1]]
        for b in self.blocks:
            x = b(x, key_mask=keep)
        x = self.norm(x)
        if keep is None:
            pooled = x.mean(1)
        else:
            w = keep.unsqueeze(-1).float()
            pooled = (x * w).sum(1) / w.sum(1).clamp(min=1.0)
        y = self.head(pooled)
        return y / y.norm(dim=-1, keepdim=True).clamp(min=1e-6)


class PatchMerge(nn.Module):
    """[B,C,h,w] patch embeddings → [B,(h/k)(w/k),C] tokens: GELU then a k×k stride-k conv (a 2-layer patch
    embedding with k² fewer tokens); k = 1 just flattens."""

    def __init__(self, width: int, k: int):
        super().__init__()
        self.net = nn.Sequential(nn.GELU(), nn.Conv2d(width, width, k, k)) if k > 1 else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).flatten(2).transpose(1, 2)


class ImageEncoder(nn.Module):
    def __init__(self, c: EncoderConfig, size: int = 64, patch: int = 8):
        super().__init__()
        self.patch = nn.Conv2d(3, c.width, patch, patch)
        self.merge = PatchMerge(c.width, c.merge)
        self.trunk = TransformerTrunk(c, (size // patch // c.merge) ** 2)

    def forward(self, pixel_values: Tensor) -> Tensor:
        return self.trunk(self.merge(self.patch(pixel_values)))


class AudioEncoder(nn.Module):
    def __init__(self, c: EncoderConfig):
        super().__init__()
        self.patch = nn.Conv2d(1, c.width, (8, 10), (8, 10))  # 8 mel bins × 100 ms
        self.merge = PatchMerge(c.width, c.merge)
        k = c.merge
        self.trunk = TransformerTrunk(c, (AUDIO_BINS // 8 // k) * (AUDIO_FRAMES // 10 // k))

    def forward(self, input_features: Tensor) -> Tensor:
        return self.trunk(self.merge(self.patch(input_features)))


class VideoEncoder(nn.Module):
    def __init__(self, c: EncoderConfig, size: int = 64):
        super().__init__()
        tt = c.tubelet_t
        self.patch = nn.Conv3d(3, c.width, (tt, 8, 8), (tt, 8, 8))  # ImageBind: 2-frame tubelets
        self.merge = PatchMerge(c.width, c.merge)
        self.trunk = TransformerTrunk(c, (VIDEO_T // tt) * (size // 8 // c.merge) ** 2)

    def forward(self, pixel_values: Tensor) -> Tensor:
        p = self.patch(pixel_values)  # [B,C,t,h,w]
        B, Cw, t, h, w = p.shape
        x = self.merge(p.transpose(1, 2).reshape(B * t, Cw, h, w))  # [B·t, n, C]
        return self.trunk(x.reshape(B, -1, Cw))


class TextEncoder(nn.Module):
    def __init__(self, c: EncoderConfig, vocab: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, c.width)
        self.trunk = TransformerTrunk(c, TEXT_LEN)

    def forward(self, input_ids: Tensor) -> Tensor:
        return self.trunk(self.embed(input_ids), keep=input_ids != 0)

    def forward_trimmed(self, input_ids: Tensor) -> Tensor:
        """Training shortcut, same result: drops the all-padding tail columns of the batch (keys and pooling are
        masked there anyway)."""
        n = int((input_ids != 0).sum(1).max().clamp(min=1))
        return self.forward(input_ids[:, :n])


def contrastive_loss(a: Tensor, b: Tensor, logit_scale: Tensor) -> Tensor:
    """Symmetric InfoNCE between two batches of unit vectors (row i of a matches row i of b)."""
    logits = logit_scale.exp().clamp(max=100) * a @ b.t()
    target = torch.arange(a.shape[0])
    return 0.5 * (nn.functional.cross_entropy(logits, target) + nn.functional.cross_entropy(logits.t(), target))


def export_encoder(model: nn.Module, modality: str, path: str) -> None:
    """ONNX with the contract's names; only the batch dim is dynamic (the executor reads the fixed sizes)."""
    name, dummy = {
        "image": ("pixel_values", torch.randn(1, 3, 64, 64)),
        "audio": ("input_features", torch.randn(1, 1, AUDIO_BINS, AUDIO_FRAMES)),
        "video": ("pixel_values", torch.randn(1, 3, VIDEO_T, 64, 64)),
        "text": ("input_ids", torch.tensor([[5, 6, 7] + [0] * (TEXT_LEN - 3)])),
    }[modality]
    with torch.no_grad():
        torch.onnx.export(model.eval(), (dummy,), path, opset_version=17, input_names=[name],
                          output_names=["embeddings"], dynamic_axes={name: {0: "B"}, "embeddings": {0: "B"}})
