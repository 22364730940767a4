"""The world rendered once into tensors (``training/out/cache``), reused by every stage and every run.

Rendering is cheap per sample (image 0.6 ms, tone + fbank 2.7 ms, video 3 ms) but a training step needs
64–128 of them, which on 2 cores costs as much as the step itself. So each modality is rendered once into a
fixed pool of samples (training indices 0…n-1; the combinatorial world is small — 36 tones, 246 videos,
1134 single-shape images before jitter/detune — so a few thousand samples cover it many times over) and
stored as compact arrays: images and video frames as uint8 (the executors see 8-bit pixels anyway), fbank
features and waveforms as float16. Captions are kept as text and tokenized when loaded, because the
tokenizer is trained per run.

    c = cache.get(world, tok)          # builds or loads training/out/cache/seed0-…npz
    c.image.x[idx]                     # encoder inputs, float32 [n,3,64,64]
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from models.encoders import TEXT_LEN, audio_features
from models.projectors import COND_LEN
from models.tokenizer import BpeTokenizer
from world import World
from world.attributes import label_options

HERE = Path(__file__).resolve().parent
CACHE_DIR = HERE / "out" / "cache"
SIZES = {"image": 8000, "audio": 4000, "video": 3000}  # full run
SMOKE_SIZES = {"image": 64, "audio": 64, "video": 64}
VARIANTS = 3  # varied captions per sample (the text encoders see these)
ATTRS = {"image": ("shape", "colour", "size", "position"), "audio": ("pitch", "timbre", "pattern"),
         "video": ("shape", "colour", "motion")}
VIDEO_T_IDX = [min(15, int(((i + 0.5) * 16) // 4)) for i in range(4)]  # the executor's 4 sampled frames


def _pad(ids: list[int], n: int) -> list[int]:
    return (ids + [0] * n)[:n]


@dataclass
class ModalCache:
    modality: str
    raw: np.ndarray  # uint8 pixels [n,64,64,3] / [n,4,64,64,3], or float16 fbank [n,1,64,100]
    labels: dict[str, np.ndarray]  # attribute → class index [n]
    canonical: list[str]
    varied: list[list[str]]  # [n][VARIANTS]
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # audio: wave, f0, loud
    ids: Tensor | None = None  # varied caption ids [n,VARIANTS,TEXT_LEN]
    cond_ids: Tensor | None = None  # varied caption ids for the decoders' text encoder [n,VARIANTS,COND_LEN]
    canon_ids: Tensor | None = None  # canonical caption ids [n,COND_LEN]

    def __len__(self) -> int:
        return len(self.canonical)

    def encoder_input(self, idx) -> Tensor:
        """Exactly what the encoder executor feeds (see models/encoders.py), float32."""
        r = torch.from_numpy(self.raw[idx])
        if self.modality == "audio":
            return r.float()
        x = (r.float() / 255 - 0.5) / 0.5
        return x.permute(0, 3, 1, 2) if self.modality == "image" else x.permute(0, 4, 1, 2, 3)

    def pixels(self, idx) -> Tensor:
        """Images in [-1,1] [n,3,64,64] (the VAE/UNet's space)."""
        assert self.modality == "image"
        return (torch.from_numpy(self.raw[idx]).float() / 255 * 2 - 1).permute(0, 3, 1, 2)


@dataclass
class WorldCache:
    image: ModalCache
    audio: ModalCache
    video: ModalCache

    def __getitem__(self, m: str) -> ModalCache:
        return getattr(self, m)


def _label_idx(labels: dict[str, str], m: str) -> list[int]:
    return [label_options(a).index(labels[a]) for a in ATTRS[m]]


def build(world: World, sizes: dict[str, int]) -> dict[str, dict]:
    """Renders the pools; returns plain arrays/lists (what is saved)."""
    import data as D  # audio_controls lives there
    out: dict[str, dict] = {}
    for m, n in sizes.items():
        raw, labs, canon, varied, wave, f0, loud = [], [], [], [], [], [], []
        for i in range(n):
            if m == "audio":
                rng = world.rng("audio", i)
                attrs = world.audio_attrs(rng)
                detune = float(rng.uniform(0.92, 1.08))
                s = world.make_audio(attrs, detune)
                raw.append(audio_features(s.data).astype(np.float16))
                wave.append(s.data.astype(np.float16))
                a, b = D.audio_controls(s.labels, detune)
                f0.append(a)
                loud.append(b)
            else:
                s = getattr(world, m)(i)
                px = np.round(np.clip(s.data, 0, 1) * 255).astype(np.uint8)
                raw.append(px if m == "image" else px[VIDEO_T_IDX])
            labs.append(_label_idx(s.labels, m))
            canon.append(s.caption)
            varied.append([world.caption(s, i * VARIANTS + k) for k in range(VARIANTS)])
        d = {"raw": np.stack(raw), "labels": np.asarray(labs, dtype=np.int16), "canonical": canon, "varied": varied}
        if m == "audio":
            d.update(wave=np.stack(wave), f0=np.stack(f0), loud=np.stack(loud))
        out[m] = d
    return out


_MEMO: dict[tuple, WorldCache] = {}


def get(world: World, tok: BpeTokenizer, sizes: dict[str, int] | None = None, where: Path | None = None) -> WorldCache:
    """Loads the cache for this seed and sizes (rendering and saving it the first time); tokenizes captions."""
    sizes = sizes or SIZES
    key = (world.seed, tuple(sorted(sizes.items())), id(tok))
    if key in _MEMO:
        return _MEMO[key]
    where = where or CACHE_DIR
    where.mkdir(parents=True, exist_ok=True)
    mods = {}
    t0 = time.time()
    for m, n in sizes.items():
        f = where / f"seed{world.seed}-{m}-{n}.npz"
        if f.exists():
            z = np.load(f)
            d = {k: z[k] for k in z.files if k != "text"}
            d.update(json.loads(str(z["text"])))
        else:
            d = build(world, {m: n})[m]
            arrays = {k: v for k, v in d.items() if isinstance(v, np.ndarray)}
            text = json.dumps({"canonical": d["canonical"], "varied": d["varied"]})
            np.savez(f, text=np.array(text), **arrays)
        labels = {a: d["labels"][:, j].astype(np.int64) for j, a in enumerate(ATTRS[m])}
        mc = ModalCache(m, d["raw"], labels, d["canonical"], d["varied"],
                        {k: d[k] for k in ("wave", "f0", "loud") if k in d})
        mc.ids = torch.tensor([[_pad(tok.encode(c), TEXT_LEN) for c in v] for v in mc.varied])
        mc.cond_ids = torch.tensor([[_pad(tok.encode(c), COND_LEN) for c in v] for v in mc.varied])
        mc.canon_ids = torch.tensor([_pad(tok.encode(c), COND_LEN) for c in mc.canonical])
        mods[m] = mc
    print(f"cache: {', '.join(f'{m} {n}' for m, n in sizes.items())} ready in {time.time() - t0:.1f}s", flush=True)
    _MEMO[key] = WorldCache(**mods)
    return _MEMO[key]
