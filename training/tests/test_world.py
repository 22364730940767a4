"""World tests: determinism and that rendered content matches its labels.

Run: /usr/bin/python3 -m unittest discover -s training/tests -t training
"""
from __future__ import annotations

import unittest

import numpy as np

from world import COLOURS, PITCHES, World
from world.attributes import GRID_PX, POSITIONS, SAMPLE_RATE
from world.language import HELDOUT_SYNONYMS, TEMPLATES


def dominant_colour(img: np.ndarray) -> str:
    """Nearest named colour to the mean of the clearly coloured pixels."""
    px = img.reshape(-1, 3)
    lit = px[px.max(axis=1) > 0.5]
    mean = lit.mean(axis=0) * 255
    return min(COLOURS, key=lambda c: float(np.sum((np.asarray(COLOURS[c]) - mean) ** 2)))


def centroid(img: np.ndarray) -> tuple[float, float]:
    m = img.max(axis=2)
    ys, xs = np.nonzero(m > 0.5)
    return float(xs.mean()), float(ys.mean())


class Determinism(unittest.TestCase):
    def test_same_seed_same_samples(self) -> None:
        a, b = World(7), World(7)
        for i in (0, 5, 123):
            np.testing.assert_array_equal(a.image(i).data, b.image(i).data)
            np.testing.assert_array_equal(a.audio(i).data, b.audio(i).data)
            np.testing.assert_array_equal(a.video(i).data, b.video(i).data)
            self.assertEqual(a.dialogue(i).prompt, b.dialogue(i).prompt)
            self.assertEqual(a.dialogue(i).response, b.dialogue(i).response)

    def test_order_does_not_matter(self) -> None:
        w = World(3)
        late = w.image(10).data
        for i in range(10):
            w.image(i)
        np.testing.assert_array_equal(late, World(3).image(10).data)

    def test_different_seeds_differ(self) -> None:
        self.assertFalse(all(World(1).image(i).caption == World(2).image(i).caption for i in range(10)))


class Labels(unittest.TestCase):
    def test_image_colour_and_position(self) -> None:
        w = World(0)
        for i in range(60):
            s = w.image(i)
            if s.labels["count"] != "1":
                continue
            self.assertEqual(dominant_colour(s.data), s.labels["colour"], s.caption)
            col, row = POSITIONS[s.labels["position"]]
            cx, cy = centroid(s.data)
            self.assertLess(abs(cx - GRID_PX[col]), 5, s.caption)
            self.assertLess(abs(cy - GRID_PX[row]), 6, s.caption)  # triangles and stars sit off-centre

    def test_image_size_orders_area(self) -> None:
        w = World(0)
        areas: dict[str, list[float]] = {}
        for i in range(200):
            s = w.image(i)
            if s.labels["count"] == "1" and s.labels["shape"] == "circle":
                areas.setdefault(s.labels["size"], []).append(float((s.data.max(axis=2) > 0.5).sum()))
        means = {k: np.mean(v) for k, v in areas.items()}
        self.assertLess(means["small"], means["medium"])
        self.assertLess(means["medium"], means["large"])

    def test_audio_fft_peak_matches_pitch(self) -> None:
        w = World(0)
        for i in range(40):
            s = w.audio(i)
            spec = np.abs(np.fft.rfft(s.data))
            peak = np.argmax(spec) * SAMPLE_RATE / len(s.data)
            nearest = min(PITCHES, key=lambda p: abs(np.log2(peak / PITCHES[p])))
            self.assertEqual(nearest, s.labels["pitch"], f"{s.caption}: peak {peak:.0f} Hz")
            self.assertLessEqual(float(np.abs(s.data).max()), 1.0)

    def test_audio_pulsing_has_gaps(self) -> None:
        w = World(0)
        for i in range(40):
            s = w.audio(i)
            frames = np.abs(s.data[: 16000 - 16000 % 400]).reshape(-1, 400).max(axis=1)
            silent = float((frames < 0.05).mean())
            if s.labels["pattern"] == "pulsing":
                self.assertGreater(silent, 0.3, s.caption)
            else:
                self.assertLess(silent, 0.1, s.caption)

    def test_video_motion_direction(self) -> None:
        w = World(0)
        for i in range(40):
            s = w.video(i)
            (x0, y0), (x1, y1) = centroid(s.data[0]), centroid(s.data[-1])
            m = s.labels["motion"]
            if m == "left":
                self.assertLess(x1, x0 - 20)
            elif m == "right":
                self.assertGreater(x1, x0 + 20)
            elif m == "up":
                self.assertLess(y1, y0 - 20)
            elif m == "down":
                self.assertGreater(y1, y0 + 20)
            elif m == "growing":
                self.assertGreater((s.data[-1].max(axis=2) > 0.5).sum(), 4 * (s.data[0].max(axis=2) > 0.5).sum())
            self.assertEqual(dominant_colour(s.data[8]), s.labels["colour"])


class Language(unittest.TestCase):
    def test_heldout_phrasings_never_in_training(self) -> None:
        w = World(0)
        held = [t for _, h in TEMPLATES.values() for t in h]
        for i in range(300):
            d = w.dialogue(i)
            self.assertFalse(set(d.prompt.replace("?", " ").replace(",", " ").split()) & HELDOUT_SYNONYMS, d.prompt)
            for t in held:
                fixed = t.split("{")[0].strip()
                if len(fixed) > 8:
                    self.assertNotIn(fixed, d.prompt)

    def test_generation_answers_carry_signal_tokens(self) -> None:
        w = World(0)
        for i in range(100):
            d = w.dialogue(i)
            for m in d.outputs:
                tag = {"image": "[IMG3]", "audio": "[AUD7]", "video": "[VID23]"}[m]
                self.assertIn(tag, d.response)
                self.assertIn(d.output_captions[m], d.response)
            if not d.outputs:
                self.assertNotIn("[", d.response)

    def test_conversions_name_their_output_with_any_noun_of_its_modality(self) -> None:
        from world.language import NOUN
        w = World(0)
        seen: dict[str, set[str]] = {}
        for i in range(2000):
            d = w.dialogue(i)
            if " into " in d.prompt and d.intents[0].count("_to_"):
                dst = d.intents[0].split("_to_")[1]
                tail = d.prompt.split(" into ")[1].split()
                self.assertIn(tail[0], ("a", "an"), d.prompt)
                self.assertIn(tail[1], NOUN[dst][0], d.prompt)
                seen.setdefault(dst, set()).add(tail[1])
        self.assertEqual({m: set(NOUN[m][0]) for m in NOUN}, seen)


if __name__ == "__main__":
    unittest.main()
