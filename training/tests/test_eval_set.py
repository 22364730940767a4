"""Eval-set tests: determinism, expectations consistent with the world's cross-modal rules and defaults, media
that decode to their labels, held-out phrasings only, and a caption vocabulary that parses the world's answers.

Run: /usr/bin/python3 -m unittest discover -s training/tests -t training
"""
from __future__ import annotations

import json
import re
import tempfile
import unittest
from pathlib import Path

import numpy as np

import eval_set as E
from world import COLOURS, PITCHES, World
from world import language as L
from world.attributes import GRID_PX, POSITIONS, SAMPLE_RATE

N = 14  # items per task: any-to-any gets 2 compound requests and 2 of each conversion


# The cross-modal rules written out here on their own (not read from world.py), so that a change to the world's
# tables shows up as a test failure: pitch ↔ height (high = top), timbre ↔ shape, pattern ↔ colour or motion.
SHAPE_TIMBRE = {"circle": "sine", "diamond": "sine", "square": "square", "cross": "square", "triangle": "saw",
                "star": "saw"}
TIMBRE_SHAPE = {"sine": "circle", "square": "square", "saw": "triangle"}
ROW_PITCH = {"top": "high", "": "mid", "bottom": "low"}  # by the position's first word (left/centre/right: mid)
PITCH_POSITION = {"high": "top", "mid": "centre", "low": "bottom"}
PATTERN_COLOUR = {"steady": "blue", "pulsing": "red", "rising": "green", "falling": "yellow"}
PITCH_COLOUR = {"low": "blue", "mid": "green", "high": "red"}
PATTERN_MOTION = {"steady": "right", "pulsing": "growing", "rising": "up", "falling": "down"}
MOTION_PATTERN = {"up": "rising", "down": "falling", "growing": "pulsing", "left": "steady", "right": "steady",
                  "spinning": "steady"}


def rule(src: str, dst: str, a: dict[str, str]) -> dict[str, str]:
    """What an X→Y conversion must produce from the source's labels."""
    if (src, dst) == ("image", "audio"):
        row = a["position"].split()[0] if a["position"].split()[0] in ("top", "bottom") else ""
        return {"pitch": ROW_PITCH[row], "timbre": SHAPE_TIMBRE[a["shape"]], "pattern": "steady"}
    if (src, dst) == ("image", "video"):
        return {"shape": a["shape"], "colour": a["colour"],
                "motion": "growing" if a["shape"] == "circle" else "spinning"}
    if (src, dst) == ("audio", "image"):
        return {"shape": TIMBRE_SHAPE[a["timbre"]], "colour": PATTERN_COLOUR[a["pattern"]], "size": "medium",
                "position": PITCH_POSITION[a["pitch"]]}
    if (src, dst) == ("audio", "video"):
        return {"shape": TIMBRE_SHAPE[a["timbre"]], "colour": PITCH_COLOUR[a["pitch"]],
                "motion": PATTERN_MOTION[a["pattern"]]}
    if (src, dst) == ("video", "image"):
        return {"shape": a["shape"], "colour": a["colour"], "size": "medium", "position": "centre"}
    return {"pitch": "mid", "timbre": SHAPE_TIMBRE[a["shape"]], "pattern": MOTION_PATTERN[a["motion"]]}


def dominant_colour(img: np.ndarray) -> str:
    px = img.reshape(-1, 3).astype(np.float64)
    lit = px[px.max(axis=1) > 127]
    mean = lit.mean(axis=0)
    return min(COLOURS, key=lambda c: float(np.sum((np.asarray(COLOURS[c]) - mean) ** 2)))


