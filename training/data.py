"""Batches for every training stage, built from the world on the fly (no dataset on disk).

Index ranges keep splits apart: training uses indices from 0 upward, evaluation uses EVAL_OFFSET upward.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from models.encoders import TEXT_LEN, audio_features, image_pixels, video_pixels
from models.projectors import COND_LEN
from models.tokenizer import EOS_ID, BpeTokenizer
from world import World
from world.attributes import PITCHES, SAMPLE_RATE
from world.language import NOUN
from world.world import Dialogue, Sample

EVAL_OFFSET = 10_000_000
PROMPT_HEAD = "### Human: "  # the llm node's default template, split where media go
PROMPT_TAIL = "\n### Assistant:"


def pad_ids(ids: list[int], n: int) -> list[int]:
    return (ids + [0] * n)[:n]


def encoder_input(s: Sample) -> np.ndarray:
    """What the encoder executor feeds for a sample (without the batch dim)."""
    if s.modality == "image":
        return image_pixels(s.data)
    if s.modality == "audio":
        return audio_features(s.data)
    return video_pixels(s.data)


def sample_of(world: World, modality: str, i: int) -> Sample:
    return getattr(world, modality)(i)


def contrastive_batch(world: World, tok: BpeTokenizer, modality: str, start: int, n: int) -> tuple[Tensor, Tensor]:
    """(encoder inputs [n,…], caption ids [n,TEXT_LEN]) with varied captions."""
    xs, ids = [], []
    for i in range(start, start + n):
        s = sample_of(world, modality, i)
        xs.append(encoder_input(s))
        ids.append(pad_ids(tok.encode(world.caption(s, i)), TEXT_LEN))
    return torch.from_numpy(np.stack(xs)), torch.tensor(ids)


def caption_ids(tok: BpeTokenizer, captions: list[str]) -> Tensor:
    return torch.tensor([pad_ids(tok.encode(c), COND_LEN) for c in captions])


def audio_controls(labels: dict[str, str], detune: float, frames: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """The renderer's own log2-f0 and loudness per 10 ms frame (supervision for the DDSP decoder)."""
    t = (np.arange(frames) + 0.5) / frames
    f = PITCHES[labels["pitch"]] * detune
    if labels["pattern"] == "rising":
        f = f * 2 ** ((t - 0.5) * 0.5)
    elif labels["pattern"] == "falling":
        f = f * 2 ** ((0.5 - t) * 0.5)
    log2f = np.log2(np.broadcast_to(f, t.shape))
    loud = np.full(frames, 0.5 / 0.9)
    if labels["pattern"] == "pulsing":
        loud = loud * (np.sin(2 * np.pi * 4 * t - np.pi / 2) > 0)
    return log2f.astype(np.float32), loud.astype(np.float32)


def audio_batch(world: World, start: int, n: int):
    """(waveforms [n,16000], captions, log2-f0 [n,100], loudness [n,100])."""
    waves, caps, f0s, louds = [], [], [], []
    for i in range(start, start + n):
        rng = world.rng("audio", i)
        attrs = world.audio_attrs(rng)
        detune = float(rng.uniform(0.92, 1.08))
        s = world.make_audio(attrs, detune)
        waves.append(s.data)
        caps.append(world.caption(s, i))
        f0, loud = audio_controls(s.labels, detune)
        f0s.append(f0)
        louds.append(loud)
    return (torch.from_numpy(np.stack(waves)), caps, torch.from_numpy(np.stack(f0s)),
            torch.from_numpy(np.stack(louds)))


def pixels_batch(world: World, modality: str, start: int, n: int) -> tuple[Tensor, list[str]]:
    """Images [n,3,64,64] or videos [n,16,3,64,64] in [-1,1], with varied captions."""
    xs, caps = [], []
    for i in range(start, start + n):
        s = sample_of(world, modality, i)
        x = s.data * 2 - 1
        xs.append(x.transpose(2, 0, 1) if modality == "image" else x.transpose(0, 3, 1, 2))
        caps.append(world.caption(s, i))
    return torch.from_numpy(np.stack(xs).astype(np.float32)), caps


# --- prompt noise ---------------------------------------------------------------------------------------
#: The training nouns of every modality (picture, tone, clip, …).
_ALL_NOUNS = [n for train, _ in NOUN.values() for n in train]
#: Joiners of compound requests that prompt noise may replace by an unknown word (" and " also joins the two
#: shapes of one image, so it stays).
_JOINERS = (", and also ", " and then ")


