"""Language about the world: canonical captions (what the LLM answers), varied captions (what text encoders
see), and user requests in many phrasings. Every phrasing list is split into `train` and `heldout`: held-out
phrasings never appear in training data and measure whether a person's own wording works.

Requests may leave attributes out; the world fills them with defaults (size medium, position centre, timbre
sine, pattern steady), and the canonical answer then names the default, so the model learns them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Words for attribute values, the canonical first. Held-out synonyms are the last entry where marked.
WORDS: dict[str, list[str]] = {
    "small": ["small", "little", "tiny"], "medium": ["medium", "medium sized", "mid sized"],
    "large": ["large", "big", "huge"],
    "centre": ["centre", "center", "middle"], "top": ["top"], "bottom": ["bottom"], "left": ["left"],
    "right": ["right"], "top left": ["top left"], "top right": ["top right"],
    "bottom left": ["bottom left"], "bottom right": ["bottom right"],
    "low": ["low", "deep", "low pitched"], "mid": ["mid", "medium pitched", "middle"],
    "high": ["high", "high pitched", "shrill"],
    "sine": ["sine", "pure", "smooth"], "square": ["square", "buzzy", "square wave"],
    "saw": ["saw", "sawtooth", "raspy"],
    "steady": ["steady", "constant", "continuous"], "pulsing": ["pulsing", "beeping", "pulsating"],
    "rising": ["rising", "ascending", "upward"], "falling": ["falling", "descending", "downward"],
}
HELDOUT_SYNONYMS: set[str] = {"tiny", "huge", "mid sized", "shrill", "raspy", "pulsating", "continuous", "upward"}

NOUN = {
    "image": (["image", "picture", "drawing"], ["pic"]),
    "audio": (["sound", "tone", "beep"], ["noise"]),
    "video": (["video", "clip", "animation"], ["movie"]),
}

#: Request templates per intent: (train, heldout). {x} is the noun of the input, {desc} a description.
TEMPLATES: dict[str, tuple[list[str], list[str]]] = {
    "describe": (
        ["describe this {x}", "describe this {x}.", "what is in this {x}?", "please describe the {x}.",
         "can you tell me what this {x} shows?", "caption this {x}", "what {x} is this?", "tell me about this {x}",
         # the function words of the conversion templates ("a", "of") occur here too, so that they
         # are no cue for a conversion in a request never seen
         "write a caption for this {x}", "what do you see in this {x}?", "what are the contents of this {x}?",
         "i need a caption of this {x}", "tell me what is in this {x}", "explain this {x} to me",
         "sum up this {x} in a few words", "can you say what is shown in this {x}?"],
        ["give me a short description of this {x}", "what's going on in this {x}?"],
    ),
    "gen_image": (
        ["draw {desc}", "please draw {desc}.", "make a {x} of {desc}", "generate an image of {desc}",
         "show me {desc}", "can you draw {desc}?", "{desc}", "create a {x} showing {desc}", "paint {desc}"],
        ["i would like a {x} of {desc}, please", "could you sketch {desc} for me?"],
    ),
    "gen_audio": (
        ["play {desc}", "make {desc}", "generate {desc}", "please play {desc}.", "let me hear {desc}",
         "i want to hear {desc}", "can you play {desc}?", "{desc}"],
        ["could you produce {desc}?", "sound out {desc} for me"],
    ),
    "gen_video": (
        ["animate {desc}", "make a video of {desc}", "show me {desc}", "generate a {x} of {desc}",
         "please make an animation of {desc}.", "can you animate {desc}?", "{desc}"],
        ["i'd love a short movie of {desc}", "could you film {desc}?"],
    ),
    # {y} is a noun of the output's modality with its article ("turn this clip into an image"), so a request
    # names what it wants with any of its words; "paint" and "play" ask for a picture or a sound as they do in
    # generation
    "image_to_audio": (["play this {x} as a sound", "what does this {x} sound like?", "turn this {x} into {y}",
                        "play this {x}"],
                       ["make a noise that matches this {x}"]),
    "audio_to_image": (["draw this {x}", "show this sound's pitch as a shape's height", "turn this {x} into {y}",
                        "paint this {x}"],
                       ["paint what this {x} looks like"]),
    "image_to_video": (["animate this {x}", "make this {x} move", "bring this {x} to life", "turn this {x} into {y}"],
                       ["set this {x} in motion"]),
    "video_to_image": (["draw this {x}'s shape", "show a still of this {x}", "turn this {x} into {y}",
                        "paint this {x}"],
                       ["freeze this {x} into a drawing"]),
    "audio_to_video": (["animate this {x}", "turn this {x} into {y}", "show this {x} as an animation"],
                       ["make a movie from this {x}"]),
    "video_to_audio": (["play this {x} as a sound", "what does this {x} sound like?", "turn this {x} into {y}",
                        "play this {x}"],
                       ["give this {x} a soundtrack"]),
}
JOINERS = ([" and ", " and then ", ", and also "], [" plus "])


def word(value: str, rng: np.random.Generator | None, heldout: bool = False) -> str:
    """A word for an attribute value: canonical without rng, else a random synonym of the split."""
    options = WORDS.get(value, [value])
    if rng is None:
        return options[0]
    pool = [w for w in options if (w in HELDOUT_SYNONYMS) == heldout] or options[:1]
    return pool[int(rng.integers(len(pool)))]


def noun(modality: str, rng: np.random.Generator | None, heldout: bool = False) -> str:
    """What a person calls an item of a modality ("picture", "sound", "clip" …)."""
    train, held = NOUN[modality]
    if rng is None:
        return train[0]
    pool = held if heldout and rng.random() < 0.5 else train
    return pool[int(rng.integers(len(pool)))]


def where(position: str, w: str) -> str:
    """'at the top', 'in the centre', 'on the left', 'in the top left corner'."""
    if position == "centre":
        return f"in the {w}"
    if position in ("left", "right"):
        return f"on the {w}"
    if " " in position:
        return f"in the {w} corner"
    return f"at the {w}"


def article(phrase: str) -> str:
    """'a red star' / 'an orange star'."""
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


def describe_object(o: dict, rng: np.random.Generator | None = None, heldout: bool = False,
                    omit: frozenset[str] = frozenset()) -> str:
    """'a small red star at the top'; `omit` leaves out size/position (a request relying on defaults)."""
    size = "" if "size" in omit else word(o["size"], rng, heldout) + " "
    pos = "" if "position" in omit else " " + where(o["position"], word(o["position"], rng, heldout))
    return article(f"{size}{o['colour']} {o['shape']}{pos}")


def describe_image(objects: list[dict], rng: np.random.Generator | None = None, heldout: bool = False) -> str:
    """Canonical (rng None) or varied caption of an image's objects."""
    return " and ".join(describe_object(o, rng, heldout) for o in objects)


