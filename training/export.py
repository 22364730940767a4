"""Export of the pack: ONNX files (opset 17) + one ``model.json`` per model in a models directory layout
(``<dir>/<id>/model.json``, paths relative to ``<dir>``), the format src/lib/models/manifest.ts validates.

Usage: /usr/bin/python3 training/export.py --checkpoint training/out/pack.pt --out training/out/models
(train.py calls ``export_pack`` itself at the end of a run).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import onnx
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from models.encoders import AUDIO_MEAN, AUDIO_STD, IMAGE_MEAN, IMAGE_STD, TEXT_LEN, export_encoder  # noqa: E402
from models.llm import export_llm  # noqa: E402
from models.projectors import COND_DIM, COND_QUERIES  # noqa: E402
from world.world import SIGNAL_COUNTS  # noqa: E402

LICENSE = "MIT (weights trained by Switchboard's training/ on its synthetic world)"
PREFIX = "mini-nextgpt"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def signature(path: Path) -> tuple[list[dict], list[dict]]:
    """Inputs and outputs of an ONNX file as the manifest records them (dims: number, name or null)."""
    m = onnx.load(str(path), load_external_data=False)
    types = {1: "float32", 7: "int64", 6: "int32", 9: "bool"}

    def sig(vs) -> list[dict]:
        out = []
        for v in vs:
            t = v.type.tensor_type
            dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in t.shape.dim]
            out.append({"name": v.name, "dtype": types.get(t.elem_type, str(t.elem_type)), "dims": dims})
        return out
    init = {i.name for i in m.graph.initializer}
    return sig([i for i in m.graph.input if i.name not in init]), sig(m.graph.output)


def file_entry(root: Path, path: Path, name: str, role: str | None = None) -> dict:
    e: dict = {"name": name, "path": path.relative_to(root).as_posix(), "sha256": sha256(path),
               "bytes": path.stat().st_size}
    if role:
        e["role"] = role
    if path.suffix == ".onnx":
        e["inputs"], e["outputs"] = signature(path)
    return e


def write_manifest(root: Path, folder: str, manifest: dict) -> None:
    (root / folder / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")


def export_pack(pack, root: Path, source: dict) -> list[str]:
    """Exports every model of `pack` (a stages.Pack) under `root`; returns the model ids."""
    root.mkdir(parents=True, exist_ok=True)
    ids: list[str] = []
    src = {"kind": "project", "script": "training/train.py", **source}
    D = pack.enc_cfg.embed_dim
    H = pack.llm_cfg.hidden_size

    def entry(folder: str, role: str, modality: str | None, files: list[dict], config: dict, title: str,
              default: bool = True, roles: list[str] | None = None) -> None:
        m = {"id": folder, "title": title, "role": role, **({"roles": roles} if roles else {}),
             **({"modality": modality} if modality else {}), "default": default, "license": LICENSE,
             "source": src, "files": files, "config": config}
        write_manifest(root, folder, m)
        ids.append(folder)

    # LLM first: its tokenizer is also the text encoder's.
    folder = f"{PREFIX}-llm"
    d = root / folder
    d.mkdir(exist_ok=True)
    export_llm(pack.modules["llm"], str(d / "decoder.onnx"), str(d / "embed.onnx"))
    pack.tok.save(d)
    c = pack.llm_cfg
    entry(folder, "llm.decoder", "text", [
        file_entry(root, d / "decoder.onnx", "decoder"), file_entry(root, d / "embed.onnx", "embed", "llm.embed"),
        file_entry(root, d / "tokenizer.json", "tokenizer"),
        file_entry(root, d / "tokenizer_config.json", "tokenizer_config")],
        {"hiddenSize": H, "layers": c.layers, "heads": c.heads, "kvHeads": c.kv_heads, "headDim": c.head_dim,
         "vocabSize": pack.tok.size, "eosTokenId": 2, "addBosToken": False,
         "promptTemplate": "### Human: {image}{audio}{video}{prompt}\n### Assistant:",
         "signalTokens": {m: n for m, (_, n) in SIGNAL_COUNTS.items()}},
        "Mini NExT-GPT LLM (LLaMA-style, KV cache)", roles=["llm.embed"])

    for m in ("image", "audio", "video", "text"):
        folder = f"{PREFIX}-encoder-{m}"
        d = root / folder
        d.mkdir(exist_ok=True)
        export_encoder(pack.modules[f"encoder.{m}"], m, str(d / "model.onnx"))
        files = [file_entry(root, d / "model.onnx", "model")]
        cfg: dict = {"embeddingDim": D}
        if m in ("image", "video"):
            cfg.update(imageMean=[IMAGE_MEAN] * 3, imageStd=[IMAGE_STD] * 3)
        if m == "audio":
            cfg.update(sampleRate=16000, clipSeconds=1, audioMean=AUDIO_MEAN, audioStd=AUDIO_STD)
        if m == "text":
            pack.tok.save(d)
            files.append(file_entry(root, d / "tokenizer.json", "tokenizer"))
            cfg["contextLength"] = TEXT_LEN
        entry(folder, f"encoder.{m}", m, files, cfg, f"Mini NExT-GPT {m} encoder (ImageBind-style)")

    for i, m in enumerate(("image", "audio", "video")):
        folder = f"{PREFIX}-input-projector-{m}"
        (root / folder).mkdir(exist_ok=True)
        path = root / folder / "model.onnx"
        with torch.no_grad():
            torch.onnx.export(pack.modules[f"input_projector.{m}"].eval(), (torch.randn(1, D),), str(path),
                              opset_version=17, input_names=["input"], output_names=["output"],
                              dynamic_axes={"input": {0: "B"}, "output": {0: "B"}})
        tokens = pack.modules[f"input_projector.{m}"].tokens
        entry(folder, "input-projector", m, [file_entry(root, path, "model")],
              {"inDim": D, "outDim": H, "tokens": tokens},
              f"Mini NExT-GPT {m} input projector", default=i == 0)

        folder = f"{PREFIX}-output-projector-{m}"
        (root / folder).mkdir(exist_ok=True)
        path = root / folder / "model.onnx"
        n = SIGNAL_COUNTS[m][1]
        with torch.no_grad():
            torch.onnx.export(pack.modules[f"output_projector.{m}"].eval(), (torch.randn(1, n, H),), str(path),
                              opset_version=17, input_names=["hidden_states"], output_names=["conditioning"],
                              dynamic_axes={"hidden_states": {0: "B", 1: "N"}, "conditioning": {0: "B"}})
        entry(folder, f"output-projector.{m}", m, [file_entry(root, path, "model")],
              {"inDim": H, "queries": COND_QUERIES[m], "outDim": COND_DIM, "signalTokens": n},
              f"Mini NExT-GPT {m} output projector")

    # Image: Diffusers layout (unet + vae_decoder) in one entry.
    folder = f"{PREFIX}-decoder-image"
    d = root / folder
    d.mkdir(exist_ok=True)
    q = COND_QUERIES["image"]
    with torch.no_grad():
        torch.onnx.export(pack.modules["unet"].eval(),
                          (torch.randn(2, 4, 8, 8), torch.tensor([981]), torch.randn(2, q, COND_DIM)),
                          str(d / "unet.onnx"), opset_version=17,
                          input_names=["sample", "timestep", "encoder_hidden_states"], output_names=["out_sample"],
                          dynamic_axes={"sample": {0: "B"}, "encoder_hidden_states": {0: "B"}, "out_sample": {0: "B"}})
        torch.onnx.export(pack.modules["vae_decoder"].eval(), (torch.randn(1, 4, 8, 8),), str(d / "vae_decoder.onnx"),
                          opset_version=17, input_names=["latent_sample"], output_names=["sample"],
                          dynamic_axes={"latent_sample": {0: "B"}, "sample": {0: "B"}})
    entry(folder, "decoder.image.unet", "image", [
        file_entry(root, d / "unet.onnx", "unet", "decoder.image.unet"),
        file_entry(root, d / "vae_decoder.onnx", "vae_decoder", "decoder.image.vae_decoder")],
        {"kind": "diffusion", "vaeScalingFactor": pack.facts["vae_scaling_factor"], "width": 64, "height": 64,
         "conditioningQueries": q, "conditioningDim": COND_DIM, "scheduler": "ddim", "steps": 20,
         "guidanceScale": 3.0}, "Mini NExT-GPT image decoder (latent diffusion, Diffusers layout)",
        roles=["decoder.image.vae_decoder"])

    for m, out_name, dummy_q in (("audio", "waveform", 1), ("video", "frames", COND_QUERIES["video"])):
        folder = f"{PREFIX}-decoder-{m}"
        d = root / folder
        d.mkdir(exist_ok=True)
        with torch.no_grad():
            torch.onnx.export(pack.modules[f"decoder.{m}"].eval(), (torch.randn(1, dummy_q, COND_DIM),),
                              str(d / "model.onnx"), opset_version=17, input_names=["conditioning"],
                              output_names=[out_name], dynamic_axes={"conditioning": {0: "B"}, out_name: {0: "B"}})
        cfg = ({"kind": "direct", "sampleRate": 16000, "durationS": 1, "conditioningQueries": 1,
                "conditioningDim": COND_DIM} if m == "audio" else
               {"kind": "direct", "width": 64, "height": 64, "frames": 16, "fps": 8,
                "conditioningQueries": dummy_q, "conditioningDim": COND_DIM})
        entry(folder, f"decoder.{m}", m, [file_entry(root, d / "model.onnx", "model")], cfg,
              f"Mini NExT-GPT {m} decoder ({'DDSP harmonic synth' if m == 'audio' else 'latent frames + image VAE'})")
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--checkpoint", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    pack = torch.load(a.checkpoint)
    print("\n".join(export_pack(pack, a.out, {"checkpoint": str(a.checkpoint)})))


if __name__ == "__main__":
    main()