#: The verb of the directed motion phrases ("moving left", "moving to the left", "moving upwards"): the
#: direction says the motion, so noise may drop or replace the verb, as a person says "sliding left".
_MOTION_VERB = "moving"


def _protected_words() -> frozenset[str]:
    """Words that carry what a request asks for: attribute values and their training synonyms, nouns, motion
    phrases, position words and joiners. Prompt noise never drops or replaces them (the answer depends on
    them), except the two perturbations `noisy_prompt` names: a joiner of `_JOINERS`, and a describe request's
    noun. Held-out synonyms are not in the set, because training never sees them."""
    from world import language as L
    from world.attributes import COLOURS, SHAPES
    words = set(SHAPES) | set(COLOURS) | {"and", "then", "also", "a", "an", "the", "this", "in", "on", "at",
                                          "corner", "of"}
    for options in L.WORDS.values():
        for w in options:
            if w not in L.HELDOUT_SYNONYMS:
                words.update(w.split())
    words.update(_ALL_NOUNS)
    for phrases in L.MOTION_PHRASES.values():
        for ph in phrases[:-1]:
            words.update(ph.split())
    return frozenset(words - {_MOTION_VERB})


PROTECTED = _protected_words()


def _cue_words() -> frozenset[str]:
    """Words of the generation and conversion templates that no describe template uses ("play", "animate",
    "into", "still", …). Prompt noise never drops or replaces them either: a request with media attached and
    none of them is a request to describe the media, so noise must not turn a conversion into such a
    request."""
    from world import language as L

    def words(templates: list[str]) -> set[str]:
        out = set()
        for t in templates:
            for slot in ("{desc}", "{x}", "{y}"):
                t = t.replace(slot, " ")
            out.update(w.strip("?.,!") for w in t.split())
        return out - {""}

    describe = words(L.TEMPLATES["describe"][0])
    other = words([t for intent, (train, _) in L.TEMPLATES.items() if intent != "describe" for t in train])
    return frozenset(other - describe)


CUES = _cue_words()
#: What prompt noise never drops or replaces.
_KEPT = PROTECTED | CUES
_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def _random_word(rng: np.random.Generator) -> str:
    return "".join(rng.choice(_LETTERS, int(rng.integers(2, 9))))


def _other_noun(word: str, rng: np.random.Generator) -> str:
    """`word` (punctuation kept) with its noun replaced by any modality's noun (60%) or an unknown word."""
    core = word.rstrip("?.,!")
    if core not in _ALL_NOUNS:
        return word
    return (str(rng.choice(_ALL_NOUNS)) if rng.random() < 0.6 else _random_word(rng)) + word[len(core):]


def _replaced(word: str, core: str, rng: np.random.Generator) -> str:
    """An unknown word in place of `word`, keeping the punctuation after its `core`."""
    return _random_word(rng) + word[len(core):] if word.startswith(core) else _random_word(rng)


def _unknown_unless_kept(word: str, rng: np.random.Generator) -> str:
    """`word` (punctuation kept), or an unknown word where it is neither protected nor a cue."""
    core = word.strip("?.,!")
    return word if not core or core in _KEPT else _replaced(word, core, rng)


def noisy_prompt(prompt: str, rng: np.random.Generator, p: float = 0.6, describe: bool = False) -> str:
    """With probability p, perturbs a request's wording where it carries no attribute: drops words, replaces
    them with random letter strings (which the tokenizer splits into pieces never seen as words, as it does a
    person's own wording), inserts such strings, and varies the final punctuation. The LLM thereby learns to
    read the intent from what remains and to ignore words it does not know, instead of memorising the
    templates; the answer is unchanged, so no attribute is ever invented.

    Cue words (`CUES`: "play", "animate", "into", …) are never touched, so a conversion always keeps what asks
    for it. More perturbations, each with its own probability: a compound request's joiner becomes an unknown
    word (a person may say "plus"; the second request still stands); in a request to describe the attached
    media (``describe``) the media's noun becomes another modality's noun or an unknown word (25%): what is
    attached decides what the answer describes, not the noun, so "describe this picture" with a clip attached
    still gets the clip's caption; a describe request has every word that is neither protected nor a cue
    replaced by an unknown word (30%): media attached and no cue means "describe", whatever the verb, so a
    describe request in words never seen ("give me a short description of this clip") is not read as a
    conversion; and the verb of a directed motion ("moving left") becomes an unknown word (25%, beside the
    general noise, which may also drop it): the direction still says the motion, as in "sliding left"."""
    for j in _JOINERS:
        if j in prompt and rng.random() < 0.25:
            prompt = prompt.replace(j, " " + _random_word(rng) + " ")
    if describe and rng.random() < 0.25:
        prompt = " ".join(_other_noun(w, rng) for w in prompt.split(" "))
    if describe and rng.random() < 0.3:
        prompt = " ".join(_unknown_unless_kept(w, rng) for w in prompt.split(" "))
    if f" {_MOTION_VERB} " in prompt and rng.random() < 0.25:
        prompt = prompt.replace(f" {_MOTION_VERB} ", f" {_random_word(rng)} ")
    if rng.random() >= p:
        return prompt
    out = []
    for w in prompt.split(" "):
        core = w.strip("?.,!")
        if core not in _KEPT:
            r = rng.random()
            if r < 0.12:
                continue
            if r < 0.27:
                w = _replaced(w, core, rng)
        out.append(w)
        if rng.random() < 0.08:
            out.append(_random_word(rng))
    if rng.random() < 0.15:
        out.insert(0, _random_word(rng))
    text = " ".join(out).rstrip("?.,! ")
    return text + str(rng.choice(["", "", ".", "?", "!", ", please", " please"]))


