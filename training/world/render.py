"""Renderers: attribute dicts → pixels and samples. Pure NumPy, deterministic given their arguments.

Images are float32 ``[64, 64, 3]`` in [0, 1] on a black background, anti-aliased by 4× supersampling.
Audio is float32 mono ``[16000]`` in [-1, 1]. Video is float32 ``[16, 64, 64, 3]``.
"""
from __future__ import annotations

import numpy as np

from .attributes import AUDIO_SECONDS, COLOURS, GRID_PX, IMAGE_SIZE, PITCHES, POSITIONS, SAMPLE_RATE, SIZES

SUPERSAMPLE = 4


def _window(lo: int, hi: int) -> np.ndarray:
    """Sub-pixel sample coordinates of pixels lo..hi-1 (S per pixel), in pixel units."""
    return (np.arange(lo * SUPERSAMPLE, hi * SUPERSAMPLE, dtype=np.float32) + 0.5) / SUPERSAMPLE


def shape_mask(shape: str, cx: float, cy: float, r: float, angle: float = 0.0, size: int = IMAGE_SIZE) -> np.ndarray:
    """Coverage in [0, 1] (``[size, size]``) of `shape` centred at (cx, cy) with radius r, rotated by `angle`.

    Only the pixels within the shape's bounding circle are sampled (4×4 sub-pixels each).
    """
    out = np.zeros((size, size), dtype=np.float32)
    x0, x1 = max(0, int(cx - r * 1.5) - 1), min(size, int(cx + r * 1.5) + 2)
    y0, y1 = max(0, int(cy - r * 1.5) - 1), min(size, int(cy + r * 1.5) + 2)
    if x0 >= x1 or y0 >= y1:
        return out
    x, y = np.meshgrid(_window(x0, x1), _window(y0, y1))
    dx, dy = x - cx, y - cy
    ca, sa = np.cos(angle), np.sin(angle)
    u, v = ca * dx + sa * dy, -sa * dx + ca * dy  # rotate the sample points, not the shape
    if shape == "circle":
        inside = u * u + v * v <= r * r
    elif shape == "square":
        s = r * 0.82
        inside = (np.abs(u) <= s) & (np.abs(v) <= s)
    elif shape == "diamond":
        inside = np.abs(u) + np.abs(v) <= r * 1.05
    elif shape == "cross":
        w = r * 0.36
        inside = ((np.abs(u) <= w) & (np.abs(v) <= r)) | ((np.abs(v) <= w) & (np.abs(u) <= r))
    elif shape == "triangle":
        # Upward equilateral triangle inscribed in the circle of radius r (apex at the top: v < 0).
        inside = (v <= r * 0.5) & (np.sqrt(3.0) * u - v <= r) & (-np.sqrt(3.0) * u - v <= r)
    elif shape == "star":
        theta = np.arctan2(u, -v)  # 0 at the top
        rho = np.sqrt(u * u + v * v)
        k = np.abs(((theta / (2 * np.pi / 5)) % 1.0) - 0.5) * 2  # 1 at a point, 0 between points
        inside = rho <= r * (0.45 + 0.55 * k)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    m = inside.astype(np.float32).reshape(y1 - y0, SUPERSAMPLE, x1 - x0, SUPERSAMPLE)
    out[y0:y1, x0:x1] = m.mean(axis=(1, 3))
    return out


def position_px(position: str, jitter: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
    """Pixel centre of a grid position plus a jitter (dx, dy)."""
    col, row = POSITIONS[position]
    return GRID_PX[col] + jitter[0], GRID_PX[row] + jitter[1]


def paint(canvas: np.ndarray, mask: np.ndarray, colour: str) -> np.ndarray:
    """Alpha-composites a solid colour through `mask` onto `canvas` (in place, also returned)."""
    rgb = np.asarray(COLOURS[colour], dtype=np.float32) / 255.0
    canvas *= 1.0 - mask[..., None]
    canvas += mask[..., None] * rgb
    return canvas


def render_image(objects: list[dict], size: int = IMAGE_SIZE) -> np.ndarray:
    """Draws objects (dicts with shape, colour, size, position, and optional jitter/angle) on black."""
    canvas = np.zeros((size, size, 3), dtype=np.float32)
    for o in objects:
        cx, cy = position_px(o["position"], tuple(o.get("jitter", (0.0, 0.0))))
        paint(canvas, shape_mask(o["shape"], cx, cy, SIZES[o["size"]], o.get("angle", 0.0), size), o["colour"])
    return canvas


def render_video(obj: dict, motion: str, frames: int, size: int = IMAGE_SIZE) -> np.ndarray:
    """A single shape moving (left/right/up/down across 28 px), growing (r 4→16) or spinning (one turn)."""
    out = np.zeros((frames, size, size, 3), dtype=np.float32)
    cx0, cy0 = obj.get("start", (32.0, 32.0))
    r0 = SIZES[obj["size"]]
    for f in range(frames):
        t = f / max(frames - 1, 1)
        cx, cy, r, angle = cx0, cy0, r0, obj.get("angle", 0.0)
        if motion in ("left", "right"):
            cx = 32.0 + (14.0 - 28.0 * t) * (1 if motion == "left" else -1)
        elif motion in ("up", "down"):
            cy = 32.0 + (14.0 - 28.0 * t) * (1 if motion == "up" else -1)
        elif motion == "growing":
            r = 4.0 + 12.0 * t
        elif motion == "spinning":
            angle += 2 * np.pi * t * (72 / 360 if obj["shape"] == "star" else 0.25)  # one symmetry period
        else:
            raise ValueError(f"unknown motion {motion!r}")
        paint(out[f], shape_mask(obj["shape"], cx, cy, r, angle, size), obj["colour"])
    return out


def _oscillator(phase: np.ndarray, timbre: str, f0: np.ndarray) -> np.ndarray:
    """Band-limited waveform for a phase track (cycles) and instantaneous f0 (Hz), summing harmonics < Nyquist."""
    if timbre == "sine":
        return np.sin(2 * np.pi * phase)
    out = np.zeros_like(phase)
    nyq = SAMPLE_RATE / 2
    for k in range(1, 40):
        if timbre == "square" and k % 2 == 0:
            continue
        alive = (k * f0) < nyq * 0.9
        out += alive * np.sin(2 * np.pi * k * phase) / k
    scale = 4 / np.pi if timbre == "square" else 2 / np.pi
    return out * scale * (0.8 if timbre == "square" else 1.0)


def render_audio(pitch: str, timbre: str, pattern: str, detune: float = 1.0,
                 seconds: float = AUDIO_SECONDS, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A tone: pitch band × detune, waveform timbre, and steady / pulsing (4 Hz) / rising / falling pattern."""
    n = int(round(seconds * rate))
    t = np.arange(n, dtype=np.float64) / rate
    f_centre = PITCHES[pitch] * detune
    if pattern == "rising":
        f0 = f_centre * 2 ** ((t / seconds - 0.5) * 0.5)  # half an octave across the clip, centred on f_centre
    elif pattern == "falling":
        f0 = f_centre * 2 ** ((0.5 - t / seconds) * 0.5)
    else:
        f0 = np.full(n, f_centre)
    phase = np.cumsum(f0) / rate
    wave = _oscillator(phase, timbre, f0)
    env = np.ones(n)
    if pattern == "pulsing":
        env = (np.sin(2 * np.pi * 4 * t - np.pi / 2) > 0).astype(np.float64)
        env = np.convolve(env, np.ones(80) / 80, mode="same")  # 5 ms edges, no clicks
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
    return (0.5 * wave * env * fade).astype(np.float32)
