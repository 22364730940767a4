"""Judges: small attribute classifiers trained on the world, kept apart from the pack (no shared weights), that
score what Switchboard generates (issue 5, item 4). `evaluate.ts` runs them with onnxruntime-node.

    nice -n 10 /usr/bin/python3 training/judges.py          # → training/judges/{image,audio,video}.onnx + judges.json
                                                            #   (~9 min of one core: image 4, audio 1.6, video 3.5)
    node training/check-judges.mjs                          # ONNX = torch on the saved probes

Every judge takes the engine's output as it is, and does its own preprocessing inside the graph:

- ``image`` float32 [B,3,64,64] in 0..1 (RGB) → logits ``shape`` [B,6], ``colour`` [B,7], ``size`` [B,3],
  ``position`` [B,9]. For images with one shape (what generation is asked for).
- ``audio`` float32 [B,16000] (1 s, 16 kHz mono) → ``pitch`` [B,3], ``timbre`` [B,3], ``pattern`` [B,4]. The
  graph removes DC, normalises the RMS, and takes a log-magnitude spectrogram with a fixed Conv1d DFT
  filterbank (Hann, 512 samples = 32 ms, hop 256, bins 62.5 Hz–4 kHz).
- ``video`` float32 [B,16,3,64,64] in 0..1 → ``shape`` [B,6], ``colour`` [B,7], ``motion`` [B,6]. The graph
  looks at 8 of the 16 frames (0, 2, 4, 6, 9, 11, 13, 15) through one per-frame CNN, then over time.

Labels are the world's attribute values in `world.attributes.label_options` order (listed in judges.json).
Training samples come from the world's training indices (0 upward), accuracy from indices EVAL_OFFSET upward.
Generated media are blurrier, noisier and a little off-colour compared with rendered ones, so training augments
(see `augment_*`), with a quarter of each batch kept clean; judges.json reports clean, augmented and "stress"
accuracy (`stress_*`: harsher than anything trained on, a lower bound for blurry/noisy outputs).
Probe inputs with torch's logits go to training/out/eval/judge-probe.json + judge-probe-<modality>.bin
(float32 little-endian) for check-judges.mjs. The torch weights are kept in training/out/judges/<modality>.pt;
``--evaluate`` reloads them, re-measures and re-exports without training.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor  # noqa: E402

from world import World  # noqa: E402
from world.attributes import (  # noqa: E402
    AUDIO_ATTRS, COLOURS, IMAGE_ATTRS, MOTIONS, SAMPLE_RATE, SHAPES, VIDEO_ATTRS, VIDEO_FRAMES, label_options,
)

EVAL_OFFSET = 10_000_000  # = data.EVAL_OFFSET (not imported: data pulls in the pack's models)
ATTRS = {"image": IMAGE_ATTRS, "audio": AUDIO_ATTRS, "video": VIDEO_ATTRS}
MODALITIES = ("image", "audio", "video")
INPUT_DIMS = {"image": [3, 64, 64], "audio": [SAMPLE_RATE], "video": [VIDEO_FRAMES, 3, 64, 64]}
VIDEO_T = (0, 2, 4, 6, 9, 11, 13, 15)  # the frames the video judge looks at
OPSET = 17


# --- models ---------------------------------------------------------------------------------------------
def block(cin: int, cout: int, stride: int = 1, k: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2 if stride == 1 else (k - stride) // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


class Heads(nn.Module):
    def __init__(self, dim: int, attrs: tuple[str, ...]):
        super().__init__()
        self.attrs = attrs
        self.heads = nn.ModuleList(nn.Linear(dim, len(label_options(a))) for a in attrs)

    def forward(self, h: Tensor) -> tuple[Tensor, ...]:
        return tuple(head(h) for head in self.heads)


class ImageJudge(nn.Module):
    """[B,3,64,64] 0..1 → shape, colour, size, position logits. A 4-stage CNN at full resolution (small shapes
    are 14 px wide), then a 4×4 map flattened so that position stays readable."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(block(3, 24), nn.MaxPool2d(2), block(24, 32), nn.MaxPool2d(2), block(32, 64),
                                 nn.MaxPool2d(2), block(64, 64, stride=2, k=4), nn.Flatten(),
                                 nn.Linear(64 * 16, 96), nn.ReLU())
        self.heads = Heads(96, IMAGE_ATTRS)

    def forward(self, image: Tensor) -> tuple[Tensor, ...]:
        return self.heads(self.net((image.clamp(0, 1) - 0.5) / 0.5))


