"""The synthetic world the mini NExT-GPT is trained on: shapes, tones, moving shapes and the language about them.

Everything is deterministic from a seed: ``World(seed).image(i)`` is the same picture on every machine.
"""
from .attributes import (
    AUDIO_ATTRS, COLOURS, IMAGE_ATTRS, MOTIONS, PATTERNS, PITCHES, POSITIONS, SHAPES, SIZES, TIMBRES, VIDEO_ATTRS,
)
from .world import World, Sample

__all__ = [
    "World", "Sample", "SHAPES", "COLOURS", "SIZES", "POSITIONS", "PITCHES", "TIMBRES", "PATTERNS", "MOTIONS",
    "IMAGE_ATTRS", "AUDIO_ATTRS", "VIDEO_ATTRS",
]
