"""The attribute vocabulary of the world: what can vary in an image, a tone or a video, and how it renders.

Attribute values are plain strings so labels read the same in captions, JSON and evaluation tables.
"""
from __future__ import annotations

SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star", "diamond", "cross")

#: Colour name → RGB (0–255). Chosen far apart so a pixel's nearest colour is unambiguous.
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 190, 60),
    "blue": (50, 80, 230),
    "yellow": (235, 215, 40),
    "purple": (150, 60, 210),
    "orange": (245, 140, 30),
    "cyan": (40, 205, 215),
}

#: Size name → shape radius in pixels on a 64×64 canvas.
SIZES: dict[str, float] = {"small": 7.0, "medium": 11.0, "large": 15.0}

#: Position name → (column, row) in a 3×3 grid; centres at 18, 32, 46 px.
POSITIONS: dict[str, tuple[int, int]] = {
    "top left": (0, 0), "top": (1, 0), "top right": (2, 0),
    "left": (0, 1), "centre": (1, 1), "right": (2, 1),
    "bottom left": (0, 2), "bottom": (1, 2), "bottom right": (2, 2),
}
GRID_PX: tuple[float, float, float] = (18.0, 32.0, 46.0)

#: Pitch name → fundamental frequency (Hz) at the band's centre; a sample is drawn within ±8%.
PITCHES: dict[str, float] = {"low": 220.0, "mid": 440.0, "high": 880.0}
TIMBRES: tuple[str, ...] = ("sine", "square", "saw")
PATTERNS: tuple[str, ...] = ("steady", "pulsing", "rising", "falling")

MOTIONS: tuple[str, ...] = ("left", "right", "up", "down", "growing", "spinning")

#: The labels kept with each sample, per modality (what evaluation classifiers predict).
IMAGE_ATTRS: tuple[str, ...] = ("shape", "colour", "size", "position")
AUDIO_ATTRS: tuple[str, ...] = ("pitch", "timbre", "pattern")
VIDEO_ATTRS: tuple[str, ...] = ("shape", "colour", "motion")

IMAGE_SIZE = 64
SAMPLE_RATE = 16000
AUDIO_SECONDS = 1.0
VIDEO_FRAMES = 16
VIDEO_FPS = 8


def label_options(attr: str) -> tuple[str, ...]:
    """Every value an attribute can take, in a fixed order (class indices for classifiers)."""
    table: dict[str, tuple[str, ...]] = {
        "shape": SHAPES, "colour": tuple(COLOURS), "size": tuple(SIZES), "position": tuple(POSITIONS),
        "pitch": tuple(PITCHES), "timbre": TIMBRES, "pattern": PATTERNS, "motion": MOTIONS,
    }
    return table[attr]
