"""The training stages. Stage 0 stands in for the pretrained models NExT-GPT starts from (ImageBind, Vicuna,
Stable Diffusion / AudioLDM / ZeroScope), which cannot be had offline; stages 1–3 are the paper's:

0a encoders: contrastive alignment of image/audio/video with text (ImageBind-style).
0b LLM: language-model pretraining on the world's text.
0c decoders: the decoders' conditioning text encoder (contrastive, caption phrasings), then the image VAE, then
   the UNet, audio and video decoders on the frozen conditioning.
1  encoder-side alignment: input projectors learn X → caption with everything else frozen.
2  decoder-side alignment: signal-token embeddings + output projectors learn to produce the signal tokens
   and to map their hidden states onto the conditioning text encoder's output for the caption (MSE).
3  instruction tuning: LoRA on the LLM + all projectors on instruction dialogues (LM loss + MSE).
4  decoder fine-tuning: the decoders learn from the output projectors' conditioning (not in the paper, whose
   decoders stay frozen; small decoders are not robust to the gap between projector and text encoder).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn
import torch.nn.functional as F

import cache as C
import data as D
from models.decoders import (
    AudioDecoder, UNet, VaeDecoder, VaeEncoder, VideoDecoder, sd15_alphas_cumprod,
)
from models.encoders import AudioEncoder, EncoderConfig, ImageEncoder, TextEncoder, VideoEncoder
from models.llm import LlamaLM, LlmConfig
from models.projectors import COND_QUERIES, INPUT_TOKENS, CondTextEncoder, InputProjector, OutputProjector
from models.tokenizer import SIGNALS, BpeTokenizer
from world import World
from world.attributes import label_options
from world.world import SIGNAL_COUNTS

MODALITIES = ("image", "audio", "video")


@dataclass
class Pack:
    """Every module of the mini NExT-GPT plus the tokenizer and facts export needs."""
    tok: BpeTokenizer
    llm_cfg: LlmConfig
    enc_cfg: EncoderConfig = field(default_factory=EncoderConfig)
    modules: dict[str, nn.Module] = field(default_factory=dict)
    facts: dict[str, float] = field(default_factory=dict)
    #: Run settings (set by train.py): cache pool sizes, peak learning rates per stage, dialogue pool size,
    #: videos whose latents the video decoder learns.
    cache_sizes: dict[str, int] = field(default_factory=lambda: dict(C.SIZES))
    lr: dict[str, float] = field(default_factory=dict)
    dialogues: int = 12000
    video_latents: int = 1000
    runtime: dict = field(default_factory=dict)  # per-run caches, dropped before saving
    done: list[str] = field(default_factory=list)  # stages trained so far (train.py --resume skips them)

    @classmethod
    def create(cls, tok: BpeTokenizer, llm_cfg: LlmConfig, enc_cfg: EncoderConfig | None = None) -> "Pack":
        p = cls(tok, llm_cfg, enc_cfg or EncoderConfig())
        c, V, H = p.enc_cfg, tok.size, llm_cfg.hidden_size
        m = p.modules
        m["encoder.image"], m["encoder.audio"] = ImageEncoder(c), AudioEncoder(c)
        m["encoder.video"], m["encoder.text"] = VideoEncoder(c), TextEncoder(c, V)
        m["logit_scale"] = nn.ParameterList([nn.Parameter(torch.tensor(np.log(10.0), dtype=torch.float32))])
        m["llm"] = LlamaLM(llm_cfg)
        m["vae_encoder"], m["vae_decoder"] = VaeEncoder(), VaeDecoder()
        m["unet"], m["cond_text"] = UNet(), CondTextEncoder(V)
        m["decoder.audio"] = AudioDecoder()
        m["decoder.video"] = VideoDecoder(m["vae_decoder"])
        for mod in MODALITIES:
            m[f"input_projector.{mod}"] = InputProjector(c.embed_dim, H, INPUT_TOKENS[mod])
            m[f"output_projector.{mod}"] = OutputProjector(H, COND_QUERIES[mod])
        p.facts["vae_scaling_factor"] = 1.0
        return p

    def __getitem__(self, k: str) -> nn.Module:
        return self.modules[k]


StepFn = Callable[[int], dict[str, Tensor]]

#: Steps excluded from the timing at the start of every stage (allocator / thread-pool warm-up).
TIMING_WARMUP = 5


def lr_at(s: int, steps: int, warmup: float = 0.05, floor: float = 0.05) -> float:
    """Linear warm-up over `warmup` of the steps, then cosine decay to `floor` of the peak."""
    w = max(1, int(steps * warmup))
    if s < w:
        return (s + 1) / w
    x = min((s - w) / max(steps - w, 1), 1.0)
    return floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * x))


def run_steps(name: str, steps: int, params: list[Tensor], step: StepFn, lr: float, log_every: int = 100,
              warmup: float = 0.05, after: Callable[[], None] | None = None) -> dict:
    """AdamW with warm-up + cosine; returns timings: s/step measured after TIMING_WARMUP steps (after 1 step
    when a stage runs fewer than 2·TIMING_WARMUP steps, as in the smoke run)."""
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_at(s, steps, warmup))
    skip = TIMING_WARMUP if steps >= 2 * TIMING_WARMUP else 1
    t0, t_warm, last = time.time(), None, {}
    for s in range(steps):
        opt.zero_grad(set_to_none=True)
        losses = step(s)
        total = sum(losses.values())
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        if after is not None:
            after()
        last = {k: float(v) for k, v in losses.items()}
        if s + 1 == skip:
            t_warm = time.time()
        if s % log_every == 0 or s == steps - 1:
            print(f"[{name}] step {s + 1}/{steps} {time.time() - t0:.0f}s "
                  + " ".join(f"{k}={v:.4f}" for k, v in last.items()), flush=True)
    end = time.time()
    timed = steps - skip
    per = (end - t_warm) / timed if timed > 0 and t_warm else end - t0
    return {"steps": steps, "seconds": end - t0, "sec_per_step": per, "timed_steps": timed, "final": last}


def _params(*mods: nn.Module) -> list[Tensor]:
    return [p for m in mods for p in m.parameters() if p.requires_grad]


def freeze(*mods: nn.Module, on: bool = False) -> None:
    for m in mods:
        for p in m.parameters():
            p.requires_grad_(on)


# --- caches ---------------------------------------------------------------------------------------------
def world_cache(p: Pack, w: World) -> C.WorldCache:
    return C.get(w, p.tok, p.cache_sizes)


def _batch_idx(s: int, batch: int, n: int, salt: int = 0) -> np.ndarray:
    """Batch `s` of a fresh permutation of 0…n-1 per epoch (deterministic)."""
    per = max(1, n // batch)
    epoch, k = divmod(s, per)
    perm = np.random.default_rng([salt, epoch]).permutation(n)
    return perm[k * batch:(k + 1) * batch] if n >= batch else perm[np.arange(batch) % n]


def _variant(s: int, n: int) -> np.ndarray:
    return np.random.default_rng([7, s]).integers(0, C.VARIANTS, n)


def _same_caption(caps: list[str]) -> Tensor:
    """Positive-pair matrix: samples with the same canonical caption are positives of each other (the world has
    only 36 tones and a few hundred videos, so a batch holds many duplicates that plain InfoNCE would push
    apart)."""
    ids = {c: i for i, c in enumerate(dict.fromkeys(caps))}
    k = torch.tensor([ids[c] for c in caps])
    return (k[:, None] == k[None, :]).float()


def multi_positive_nce(a: Tensor, b: Tensor, pos: Tensor, logit_scale: Tensor) -> Tensor:
    logits = logit_scale.exp().clamp(max=100) * a @ b.t()
    t = pos / pos.sum(1, keepdim=True)
    return 0.5 * (-(t * logits.log_softmax(1)).sum(1).mean() - (t * logits.t().log_softmax(1)).sum(1).mean())


# --- stage 0 --------------------------------------------------------------------------------------------
#: Weight of stage 0a's attribute heads beside the contrastive loss, and the scale their logits read the unit
#: embeddings at. Contrastive batches of 64 rarely hold two images that differ only in shape, so InfoNCE alone
#: left shape weakly encoded: a linear probe on the last pack's image embeddings read it in 78% of held-out
#: images (small shapes 62%), against 97–100% for colour, size and position, and captions named it in 48%.
ATTR_WEIGHT, ATTR_SCALE = 0.5, 16.0


def stage_encoders(p: Pack, w: World, steps: int, batch: int) -> dict:
    """Contrastive alignment with text (ImageBind's objective) plus, as a stand-in for the scale of ImageBind's
    data, a linear attribute head per modality and attribute on the embedding (training only, not exported;
    for images only one-shape samples, whose labels name the only shape). Every attribute the LLM must name is
    thereby linearly readable from the one vector the input projector sees."""
    enc = {m: p[f"encoder.{m}"] for m in MODALITIES}
    text, scale = p["encoder.text"], p["logit_scale"][0]
    cache = world_cache(p, w)
    dim = p.enc_cfg.embed_dim
    heads = nn.ModuleDict({f"{m}_{a}": nn.Linear(dim, len(label_options(a))) for m in MODALITIES for a in C.ATTRS[m]})
    single = {m: torch.tensor([" and " not in c for c in cache[m].canonical]) for m in MODALITIES}

    def step(s: int) -> dict[str, Tensor]:
        xs, ids, caps, idxs = {}, [], [], {}
        for j, m in enumerate(MODALITIES):
            c = cache[m]
            idx = idxs[m] = _batch_idx(s, batch, len(c), salt=j)
            xs[m] = c.encoder_input(idx)
            ids.append(c.ids[idx, _variant(s * 3 + j, len(idx))])
            caps.append([c.canonical[i] for i in idx])
        t = text.forward_trimmed(torch.cat(ids)).split(batch)  # one text pass for all three modalities
        out, attr = {}, torch.zeros(())
        for j, m in enumerate(MODALITIES):
            e = enc[m](xs[m])
            out[m] = multi_positive_nce(e, t[j], _same_caption(caps[j]), scale)
            keep = single[m][idxs[m]]
            for a in C.ATTRS[m] if keep.any() else ():
                y = torch.from_numpy(cache[m].labels[a][idxs[m]])
                attr = attr + F.cross_entropy(heads[f"{m}_{a}"](e[keep] * ATTR_SCALE), y[keep]) / len(C.ATTRS[m])
        out["attr"] = ATTR_WEIGHT * attr / len(MODALITIES)
        return out
    return run_steps("0a encoders", steps, _params(*enc.values(), text, heads) + [scale], step, p.lr["0a_encoders"])


def lm_loss(logits: Tensor, labels: Tensor) -> Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)


def llm_forward(lm: LlamaLM, b: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    logits, hidden, _ = lm(b["inputs_embeds"], b["attention_mask"], b["position_ids"],
                           lm.empty_cache(b["inputs_embeds"].shape[0]))
    return logits, hidden


@dataclass
class DialogueItem:
    """One pre-rendered instruction dialogue: text, the encoder embedding of its input media (filled once the
    encoders are trained) and its output captions (with the decoders' conditioning once cond_text is)."""
    prompt: str
    response: str
    input_caption: dict[str, str]
    output_captions: dict[str, str]
    emb: dict[str, Tensor] = field(default_factory=dict)
    target: dict[str, Tensor] = field(default_factory=dict)


def dialogue_pool(p: Pack, w: World) -> list[DialogueItem]:
    """The first `p.dialogues` training dialogues, rendered once; media go through the (frozen) encoders in
    batches the first time a stage needs embeddings."""
    if "dialogues" not in p.runtime:
        t0 = time.time()
        items, media = [], {m: [] for m in MODALITIES}
        for i in range(p.dialogues):
            d = w.dialogue(i)
            it = DialogueItem(d.prompt, d.response, {m: s.caption for m, s in d.inputs.items()},
                              dict(d.output_captions))
            for m, s in d.inputs.items():
                media[m].append((len(items), D.encoder_input(s)))
            items.append(it)
        p.runtime["dialogues"], p.runtime["dialogue_media"] = items, media
        print(f"dialogues: {len(items)} rendered in {time.time() - t0:.1f}s", flush=True)
    return p.runtime["dialogues"]


@torch.no_grad()
def _embed_pool(p: Pack, items: list[DialogueItem]) -> None:
    media = p.runtime.pop("dialogue_media", None)
    if media is None:
        return
    for m, rows in media.items():
        for k in range(0, len(rows), 256):
            chunk = rows[k:k + 256]
            e = p[f"encoder.{m}"].eval()(torch.from_numpy(np.stack([x for _, x in chunk])))
            for (i, _), v in zip(chunk, e):
                items[i].emb[m] = v


@torch.no_grad()
def _targets_pool(p: Pack, items: list[DialogueItem]) -> None:
    if p.runtime.get("targets_done"):
        return
    cond = p["cond_text"].eval()
    for m in MODALITIES:
        rows = [(i, c[m]) for i, c in enumerate(it.output_captions for it in items) if m in c]
        for k in range(0, len(rows), 256):
            chunk = rows[k:k + 256]
            t = cond.condition(D.caption_ids(p.tok, [c for _, c in chunk]), m)
            for (i, _), v in zip(chunk, t):
                items[i].target[m] = v
    p.runtime["targets_done"] = True


def stage_llm_pretrain(p: Pack, w: World, steps: int, batch: int) -> dict:
    """Text-only dialogues (generation requests) and caption echoes teach the language of the world."""
    lm = p["llm"]
    items = dialogue_pool(p, w)

    def step(s: int) -> dict[str, Tensor]:
        seqs, rng = [], np.random.default_rng([11, s])
        for i in _batch_idx(s, batch, len(items), salt=11):
            d = items[i]
            if d.input_caption:  # no media yet: ask for the caption of a sample instead
                cap = next(iter(d.input_caption.values()))
                seqs.append(D.Sequence_(p.tok, "say: " + cap, {}, cap + "."))
            else:
                seqs.append(D.Sequence_(p.tok, D.noisy_prompt(d.prompt, rng), {}, d.response))
        b = D.build_llm_batch(seqs, lm.embed_tokens, None)
        return {"lm": lm_loss(llm_forward(lm, b)[0], b["labels"])}
    return run_steps("0b llm", steps, _params(lm), step, p.lr["0b_llm"])


def stage_vae(p: Pack, w: World, steps: int, batch: int) -> dict:
    enc, dec = p["vae_encoder"], p["vae_decoder"]
    cache = world_cache(p, w)
    img, vid = cache.image, cache.video

    def step(s: int) -> dict[str, Tensor]:
        x = img.pixels(_batch_idx(s, batch, len(img), salt=21))
        vi = _batch_idx(s, max(1, batch // 8), len(vid), salt=22)
        v = (torch.from_numpy(vid.raw[vi]).float() / 255 * 2 - 1).flatten(0, 1).permute(0, 3, 1, 2)
        x = torch.cat([x, v])  # video frames: 4 per clip
        mu, logvar = enc(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        rec = dec(z)
        kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
        # Shapes cover ~5% of the pixels: weight them 10× or the decoder settles on an all-black image (its
        # tanh then saturates at -1 and stops learning — what a first run at lr 2e-3 did).
        wgt = 1 + 9 * (x.max(1, keepdim=True).values > -0.9).float()
        d = rec - x
        return {"rec": (wgt * (d.abs() + d * d)).mean() / wgt.mean(), "kl": 1e-4 * kl}
    t = run_steps("0c vae", steps, _params(enc, dec), step, p.lr["0c_vae"])
    with torch.no_grad():
        x = img.pixels(np.arange(min(256, len(img))))
        mu = enc(x)[0]
        p.facts["vae_scaling_factor"] = float(1.0 / mu.std().clamp(min=1e-3))
        lit = x.max(1).values > 0
        p.facts["vae_lit_recall"] = float(((dec(mu).max(1).values > 0) & lit).sum() / lit.sum().clamp(min=1))
        print(f"[0c vae] lit pixels reconstructed lit: {p.facts['vae_lit_recall']:.3f}", flush=True)
    return t


@torch.no_grad()
def _video_latents(p: Pack, w: World, n: int) -> tuple[Tensor, list[str]]:
    """VAE latents [n,16,4,8,8] of the first n training videos (rendered here: the cache keeps only the
    encoder's 4 frames) and their canonical captions."""
    enc = p["vae_encoder"].eval()
    zs, caps = [], []
    for k in range(0, n, 32):
        v, _ = D.pixels_batch(w, "video", k, min(32, n - k))
        zs.append(enc(v.flatten(0, 1))[0].view(v.shape[0], 16, 4, 8, 8))
        caps += [w.video(i).caption for i in range(k, k + v.shape[0])]
    return torch.cat(zs), caps


#: Which decoders stage 0c trains (train.py --decoders image trains the image diffusion decoder alone).
DECODER_PARTS: tuple[str, ...] = ("image", "audio", "video")
_ALPHAS = sd15_alphas_cumprod()
_STFT_WINDOWS = {n: torch.hann_window(n) for n in (256, 1024)}


@torch.no_grad()
def _image_latents(p: Pack, img: C.ModalCache) -> Tensor:
    """Scaled VAE latents of every cached image, computed once."""
    if "z_img" not in p.runtime:
        enc = p["vae_encoder"].eval()
        p.runtime["z_img"] = torch.cat([enc(img.pixels(np.arange(i, min(i + 256, len(img)))))[0]
                                        for i in range(0, len(img), 256)]) * p.facts["vae_scaling_factor"]
    return p.runtime["z_img"]


def _unet_loss(unet: nn.Module, z0: Tensor, c: Tensor) -> Tensor:
    """ε-prediction loss at a random SD-1.5 timestep, with 10% zeroed conditioning (the executor's CFG
    unconditional input is zeros)."""
    c = c * (torch.rand(len(z0), 1, 1) > 0.1).float()
    t = torch.randint(0, 1000, (len(z0),))
    noise = torch.randn_like(z0)
    a = _ALPHAS[t].view(-1, 1, 1, 1)
    return F.mse_loss(unet(a.sqrt() * z0 + (1 - a).sqrt() * noise, t, c), noise)


def _audio_loss(audio: nn.Module, c: Tensor, aud: C.ModalCache, idx) -> dict[str, Tensor]:
    """DDSP controls (f0, loudness) supervised directly, plus a multi-resolution log-STFT loss that trains the
    harmonics and loudness but not f0. Through f0 its gradient pulled the pitch off (a harmonic spectrum also
    matches its octave fairly well): trained that way, 0c ended with a log2-f0 MSE of 0.27 and mid tones at
    530 Hz on average instead of 440; with f0 detached, 0.005 (measured). The renderer's own f0 is exact."""
    wave = torch.from_numpy(aud.extra["wave"][idx]).float()
    f0, loud = torch.from_numpy(aud.extra["f0"][idx]), torch.from_numpy(aud.extra["loud"][idx])
    lf0, lloud, harm = audio.controls(c)
    pred = audio.synthesize(lf0.detach(), lloud, harm)
    spec = 0.0
    for n_fft, win in _STFT_WINDOWS.items():
        S1 = torch.stft(pred, n_fft, n_fft // 4, window=win, return_complex=True).abs()
        S2 = torch.stft(wave, n_fft, n_fft // 4, window=win, return_complex=True).abs()
        spec = spec + F.l1_loss(torch.log(S1 + 1e-5), torch.log(S2 + 1e-5))
    return {"audio_ctrl": F.mse_loss(lf0, f0) + F.mse_loss(lloud, loud), "audio_spec": 0.1 * spec}


def stage_cond_text(p: Pack, w: World, steps: int, batch: int) -> dict:
    """Pretrains the decoders' conditioning text encoder before any decoder learns from it, as Stable
    Diffusion's decoders learn from CLIP's pretrained text tower. Two phrasings of one sample's caption are a
    positive pair (multi-positive InfoNCE on the pooled output: every caption with the same canonical caption
    is a positive), so captions that differ in any attribute end up apart and synonyms together. Trained
    jointly from scratch with the decoders instead (the first two packs), it learned almost nothing: the
    decoders learn the unconditional distribution first and the conditioning gets no signal (README)."""
    cond, cache = p["cond_text"], world_cache(p, w)
    scale = nn.Parameter(torch.tensor(float(np.log(10.0))))
    n = max(1, batch // len(MODALITIES))

    def step(s: int) -> dict[str, Tensor]:
        a, b, caps = [], [], []
        for j, m in enumerate(MODALITIES):
            c = cache[m]
            idx = _batch_idx(s, n, len(c), salt=80 + j)
            v = _variant(s * 3 + j, len(idx))
            v2 = (v + np.random.default_rng([81, s, j]).integers(1, C.VARIANTS, len(idx))) % C.VARIANTS
            a.append(c.cond_ids[idx, v])
            b.append(c.cond_ids[idx, v2])
            caps += [c.canonical[i] for i in idx]
        za, zb = (F.normalize(cond(torch.cat(x))[1][:, 0], dim=-1) for x in (a, b))
        return {"nce": multi_positive_nce(za, zb, _same_caption(caps), scale)}
    return run_steps("0c cond_text", steps, _params(cond) + [scale], step, p.lr["0c_cond_text"])


def stage_decoders(p: Pack, w: World, steps: int, batch: int, parts: tuple[str, ...] | None = None) -> dict:
    """UNet (epsilon, SD-1.5 schedule, 10% zero conditioning), audio DDSP and video decoders on the frozen,
    pretrained conditioning text encoder (`stage_cond_text`); the VAE stays frozen. Image latents are
    computed once from the cache."""
    parts = parts or DECODER_PARTS
    unet, cond, vae_e = p["unet"], p["cond_text"], p["vae_encoder"]
    audio, video = p["decoder.audio"], p["decoder.video"]
    freeze(vae_e, p["vae_decoder"], cond)
    cond.eval()
    cache = world_cache(p, w)
    img, aud = cache.image, cache.audio
    z_img = _image_latents(p, img)
    vz, vcaps_all = _video_latents(p, w, p.video_latents) if "video" in parts else (None, None)
    vcap_ids = D.caption_ids(p.tok, vcaps_all) if vcaps_all else None

    def step(s: int) -> dict[str, Tensor]:
        out = {}
        if "image" in parts:
            idx = _batch_idx(s, batch, len(img), salt=31)
            out["unet"] = _unet_loss(unet, z_img[idx], cond.condition(img.cond_ids[idx, _variant(s, len(idx))], "image"))
        if "audio" in parts:
            idx = _batch_idx(s, max(1, batch // 2), len(aud), salt=32)
            c = cond.condition(aud.cond_ids[idx, _variant(s + 1, len(idx))], "audio")
            out.update(_audio_loss(audio, c, aud, idx))
        if "video" in parts:
            idx = _batch_idx(s, max(1, batch // 4), len(vz), salt=33)
            out["video"] = F.mse_loss(video.latents(cond.condition(vcap_ids[idx], "video")), vz[idx])
        return out
    params = _params(unet, audio) + [q for n, q in video.named_parameters() if not n.startswith("vae.")]
    return run_steps("0c decoders", steps, params, step, p.lr["0c_decoders"])


# --- stages 1–3 -----------------------------------------------------------------------------------------
def _project(p: Pack):
    """Media in cached sequences are encoder embeddings [D]; the input projector turns them into soft tokens."""
    def project(modality: str, emb: Tensor) -> Tensor:
        return p[f"input_projector.{modality}"](emb.unsqueeze(0))[0]
    return project


def stage1_encoder_alignment(p: Pack, w: World, steps: int, batch: int) -> dict:
    lm = p["llm"]
    freeze(lm, *(p[f"encoder.{m}"] for m in MODALITIES))
    cache = world_cache(p, w)
    with torch.no_grad():  # the encoders are frozen: embed every cached sample once
        emb = {m: torch.cat([p[f"encoder.{m}"].eval()(cache[m].encoder_input(np.arange(i, min(i + 256, len(cache[m])))))
                             for i in range(0, len(cache[m]), 256)]) for m in MODALITIES}
    project = _projector_cached(p)

    def step(s: int) -> dict[str, Tensor]:
        seqs = []
        for j, m in enumerate(MODALITIES):
            n = batch // 3 + (1 if j < batch % 3 else 0)
            for i in _batch_idx(s, n, len(cache[m]), salt=40 + j):
                seqs.append(D.Sequence_(p.tok, "", {m: emb[m][i]}, cache[m].canonical[i] + "."))
        b = D.build_llm_batch(seqs, lm.embed_tokens, project)
        return {"caption": lm_loss(llm_forward(lm, b)[0], b["labels"])}
    return run_steps("1 encoder-side", steps, _params(*(p[f"input_projector.{m}"] for m in MODALITIES)), step,
                     p.lr["1_encoder_side"])


_projector_cached = _project


def _signal_states(p: Pack, hidden: Tensor, b: dict[str, Tensor], bi: int, m: str) -> Tensor | None:
    """Row `bi`'s hidden states at its signal tokens of modality `m` ([n,H]), None when it has none."""
    pos = (b["token_ids"][bi] == p.tok.vocab[f"[{D.SIGNAL_PREFIX[m]}0]"]).nonzero()
    return hidden[bi, pos[0, 0]: pos[0, 0] + SIGNAL_COUNTS[m][1]] if len(pos) else None


def _signal_mse(p: Pack, hidden: Tensor, b: dict[str, Tensor], items: list[DialogueItem]) -> Tensor:
    """MSE between output projectors applied at the signal tokens and the conditioning of the captions, one
    projector call per modality for the whole batch."""
    loss = torch.zeros(())
    for m in MODALITIES:
        hs, ts = [], []
        for bi, d in enumerate(items):
            h = _signal_states(p, hidden, b, bi, m) if m in d.target else None
            if h is not None:
                hs.append(h)
                ts.append(d.target[m])
        if hs:
            loss = loss + F.mse_loss(p[f"output_projector.{m}"](torch.stack(hs)), torch.stack(ts)) * len(hs) / len(items)
    return loss


def _sequences(p: Pack, items: list[DialogueItem], rng: np.random.Generator | None = None) -> list[D.Sequence_]:
    """Training sequences of dialogues; with `rng`, prompts get `D.noisy_prompt` noise (describe requests also
    their noun's)."""
    def prompt(d: DialogueItem) -> str:
        describe = bool(d.input_caption) and not d.output_captions
        return D.noisy_prompt(d.prompt, rng, describe=describe) if rng is not None else d.prompt
    return [D.Sequence_(p.tok, prompt(d), d.emb, d.response) for d in items]


def stage2_decoder_alignment(p: Pack, w: World, steps: int, batch: int) -> dict:
    lm = p["llm"]
    freeze(lm, p["cond_text"])
    items = dialogue_pool(p, w)
    _embed_pool(p, items)
    _targets_pool(p, items)
    gen = [d for d in items if d.output_captions and not d.input_caption] or items[:1]
    signal_ids = torch.tensor([p.tok.vocab[t] for t in SIGNALS])
    keep = torch.zeros(p.tok.size, 1)
    keep[signal_ids] = 1.0
    for t in (lm.embed_tokens.weight, lm.lm_head.weight):  # only the signal tokens' rows learn
        t.requires_grad_(True)
        p.runtime.setdefault("hooks", []).append(t.register_hook(lambda g: g * keep))

    def step(s: int) -> dict[str, Tensor]:
        ds = [gen[i] for i in _batch_idx(s, batch, len(gen), salt=50)]
        b = D.build_llm_batch(_sequences(p, ds), lm.embed_tokens, _project(p))
        logits, hidden = llm_forward(lm, b)
        return {"lm": lm_loss(logits, b["labels"]), "mse": _signal_mse(p, hidden, b, ds)}
    params = [lm.embed_tokens.weight, lm.lm_head.weight] + _params(*(p[f"output_projector.{m}"] for m in MODALITIES))
    t = run_steps("2 decoder-side", steps, params, step, p.lr["2_decoder_side"])
    for h in p.runtime.pop("hooks", []):
        h.remove()
    return t


def stage3_instruction(p: Pack, w: World, steps: int, batch: int) -> dict:
    lm = p["llm"]
    freeze(lm)
    lm.add_lora()
    items = dialogue_pool(p, w)
    _embed_pool(p, items)
    _targets_pool(p, items)

    def step(s: int) -> dict[str, Tensor]:
        ds = [items[i] for i in _batch_idx(s, batch, len(items), salt=60)]
        b = D.build_llm_batch(_sequences(p, ds, np.random.default_rng([60, s])), lm.embed_tokens, _project(p))
        logits, hidden = llm_forward(lm, b)
        return {"lm": lm_loss(logits, b["labels"]), "mse": _signal_mse(p, hidden, b, ds)}
    params = _params(lm) + _params(*(p[f"{k}.{m}"] for k in ("input_projector", "output_projector") for m in MODALITIES))
    t = run_steps("3 instruction", steps, params, step, p.lr["3_instruction"])
    lm.merge_lora()
    return t


# --- stage 4 --------------------------------------------------------------------------------------------
@torch.no_grad()
def _signal_hidden(p: Pack, items: list[DialogueItem]) -> dict[str, tuple[Tensor, list[str]]]:
    """Per modality: the trained LLM's hidden states at the signal tokens of every dialogue that asks for
    that modality (teacher-forced on the answer: what the output projector receives at run time when the LLM
    answers right) and the canonical caption its output should show."""
    lm = p["llm"].eval()
    rows = [d for d in items if d.output_captions]
    out: dict[str, tuple[list[Tensor], list[str]]] = {m: ([], []) for m in MODALITIES}
    for k in range(0, len(rows), 64):
        ds = rows[k:k + 64]
        b = D.build_llm_batch(_sequences(p, ds), lm.embed_tokens, _project(p))
        hidden = llm_forward(lm, b)[1]
        for m in MODALITIES:
            for bi, d in enumerate(ds):
                h = _signal_states(p, hidden, b, bi, m) if m in d.output_captions else None
                if h is not None:
                    out[m][0].append(h)
                    out[m][1].append(d.output_captions[m])
    return {m: (torch.stack(h) if h else torch.zeros(0), caps) for m, (h, caps) in out.items()}


def signal_hidden(p: Pack, w: World) -> dict[str, tuple[Tensor, list[str]]]:
    """`_signal_hidden` of the dialogue pool, computed once per pack (kept in `p.runtime["signal_hidden"]`;
    train.py computes it before stage 4's two processes and ships it to both)."""
    if "signal_hidden" not in p.runtime:
        items = dialogue_pool(p, w)
        _embed_pool(p, items)
        p.runtime["signal_hidden"] = _signal_hidden(p, items)
    return p.runtime["signal_hidden"]


def _matches(hidden: Tensor, caps: list[str], pool: list[str]) -> tuple[Tensor, list[np.ndarray]]:
    """Keeps the requests whose caption some pool sample has; for each, the indices of those samples."""
    where: dict[str, list[int]] = {}
    for i, c in enumerate(pool):
        where.setdefault(c, []).append(i)
    keep = [i for i, c in enumerate(caps) if c in where]
    return hidden[keep], [np.array(where[caps[i]]) for i in keep]


def stage4_decoder_finetune(p: Pack, w: World, steps: int, batch: int, parts: tuple[str, ...] | None = None) -> dict:
    """Output projectors and decoders trained end to end on the decoders' own losses, from the LLM's
    signal-token hidden states. Stages 2–3 align the projectors to `cond_text` (MSE), but a small decoder is
    not robust to what remains of the gap. Targets are world samples with the requested caption (cached
    images and tones, the first `p.video_latents` videos); the LLM, input projectors, `cond_text` and VAE
    stay frozen."""
    parts = parts or DECODER_PARTS
    unet, audio, video = p["unet"], p["decoder.audio"], p["decoder.video"]
    proj = {m: p[f"output_projector.{m}"] for m in MODALITIES}
    freeze(p["llm"], p["cond_text"], p["vae_encoder"], *(p[f"input_projector.{m}"] for m in MODALITIES))
    freeze(unet, audio, video, *proj.values(), on=True)
    freeze(p["vae_decoder"])
    t0 = time.time()
    hidden = signal_hidden(p, w)
    cache = world_cache(p, w)
    data = {}
    if "image" in parts:
        data["image"] = _matches(*hidden["image"], cache.image.canonical) + (_image_latents(p, cache.image),)
    if "audio" in parts:
        data["audio"] = _matches(*hidden["audio"], cache.audio.canonical) + (None,)
    if "video" in parts:
        vz, vcaps = _video_latents(p, w, p.video_latents)
        data["video"] = _matches(*hidden["video"], vcaps) + (vz,)
    data = {m: v for m, v in data.items() if len(v[1])}  # (a smoke run's few videos may match nothing)
    print(f"[4 decoders] signal hidden states of " + ", ".join(f"{m} {len(v[1])}" for m, v in data.items())
          + f" requests ready in {time.time() - t0:.1f}s", flush=True)

    def pick(m: str, s: int, n: int) -> tuple[Tensor, np.ndarray]:
        h, where, _ = data[m]
        k = _batch_idx(s, n, len(where), salt=70 + MODALITIES.index(m))
        rng = np.random.default_rng([71, s, MODALITIES.index(m)])
        return proj[m](h[k]), np.array([where[i][rng.integers(len(where[i]))] for i in k])

    def step(s: int) -> dict[str, Tensor]:
        out = {}
        if "image" in data:
            c, idx = pick("image", s, batch)
            out["unet"] = _unet_loss(unet, data["image"][2][idx], c)
        if "audio" in data:
            c, idx = pick("audio", s, max(1, batch // 2))
            out.update(_audio_loss(audio, c, cache.audio, idx))
        if "video" in data:
            c, idx = pick("video", s, max(1, batch // 4))
            out["video"] = F.mse_loss(video.latents(c), data["video"][2][idx])
        return out
    params = _params(*(proj[m] for m in data)) + (_params(unet) if "image" in data else []) + (
        _params(audio) if "audio" in data else []) + (
        [q for n, q in video.named_parameters() if not n.startswith("vae.") and q.requires_grad] if "video" in data else [])
    return run_steps("4 decoders", steps, params, step, p.lr["4_decoders"])