def describe_audio(a: dict, rng: np.random.Generator | None = None, heldout: bool = False,
                   omit: frozenset[str] = frozenset()) -> str:
    """'a high pulsing square tone' (canonical) or e.g. 'a shrill beeping buzzy beep'."""
    parts = [word(a["pitch"], rng, heldout)]
    if "pattern" not in omit:
        parts.append(word(a["pattern"], rng, heldout))
    if "timbre" not in omit:
        parts.append(word(a["timbre"], rng, heldout))
    n = "tone" if rng is None else ["tone", "beep", "sound", "note"][int(rng.integers(4))]
    return f"a {' '.join(parts)} {n}"


MOTION_PHRASES: dict[str, list[str]] = {
    "left": ["moving left", "moving to the left", "sliding left"],
    "right": ["moving right", "moving to the right", "sliding right"],
    "up": ["moving up", "moving upwards", "rising up"],
    "down": ["moving down", "moving downwards", "dropping down"],
    "growing": ["growing", "getting bigger", "expanding"],
    "spinning": ["spinning", "rotating", "turning around"],
}


def describe_video(v: dict, rng: np.random.Generator | None = None, heldout: bool = False) -> str:
    """'a red star moving left' (canonical) or a varied phrase; held-out uses the last phrasing."""
    phrases = MOTION_PHRASES[v["motion"]]
    if rng is None:
        p = phrases[0]
    elif heldout:
        p = phrases[-1]
    else:
        p = phrases[int(rng.integers(len(phrases) - 1))]
    return article(f"{v['colour']} {v['shape']} {p}")


@dataclass
class Request:
    """One user request of a dialogue, before media is rendered."""
    intent: str
    prompt: str


def request(intent: str, rng: np.random.Generator, heldout: bool, desc: str = "", x: str = "",
            y_modality: str = "") -> Request:
    """Fills a random template of `intent` from the given split; {y} with "a"/"an" and a noun of `y_modality`,
    drawn only for a template that has it (the held-out templates have none, so their random streams do not
    change)."""
    train, held = TEMPLATES[intent]
    pool = held if heldout else train
    t = pool[int(rng.integers(len(pool)))]
    y = article(noun(y_modality, rng, heldout)) if "{y}" in t else ""
    return Request(intent, t.format(desc=desc, x=x, y=y))


def join_requests(parts: list[str], rng: np.random.Generator, heldout: bool) -> str:
    """Several requests in one message ('draw … and play …')."""
    pool = JOINERS[1] if heldout else JOINERS[0]
    out = parts[0]
    for p in parts[1:]:
        out += pool[int(rng.integers(len(pool)))] + p
    return out
