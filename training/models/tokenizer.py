"""A LLaMA-style BPE tokenizer written as a Hugging Face ``tokenizer.json``, trained on the world's text.

Layout (what tokenizers.js and Hugging Face tokenizers load): Lowercase normalizer; Metaspace pre-tokenizer
(spaces → '▁', '▁' prepended); BPE with byte fallback (``<0x00>``…``<0xFF>``, so no text is ever lost); the
LLaMA decoder (▁ → space, bytes fused, one leading space stripped). Special tokens ``<pad>`` (0, what
encoders zero-pad with), ``<s>``, ``</s>``, ``<unk>`` and the signal tokens ``[IMG0..3]``, ``[AUD0..7]``,
``[VID0..23]`` are added tokens matched before normalization.

``BpeTokenizer.encode`` reproduces tokenizers.js's algorithm (lowest merge rank first, leftmost on ties); the
smoke run checks it against tokenizers.js on the corpus (training/check-tokenizer.mjs).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

SPACE = "\u2581"
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]
SIGNALS = [f"[IMG{k}]" for k in range(4)] + [f"[AUD{k}]" for k in range(8)] + [f"[VID{k}]" for k in range(24)]
BYTES = [f"<0x{b:02X}>" for b in range(256)]
PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3


def pre_tokenize(text: str) -> list[str]:
    """Lowercase, spaces → ▁ with one prepended, split before each ▁ (merges never cross a ▁)."""
    t = text.lower().replace(" ", SPACE)
    if not t.startswith(SPACE):
        t = SPACE + t
    return [w for w in re.split(f"(?={SPACE})", t) if w]


class BpeTokenizer:
    """Vocabulary + merges; ``encode`` / ``decode`` as tokenizers.js does them."""

    def __init__(self, vocab: dict[str, int], merges: list[tuple[str, str]]):
        self.vocab = vocab
        self.merges = merges
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.id_to_token = {i: t for t, i in vocab.items()}
        self.added = SPECIALS + SIGNALS
        self._added_re = re.compile("(" + "|".join(re.escape(a) for a in self.added) + ")")
        self._cache: dict[str, list[int]] = {}

    @property
    def size(self) -> int:
        return len(self.vocab)

    def _bpe(self, word: str) -> list[str]:
        parts = list(word)
        while len(parts) > 1:
            best, at = None, -1
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best is None or r < best):
                    best, at = r, i
            if best is None:
                break
            parts[at:at + 2] = [parts[at] + parts[at + 1]]
        return parts

    def _encode_plain(self, text: str) -> list[int]:
        if text in self._cache:
            return self._cache[text]
        ids: list[int] = []
        # tokenizers.js runs BPE over the whole pre-tokenized string; per-word BPE gives the same result
        # because no merge joins across a '▁' (merges are learned inside words).
        for w in pre_tokenize(text):
            for piece in self._bpe(w):
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                else:
                    ids.extend(self.vocab[f"<0x{b:02X}>"] for b in piece.encode("utf-8"))
        self._cache[text] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """Ids without BOS/EOS (``add_special_tokens: false``), added tokens matched first."""
        ids: list[int] = []
        for chunk in self._added_re.split(text):
            if not chunk:
                continue
            if chunk in self.vocab and chunk in self.added:
                ids.append(self.vocab[chunk])
            else:
                ids.extend(self._encode_plain(chunk))
        return ids

    def decode(self, ids: list[int]) -> str:
        """Inverse of encode up to case (▁ → space, byte tokens fused, one leading space stripped)."""
        out, buf = [], bytearray()
        for i in ids:
            t = self.id_to_token[i]
            if t.startswith("<0x") and len(t) == 6:
                buf.append(int(t[3:5], 16))
                continue
            if buf:
                out.append(buf.decode("utf-8", errors="replace"))
                buf = bytearray()
            out.append(t.replace(SPACE, " "))
        if buf:
            out.append(buf.decode("utf-8", errors="replace"))
        s = "".join(out)
        return s[1:] if s.startswith(" ") else s

    def to_json(self) -> dict:
        """The tokenizer.json document."""
        added = [{"id": self.vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for t in self.added]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": {"type": "Lowercase"},
            "pre_tokenizer": {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "always", "split": True},
            "post_processor": None,
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": SPACE}, "content": " "},
                {"type": "ByteFallback"},
                {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0},
            ]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                      "vocab": self.vocab, "merges": [f"{a} {b}" for a, b in self.merges]},
        }

    def save(self, folder: Path) -> None:
        """Writes tokenizer.json and tokenizer_config.json (bos/eos/pad names) into `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "tokenizer.json").write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1))
        cfg = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>",
               "add_bos_token": False, "add_eos_token": False, "model_max_length": 512,
               "tokenizer_class": "LlamaTokenizerFast"}
        (folder / "tokenizer_config.json").write_text(json.dumps(cfg, indent=1))

    @classmethod
    def load(cls, file: Path) -> "BpeTokenizer":
        doc = json.loads(Path(file).read_text())
        merges = [tuple(m.split(" ", 1)) for m in doc["model"]["merges"]]
        return cls(doc["model"]["vocab"], merges)  # type: ignore[arg-type]


def train_bpe(texts: list[str], vocab_size: int = 1024) -> BpeTokenizer:
    """Learns merges on the pre-tokenized words of `texts` until `vocab_size` or no pair occurs twice."""
    words = Counter(w for t in texts for chunk in re.split("|".join(map(re.escape, SPECIALS + SIGNALS)), t)
                    if chunk for w in pre_tokenize(chunk))
    alphabet = sorted({c for w in words for c in w} | set("abcdefghijklmnopqrstuvwxyz0123456789.,?!'#:-" + SPACE))
    vocab: dict[str, int] = {}
    for t in SPECIALS + SIGNALS + BYTES + alphabet:
        vocab.setdefault(t, len(vocab))
    seqs = {w: list(w) for w in words}
    merges: list[tuple[str, str]] = []
    while len(vocab) < vocab_size:
        pairs: Counter[tuple[str, str]] = Counter()
        for w, n in words.items():
            s = seqs[w]
            for i in range(len(s) - 1):
                pairs[(s[i], s[i + 1])] += n
        if not pairs:
            break
        (a, b), n = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if n < 2:
            break
        merges.append((a, b))
        vocab.setdefault(a + b, len(vocab))
        for w, s in seqs.items():
            i = 0
            while i < len(s) - 1:
                if s[i] == a and s[i + 1] == b:
                    s[i:i + 2] = [a + b]
                i += 1
    return BpeTokenizer(vocab, merges)