def centroid(img: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(img.max(axis=2) > 127)
    return float(xs.mean()), float(ys.mean())


def parse_caption(text: str, modality: str, vocab: dict) -> dict[str, str]:
    """What evaluate.ts has to do with a canonical caption: per attribute of the modality, the one value whose
    caption phrase occurs (longest phrases first, each match consumed)."""
    out: dict[str, str] = {}
    rest = " " + text.lower() + " "
    for attr, spec in vocab.items():
        if modality not in spec["modalities"]:
            continue
        phrases = sorted(((p, v) for v, ps in spec["words"].items() for p in ps), key=lambda pv: -len(pv[0]))
        for p, v in phrases:
            m = re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", rest)
            if m:
                out[attr] = v
                rest = rest[: m.start()] + " # " + rest[m.end():]
                break
    return out


SIGNAL = {"IMG": "image", "AUD": "audio", "VID": "video"}


def answer_captions(answer: str) -> list[tuple[str, str]]:
    """[(modality, caption)] of a generation answer 'here is <cap>. [IMG0]…' (one per output)."""
    return [(SIGNAL[m.group(3)], m.group(1))
            for m in re.finditer(r"here is (.+?)\. (\[(IMG|AUD|VID)\d+\](?:\[(?:IMG|AUD|VID)\d+\])*)", answer)]


class EvalSet(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = Path(cls.tmp.name) / "a"
        cls.m = E.build(cls.out, N, 0)
        cls.items = cls.m["items"]
        cls.world = World(0)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def test_deterministic(self) -> None:
        again = Path(self.tmp.name) / "b"
        m2 = E.build(again, N, 0)
        self.assertEqual(json.dumps(self.m, sort_keys=True), json.dumps(m2, sort_keys=True))
        files = sorted(p.name for p in (self.out / "media").iterdir())
        self.assertEqual(files, sorted(p.name for p in (again / "media").iterdir()))
        for f in files:
            self.assertEqual((self.out / "media" / f).read_bytes(), (again / "media" / f).read_bytes(), f)
        self.assertEqual((self.out / "manifest.json").read_bytes(), (again / "manifest.json").read_bytes())

    def test_eval_offset_is_the_training_split(self) -> None:
        import data
        import judges
        self.assertEqual(E.EVAL_OFFSET, data.EVAL_OFFSET)
        self.assertEqual(judges.EVAL_OFFSET, data.EVAL_OFFSET)

    def test_counts_and_pairs(self) -> None:
        for t in E.TASKS:
            self.assertEqual(self.m["counts"][t], N, t)
        pairs = [it["pair"] for it in self.items if it["task"] == "any-to-any"]
        for s, d in E.CONVERSIONS:
            self.assertEqual(pairs.count(f"{s}→{d}"), 2)
        self.assertEqual(sum(p.startswith("text→") and "+" in p for p in pairs), 2)
        self.assertEqual(len({it["id"] for it in self.items}), len(self.items))

    def test_held_out_and_beyond_eval_offset(self) -> None:
        train_prompts = {self.world.dialogue(i).prompt for i in range(400)}
        train_templates = [t for tr, _ in L.TEMPLATES.values() for t in tr]
        for it in self.items:
            self.assertGreaterEqual(it["world"]["dialogue"], E.EVAL_OFFSET)
            self.assertTrue(it["phrasing"]["heldoutTemplates"], it["prompt"])
            self.assertNotIn(it["prompt"], train_prompts)
            held = {t for _, h in L.TEMPLATES.values() for t in h}
            for t in it["phrasing"]["templates"]:
                self.assertIn(t, held)
                self.assertNotIn(t, train_templates)
            words = set(re.sub(r"[^a-z' ]", " ", it["prompt"]).split())
            for t in train_templates:  # no training template's fixed text
                fixed = t.split("{")[0].strip()
                if len(fixed) > 8:
                    self.assertNotIn(fixed, it["prompt"], it["prompt"])
            # training-only synonyms never appear in held-out prompts (values without one use the canonical word)
            train_only = {w for ws in L.WORDS.values() for w in ws[1:] if w not in L.HELDOUT_SYNONYMS and " " not in w}
            self.assertFalse(words & train_only, it["prompt"])
            if it["pair"].startswith("text→") and "video" in it["expect"]:  # video requests: held-out motion phrase
                for ps in L.MOTION_PHRASES.values():
                    for p in ps[:-1]:
                        self.assertNotIn(p, it["prompt"])
                self.assertTrue(any(ps[-1] in it["prompt"] for ps in L.MOTION_PHRASES.values()), it["prompt"])

    def test_expectations_follow_the_world(self) -> None:
        for it in self.items:
            d = self.world.dialogue(it["world"]["dialogue"], heldout=True)
            self.assertEqual(d.prompt, it["prompt"])
            self.assertEqual(d.response, it["answer"])
            if it["task"].startswith("describe-"):
                m = it["task"].split("-")[1]
                self.assertEqual(it["expect"], {"text": it["source"][m]})
                self.assertEqual({k: d.inputs[m].labels[k] for k in E.ATTRS[m]}, it["source"][m])
                if m == "image":
                    self.assertEqual(d.inputs[m].labels["count"], "1")
            else:
                self.assertEqual(it["expect"], d.outputs)
                self.assertNotIn("text", it["expect"])

    def test_conversions_follow_the_rules(self) -> None:
        n = 0
        for it in self.items:
            if it["task"] != "any-to-any" or it["pair"].startswith("text→"):
                continue
            src, dst = it["pair"].split("→")
            self.assertEqual(list(it["inputs"]), [src])
            self.assertEqual(it["expect"], {dst: rule(src, dst, it["source"][src])}, it["id"])
            n += 1
        self.assertEqual(n, 12)

    def test_manifest_rules_table(self) -> None:
        r = self.m["rules"]
        self.assertEqual(r["image→audio"]["timbre"]["map"], SHAPE_TIMBRE)
        self.assertEqual(r["audio→image"]["shape"]["map"], TIMBRE_SHAPE)
        self.assertEqual(r["audio→image"]["colour"]["map"], PATTERN_COLOUR)
        self.assertEqual(r["audio→image"]["position"]["map"], PITCH_POSITION)
        self.assertEqual(r["audio→video"]["colour"]["map"], PITCH_COLOUR)
        self.assertEqual(r["audio→video"]["motion"]["map"], PATTERN_MOTION)
        self.assertEqual(r["video→audio"]["pattern"]["map"], MOTION_PATTERN)
        for p, pitch in r["image→audio"]["pitch"]["map"].items():
            self.assertEqual(rule("image", "audio", {"position": p, "shape": "circle"})["pitch"], pitch)

    def test_generation_defaults(self) -> None:
        defaulted = 0
        for it in self.items:
            if not it["pair"].startswith("text→"):
                continue
            for m, attrs in it.get("defaulted", {}).items():
                for a in attrs:
                    self.assertEqual(it["expect"][m][a], E.DEFAULTS[m][a])
                    defaulted += 1
            for m, labels in it["expect"].items():  # named attributes are in the prompt (some synonym of them)
                for a, v in labels.items():
                    if a in it.get("defaulted", {}).get(m, []):
                        continue
                    spec = self.m["attributes"][a]
                    names = spec["words"][v] + spec["synonyms"].get(v, [])
                    if a == "position":
                        names = [n.split(" ", 2)[-1].replace(" corner", "") for n in names]
                    self.assertTrue(any(n in it["prompt"] for n in names), (it["prompt"], a, v))
        self.assertGreater(defaulted, 0)

    def test_media_decode_to_their_labels(self) -> None:
        for it in self.items:
            for m, rel in it["inputs"].items():
                path = self.out / rel
                lab = it["source"][m]
                if m == "image":
                    img = E.read_png(path)
                    self.assertEqual(img.shape, (64, 64, 3))
                    self.assertEqual(dominant_colour(img), lab["colour"])
                    col, row = POSITIONS[lab["position"]]
                    cx, cy = centroid(img)
                    self.assertLess(abs(cx - GRID_PX[col]), 5)
                    self.assertLess(abs(cy - GRID_PX[row]), 6)
                elif m == "audio":
                    x = E.read_wav(path)
                    self.assertEqual(x.shape, (SAMPLE_RATE,))
                    peak = np.argmax(np.abs(np.fft.rfft(x))) * SAMPLE_RATE / len(x)
                    self.assertEqual(min(PITCHES, key=lambda p: abs(np.log2(peak / PITCHES[p]))), lab["pitch"])
                else:
                    v = E.read_webp(path)
                    self.assertEqual(v.shape, (16, 64, 64, 3))
                    self.assertEqual(dominant_colour(v[8]), lab["colour"])
                    (x0, y0), (x1, y1) = centroid(v[0]), centroid(v[-1])
                    way = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
                    dx, dy = way.get(lab["motion"], (0, 0))
                    if dx or dy:
                        self.assertGreater(dx * (x1 - x0) + dy * (y1 - y0), 20, it["id"])

    def test_webp_is_exact(self) -> None:
        it = next(i for i in self.items if "video" in i["inputs"])
        d = self.world.dialogue(it["world"]["dialogue"], heldout=True)
        np.testing.assert_array_equal(E.read_webp(self.out / it["inputs"]["video"]), E.to_u8(d.inputs["video"].data))

    def test_vocabulary_parses_canonical_answers(self) -> None:
        vocab = self.m["attributes"]
        for it in self.items:
            if it["task"].startswith("describe-"):
                m = it["task"].split("-")[1]
                self.assertEqual(parse_caption(it["answer"].rstrip("."), m, vocab), it["expect"]["text"])
            else:
                caps = answer_captions(it["answer"])
                self.assertEqual(sorted(m for m, _ in caps), sorted(it["expect"]))
                for m, cap in caps:
                    self.assertEqual(parse_caption(cap, m, vocab), it["expect"][m], cap)

    def test_vocabulary_covers_every_value(self) -> None:
        w = World(0)
        for i in range(200):  # every canonical caption of rendered samples parses back to its labels
            for m in ("image", "audio", "video"):
                s = getattr(w, m)(i)
                if m == "image" and s.labels["count"] != "1":
                    continue
                self.assertEqual(parse_caption(s.caption, m, self.m["attributes"]),
                                 {a: s.labels[a] for a in E.ATTRS[m]}, s.caption)


class TrainWordsSet(unittest.TestCase):
    """`--words train`: held-out templates and joiner, training vocabulary."""

    def test_templates_held_out_words_not(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            m = E.build(Path(tmp), N, 0, "train")
        self.assertEqual(m["words"], "train")
        held = {t for _, h in L.TEMPLATES.values() for t in h}
        held_nouns = {n for _, h in L.NOUN.values() for n in h}
        held_motion = {ps[-1] for ps in L.MOTION_PHRASES.values()}
        for it in m["items"]:
            self.assertTrue(it["phrasing"]["heldoutTemplates"], it["prompt"])
            for t in it["phrasing"]["templates"]:
                self.assertIn(t, held)
            x_nouns = set(re.findall(r"this (\w+)", it["prompt"]))  # the {x} of held-out templates
            self.assertFalse(x_nouns & held_nouns, it["prompt"])
            prompt = " " + re.sub(r"[^a-z' ]", " ", it["prompt"]) + " "
            for w in L.HELDOUT_SYNONYMS:
                self.assertNotIn(f" {w} ", prompt, it["prompt"])
            for ph in held_motion:
                self.assertNotIn(ph, it["prompt"])
        self.assertEqual(m["counts"]["text-to-video"], N)


class PromptNoise(unittest.TestCase):
    def test_keeps_attribute_words_and_is_deterministic(self) -> None:
        import data as D
        w = World(0)
        for i in range(300):
            d = w.dialogue(i)
            a = D.noisy_prompt(d.prompt, np.random.default_rng([5, i]))
            self.assertEqual(a, D.noisy_prompt(d.prompt, np.random.default_rng([5, i])))
            kept = [x.strip("?.,!") for x in a.split()]
            for word in d.prompt.split():
                core = word.strip("?.,!")
                if core in D.PROTECTED and core not in ("and", "then", "also"):  # joiners may go (below)
                    self.assertIn(core, kept, (d.prompt, a))
        for word in L.HELDOUT_SYNONYMS:
            self.assertNotIn(word, D.PROTECTED)
        changed = sum(D.noisy_prompt(w.dialogue(i).prompt, np.random.default_rng(i)) != w.dialogue(i).prompt
                      for i in range(200))
        self.assertGreater(changed, 60)

    def test_joiners_become_unknown_words_and_both_requests_stay(self) -> None:
        import data as D
        outs = [D.noisy_prompt("draw a red star and then play a low beep", np.random.default_rng(i)) for i in range(200)]
        self.assertGreater(sum(" and then " not in o for o in outs), 25)
        for o in outs:
            words = [x.strip("?.,!") for x in o.split()]
            for kept in ("red", "star", "low", "beep"):
                self.assertIn(kept, words, o)

    def test_describe_requests_lose_their_noun_only_when_asked(self) -> None:
        import data as D
        plain = [D.noisy_prompt("describe this clip.", np.random.default_rng(i)) for i in range(200)]
        self.assertTrue(all("clip" in o for o in plain))
        swapped = [D.noisy_prompt("describe this clip.", np.random.default_rng(i), describe=True) for i in range(200)]
        gone = [o for o in swapped if "clip" not in o]
        self.assertGreater(len(gone), 30)  # 25% of them, less the swaps to "clip" itself
        self.assertTrue(any(n in o.split(" ") for o in gone for n in ("picture", "tone", "sound")))
        # attribute words are never swapped: only nouns are
        a = [D.noisy_prompt("what is in this picture? a red star", np.random.default_rng(i), describe=True)
             for i in range(100)]
        self.assertTrue(all("red" in o and "star" in o for o in a))

    def test_describe_requests_may_lose_every_word_but_what_they_are_about(self) -> None:
        import data as D
        outs = [D.noisy_prompt("what do you see in this picture?", np.random.default_rng(i), p=0, describe=True)
                for i in range(300)]
        unknown = [o for o in outs if not {"what", "do", "you", "see"} & set(o.split(" "))]
        self.assertGreater(len(unknown), 50)  # 30% of them
        self.assertTrue(all(o.split(" ")[-2] == "this" for o in unknown))  # protected words stay
        # a conversion's cues are never noised, so noise never makes one look like a describe request
        self.assertIn("turn", D.CUES)
        self.assertNotIn("of", D.CUES)  # describe templates use it too
        conv = [D.noisy_prompt("turn this picture into a sound", np.random.default_rng(i), p=1) for i in range(200)]
        self.assertTrue(all({"turn", "into", "sound"} <= {w.strip("?.,!") for w in o.split(" ")} for o in conv))

    def test_a_directed_motion_may_lose_its_verb_never_its_direction(self) -> None:
        import data as D
        vid = [D.noisy_prompt("animate a red star moving to the left", np.random.default_rng(i)) for i in range(200)]
        self.assertGreater(sum("moving" not in o for o in vid), 40)
        self.assertTrue(all({"red", "star", "to", "the", "left"} <= {w.strip("?.,!") for w in o.split(" ")}
                            for o in vid))


if __name__ == "__main__":
    unittest.main()
