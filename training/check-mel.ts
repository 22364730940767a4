// Cross-checks training/models/encoders.py's audio_features against the encoder executor's mel.ts on a
// world tone (reads /dev/stdin: {"wave": [...], "features": [...]}, as printed by the Python side).
//   /usr/bin/python3 training/mel_probe.py | npx tsx training/check-mel.ts
import { readFileSync } from "node:fs";
import { audioFeatures, IMAGEBIND_AUDIO } from "../nodes/encoder/mel";

const { wave, features } = JSON.parse(readFileSync(0, "utf8")) as { wave: number[]; features: number[] };
const ts = audioFeatures(Float32Array.from(wave), { ...IMAGEBIND_AUDIO, bins: 64, frames: 100 });
let max = 0;
for (let i = 0; i < ts.length; i++) max = Math.max(max, Math.abs(ts[i]! - features[i]!));
console.log(`mel.ts vs encoders.py: ${ts.length} values, max |Δ| ${max.toExponential(2)}`);
process.exit(max < 1e-3 && ts.length === features.length ? 0 : 1);