# --- LLM sequences --------------------------------------------------------------------------------------
class Sequence_:
    """One LLM training sequence: token ids with media slots, and the labels of the answer."""

    def __init__(self, tok: BpeTokenizer, prompt: str, media: dict[str, Sample], response: str):
        self.media_order = [m for m in ("image", "audio", "video") if m in media]
        self.media = media
        self.head = tok.encode(PROMPT_HEAD)
        self.tail = tok.encode(prompt + PROMPT_TAIL)
        self.answer = tok.encode(response) + [EOS_ID]

    def layout(self) -> list[tuple[str, object]]:
        return ([("ids", self.head)] + [("media", m) for m in self.media_order] + [("ids", self.tail)]
                + [("answer", self.answer)])


def dialogue_sequence(tok: BpeTokenizer, d: Dialogue) -> Sequence_:
    return Sequence_(tok, d.prompt, d.inputs, d.response)


def build_llm_batch(seqs: list[Sequence_], embed, project) -> dict[str, Tensor]:
    """Embeds a batch (media through ``project(modality, sample)`` → [1,H] rows), right-padded.

    Returns inputs_embeds [B,T,H], attention_mask, position_ids, labels (next-token targets, -100 elsewhere)
    and token_ids (the input id at each position, -1 at media and padding).
    """
    rows, labels, ids_at = [], [], []
    for s in seqs:
        parts, lab, tid = [], [], []
        for kind, v in s.layout():
            if kind == "media":
                e = project(v, s.media[v])  # [k,H]
                parts.append(e)
                lab += [-100] * e.shape[0]
                tid += [-1] * e.shape[0]
            else:
                ids = torch.tensor(v)
                parts.append(embed(ids))
                lab += list(v) if kind == "answer" else [-100] * len(v)
                tid += list(v)
        rows.append(torch.cat(parts))
        # position p predicts token p+1: shift labels left
        labels.append(lab[1:] + [-100])
        ids_at.append(tid)
    T = max(r.shape[0] for r in rows)
    H = rows[0].shape[1]
    B = len(rows)
    x = torch.zeros(B, T, H)
    mask = torch.zeros(B, T, dtype=torch.long)
    lab_t = torch.full((B, T), -100, dtype=torch.long)
    tid_t = torch.full((B, T), -1, dtype=torch.long)
    for b, r in enumerate(rows):
        n = r.shape[0]
        x[b, :n] = r
        mask[b, :n] = 1
        lab_t[b, :n] = torch.tensor(labels[b])
        tid_t[b, :n] = torch.tensor(ids_at[b])
    pos = torch.arange(T).unsqueeze(0).expand(B, -1)
    return {"inputs_embeds": x, "attention_mask": mask, "position_ids": pos, "labels": lab_t, "token_ids": tid_t}


def corpus(world: World, n: int) -> list[str]:
    """Training text for the tokenizer: prompts, answers and varied captions (held-out phrasings excluded)."""
    texts = [PROMPT_HEAD, PROMPT_TAIL]
    for i in range(n):
        d = world.dialogue(i)
        texts += [d.prompt + PROMPT_TAIL, d.response]
        for m, s in (("image", world.image(i)), ("audio", world.audio(i)), ("video", world.video(i))):
            texts.append(world.caption(s, i))
    return texts


__all__ = ["SAMPLE_RATE"]

SIGNAL_PREFIX = {"image": "IMG", "audio": "AUD", "video": "VID"}
