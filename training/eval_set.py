"""The held-out evaluation set: media files and a manifest for `evaluate.ts`, deterministic from the seed.

    /usr/bin/python3 training/eval_set.py                 # → training/out/eval/{manifest.json, media/}
    /usr/bin/python3 training/eval_set.py --n 20 --out /tmp/eval

Every item is one of the world's own held-out dialogues, ``World(seed).dialogue(i, heldout=True)`` for i from
EVAL_OFFSET upward (taken in order, each task keeping the first ones it needs), so:

- prompts use only held-out phrasings: the held-out templates of `language.TEMPLATES` (2 per generation and
  describe intent, 1 per X→Y conversion), the held-out joiner " plus " for compound requests, the held-out
  synonyms where a value has one (tiny, huge, mid sized, shrill, raspy, pulsating, continuous, upward), and
  half of the time the held-out nouns (pic, noise, movie). With ``--words train`` the templates and joiner
  stay held out but attributes, nouns and motions are named with the training vocabulary: a word the world
  never taught cannot be understood by an LLM trained only on the world, so the two sets separate "unseen
  sentence" from "unseen word". Training dialogues use even rng streams
  (``2i``), held-out ones odd streams (``2i+1``), and training never goes near EVAL_OFFSET;
- input media are drawn by those dialogues, not from the training pools;
- expectations are the dialogue's own `outputs` (X→Y: the world's cross-modal rules; generation: the
  requested attributes, with the world's defaults for the ones a request leaves out, as its answer names them).

Tasks (``--n`` items each): describe-{image,audio,video} (images with one shape only), text-to-{image,audio,
video}, and any-to-any: the six X→Y conversions in equal numbers plus n//6 compound requests for two outputs.
Media: PNG 64×64 RGB, WAV 16-bit PCM mono 16 kHz (1 s), animated lossless WebP (16 frames, 125 ms each).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sys
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from world import World  # noqa: E402
from world import language as L  # noqa: E402
from world import world as W  # noqa: E402
from world.attributes import (  # noqa: E402
    AUDIO_ATTRS, IMAGE_ATTRS, POSITIONS, SAMPLE_RATE, SHAPES, VIDEO_ATTRS, VIDEO_FPS, VIDEO_FRAMES, label_options,
)

EVAL_OFFSET = 10_000_000  # = data.EVAL_OFFSET (not imported: data pulls in torch and the pack's models)
ATTRS = {"image": IMAGE_ATTRS, "audio": AUDIO_ATTRS, "video": VIDEO_ATTRS}
MODALITIES = ("image", "audio", "video")
CONVERSIONS = (("image", "audio"), ("audio", "image"), ("image", "video"), ("video", "image"), ("audio", "video"),
               ("video", "audio"))
TASKS = ("describe-image", "describe-audio", "describe-video", "text-to-image", "text-to-audio", "text-to-video",
         "any-to-any")
DEFAULTS = {"image": {"size": "medium", "position": "centre"}, "audio": {"timbre": "sine", "pattern": "steady"},
            "video": {}}  # what world.World._target fills in when a request leaves an attribute out
EXT = {"image": "png", "audio": "wav", "video": "webp"}
MAX_SCAN = 200_000


# --- media --------------------------------------------------------------------------------------------
def to_u8(x: np.ndarray) -> np.ndarray:
    return np.round(np.clip(x, 0, 1) * 255).astype(np.uint8)


def write_png(path: Path, img: np.ndarray) -> None:
    Image.fromarray(to_u8(img), "RGB").save(path, format="PNG")


def write_wav(path: Path, audio: np.ndarray) -> None:
    pcm = np.round(np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes(pcm.tobytes())


def write_webp(path: Path, video: np.ndarray) -> None:
    """16 frames, lossless, 125 ms each (8 fps), looping; read back to check every frame is exact."""
    u8 = to_u8(video)
    frames = [Image.fromarray(f, "RGB") for f in u8]
    frames[0].save(path, format="WEBP", save_all=True, append_images=frames[1:], duration=1000 // VIDEO_FPS,
                   loop=0, lossless=True, quality=100, method=4)
    back = read_webp(path)
    if back.shape != u8.shape or not np.array_equal(back, u8):
        raise RuntimeError(f"{path}: animated WebP did not read back exactly ({back.shape})")


def read_png(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as f:
        assert f.getnchannels() == 1 and f.getsampwidth() == 2 and f.getframerate() == SAMPLE_RATE
        return np.frombuffer(f.readframes(f.getnframes()), dtype="<i2").astype(np.float32) / 32767


def read_webp(path: Path) -> np.ndarray:
    out = []
    with Image.open(path) as im:
        for k in range(getattr(im, "n_frames", 1)):
            im.seek(k)
            out.append(np.asarray(im.convert("RGB")))
    return np.stack(out)


WRITERS = {"image": write_png, "audio": write_wav, "video": write_webp}


# --- the world's own choices, recorded -------------------------------------------------------------------
@contextlib.contextmanager
def recording(words: str = "heldout"):
    """Records, while world.dialogue runs, the request texts (L.request) and which attributes a generation
    request left out (the `omit` of L.describe_object / L.describe_audio calls that have an rng: those are the
    request's descriptions; canonical captions pass no rng). Restores the language module afterwards.

    words="train" keeps the held-out templates and joiner but names attributes, nouns and motions with the
    training vocabulary (the describe_* and noun calls get heldout=False)."""
    log: dict[str, list] = {"requests": [], "omit": []}
    orig = {k: getattr(L, k) for k in ("request", "describe_object", "describe_audio", "describe_video", "noun")}
    vocab = words == "heldout"

    def request(intent, rng, heldout, desc="", x="", y_modality=""):
        r = orig["request"](intent, rng, heldout, desc=desc, x=x, y_modality=y_modality)
        log["requests"].append((intent, r.prompt))
        return r

    def describe_object(o, rng=None, heldout=False, omit=frozenset()):
        if rng is not None:
            log["omit"].append(("image", sorted(omit)))
        return orig["describe_object"](o, rng, heldout and vocab, omit)

    def describe_audio(a, rng=None, heldout=False, omit=frozenset()):
        if rng is not None:
            log["omit"].append(("audio", sorted(omit)))
        return orig["describe_audio"](a, rng, heldout and vocab, omit)

    def describe_video(v, rng=None, heldout=False):
        if rng is not None:
            log["omit"].append(("video", []))
        return orig["describe_video"](v, rng, heldout and vocab)

    def noun(modality, rng, heldout=False):
        return orig["noun"](modality, rng, heldout and vocab)

    patched = {"request": request, "describe_object": describe_object, "describe_audio": describe_audio,
               "describe_video": describe_video, "noun": noun}
    try:
        for k, f in patched.items():
            setattr(L, k, f)
        yield log
    finally:
        for k, f in orig.items():
            setattr(L, k, f)


def template_of(intent: str, text: str) -> tuple[str, bool]:
    """The template of `intent` that produced `text`, and whether it is a held-out one (longest match first,
    so the bare "{desc}" template matches last)."""
    train, held = L.TEMPLATES[intent]
    for t, is_held in sorted([(t, False) for t in train] + [(t, True) for t in held], key=lambda p: -len(p[0])):
        rx = "^" + re.escape(t).replace(re.escape("{x}"), "(.+?)").replace(re.escape("{y}"), "(.+?)")
        rx = rx.replace(re.escape("{desc}"), "(.+)") + "$"
        if re.match(rx, text):
            return t, is_held
    raise ValueError(f"no template of {intent} gives {text!r}")


HELDOUT_NOUNS = {n for _, held in L.NOUN.values() for n in held}


def heldout_words(prompt: str) -> list[str]:
    """Held-out synonyms and nouns in a prompt (whole words; 'mid sized' as a phrase)."""
    padded = " " + re.sub(r"[^a-z' ]", " ", prompt.lower()) + " "
    return sorted(w for w in L.HELDOUT_SYNONYMS | HELDOUT_NOUNS if f" {w} " in padded)


def dialogue_record(world: World, i: int, words: str = "heldout") -> dict:
    """world.dialogue(i, heldout=True) with what it chose: its task, requests and omitted attributes."""
    with recording(words) as log:
        d = world.dialogue(i, heldout=True)
    assert d.heldout
    intents = d.intents
    if intents[0].startswith("describe_"):
        m = intents[0].split("_")[1]
        task, pair = f"describe-{m}", f"{m}→text"
    elif intents[0].startswith("gen_"):
        mods = [x[4:] for x in intents]
        task = f"text-to-{mods[0]}" if len(mods) == 1 else "any-to-any"
        pair = "text→" + "+".join(mods)
    else:
        src, dst = intents[0].split("_to_")
        task, pair = "any-to-any", f"{src}→{dst}"
    omitted = {}
    if intents[0].startswith("gen_"):
        assert [m for m, _ in log["omit"]] == [x[4:] for x in intents], (log["omit"], intents)
        omitted = {m: o for m, o in log["omit"] if o}
    parts = [{"intent": it, "text": text} for it, text in log["requests"]]
    for p in parts:
        p["template"], p["heldout"] = template_of(p["intent"], p["text"])
    return {"dialogue": d, "task": task, "pair": pair, "omitted": omitted, "parts": parts}


# --- the set ----------------------------------------------------------------------------------------------
def quotas(n: int) -> dict[str, int]:
    """Items per category: n per non-any-to-any task; any-to-any: n//6 compound, the rest split evenly over the
    six conversions (the first ones in CONVERSIONS get the remainder)."""
    q = {t: n for t in TASKS if t != "any-to-any"}
    compound = max(1, n // 6) if n > 1 else 0
    conv = n - compound
    for k, (s, d) in enumerate(CONVERSIONS):
        q[f"{s}→{d}"] = conv // 6 + (1 if k < conv % 6 else 0)
    q["compound"] = compound
    return q


def category(rec: dict) -> str:
    if rec["task"] != "any-to-any":
        return rec["task"]
    return "compound" if rec["pair"].startswith("text→") else rec["pair"]


def build(out: Path, n: int = 50, seed: int = 0, words: str = "heldout") -> dict:
    """Writes <out>/manifest.json and <out>/media/*; returns the manifest."""
    world = World(seed)
    media_dir = out / "media"
    if media_dir.exists():
        shutil.rmtree(media_dir)
    media_dir.mkdir(parents=True)
    need = quotas(n)
    got: dict[str, list[dict]] = {k: [] for k in need}
    i = EVAL_OFFSET
    while any(len(got[k]) < need[k] for k in need):
        if i - EVAL_OFFSET > MAX_SCAN:
            raise RuntimeError("eval set: ran out of dialogues")
        rec = dialogue_record(world, i, words)
        rec["index"] = i
        i += 1
        cat = category(rec)
        d = rec["dialogue"]
        if len(got[cat]) >= need[cat]:
            continue
        if rec["task"] == "describe-image" and d.inputs["image"].labels["count"] != "1":
            continue  # a caption of two shapes names two of each attribute
        got[cat].append(rec)
    scanned = i - EVAL_OFFSET

    items = []
    order = list(TASKS[:-1]) + [f"{s}→{d}" for s, d in CONVERSIONS] + ["compound"]
    counters: dict[str, int] = {}
    for cat in order:
        for rec in got[cat]:
            d, task = rec["dialogue"], rec["task"]
            k = counters.get(task, 0)
            counters[task] = k + 1
            item_id = f"{task}-{k:03d}"
            inputs, source = {}, {}
            for m, s in d.inputs.items():
                rel = f"media/{item_id}.{EXT[m]}"
                WRITERS[m](out / rel, s.data)
                inputs[m] = rel
                source[m] = {a: s.labels[a] for a in ATTRS[m]}
            if task.startswith("describe-"):
                m = task.split("-")[1]
                expect = {"text": dict(source[m])}
            else:
                expect = {m: dict(d.outputs[m]) for m in MODALITIES if m in d.outputs}
            item = {"id": item_id, "task": task, "pair": rec["pair"], "prompt": d.prompt, "inputs": inputs,
                    "expect": expect}
            if source:
                item["source"] = source
            if rec["omitted"]:
                item["defaulted"] = rec["omitted"]
            item["answer"] = d.response
            item["phrasing"] = {"templates": [p["template"] for p in rec["parts"]],
                                "heldoutTemplates": all(p["heldout"] for p in rec["parts"]),
                                "heldoutWords": heldout_words(d.prompt)}
            if len(rec["parts"]) > 1:
                item["phrasing"]["joiner"] = next(j for j in L.JOINERS[1] if j in d.prompt)
            item["world"] = {"seed": seed, "dialogue": rec["index"], "heldout": True, "intents": d.intents}
            items.append(item)

    manifest = {
        "version": 1,
        "about": "Held-out evaluation set of the mini NExT-GPT pack (training/eval_set.py). Each item is "
                 "World(seed).dialogue(world.dialogue, heldout=True): a held-out phrasing, held-out input media, "
                 "and the attributes the text answer (describe) or each generated output must have.",
        "seed": seed, "evalOffset": EVAL_OFFSET, "n": n, "scanned": scanned, "words": words,
        "counts": {t: sum(1 for it in items if it["task"] == t) for t in TASKS},
        "media": {
            "image": {"format": "png", "width": 64, "height": 64, "channels": 3},
            "audio": {"format": "wav", "encoding": "pcm_s16le", "sampleRate": SAMPLE_RATE, "channels": 1,
                      "seconds": 1.0},
            "video": {"format": "webp", "animated": True, "lossless": True, "frames": VIDEO_FRAMES,
                      "fps": VIDEO_FPS, "frameMs": 1000 // VIDEO_FPS, "width": 64, "height": 64},
        },
        "heldout": heldout_doc(),
        **vocabulary(),
        "items": items,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest


def heldout_doc() -> dict:
    return {
        "how": "World.dialogue(i, heldout=True) for i from evalOffset upward: only the held-out part of every "
               "template list, joiner and synonym list (world/language.py); training uses dialogue(i) (heldout "
               "False, other rng streams) for small i.",
        "templates": {k: v[1] for k, v in L.TEMPLATES.items()},
        "joiners": L.JOINERS[1],
        "synonyms": sorted(L.HELDOUT_SYNONYMS),
        "nouns": {m: v[1] for m, v in L.NOUN.items()},
        "videoMotionPhrases": {m: p[-1] for m, p in L.MOTION_PHRASES.items()},
        "note": "Values without a held-out synonym are named by their canonical word in held-out prompts "
                "(e.g. colours, shapes, positions, 'low', 'mid', 'sine', 'square', 'falling').",
    }


def vocabulary() -> dict:
    """How canonical captions (what the LLM answers) name each attribute value (`words`), the other phrasings
    the world uses in prompts and varied captions (`synonyms`, of which `heldoutSynonyms` only in held-out
    prompts), defaults and cross-modal rules — for parsing the LLM's text answer."""
    attrs: dict[str, dict] = {}
    mods = {"shape": ["image", "video"], "colour": ["image", "video"], "size": ["image"], "position": ["image"],
            "pitch": ["audio"], "timbre": ["audio"], "pattern": ["audio"], "motion": ["video"]}
    for a, ms in mods.items():
        values = list(label_options(a))
        words, synonyms, held = {}, {}, {}
        for v in values:
            if a == "position":
                ws = L.WORDS.get(v, [v])
                words[v] = [L.where(v, ws[0])]
                other = [L.where(v, w) for w in ws[1:]]
            elif a == "motion":
                words[v] = [L.MOTION_PHRASES[v][0]]
                other = L.MOTION_PHRASES[v][1:]
            elif a in ("shape", "colour"):  # named verbatim (WORDS["square"] is the timbre's entry)
                words[v], other = [v], []
            else:
                ws = L.WORDS.get(v, [v])
                words[v] = [ws[0]]
                other = ws[1:]
            if other:
                synonyms[v] = other
            h = ([L.MOTION_PHRASES[v][-1]] if a == "motion" else [] if a in ("shape", "colour")
                 else [x for x in L.WORDS.get(v, []) if x in L.HELDOUT_SYNONYMS])
            if h:
                held[v] = h
        attrs[a] = {"modalities": ms, "values": values, "words": words, "synonyms": synonyms,
                    "heldoutSynonyms": held}
    ex_img = {"shape": "star", "colour": "red", "size": "small", "position": "top"}
    ex_aud = {"pitch": "high", "timbre": "square", "pattern": "pulsing"}
    ex_vid = {"shape": "star", "colour": "orange", "motion": "left"}
    captions = {
        "image": {"form": "a|an <size> <colour> <shape> <position>", "order": ["size", "colour", "shape", "position"],
                  "example": L.describe_image([ex_img]),
                  "twoShapes": "two objects are joined by ' and '; the first object is the labelled one "
                               "(evaluation uses one-shape images only)"},
        "audio": {"form": "a <pitch> <pattern> <timbre> tone", "order": ["pitch", "pattern", "timbre"],
                  "example": L.describe_audio(ex_aud)},
        "video": {"form": "a|an <colour> <shape> <motion>", "order": ["colour", "shape", "motion"],
                  "example": L.describe_video(ex_vid)},
    }
    answers = {
        "describe": "<caption>.",
        "generate": "here is <caption>. <signal tokens>  (one such sentence per output, in request order)",
        "signalTokens": {m: W.signal_tokens(m) for m in MODALITIES},
        "parsing": "Split a generation answer at its signal tokens and parse each caption with its own modality's "
                   "vocabulary ('square' is a shape and a timbre; 'left'/'right' a position and a motion; "
                   "'top left' contains 'top' and 'left'): match the longest phrase first.",
    }
    rules = {
        "image→audio": {"pitch": {"from": "position", "map": {p: W.ROW_PITCH[POSITIONS[p][1]] for p in POSITIONS}},
                        "timbre": {"from": "shape", "map": W.SHAPE_TIMBRE}, "pattern": "steady"},
        "image→video": {"shape": "same", "colour": "same",
                        "motion": {"from": "shape", "map": {s: "growing" if s == "circle" else "spinning"
                                                            for s in SHAPES}}},
        "audio→image": {"shape": {"from": "timbre", "map": W.TIMBRE_SHAPE},
                        "colour": {"from": "pattern", "map": W.PATTERN_COLOUR}, "size": "medium",
                        "position": {"from": "pitch", "map": W.PITCH_POSITION}},
        "audio→video": {"shape": {"from": "timbre", "map": W.TIMBRE_SHAPE},
                        "colour": {"from": "pitch", "map": W.PITCH_COLOUR},
                        "motion": {"from": "pattern", "map": W.PATTERN_MOTION}},
        "video→image": {"shape": "same", "colour": "same", "size": "medium", "position": "centre"},
        "video→audio": {"pitch": "mid", "timbre": {"from": "shape", "map": W.SHAPE_TIMBRE},
                        "pattern": {"from": "motion", "map": W.MOTION_PATTERN}},
    }
    return {"attributes": attrs, "captions": captions, "answers": answers, "defaults": DEFAULTS,
            "fixed": {"video": {"size": "medium"}}, "rules": rules}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=HERE / "out" / "eval")
    ap.add_argument("--n", type=int, default=50, help="items per task")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--words", choices=("heldout", "train"), default="heldout",
                    help="heldout: held-out synonyms, nouns and motion phrases too (the default); train: held-out "
                         "templates and joiner with the training vocabulary (→ default --out out/eval-train-words)")
    args = ap.parse_args()
    if args.words == "train" and args.out == HERE / "out" / "eval":
        args.out = HERE / "out" / "eval-train-words"
    import time
    t0 = time.time()
    m = build(args.out, args.n, args.seed, args.words)
    print(f"wrote {args.out / 'manifest.json'}: {len(m['items'])} items {m['counts']} from {m['scanned']} "
          f"held-out dialogues in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
