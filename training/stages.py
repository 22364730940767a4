"""The training stages. Stage 0 stands in for the pretrained models NExT-GPT starts from (ImageBind, Vicuna,
Stable Diffusion / AudioLDM / ZeroScope), which cannot be had offline; stages 1–3 are the paper's:

0a encoders: contrastive alignment of image/audio/video with text (ImageBind-style).
0b LLM: language-model pretraining on the world's text.
0c decoders: image VAE, then the UNet, audio and video decoders with their conditioning text encoder.
1  encoder-side alignment: input projectors learn X → caption with everything else frozen.
2  decoder-side alignment: signal-token embeddings + output projectors learn to produce the signal tokens
   and to map their hidden states onto the conditioning text encoder's output for the caption (MSE).
3  instruction tuning: LoRA on the LLM + all projectors on instruction dialogues (LM loss + MSE).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn
import torch.nn.functional as F

import data as D
from models.decoders import (
    AudioDecoder, UNet, VaeDecoder, VaeEncoder, VideoDecoder, sd15_alphas_cumprod,
)
from models.encoders import AudioEncoder, EncoderConfig, ImageEncoder, TextEncoder, VideoEncoder, contrastive_loss
from models.llm import LlamaLM, LlmConfig
from models.projectors import COND_QUERIES, CondTextEncoder, InputProjector, OutputProjector
from models.tokenizer import SIGNALS, BpeTokenizer
from world import World

MODALITIES = ("image", "audio", "video")


@dataclass
class Pack:
    """Every module of the mini NExT-GPT plus the tokenizer and facts export needs."""
    tok: BpeTokenizer
    llm_cfg: LlmConfig
    enc_cfg: EncoderConfig = field(default_factory=EncoderConfig)
    modules: dict[str, nn.Module] = field(default_factory=dict)
    facts: dict[str, float] = field(default_factory=dict)

    @classmethod
    def create(cls, tok: BpeTokenizer, llm_cfg: LlmConfig) -> "Pack":
        p = cls(tok, llm_cfg)
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
            m[f"input_projector.{mod}"] = InputProjector(c.embed_dim, H)
            m[f"output_projector.{mod}"] = OutputProjector(H, COND_QUERIES[mod])
        p.facts["vae_scaling_factor"] = 1.0
        return p

    def __getitem__(self, k: str) -> nn.Module:
        return self.modules[k]


StepFn = Callable[[int], dict[str, float]]


def run_steps(name: str, steps: int, params: list[Tensor], step: StepFn, lr: float, log_every: int = 50) -> dict:
    """Adam loop with cosine decay; returns timings (s/step measured after the first, warm-up step)."""
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + np.cos(np.pi * min(s / max(steps, 1), 1))))
    t0, t_warm, last = time.time(), None, {}
    for s in range(steps):
        opt.zero_grad()
        losses = step(s)
        total = sum(losses.values())
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        last = {k: float(v) for k, v in losses.items()}
        if s == 0:
            t_warm = time.time()
        if s % log_every == 0 or s == steps - 1:
            print(f"[{name}] step {s + 1}/{steps} " + " ".join(f"{k}={v:.4f}" for k, v in last.items()), flush=True)
    end = time.time()
    per = (end - t_warm) / (steps - 1) if steps > 1 and t_warm else end - t0
    return {"steps": steps, "seconds": end - t0, "sec_per_step": per, "final": last}


def _params(*mods: nn.Module) -> list[Tensor]:
    return [p for m in mods for p in m.parameters() if p.requires_grad]


def freeze(*mods: nn.Module, on: bool = False) -> None:
    for m in mods:
        for p in m.parameters():
            p.requires_grad_(on)


# --- stage 0 --------------------------------------------------------------------------------------------
def stage_encoders(p: Pack, w: World, steps: int, batch: int) -> dict:
    enc = {m: p[f"encoder.{m}"] for m in MODALITIES}
    text, scale = p["encoder.text"], p["logit_scale"][0]

    def step(s: int) -> dict[str, Tensor]:
        out = {}
        for m in MODALITIES:
            x, ids = D.contrastive_batch(w, p.tok, m, s * batch, batch)
            out[m] = contrastive_loss(enc[m](x), text(ids), scale)
        return out
    return run_steps("0a encoders", steps, _params(*enc.values(), text) + [scale], step, 3e-4)


def lm_loss(logits: Tensor, labels: Tensor) -> Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)


def llm_forward(lm: LlamaLM, b: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    logits, hidden, _ = lm(b["inputs_embeds"], b["attention_mask"], b["position_ids"],
                           lm.empty_cache(b["inputs_embeds"].shape[0]))
    return logits, hidden


def stage_llm_pretrain(p: Pack, w: World, steps: int, batch: int) -> dict:
    """Text-only dialogues (generation requests) and caption echoes teach the language of the world."""
    lm = p["llm"]

    def step(s: int) -> dict[str, Tensor]:
        seqs = []
        for i in range(s * batch, (s + 1) * batch):
            d = w.dialogue(i)
            if d.inputs:  # no media yet: ask for the caption of a sample instead
                sample = next(iter(d.inputs.values()))
                seqs.append(D.Sequence_(p.tok, "say: " + sample.caption, {}, sample.caption + "."))
            else:
                seqs.append(D.dialogue_sequence(p.tok, d))
        b = D.build_llm_batch(seqs, lm.embed_tokens, None)
        return {"lm": lm_loss(llm_forward(lm, b)[0], b["labels"])}
    return run_steps("0b llm", steps, _params(lm), step, 1e-3)


def stage_vae(p: Pack, w: World, steps: int, batch: int) -> dict:
    enc, dec = p["vae_encoder"], p["vae_decoder"]

    def step(s: int) -> dict[str, Tensor]:
        x, _ = D.pixels_batch(w, "image", s * batch, batch)
        v, _ = D.pixels_batch(w, "video", s, 1)
        x = torch.cat([x, v[0, torch.randint(0, 16, (batch // 2,))]])
        mu, logvar = enc(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        rec = dec(z)
        kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())
        return {"rec": F.l1_loss(rec, x) + F.mse_loss(rec, x), "kl": 1e-4 * kl}
    t = run_steps("0c vae", steps, _params(enc, dec), step, 1e-3)
    with torch.no_grad():
        x, _ = D.pixels_batch(w, "image", 0, 64)
        p.facts["vae_scaling_factor"] = float(1.0 / enc(x)[0].std().clamp(min=1e-3))
    return t


def stage_decoders(p: Pack, w: World, steps: int, batch: int) -> dict:
    """UNet (epsilon, SD-1.5 schedule, 10% zero conditioning), audio DDSP and video decoders, jointly with
    the conditioning text encoder; the VAE stays frozen."""
    unet, cond, vae_e = p["unet"], p["cond_text"], p["vae_encoder"]
    audio, video = p["decoder.audio"], p["decoder.video"]
    freeze(vae_e, p["vae_decoder"])
    ac = sd15_alphas_cumprod()
    k = p.facts["vae_scaling_factor"]

    def step(s: int) -> dict[str, Tensor]:
        x, caps = D.pixels_batch(w, "image", s * batch, batch)
        with torch.no_grad():
            z0 = vae_e(x)[0] * k
        c = cond.condition(D.caption_ids(p.tok, caps), "image")
        c = c * (torch.rand(batch, 1, 1) > 0.1).float()
        t = torch.randint(0, 1000, (batch,))
        noise = torch.randn_like(z0)
        a = ac[t].view(-1, 1, 1, 1)
        zt = a.sqrt() * z0 + (1 - a).sqrt() * noise
        eps = unet(zt, t, c)
        wave, acaps, f0, loud = D.audio_batch(w, s * batch, batch)
        lf0, lloud, harm = audio.controls(cond.condition(D.caption_ids(p.tok, acaps), "audio"))
        pred = audio.synthesize(lf0, lloud, harm)
        spec = 0.0
        for n_fft in (256, 1024):
            win = torch.hann_window(n_fft)
            S1 = torch.stft(pred, n_fft, n_fft // 4, window=win, return_complex=True).abs()
            S2 = torch.stft(wave, n_fft, n_fft // 4, window=win, return_complex=True).abs()
            spec = spec + F.l1_loss(torch.log(S1 + 1e-5), torch.log(S2 + 1e-5))
        vb = max(1, batch // 4)
        v, vcaps = D.pixels_batch(w, "video", s * vb, vb)
        with torch.no_grad():
            vz = vae_e(v.flatten(0, 1))[0].view(vb, 16, 4, 8, 8)
        vlat = video.latents(cond.condition(D.caption_ids(p.tok, vcaps), "video"))
        return {"unet": F.mse_loss(eps, noise), "audio_ctrl": F.mse_loss(lf0, f0) + F.mse_loss(lloud, loud),
                "audio_spec": 0.1 * spec, "video": F.mse_loss(vlat, vz)}
    params = _params(unet, cond, audio) + [q for n, q in video.named_parameters() if not n.startswith("vae.")]
    return run_steps("0c decoders", steps, params, step, 5e-4)


# --- stages 1–3 -----------------------------------------------------------------------------------------
def _projector(p: Pack):
    def project(modality: str, sample) -> Tensor:
        x = torch.from_numpy(D.encoder_input(sample)).unsqueeze(0)
        with torch.no_grad():
            e = p[f"encoder.{modality}"](x)
        return p[f"input_projector.{modality}"](e)[0]
    return project


def stage1_encoder_alignment(p: Pack, w: World, steps: int, batch: int) -> dict:
    lm = p["llm"]
    freeze(lm, *(p[f"encoder.{m}"] for m in MODALITIES))
    project = _projector(p)

    def step(s: int) -> dict[str, Tensor]:
        seqs = []
        for i in range(s * batch, (s + 1) * batch):
            m = MODALITIES[i % 3]
            sample = D.sample_of(w, m, i)
            seqs.append(D.Sequence_(p.tok, "", {m: sample}, sample.caption + "."))
        b = D.build_llm_batch(seqs, lm.embed_tokens, project)
        return {"caption": lm_loss(llm_forward(lm, b)[0], b["labels"])}
    return run_steps("1 encoder-side", steps, _params(*(p[f"input_projector.{m}"] for m in MODALITIES)), step, 1e-3)


def _signal_mse(p: Pack, hidden: Tensor, b: dict[str, Tensor], dialogues) -> Tensor:
    """MSE between output projectors applied at the signal tokens and the conditioning of the captions."""
    loss = torch.zeros(())
    first = {m: p.tok.vocab[f"[{D.SIGNAL_PREFIX[m]}0]"] for m in MODALITIES}
    for bi, d in enumerate(dialogues):
        for m, cap in d.output_captions.items():
            pos = (b["token_ids"][bi] == first[m]).nonzero()
            if len(pos) == 0:
                continue
            n = {"image": 4, "audio": 8, "video": 24}[m]
            h = hidden[bi, pos[0, 0]: pos[0, 0] + n].unsqueeze(0)
            with torch.no_grad():
                target = p["cond_text"].condition(D.caption_ids(p.tok, [cap]), m)
            loss = loss + F.mse_loss(p[f"output_projector.{m}"](h), target)
    return loss


def stage2_decoder_alignment(p: Pack, w: World, steps: int, batch: int) -> dict:
    lm = p["llm"]
    freeze(lm, p["cond_text"])
    signal_ids = torch.tensor([p.tok.vocab[t] for t in SIGNALS])
    keep = torch.zeros(p.tok.size, 1)
    keep[signal_ids] = 1.0
    for t in (lm.embed_tokens.weight, lm.lm_head.weight):  # only the signal tokens' rows learn
        t.requires_grad_(True)
        t.register_hook(lambda g: g * keep)

    def step(s: int) -> dict[str, Tensor]:
        ds = [w.dialogue(i) for i in range(s * batch * 3, (s + 1) * batch * 3)]
        ds = [d for d in ds if d.outputs and not d.inputs][:batch] or [w.dialogue(1)]
        b = D.build_llm_batch([D.dialogue_sequence(p.tok, d) for d in ds], lm.embed_tokens, _projector(p))
        logits, hidden = llm_forward(lm, b)
        return {"lm": lm_loss(logits, b["labels"]), "mse": _signal_mse(p, hidden, b, ds)}
    params = [lm.embed_tokens.weight, lm.lm_head.weight] + _params(*(p[f"output_projector.{m}"] for m in MODALITIES))
    return run_steps("2 decoder-side", steps, params, step, 1e-3)


def stage3_instruction(p: Pack, w: World, steps: int, batch: int) -> dict:
    lm = p["llm"]
    freeze(lm)
    lm.add_lora()
    project = _projector(p)

    def step(s: int) -> dict[str, Tensor]:
        ds = [w.dialogue(i) for i in range(s * batch, (s + 1) * batch)]
        b = D.build_llm_batch([D.dialogue_sequence(p.tok, d) for d in ds], lm.embed_tokens, project)
        logits, hidden = llm_forward(lm, b)
        return {"lm": lm_loss(logits, b["labels"]), "mse": _signal_mse(p, hidden, b, ds)}
    params = _params(lm) + _params(*(p[f"{k}.{m}"] for k in ("input_projector", "output_projector") for m in MODALITIES))
    t = run_steps("3 instruction", steps, params, step, 5e-4)
    lm.merge_lora()
    return t