N_FFT, HOP, BIN_LO, BIN_HI = 512, 256, 2, 129  # bins 2..128: 62.5 Hz – 4 kHz at 31.25 Hz


def dft_filterbank() -> Tensor:
    """Conv1d weights [2·F, 1, N_FFT]: Hann-windowed cos and sin rows of the DFT bins BIN_LO..BIN_HI-1."""
    n = torch.arange(N_FFT, dtype=torch.float64)
    k = torch.arange(BIN_LO, BIN_HI, dtype=torch.float64)[:, None]
    win = 0.5 - 0.5 * torch.cos(2 * math.pi * n / N_FFT)
    ang = 2 * math.pi * k * n / N_FFT
    w = torch.cat([torch.cos(ang) * win, -torch.sin(ang) * win]) / (N_FFT / 4)  # a unit sine peaks near 1
    return w[:, None, :].float()


class AudioJudge(nn.Module):
    """[B,16000] waveform → pitch, timbre, pattern logits. DC removal and RMS normalisation (gain-invariant),
    DFT filterbank → log magnitude [B,1,127,61], then a CNN pooling frequency faster than time (pulsing is
    4 Hz = 15.6 frames per period)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("dft", dft_filterbank())
        self.nbins = BIN_HI - BIN_LO
        self.net = nn.Sequential(block(1, 12), nn.MaxPool2d((2, 2)),  # 63×30
                                 block(12, 24), nn.MaxPool2d((2, 1)),  # 31×30
                                 block(24, 32), nn.MaxPool2d((2, 2)),  # 15×15
                                 block(32, 48), nn.MaxPool2d((3, 3)),  # 5×5: ~1/3 octave cells × 200 ms
                                 nn.Flatten(), nn.Linear(48 * 5 * 5, 64), nn.ReLU())
        self.heads = Heads(64, AUDIO_ATTRS)

    def spectrogram(self, audio: Tensor) -> Tensor:
        x = audio - audio.mean(dim=1, keepdim=True)
        x = x / torch.sqrt((x * x).mean(dim=1, keepdim=True) + 1e-8) * 0.25
        z = F.conv1d(x[:, None, :], self.dft, stride=HOP)  # [B,2F,T]
        re, im = z[:, : self.nbins], z[:, self.nbins:]
        mag = torch.sqrt(re * re + im * im + 1e-10)
        return ((torch.log(mag + 1e-3) + 4.0) / 2.0)[:, None]  # [B,1,F,T], roughly -1.5..1.5

    def forward(self, audio: Tensor) -> tuple[Tensor, ...]:
        return self.heads(self.net(self.spectrogram(audio)))


class VideoJudge(nn.Module):
    """[B,16,3,64,64] 0..1 → shape, colour, motion logits. 8 frames through one per-frame CNN (a strided first
    conv to 32×32, then a 4×4×32 map → 48-d), the 8 frame vectors flattened in time order → MLP."""

    def __init__(self):
        super().__init__()
        self.register_buffer("t_idx", torch.tensor(VIDEO_T, dtype=torch.long))
        self.frame = nn.Sequential(block(3, 16, stride=2, k=4), block(16, 24), nn.MaxPool2d(2),  # 16
                                   block(24, 32), nn.MaxPool2d(2),  # 8
                                   block(32, 32, stride=2, k=4), nn.Flatten(),  # 4×4
                                   nn.Linear(32 * 16, 48), nn.ReLU())
        self.time = nn.Sequential(nn.Linear(48 * len(VIDEO_T), 128), nn.ReLU())
        self.heads = Heads(128, VIDEO_ATTRS)

    def select(self, video: Tensor) -> Tensor:
        return video.index_select(1, self.t_idx)

    def core(self, frames: Tensor) -> tuple[Tensor, ...]:
        """frames: the selected [B,8,3,64,64] in 0..1."""
        b, t = frames.shape[0], frames.shape[1]
        f = self.frame(((frames.clamp(0, 1) - 0.5) / 0.5).reshape(b * t, 3, 64, 64))
        return self.heads(self.time(f.reshape(b, t * 48)))

    def forward(self, video: Tensor) -> tuple[Tensor, ...]:
        return self.core(self.select(video))


# --- augmentation (torch, per sample; g is a torch.Generator) ---------------------------------------------
def U(g: torch.Generator, n: int, lo: float, hi: float) -> Tensor:
    return torch.rand(n, generator=g) * (hi - lo) + lo


def gaussian_blur(x: Tensor, sigma: Tensor) -> Tensor:
    """x [N,C,H,W], sigma [N] in px (0 = none); separable 7-tap kernels, one per sample."""
    n, c, h, w = x.shape
    r = torch.arange(-3, 4, dtype=torch.float32)
    k = torch.exp(-(r[None] ** 2) / (2 * sigma.clamp(min=1e-3)[:, None] ** 2))
    k = k / k.sum(dim=1, keepdim=True)  # sigma→0 gives a delta
    k = k.repeat_interleave(c, dim=0)  # [N·C,7]
    y = x.reshape(1, n * c, h, w)
    y = F.conv2d(F.pad(y, (3, 3, 0, 0), mode="replicate"), k[:, None, None, :], groups=n * c)
    y = F.conv2d(F.pad(y, (0, 0, 3, 3), mode="replicate"), k[:, None, :, None], groups=n * c)
    return y.reshape(n, c, h, w)


def affine(x: Tensor, scale: Tensor, rot_deg: Tensor, tx: Tensor, ty: Tensor) -> Tensor:
    """Scales/rotates about the canvas centre and shifts (px) each image of x [N,C,64,64]; black outside."""
    a = rot_deg * math.pi / 180
    cos, sin = torch.cos(a) / scale, torch.sin(a) / scale
    half = x.shape[-1] / 2
    theta = torch.stack([torch.stack([cos, -sin, -tx / half], 1), torch.stack([sin, cos, -ty / half], 1)], 1)
    # inverse map: output pixel p samples input R⁻¹(p - t)/s; the translation above is approximate for rotated
    # frames but exact in size for the small angles used.
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def photometric(x: Tensor, g: torch.Generator, per: int = 1) -> Tensor:
    """Blur, colour/brightness jitter, a lifted background, noise and 8-bit rounding on x [N,3,H,W] in 0..1.
    `per` > 1 shares blur and colour between consecutive groups of `per` images (the frames of one video)."""
    n = x.shape[0] // per
    rep = (lambda t: t.repeat_interleave(per, dim=0)) if per > 1 else (lambda t: t)
    sigma = U(g, n, 0.0, 1.6) * (torch.rand(n, generator=g) < 0.7)
    x = gaussian_blur(x, rep(sigma))
    gain = U(g, n, 0.8, 1.1)[:, None] * U(g, n * 3, 0.9, 1.1).reshape(n, 3)
    offset = U(g, n * 3, -0.03, 0.03).reshape(n, 3) + U(g, n, 0.0, 0.06)[:, None]
    x = x * rep(gain)[:, :, None, None] + rep(offset)[:, :, None, None]
    if per > 1:  # per-frame flicker
        x = x * U(g, x.shape[0], 0.95, 1.05)[:, None, None, None]
    noise = U(g, n, 0.0, 0.06)
    x = x + torch.randn(x.shape, generator=g) * rep(noise)[:, None, None, None]
    return torch.round(x.clamp(0, 1) * 255) / 255


def augment_image(x: Tensor, g: torch.Generator) -> Tensor:
    """Shapes stay in their cell: the world jitters ±2 px, cells are 14 px apart, and this adds ≤ 2 px shift,
    ±8% scale (≤ 1.1 px of extra shift at the edge cells), ±6° rotation."""
    n = x.shape[0]
    x = affine(x, U(g, n, 0.92, 1.08), U(g, n, -6, 6), U(g, n, -2, 2), U(g, n, -2, 2))
    return photometric(x, g)


def augment_video(frames: Tensor, g: torch.Generator) -> Tensor:
    """frames [B,T,3,64,64]: one affine per video (±3 px, ±8%, ±5°) plus ±1 px per frame, then photometric."""
    b, t = frames.shape[:2]
    rep = lambda v: v.repeat_interleave(t)  # noqa: E731
    x = frames.reshape(b * t, 3, 64, 64)
    x = affine(x, rep(U(g, b, 0.92, 1.08)), rep(U(g, b, -5, 5)),
               rep(U(g, b, -3, 3)) + U(g, b * t, -1, 1), rep(U(g, b, -3, 3)) + U(g, b * t, -1, 1))
    return photometric(x, g, per=t).reshape(b, t, 3, 64, 64)


def lowpass_kernels(cutoff_hz: Tensor, taps: int = 63) -> Tensor:
    """Windowed-sinc low-pass FIR kernels [N,taps]."""
    n = torch.arange(taps, dtype=torch.float32) - (taps - 1) / 2
    fc = (cutoff_hz / SAMPLE_RATE)[:, None]
    h = 2 * fc * torch.sinc(2 * fc * n[None]) * torch.hamming_window(taps, periodic=False)[None]
    return h / h.sum(dim=1, keepdim=True)


def augment_audio(x: Tensor, g: torch.Generator) -> Tensor:
    """x [B,16000]: shift ≤ 30 ms, slow tremolo ≤ 15%, low-pass 3.5–7 kHz (half), white noise at 12–40 dB SNR
    (70%), gain 0.05–2 (log-uniform), clipped to ±1. Detune comes from the world (±8%)."""
    b, n = x.shape
    shift = torch.randint(-480, 481, (b,), generator=g)
    idx = torch.arange(n)[None] - shift[:, None]
    x = torch.where((idx >= 0) & (idx < n), x.gather(1, idx.clamp(0, n - 1)), torch.zeros(()))
    t = torch.arange(n) / SAMPLE_RATE
    trem = 1 + U(g, b, 0, 0.15)[:, None] * torch.sin(2 * math.pi * U(g, b, 0.5, 2)[:, None] * t[None]
                                                     + U(g, b, 0, 6.283)[:, None])
    x = x * trem
    lp = torch.rand(b, generator=g) < 0.5
    k = lowpass_kernels(U(g, b, 3500, 7000))
    y = F.conv1d(F.pad(x[None], (31, 31)), k[:, None, :], groups=b)[0]
    x = torch.where(lp[:, None], y, x)
    rms = torch.sqrt((x * x).mean(dim=1) + 1e-10)
    snr = U(g, b, 12, 40)
    noise = torch.randn(x.shape, generator=g) * (rms / 10 ** (snr / 20) * (torch.rand(b, generator=g) < 0.7))[:, None]
    x = (x + noise) * torch.exp(U(g, b, math.log(0.05), math.log(2.0)))[:, None]
    return x.clamp(-1, 1)


def degrade_pixels(x: Tensor, g: torch.Generator) -> Tensor:
    """Harsher than training: half resolution (area down, bilinear up), a further σ 1 px blur, +0.04 noise."""
    x = F.interpolate(F.avg_pool2d(x, 2), scale_factor=2, mode="bilinear", align_corners=False)
    x = gaussian_blur(x, torch.ones(x.shape[0]))
    return (x + torch.randn(x.shape, generator=g) * 0.04).clamp(0, 1)


def stress_image(x: Tensor, g: torch.Generator) -> Tensor:
    return degrade_pixels(augment_image(x, g), g)


def stress_video(frames: Tensor, g: torch.Generator) -> Tensor:
    b, t = frames.shape[:2]
    return degrade_pixels(augment_video(frames, g).reshape(b * t, 3, 64, 64), g).reshape(b, t, 3, 64, 64)


def stress_audio(x: Tensor, g: torch.Generator) -> Tensor:
    """Harsher than training: always low-passed at 2.5 kHz, then white noise at 6–12 dB SNR."""
    b = x.shape[0]
    x = augment_audio(x, g)
    x = F.conv1d(F.pad(x[None], (31, 31)), lowpass_kernels(torch.full((b,), 2500.0))[:, None, :], groups=b)[0]
    rms = torch.sqrt((x * x).mean(dim=1) + 1e-10)
    return (x + torch.randn(x.shape, generator=g) * (rms / 10 ** (U(g, b, 6, 12) / 20))[:, None]).clamp(-1, 1)


# --- data -------------------------------------------------------------------------------------------------
def class_index(labels: dict[str, str], attrs: tuple[str, ...]) -> list[int]:
    return [label_options(a).index(labels[a]) for a in attrs]


def image_set(world: World, start: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n single-shape images from index `start` upward (two-shape ones skipped): uint8 [n,64,64,3], labels."""
    xs, ys, i = [], [], start
    while len(xs) < n:
        s = world.image(i)
        i += 1
        if s.labels["count"] != "1":
            continue
        xs.append(np.round(np.clip(s.data, 0, 1) * 255).astype(np.uint8))
        ys.append(class_index(s.labels, IMAGE_ATTRS))
    return np.stack(xs), np.asarray(ys, dtype=np.int64)


