"""Reproduces the whole mini NExT-GPT pack from scratch: tokenizer, stage 0 (stand-ins for the pretrained
encoders, LLM and decoders), the paper's stages 1–3, then ONNX export with manifests.

    nice -n 10 /usr/bin/python3 training/train.py             # full run → training/out/models (53 min measured, 2 cores)
    /usr/bin/python3 training/train.py --smoke                # every stage a few steps → training/out/smoke
    /usr/bin/python3 training/train.py --bench                # 25 steps per stage at full batch → out/bench
    /usr/bin/python3 training/train.py --only 0a --steps 0a_encoders=600 --out training/out/run0a

The world is rendered once into training/out/cache (cache.py) and reused by every stage and run. By default
stage 0's two independent halves (0a+0b, 0c) train at once in two processes of one torch thread each
(``--jobs``, ``--threads``): on this shared machine one process with 2 threads was ~3× slower than with 1
(OpenMP threads waiting on each other when another user holds a core). Writes ``<out>/timings.json``:
seconds per step of every stage (measured after 5 warm-up steps) and the full run's estimated duration.
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
import cache as C  # noqa: E402
from models.encoders import EncoderConfig  # noqa: E402
from models.llm import LlmConfig  # noqa: E402
from models.tokenizer import train_bpe  # noqa: E402
from world import World  # noqa: E402

#: (stage, function, steps in a full run, batch size, peak learning rate). 53 min with --jobs 2 on a 2-core
#: machine (measured, README "Training time"). Every stage warms up over 5% of its steps, then follows a cosine
#: to 5% of the peak.
PLAN = [
    ("0a_encoders", S.stage_encoders, 1000, 64, 2e-3),
    ("0b_llm", S.stage_llm_pretrain, 850, 32, 2e-3),
    ("0c_cond_text", S.stage_cond_text, 400, 192, 2e-3),
    ("0c_vae", S.stage_vae, 600, 32, 1e-3),
    ("0c_decoders", S.stage_decoders, 3000, 32, 1e-3),
    ("1_encoder_side", S.stage1_encoder_alignment, 2400, 30, 3e-3),
    ("2_decoder_side", S.stage2_decoder_alignment, 400, 24, 2e-3),
    ("3_instruction", S.stage3_instruction, 2400, 24, 1e-3),
    ("4_decoders", S.stage4_decoder_finetune, 2000, 32, 5e-4),
]
TOKENIZER_TEXTS = 3000  # dialogues (each with 3 captions) the tokenizer is trained on
VOCAB = 1024
#: The resized models (see README "Models"): the world is 64×64 shapes, 36 tones and 246 videos, so narrow,
#: shallow transformers suffice.
ENCODER = EncoderConfig(embed_dim=256, width=64, layers=2, heads=4, tubelet_t=4, merge=2)
LLM = dict(hidden_size=128, layers=4, heads=4, kv_heads=2, intermediate_size=352)
DIALOGUES = 12000  # pre-rendered instruction dialogues for stages 0b, 2 and 3
VIDEO_LATENTS = 1000  # videos whose VAE latents the video decoder learns
BENCH_STEPS = 25  # --bench: steps per stage (the first TIMING_WARMUP are not timed)


#: Two independent halves: the encoder side (0a, 0b and stage 1, which needs only the encoders and the LLM)
#: and the decoders (0c); with --jobs 2 they train at once in two 1-thread processes.
STAGE0_GROUPS = (("0a_encoders", "0b_llm", "1_encoder_side"), ("0c_cond_text", "0c_vae", "0c_decoders"))
GROUP_MODULES = (("encoder.image", "encoder.audio", "encoder.video", "encoder.text", "logit_scale", "llm",
                  "input_projector.image", "input_projector.audio", "input_projector.video"),
                 ("vae_encoder", "vae_decoder", "unet", "cond_text", "decoder.audio", "decoder.video"))


def run_stage(pack, world, name: str, n_of, b_of) -> dict:
    fn, steps, batch = next((f, st, b) for nm, f, st, b, _ in PLAN if nm == name)
    b = b_of(batch)
    return {**fn(pack, world, n_of(name, steps), b), "batch": b, "full_steps": steps, "full_batch": batch}


#: Stage 4's two halves (the image UNet; the audio and video decoders), with --jobs 2 in two processes: their
#: losses and parameters are disjoint, so each trains on its own (gradient clipping is per half).
STAGE4_PARTS = (("image",), ("audio", "video"))
STAGE4_MODULES = (("unet", "output_projector.image"),
                  ("decoder.audio", "decoder.video", "output_projector.audio", "output_projector.video"))


def _die_with_parent() -> None:
    """Asks Linux to end this process when its parent dies (prctl PR_SET_PDEATHSIG). Without it, killing
    train.py left its spawned stage workers training on for many minutes, holding both cores and writing into
    the next run's log."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the workers then end only with the Pool


