"""Reproduces the whole mini NExT-GPT pack from scratch: tokenizer, stage 0 (stand-ins for the pretrained
encoders, LLM and decoders), the paper's stages 1–3, then ONNX export with manifests.

    /usr/bin/python3 training/train.py                      # full run → training/out/models
    /usr/bin/python3 training/train.py --smoke              # every stage a few steps → training/out/smoke
    /usr/bin/python3 training/train.py --smoke --out /tmp/x # anywhere

Runs on one CPU thread by default (``--threads``) so it shares a machine politely. Writes
``<out>/timings.json``: seconds per step of every stage (measured after a warm-up step) and the full run's
estimated duration extrapolated from them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import torch  # noqa: E402

import data as D  # noqa: E402
import stages as S  # noqa: E402
from export import export_pack  # noqa: E402
from models.llm import LlmConfig  # noqa: E402
from models.tokenizer import train_bpe  # noqa: E402
from world import World  # noqa: E402

#: (stage, function, steps in a full run, batch size).
PLAN = [
    ("0a_encoders", S.stage_encoders, 4000, 32),
    ("0b_llm", S.stage_llm_pretrain, 3000, 32),
    ("0c_vae", S.stage_vae, 3000, 32),
    ("0c_decoders", S.stage_decoders, 8000, 32),
    ("1_encoder_side", S.stage1_encoder_alignment, 1500, 24),
    ("2_decoder_side", S.stage2_decoder_alignment, 1500, 24),
    ("3_instruction", S.stage3_instruction, 4000, 24),
]
TOKENIZER_TEXTS = 3000  # dialogues (each with 3 captions) the tokenizer is trained on
VOCAB = 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="a few steps per stage, small batches")
    ap.add_argument("--out", type=Path, default=None, help="output dir (default training/out/{models,smoke})")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps-scale", type=float, default=1.0, help="multiply every stage's steps")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    out = a.out or HERE / "out" / ("smoke" if a.smoke else "models")
    out.mkdir(parents=True, exist_ok=True)
    world = World(a.seed)
    t0 = time.time()

    texts = D.corpus(world, 200 if a.smoke else TOKENIZER_TEXTS)
    tok = train_bpe(texts, VOCAB)
    t_tok = time.time() - t0
    print(f"tokenizer: {tok.size} tokens, {len(tok.merges)} merges ({t_tok:.1f}s)", flush=True)
    # Pairs for the tokenizers.js cross-check (check-tokenizer.mjs): training text and held-out phrasings.
    probe = texts[:200] + [world.dialogue(i, heldout=True).prompt for i in range(100)] + [
        "Draw a small RED star at the top and play a high pulsing beep!", "ünïcödé → bytes 🎵"]
    (out / "tokenizer-probe.json").write_text(json.dumps([{"text": t, "ids": tok.encode(t)} for t in probe]))

    pack = S.Pack.create(tok, LlmConfig(vocab_size=tok.size))
    sizes = {k: sum(p.numel() for p in m.parameters()) for k, m in pack.modules.items()}
    print("parameters:", json.dumps(sizes), flush=True)

    timings: dict[str, dict] = {}
    for name, fn, steps, batch in PLAN:
        n = 3 if a.smoke else max(1, int(steps * a.steps_scale))
        b = 4 if a.smoke else batch
        timings[name] = {**fn(pack, world, n, b), "batch": b, "full_steps": steps, "full_batch": batch}

    torch.save(pack, out / "pack.pt")
    t_exp = time.time()
    ids = export_pack(pack, out, {"seed": a.seed, "smoke": a.smoke,
                                  "steps": {k: v["steps"] for k, v in timings.items()}})
    t_exp = time.time() - t_exp
    # Extrapolation: s/step scales ~linearly with batch size on CPU at these sizes.
    est = sum(v["sec_per_step"] * (v["full_batch"] / v["batch"]) * v["full_steps"] for v in timings.values())
    summary = {"threads": a.threads, "tokenizer_s": t_tok, "export_s": t_exp, "total_s": time.time() - t0,
               "parameters": sizes, "stages": timings, "full_run_estimate_hours": est / 3600, "models": ids}
    (out / "timings.json").write_text(json.dumps(summary, indent=2))
    print(f"exported {len(ids)} models to {out} in {t_exp:.1f}s; total {summary['total_s']:.1f}s; "
          f"full run estimate {est / 3600:.1f} h on {a.threads} thread(s)", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