def audio_set(world: World, start: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    xs = [world.audio(i) for i in range(start, start + n)]
    return np.stack([s.data for s in xs]).astype(np.float32), np.asarray([class_index(s.labels, AUDIO_ATTRS)
                                                                         for s in xs], dtype=np.int64)


def video_pool(world: World) -> tuple[np.ndarray, dict[tuple, int]]:
    """Every distinct video of the world (no jitter in video: shape × colour × motion, no spinning circle):
    uint8 [V,16,64,64,3] and a map labels → row."""
    combos = [(s, c, m) for m in MOTIONS for s in SHAPES for c in COLOURS if not (m == "spinning" and s == "circle")]
    vids = [world.make_video({"shape": s, "colour": c, "motion": m}).data for s, c, m in combos]
    return (np.stack([np.round(np.clip(v, 0, 1) * 255).astype(np.uint8) for v in vids]),
            {k: i for i, k in enumerate(combos)})


def video_labels(world: World, start: int, n: int) -> list[dict[str, str]]:
    """The labels of world.video(i) without rendering (same draws as World.video)."""
    return [world.video_attrs(world.rng("video", i)) for i in range(start, start + n)]


def to_float_images(u8: np.ndarray) -> Tensor:
    return torch.from_numpy(u8).float().div(255).permute(0, 3, 1, 2).contiguous()


def to_float_video(u8: np.ndarray) -> Tensor:
    return torch.from_numpy(u8).float().div(255).permute(0, 1, 4, 2, 3).contiguous()


# --- training -------------------------------------------------------------------------------------------
def lr_at(step: int, steps: int, peak: float) -> float:
    warm = max(1, steps // 20)
    if step < warm:
        return peak * (step + 1) / warm
    p = (step - warm) / max(1, steps - warm)
    return peak * (0.03 + 0.97 * 0.5 * (1 + math.cos(math.pi * p)))


def train(model: nn.Module, batch_fn, steps: int, peak: float, log_every: int = 100, name: str = "") -> dict:
    opt = torch.optim.AdamW(model.parameters(), lr=peak, weight_decay=1e-4)
    model.train()
    t0, c0 = time.time(), time.process_time()
    running = 0.0
    for step in range(steps):
        for grp in opt.param_groups:
            grp["lr"] = lr_at(step, steps, peak)
        x, y, fwd = batch_fn(step)
        logits = fwd(x)
        loss = sum(F.cross_entropy(lg, y[:, j]) for j, lg in enumerate(logits))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        running = 0.9 * running + 0.1 * float(loss) if step else float(loss)
        if (step + 1) % log_every == 0 or step == steps - 1:
            print(f"  {name} step {step + 1}/{steps} loss {running:.4f}  "
                  f"({time.process_time() - c0:.0f} s cpu, {time.time() - t0:.0f} s wall)", flush=True)
    model.eval()
    return {"steps": steps, "cpu_s": round(time.process_time() - c0, 1), "wall_s": round(time.time() - t0, 1),
            "final_loss": round(running, 4)}


@torch.no_grad()
def accuracy(fwd, x: Tensor, y: Tensor, attrs: tuple[str, ...], bs: int = 100) -> dict[str, float]:
    preds = [[] for _ in attrs]
    for i in range(0, x.shape[0], bs):
        for j, lg in enumerate(fwd(x[i:i + bs])):
            preds[j].append(lg.argmax(dim=1))
    return {a: round(float((torch.cat(preds[j]) == y[:, j]).float().mean()) * 100, 2) for j, a in enumerate(attrs)}


def mixed(clean: Tensor, aug_fn, g: torch.Generator, keep: float = 0.25) -> Tensor:
    """Augments all but the first `keep` of a batch."""
    k = int(round(clean.shape[0] * keep))
    return torch.cat([clean[:k], aug_fn(clean[k:], g)]) if k < clean.shape[0] else clean


# --- export ---------------------------------------------------------------------------------------------
def export(model: nn.Module, modality: str, example: Tensor, path: Path) -> None:
    import onnx
    model.eval()
    names = list(ATTRS[modality])
    torch.onnx.export(model, (example,), str(path), input_names=[modality], output_names=names,
                      dynamic_axes={modality: {0: "batch"}, **{n: {0: "batch"} for n in names}},
                      opset_version=OPSET, do_constant_folding=True)
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    assert [i.name for i in m.graph.input] == [modality], [i.name for i in m.graph.input]
    assert [o.name for o in m.graph.output] == names, [o.name for o in m.graph.output]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- main -----------------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=HERE / "judges")
    ap.add_argument("--probe", type=Path, default=HERE / "out" / "eval")
    ap.add_argument("--only", nargs="*", default=["image", "audio", "video"])
    ap.add_argument("--eval", type=int, default=600, help="held-out samples per modality")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every step count (smoke: 0.02)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weights", type=Path, default=HERE / "out" / "judges", help="torch state dicts (kept)")
    ap.add_argument("--evaluate", action="store_true", help="load --weights instead of training; re-measure, re-export")
    args = ap.parse_args()
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    args.probe.mkdir(parents=True, exist_ok=True)
    world = World(args.seed)
    meta_path = args.out / "judges.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    probe_path = args.probe / "judge-probe.json"
    probe = json.loads(probe_path.read_text()) if probe_path.exists() else {}
    t_all = time.time()

    for m in args.only:
        torch.manual_seed(args.seed)
        g = torch.Generator().manual_seed(args.seed + 1)
        t0, c0 = time.time(), time.process_time()
        print(f"[{m}] rendering", flush=True)
        model = {"image": ImageJudge, "audio": AudioJudge, "video": VideoJudge}[m]()
        fwd = model
        if m == "image":
            xev, yev = image_set(world, EVAL_OFFSET, args.eval)
            x_eval, y_eval = to_float_images(xev), torch.from_numpy(yev)
            steps, bs, peak = 1600, 64, 3e-3
            aug, stress = augment_image, stress_image
            if not args.evaluate:
                xtr, ytr = image_set(world, 0, 12000)
                xtr_t, ytr_t = to_float_images(xtr), torch.from_numpy(ytr)

                def batch(step, xtr_t=xtr_t, ytr_t=ytr_t, g=g, bs=bs, model=model):
                    idx = torch.randint(0, xtr_t.shape[0], (bs,), generator=g)
                    return mixed(xtr_t[idx], augment_image, g), ytr_t[idx], model
        elif m == "audio":
            xev, yev = audio_set(world, EVAL_OFFSET, args.eval)
            x_eval, y_eval = torch.from_numpy(xev), torch.from_numpy(yev)
            steps, bs, peak = 600, 64, 3e-3
            aug, stress = augment_audio, stress_audio
            if not args.evaluate:
                xtr, ytr = audio_set(world, 0, 6000)
                xtr_t, ytr_t = torch.from_numpy(xtr), torch.from_numpy(ytr)

                def batch(step, xtr_t=xtr_t, ytr_t=ytr_t, g=g, bs=bs, model=model):
                    idx = torch.randint(0, xtr_t.shape[0], (bs,), generator=g)
                    return mixed(xtr_t[idx], augment_audio, g), ytr_t[idx], model
        else:
            ev = [world.video(i) for i in range(EVAL_OFFSET, EVAL_OFFSET + args.eval)]
            x_eval = to_float_video(np.stack([np.round(np.clip(s.data, 0, 1) * 255).astype(np.uint8) for s in ev]))
            y_eval = torch.tensor([class_index(s.labels, VIDEO_ATTRS) for s in ev])
            steps, bs, peak = 900, 32, 3e-3
            t_idx = torch.tensor(VIDEO_T)

            def on_frames(fn):  # degrades the frames the judge sees, leaving the others as they are
                def f(v, g):
                    out = v.clone()
                    out[:, t_idx] = fn(v[:, t_idx], g)
                    return out
                return f
            aug, stress = on_frames(augment_video), on_frames(stress_video)
            if not args.evaluate:
                pool_u8, row = video_pool(world)
                pool = to_float_video(pool_u8)  # [V,16,3,64,64]
                tr_rows = torch.tensor([row[(v["shape"], v["colour"], v["motion"])]
                                        for v in video_labels(world, 0, 20000)])
                pool_y = torch.tensor([class_index(dict(zip(("shape", "colour", "motion"), k)), VIDEO_ATTRS)
                                       for k in row])

                def batch(step, pool=pool, tr_rows=tr_rows, pool_y=pool_y, g=g, bs=bs, model=model):
                    r = tr_rows[torch.randint(0, tr_rows.shape[0], (bs,), generator=g)]
                    return mixed(pool[r][:, t_idx], augment_video, g), pool_y[r], model.core
        weights = args.weights / f"{m}.pt"
        if args.evaluate:
            model.load_state_dict(torch.load(weights))
            info = meta[m]["train"]
        else:
            steps = max(2, int(steps * args.scale))
            print(f"[{m}] data ready in {time.time() - t0:.1f}s; training {steps} steps at batch {bs}", flush=True)
            info = train(model, batch, steps, peak, name=m)
            weights.parent.mkdir(parents=True, exist_ok=True)
            torch.save(model.state_dict(), weights)
            info = {**info, "batch": bs, "peak_lr": peak}
        model.eval()
        clean = accuracy(fwd, x_eval, y_eval, ATTRS[m])
        ga, gs = torch.Generator().manual_seed(1234), torch.Generator().manual_seed(4321)
        x_aug = torch.cat([aug(x_eval[i:i + 100], ga) for i in range(0, x_eval.shape[0], 100)])
        augd = accuracy(fwd, x_aug, y_eval, ATTRS[m])
        strs = accuracy(fwd, torch.cat([stress(x_eval[i:i + 100], gs) for i in range(0, x_eval.shape[0], 100)]),
                        y_eval, ATTRS[m])
        print(f"[{m}] held-out accuracy (n={x_eval.shape[0]}) clean {clean}  augmented {augd}  stress {strs}",
              flush=True)

        path = args.out / f"{m}.onnx"
        export(model, m, x_eval[:2], path)
        # Probe: 16 clean + 16 augmented held-out inputs (video 8 + 8), with torch's logits.
        k = 8 if m == "video" else 16
        px = torch.cat([x_eval[:k], x_aug[k:2 * k]]).contiguous()
        py = torch.cat([y_eval[:k], y_eval[k:2 * k]])
        with torch.no_grad():
            pl = model(px)
        (args.probe / f"judge-probe-{m}.bin").write_bytes(px.numpy().astype("<f4").tobytes())
        probe[m] = {"file": f"judge-probe-{m}.bin", "dims": list(px.shape), "clean": k,
                    "labels": {a: py[:, j].tolist() for j, a in enumerate(ATTRS[m])},
                    "logits": {a: pl[j].numpy().round(6).tolist() for j, a in enumerate(ATTRS[m])}}
        n_params = sum(p.numel() for p in model.parameters())
        meta[m] = {
            "file": f"{m}.onnx", "bytes": path.stat().st_size, "sha256": sha256(path), "params": n_params,
            "input": {"name": m, "dtype": "float32", "dims": ["batch", *INPUT_DIMS[m]],
                      "range": [-1, 1] if m == "audio" else [0, 1],
                      "note": {"image": "RGB, 0..1, one shape",
                               "audio": "1 s mono at 16 kHz; any gain (DC removed and RMS normalised inside)",
                               "video": "16 frames RGB 0..1; frames 0,2,4,6,9,11,13,15 are looked at"}[m]},
            "heads": {a: {"output": a, "labels": list(label_options(a))} for a in ATTRS[m]},
            "accuracy": {"n": int(x_eval.shape[0]), "heldout_from": EVAL_OFFSET, "clean": clean, "augmented": augd,
                         "stress": strs},
            "train": info if args.evaluate else {**info, "total_cpu_s": round(time.process_time() - c0, 1),
                                                 "total_wall_s": round(time.time() - t0, 1)},
        }
        print(f"[{m}] {path.name}: {path.stat().st_size / 1e3:.0f} kB, {n_params} params; "
              f"{time.process_time() - c0:.0f} s cpu, {time.time() - t0:.0f} s wall", flush=True)

    meta.update({
        "version": 1, "opset": OPSET, "seed": args.seed,
        "about": "Attribute classifiers (judges) for evaluating generated media; trained by training/judges.py on "
                 "the world (training indices), accuracy on held-out indices from EVAL_OFFSET. One entry per "
                 "modality (image, audio, video): file, input {name, dims}, heads {attribute: {output, labels}}; "
                 "outputs are logits over the labels in that order.",
        "video_note": "The world has only 245 distinct videos (no jitter), so held-out clean video accuracy is on "
                      "the same contents as training; the augmented accuracy is the informative number.",
        "accuracy_note": "Per head, % of held-out samples: clean (rendered), augmented (the training augmentation, "
                         "fixed seed), stress (harsher than training: half resolution + blur + noise for pixels; "
                         "2.5 kHz low-pass + 6-12 dB SNR noise for audio). Images: one-shape images only.",
    })
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    probe_path.write_text(json.dumps(probe) + "\n")
    print(f"wrote {meta_path} and {probe_path} in {time.time() - t_all:.0f} s", flush=True)
    for m in MODALITIES:
        if m not in meta:
            continue
        j = meta[m]
        a = j["accuracy"]
        print(f"  {m:5s} clean {a['clean']}  augmented {a['augmented']}  stress {a.get('stress')}")


if __name__ == "__main__":
    main()