def _worker(args) -> str:
    """One group of stages in its own process (spawned): trains, saves its modules' weights, returns the file."""
    _die_with_parent()
    pack_file, seed, names, keys, threads, decoders, n_table, b_table = args
    torch.set_num_threads(threads)
    torch.manual_seed(seed + len(names))
    S.DECODER_PARTS = decoders
    pack = torch.load(pack_file)
    world = World(seed)
    timings = {nm: run_stage(pack, world, nm, lambda nm_, st: n_table[nm_], lambda bt: b_table[bt]) for nm in names}
    out = f"{pack_file}.{names[0]}.{'-'.join(decoders)}"
    torch.save({"state": {k: pack.modules[k].state_dict() for k in keys}, "facts": pack.facts, "timings": timings}, out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="a few steps per stage, small batches")
    ap.add_argument("--out", type=Path, default=None, help="output dir (default training/out/{models,smoke})")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads per stage-0 process")
    ap.add_argument("--threads-after", type=int, default=2, help="torch threads for stages 2–4 (one process)")
    ap.add_argument("--resume", action="store_true",
                    help="continue <out>/pack.pt (saved after stage 0 and after every later stage)")
    ap.add_argument("--jobs", type=int, default=2, choices=(1, 2),
                    help="2: the independent halves (0a+0b+1, 0c) train at once in two processes")
    ap.add_argument("--steps-scale", type=float, default=1.0, help="multiply every stage's steps")
    ap.add_argument("--bench", action="store_true",
                    help=f"time every stage: {BENCH_STEPS} steps at the full batch, estimate the full run")
    ap.add_argument("--only", default="", help="comma-separated stage name prefixes to run (others skipped)")
    ap.add_argument("--steps", default="", help="per-stage step overrides, e.g. 0c_vae=300,0c_decoders=900")
    ap.add_argument("--decoders", default="image,audio,video", help="decoders stage 0c trains")
    a = ap.parse_args()
    S.DECODER_PARTS = tuple(a.decoders.split(","))
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    out = a.out or HERE / "out" / ("smoke" if a.smoke else "bench" if a.bench else "models")
    out.mkdir(parents=True, exist_ok=True)
    world = World(a.seed)
    t0 = time.time()

    resume = out / "pack.pt"
    if a.resume and resume.exists():
        pack = torch.load(resume)
        t_tok = 0.0
        print(f"resuming {resume}: done {', '.join(pack.done) or 'nothing'}", flush=True)
    else:
        texts = D.corpus(world, 200 if a.smoke else TOKENIZER_TEXTS)
        tok = train_bpe(texts, VOCAB)
        t_tok = time.time() - t0
        print(f"tokenizer: {tok.size} tokens, {len(tok.merges)} merges ({t_tok:.1f}s)", flush=True)
        # Pairs for the tokenizers.js cross-check (check-tokenizer.mjs): training text and held-out phrasings.
        probe = texts[:200] + [world.dialogue(i, heldout=True).prompt for i in range(100)] + [
            "Draw a small RED star at the top and play a high pulsing beep!", "ünïcödé → bytes 🎵"]
        (out / "tokenizer-probe.json").write_text(json.dumps([{"text": t, "ids": tok.encode(t)} for t in probe]))
        pack = S.Pack.create(tok, LlmConfig(vocab_size=tok.size, **LLM), ENCODER)
    pack.cache_sizes = C.SMOKE_SIZES if a.smoke else C.SIZES
    pack.dialogues = 64 if a.smoke else (BENCH_STEPS * 32 * 2 if a.bench else DIALOGUES)
    pack.video_latents = 8 if a.smoke else VIDEO_LATENTS
    pack.lr = {name: lr for name, _, _, _, lr in PLAN}
    t_cache = time.time()
    S.world_cache(pack, world)
    t_cache = time.time() - t_cache
    sizes = {k: sum(p.numel() for p in m.parameters()) for k, m in pack.modules.items()}
    print("parameters:", json.dumps(sizes), flush=True)

    def checkpoint(names) -> None:
        pack.done += [nm for nm in names if nm not in pack.done]
        runtime, pack.runtime = pack.runtime, {}
        torch.save(pack, resume)
        pack.runtime = runtime

    timings: dict[str, dict] = {}
    only = [x for x in a.only.split(",") if x]
    overrides = dict(kv.split("=") for kv in a.steps.split(",") if kv)
    wanted = [nm for nm, *_ in PLAN if (not only or any(nm.startswith(x) for x in only)) and nm not in pack.done]
    if a.resume:
        prev = out / "timings.json"
        if prev.exists():
            timings.update(json.loads(prev.read_text()).get("stages", {}))

    def n_of(name: str, steps: int) -> int:
        n = 3 if a.smoke else BENCH_STEPS if a.bench else max(1, int(steps * a.steps_scale))
        return int(overrides.get(name, n))

    def b_of(batch: int) -> int:
        return 4 if a.smoke else batch

    def in_processes(groups, group_keys, parts, ship: tuple[str, ...] = ()) -> None:
        """Trains each group of stages in its own spawned 1-thread process, then loads their modules back.
        `ship`: entries of `pack.runtime` the processes get (the rest is per-process cache, not sent)."""
        import multiprocessing as mp
        pack_file = out / "pack-parallel-in.pt"
        runtime, pack.runtime = pack.runtime, {k: pack.runtime[k] for k in ship}
        torch.save(pack, pack_file)
        pack.runtime = runtime
        n_table = {nm: n_of(nm, st) for nm, _, st, _, _ in PLAN}
        b_table = {b: b_of(b) for *_, b, _ in PLAN}
        jobs = [(str(pack_file), a.seed, tuple(g), keys, a.threads, dec, n_table, b_table)
                for g, keys, dec in zip(groups, group_keys, parts)]
        with mp.get_context("spawn").Pool(len(jobs)) as pool:
            files = pool.map(_worker, jobs)
        for f, keys, dec in zip(files, group_keys, parts):
            r = torch.load(f)
            for k in keys:
                pack.modules[k].load_state_dict(r["state"][k])
            pack.facts.update(r["facts"])  # group 2 (0c) last: its vae_scaling_factor wins
            for nm, t in r["timings"].items():
                timings[nm if len(set(parts)) == 1 else f"{nm}[{','.join(dec)}]"] = t
            Path(f).unlink()
        pack_file.unlink()

    groups = [[nm for nm in g if nm in wanted] for g in STAGE0_GROUPS]
    t_stage0 = time.time()
    done: list[str] = []
    if a.jobs == 2 and all(groups):
        in_processes(groups, GROUP_MODULES, [S.DECODER_PARTS] * 2)
        done = [nm for g in groups for nm in g]
        checkpoint(done)
    t_stage0 = time.time() - t_stage0
    torch.set_num_threads(a.threads_after)
    for name in wanted:
        if name in done:
            continue
        if name == "4_decoders" and a.jobs == 2 and S.DECODER_PARTS == ("image", "audio", "video"):
            S.signal_hidden(pack, world)  # once here (2 threads), not in each process
            in_processes([[name]] * 2, STAGE4_MODULES, STAGE4_PARTS, ship=("signal_hidden",))
        else:
            timings[name] = run_stage(pack, world, name, n_of, b_of)
        checkpoint([name])

    pack.runtime.clear()
    t_exp = time.time()
    ids = export_pack(pack, out, {"seed": a.seed, "smoke": a.smoke,
                                  "steps": {k: v["steps"] for k, v in timings.items()}})
    t_exp = time.time() - t_exp
    # Extrapolation: s/step × full steps (--bench times the full batch; the smoke run scales ~linearly from
    # batch 4, which overestimates), plus the tokenizer, cache and export.
    full = {k: v["sec_per_step"] * (v["full_batch"] / v["batch"]) * v["full_steps"] for k, v in timings.items()}
    g0 = [sum(full.get(nm, 0.0) for nm in g) for g in STAGE0_GROUPS]
    stage0 = max(g0) if a.jobs == 2 else sum(g0)
    in_stage0 = {nm for g in STAGE0_GROUPS for nm in g}
    stage4 = max([v for k, v in full.items() if k.startswith("4_decoders")] or [0.0])  # halves run at once
    est = stage0 + stage4 + sum(v for k, v in full.items() if k not in in_stage0 and not k.startswith("4_")) \
        + t_tok + t_cache + t_exp
    summary = {"threads": a.threads, "jobs": a.jobs, "stage0_s": t_stage0, "full_stage_s": full, "load_avg": os.getloadavg(), "tokenizer_s": t_tok, "cache_s": t_cache,
               "export_s": t_exp, "total_s": time.time() - t0,
               "parameters": sizes, "stages": timings, "full_run_estimate_hours": est / 3600, "models": ids}
    (out / "timings.json").write_text(json.dumps(summary, indent=2))
    print(f"exported {len(ids)} models to {out} in {t_exp:.1f}s; total {summary['total_s']:.1f}s; "
          f"full run estimate {est / 3600:.2f} h ({a.jobs} job(s) × {a.threads} thread(s))", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    main()
