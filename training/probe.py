"""Quick PyTorch-side checks of partially trained packs (not the engine evaluation of issue 5):

- ``encoders``: attribute accuracy of the contrastive encoders on held-out samples (indices from
  data.EVAL_OFFSET), two ways: nearest canonical caption (zero-shot, through the text encoder, among every
  single-object caption of the modality) and a linear probe per attribute (trained on cached training
  embeddings).
- ``image``: samples the image diffusion decoder (DDIM 20 steps, guidance 3, as the node does) from held-out
  canonical captions and reports the dominant-colour accuracy (and saves a PNG grid).

    /usr/bin/python3 training/probe.py encoders training/out/run0a/pack.pt
    /usr/bin/python3 training/probe.py image training/out/run0c/pack.pt
"""
from __future__ import annotations

import itertools
import json
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import cache as C  # noqa: E402
import data as D  # noqa: E402
import stages  # noqa: E402,F401  (unpickling the Pack)
from models.decoders import ddim_sample  # noqa: E402
from world import COLOURS, World  # noqa: E402
from world import language as L  # noqa: E402
from world.attributes import MOTIONS, PATTERNS, PITCHES, POSITIONS, SHAPES, SIZES, TIMBRES, label_options  # noqa: E402


def candidates(m: str) -> list[dict]:
    if m == "image":
        return [dict(shape=a, colour=b, size=c, position=d)
                for a, b, c, d in itertools.product(SHAPES, COLOURS, SIZES, POSITIONS)]
    if m == "audio":
        return [dict(pitch=a, timbre=b, pattern=c) for a, b, c in itertools.product(PITCHES, TIMBRES, PATTERNS)]
    return [dict(shape=a, colour=b, motion=c) for a, b, c in itertools.product(SHAPES, COLOURS, MOTIONS)
            if not (a == "circle" and c == "spinning")]


def caption_of(m: str, labels: dict) -> str:
    return {"image": lambda: L.describe_image([labels]), "audio": lambda: L.describe_audio(labels),
            "video": lambda: L.describe_video(labels)}[m]()


@torch.no_grad()
def encoders(pack, n_eval: int = 600) -> dict:
    w = World(0)
    torch.manual_seed(0)
    cache = C.get(w, pack.tok, pack.cache_sizes)
    text = pack["encoder.text"].eval()
    res = {}
    for m in ("image", "audio", "video"):
        enc = pack[f"encoder.{m}"].eval()
        cands = candidates(m)
        ids = torch.tensor([D.pad_ids(pack.tok.encode(caption_of(m, c)), 24) for c in cands])
        temb = torch.cat([text(ids[i:i + 512]) for i in range(0, len(ids), 512)])
        # held-out samples (single-object images only for the nearest caption: a caption names one shape)
        samples = [D.sample_of(w, m, D.EVAL_OFFSET + i) for i in range(n_eval)]
        x = torch.from_numpy(np.stack([D.encoder_input(s) for s in samples]))
        e = torch.cat([enc(x[i:i + 200]) for i in range(0, len(x), 200)])
        attrs = C.ATTRS[m]
        best = (e @ temb.t()).argmax(1)
        single = [i for i, s in enumerate(samples) if s.labels.get("count", "1") == "1"]
        nn_acc = {a: float(np.mean([cands[int(best[i])][a] == samples[i].labels[a] for i in single])) for a in attrs}
        # linear probe on training embeddings
        tr = cache[m]
        xe = torch.cat([enc(tr.encoder_input(np.arange(i, min(i + 256, len(tr))))) for i in range(0, len(tr), 256)])
        lin = {}
        for a in attrs:
            y = torch.from_numpy(tr.labels[a])
            k = len(label_options(a))
            with torch.enable_grad():
                head = torch.nn.Linear(xe.shape[1], k)
                opt = torch.optim.Adam(head.parameters(), 1e-2)
                for _ in range(300):
                    opt.zero_grad()
                    F.cross_entropy(head(xe), y).backward()
                    opt.step()
            yt = torch.tensor([label_options(a).index(s.labels[a]) for s in samples])
            lin[a] = float((head(e).argmax(1) == yt).float().mean())
        res[m] = {"nearest_caption": nn_acc, "nearest_caption_mean": float(np.mean(list(nn_acc.values()))),
                  "nearest_caption_n": len(single), "linear": lin, "linear_mean": float(np.mean(list(lin.values()))),
                  "linear_n": n_eval}
        print(m, json.dumps(res[m]), flush=True)
    return res


def dominant_colour(img: np.ndarray) -> str | None:
    """Nearest named colour to the mean of the clearly coloured pixels (as tests/test_world.py); None if the
    image has no such pixels."""
    px = img.reshape(-1, 3)
    lit = px[px.max(axis=1) > 0.5]
    if len(lit) < 4:
        return None
    mean = lit.mean(axis=0) * 255
    return min(COLOURS, key=lambda c: float(np.sum((np.asarray(COLOURS[c]) - mean) ** 2)))


@torch.no_grad()
def image(pack, out: Path, per_colour: int = 4) -> dict:
    w = World(0)
    unet, cond, vae = pack["unet"].eval(), pack["cond_text"].eval(), pack["vae_decoder"].eval()
    k = pack.facts["vae_scaling_factor"]
    rng = np.random.default_rng(zlib.crc32(b"probe-image"))
    labels = []
    for c in COLOURS:
        for _ in range(per_colour):
            labels.append(dict(shape=str(rng.choice(SHAPES)), colour=c, size=str(rng.choice(["medium", "large"])),
                               position=str(rng.choice(list(POSITIONS)))))
    caps = [caption_of("image", lab) for lab in labels]
    c = cond.condition(D.caption_ids(pack.tok, caps), "image")
    z = ddim_sample(unet, c, steps=20, guidance=3.0, generator=torch.Generator().manual_seed(0))
    img = ((vae(z / k) + 1) / 2).clamp(0, 1).permute(0, 2, 3, 1).numpy()
    got = [dominant_colour(x) for x in img]
    acc = float(np.mean([g == lab["colour"] for g, lab in zip(got, labels)]))
    try:
        from PIL import Image
        cols = per_colour
        grid = np.zeros((64 * len(COLOURS), 64 * cols, 3))
        for i, x in enumerate(img):
            r, q = divmod(i, cols)
            grid[r * 64:(r + 1) * 64, q * 64:(q + 1) * 64] = x
        Image.fromarray((grid * 255).astype(np.uint8)).save(out / "probe-image.png")
    except ImportError:
        np.save(out / "probe-image.npy", img)
    res = {"dominant_colour_accuracy": acc, "n": len(labels), "blank": sum(g is None for g in got),
           "pairs": [[lab["colour"], g] for lab, g in zip(labels, got)]}
    print(json.dumps(res), flush=True)
    return res


def main() -> None:
    what, path = sys.argv[1], Path(sys.argv[2])
    torch.set_num_threads(2)
    pack = torch.load(path)
    res = encoders(pack) if what == "encoders" else image(pack, path.parent)
    (path.parent / f"probe-{what}.json").write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
