"""Samples of the world: images, tones, videos and instruction dialogues, each a pure function of (seed, index).

``World(seed).image(i)`` draws attributes with a generator seeded by ``(seed, kind, i)``, so any sample can be
made alone, in any order, on any machine, and the same index always gives the same sample.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import language as L
from .attributes import (
    COLOURS, MOTIONS, PATTERNS, PITCHES, POSITIONS, SHAPES, SIZES, TIMBRES, VIDEO_FRAMES,
)
from .render import render_audio, render_image, render_video

KINDS = {"image": 1, "audio": 2, "video": 3, "dialogue": 4, "caption": 5}
SIGNAL_COUNTS = {"image": ("IMG", 4), "audio": ("AUD", 8), "video": ("VID", 24)}


def signal_tokens(modality: str) -> str:
    """'[IMG0][IMG1][IMG2][IMG3]' for images; 8 AUD for audio; 24 VID for video (NExT-GPT's counts)."""
    prefix, n = SIGNAL_COUNTS[modality]
    return "".join(f"[{prefix}{k}]" for k in range(n))


@dataclass
class Sample:
    """One rendered item with its labels (for classifiers) and captions."""
    modality: str
    data: np.ndarray
    labels: dict[str, str]
    caption: str  # canonical: what the LLM should say
    objects: list[dict] = field(default_factory=list)


@dataclass
class Dialogue:
    """One instruction turn in NExT-GPT's style: media in, a request, the answer with signal tokens."""
    prompt: str
    inputs: dict[str, Sample]
    outputs: dict[str, dict[str, str]]  # modality → labels of what must be generated
    output_captions: dict[str, str]  # modality → canonical caption (decoder conditioning text)
    response: str
    intents: list[str]
    heldout: bool


def _pick(rng: np.random.Generator, options) -> str:
    options = list(options)
    return options[int(rng.integers(len(options)))]


# Cross-modal rules (X→Y through the LLM): deterministic, so generated outputs can be judged.
SHAPE_TIMBRE = {"circle": "sine", "diamond": "sine", "square": "square", "cross": "square",
                "triangle": "saw", "star": "saw"}
TIMBRE_SHAPE = {"sine": "circle", "square": "square", "saw": "triangle"}
ROW_PITCH = {0: "high", 1: "mid", 2: "low"}
PITCH_POSITION = {"high": "top", "mid": "centre", "low": "bottom"}
PATTERN_COLOUR = {"steady": "blue", "pulsing": "red", "rising": "green", "falling": "yellow"}
PATTERN_MOTION = {"steady": "right", "pulsing": "growing", "rising": "up", "falling": "down"}
MOTION_PATTERN = {"up": "rising", "down": "falling", "growing": "pulsing", "left": "steady", "right": "steady",
                  "spinning": "steady"}
PITCH_COLOUR = {"low": "blue", "mid": "green", "high": "red"}


class World:
    """The synthetic world, deterministic from `seed`."""

    def __init__(self, seed: int = 0):
        self.seed = seed

    def rng(self, kind: str, i: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, KINDS[kind], i])

    # --- attributes -------------------------------------------------------------------------------------
    def image_objects(self, rng: np.random.Generator, count: int | None = None) -> list[dict]:
        """One shape (70%) or two in cells at least two apart (small/medium, so they never overlap)."""
        n = count or (1 if rng.random() < 0.7 else 2)
        objs: list[dict] = []
        while len(objs) < n:
            pos = _pick(rng, [p for p in POSITIONS if n == 1 or p != "centre"])  # centre has no far cell
            if objs:
                c0, r0 = POSITIONS[objs[0]["position"]]
                c1, r1 = POSITIONS[pos]
                if max(abs(c0 - c1), abs(r0 - r1)) < 2:
                    continue
            size = _pick(rng, SIZES if n == 1 else ("small", "medium"))
            colour = _pick(rng, [c for c in COLOURS if not objs or c != objs[0]["colour"]])
            objs.append({"shape": _pick(rng, SHAPES), "colour": colour, "size": size, "position": pos,
                         "jitter": [float(x) for x in rng.uniform(-2, 2, 2)]})
        return objs

    def make_image(self, objs: list[dict]) -> Sample:
        first = objs[0]
        labels = {k: first[k] for k in ("shape", "colour", "size", "position")}
        labels["count"] = str(len(objs))
        return Sample("image", render_image(objs), labels, L.describe_image(objs), objs)

    def make_audio(self, a: dict[str, str], detune: float = 1.0) -> Sample:
        labels = {k: a[k] for k in ("pitch", "timbre", "pattern")}
        return Sample("audio", render_audio(a["pitch"], a["timbre"], a["pattern"], detune), labels,
                      L.describe_audio(labels))

    def make_video(self, v: dict[str, str]) -> Sample:
        labels = {k: v[k] for k in ("shape", "colour", "motion")}
        obj = {"shape": v["shape"], "colour": v["colour"], "size": "medium"}
        return Sample("video", render_video(obj, v["motion"], VIDEO_FRAMES), labels, L.describe_video(labels))

    def audio_attrs(self, rng: np.random.Generator) -> dict[str, str]:
        return {"pitch": _pick(rng, PITCHES), "timbre": _pick(rng, TIMBRES), "pattern": _pick(rng, PATTERNS)}

    def video_attrs(self, rng: np.random.Generator) -> dict[str, str]:
        motion = _pick(rng, MOTIONS)
        shapes = [s for s in SHAPES if not (motion == "spinning" and s == "circle")]  # a spinning circle is still
        return {"shape": _pick(rng, shapes), "colour": _pick(rng, COLOURS), "motion": motion}

    # --- samples ----------------------------------------------------------------------------------------
    def image(self, i: int) -> Sample:
        return self.make_image(self.image_objects(self.rng("image", i)))

    def audio(self, i: int) -> Sample:
        rng = self.rng("audio", i)
        return self.make_audio(self.audio_attrs(rng), float(rng.uniform(0.92, 1.08)))

    def video(self, i: int) -> Sample:
        return self.make_video(self.video_attrs(self.rng("video", i)))

    def caption(self, sample: Sample, i: int, heldout: bool = False) -> str:
        """A varied caption of a sample (for text encoders); canonical when i < 0."""
        rng = None if i < 0 else np.random.default_rng([self.seed, KINDS["caption"], i])
        if sample.modality == "image":
            return L.describe_image(sample.objects, rng, heldout)
        if sample.modality == "audio":
            return L.describe_audio(sample.labels, rng, heldout)
        return L.describe_video(sample.labels, rng, heldout)

    # --- dialogues --------------------------------------------------------------------------------------
    def dialogue(self, i: int, heldout: bool = False) -> Dialogue:
        """An instruction dialogue; `heldout` uses only held-out phrasings and synonyms."""
        rng = self.rng("dialogue", i * 2 + int(heldout))
        kind = rng.random()
        if kind < 0.3:
            return self._describe(rng, heldout)
        if kind < 0.75:
            n = 1 if rng.random() < 0.75 else 2
            mods = list(rng.permutation(["image", "audio", "video"])[:n])
            return self._generate(rng, heldout, [str(m) for m in mods])
        return self._convert(rng, heldout)

    def _describe(self, rng: np.random.Generator, heldout: bool) -> Dialogue:
        m = _pick(rng, ("image", "audio", "video"))
        s = {"image": lambda: self.make_image(self.image_objects(rng)),
             "audio": lambda: self.make_audio(self.audio_attrs(rng), float(rng.uniform(0.92, 1.08))),
             "video": lambda: self.make_video(self.video_attrs(rng))}[m]()
        req = L.request("describe", rng, heldout, x=L.noun(m, rng, heldout))
        return Dialogue(req.prompt, {m: s}, {}, {}, s.caption + ".", ["describe_" + m], heldout)

    def _target(self, rng: np.random.Generator, m: str, heldout: bool) -> tuple[dict, str, str]:
        """Labels, canonical caption and a request description of something to generate."""
        if m == "image":
            objs = self.image_objects(rng, 1)
            o = objs[0]
            omit = frozenset(k for k in ("size", "position") if rng.random() < 0.2)
            for k in omit:
                o[k] = {"size": "medium", "position": "centre"}[k]
            return ({k: o[k] for k in ("shape", "colour", "size", "position")}, L.describe_image(objs),
                    L.describe_object(o, rng, heldout, omit))
        if m == "audio":
            a = self.audio_attrs(rng)
            omit = frozenset(k for k in ("timbre", "pattern") if rng.random() < 0.2)
            for k in omit:
                a[k] = {"timbre": "sine", "pattern": "steady"}[k]
            return a, L.describe_audio(a), L.describe_audio(a, rng, heldout, omit)
        v = self.video_attrs(rng)
        return v, L.describe_video(v), L.describe_video(v, rng, heldout)

    def _generate(self, rng: np.random.Generator, heldout: bool, mods: list[str]) -> Dialogue:
        prompts, answers, outputs, caps = [], [], {}, {}
        for m in mods:
            labels, cap, desc = self._target(rng, m, heldout)
            prompts.append(L.request("gen_" + m, rng, heldout, desc=desc, x=L.noun(m, rng, heldout)).prompt)
            answers.append(f"here is {cap}. {signal_tokens(m)}")
            outputs[m], caps[m] = labels, cap
        prompt = L.join_requests(prompts, rng, heldout)
        return Dialogue(prompt, {}, outputs, caps, " ".join(answers), ["gen_" + m for m in mods], heldout)

    def _convert(self, rng: np.random.Generator, heldout: bool) -> Dialogue:
        src, dst = _pick(rng, [("image", "audio"), ("audio", "image"), ("image", "video"), ("video", "image"),
                               ("audio", "video"), ("video", "audio")])
        if src == "image":
            s = self.make_image(self.image_objects(rng, 1))
            o = s.objects[0]
            if dst == "audio":
                out = {"pitch": ROW_PITCH[POSITIONS[o["position"]][1]], "timbre": SHAPE_TIMBRE[o["shape"]],
                       "pattern": "steady"}
            else:
                out = {"shape": o["shape"], "colour": o["colour"],
                       "motion": "growing" if o["shape"] == "circle" else "spinning"}
        elif src == "audio":
            s = self.make_audio(self.audio_attrs(rng), float(rng.uniform(0.92, 1.08)))
            a = s.labels
            if dst == "image":
                out = {"shape": TIMBRE_SHAPE[a["timbre"]], "colour": PATTERN_COLOUR[a["pattern"]],
                       "size": "medium", "position": PITCH_POSITION[a["pitch"]]}
            else:
                out = {"shape": TIMBRE_SHAPE[a["timbre"]], "colour": PITCH_COLOUR[a["pitch"]],
                       "motion": PATTERN_MOTION[a["pattern"]]}
        else:
            s = self.make_video(self.video_attrs(rng))
            v = s.labels
            if dst == "image":
                out = {"shape": v["shape"], "colour": v["colour"], "size": "medium", "position": "centre"}
            else:
                out = {"pitch": "mid", "timbre": SHAPE_TIMBRE[v["shape"]], "pattern": MOTION_PATTERN[v["motion"]]}
        cap = {"image": lambda: L.describe_image([out]), "audio": lambda: L.describe_audio(out),
               "video": lambda: L.describe_video(out)}[dst]()
        req = L.request(f"{src}_to_{dst}", rng, heldout, x=L.noun(src, rng, heldout), y_modality=dst)
        return Dialogue(req.prompt, {src: s}, {dst: out}, {dst: cap}, f"here is {cap}. {signal_tokens(dst)}",
                        [f"{src}_to_{dst}"], heldout)
