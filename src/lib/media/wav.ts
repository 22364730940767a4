/**
 * WAV decoding with no server or browser dependency, shared by the server's media decoding
 * (`src/server/media/decode.ts`) and the tests that read the app's WAV downloads.
 */
import type { AudioValue } from "../values/types";

/** Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit, float32, WAVE_FORMAT_EXTENSIBLE), interleaved. */
export function decodeWav(bytes: Uint8Array): AudioValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE")
    throw new Error("not a WAV file (only WAV audio can be decoded)");
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw new Error("the WAV file's fmt chunk is cut short");
      let format = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the sub-format GUID's first two bytes
      if (format === 0xfffe && size >= 26 && body + 26 <= bytes.length)
        format = view.getUint16(body + 24, true);
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data") data = bytes.subarray(body, Math.min(bytes.length, body + size));
    at = body + size + (size & 1);
  }
  if (!fmt) throw new Error("the WAV file has no fmt chunk");
  if (!data) throw new Error("the WAV file has no data chunk");
  const { format, channels, sampleRate, bits } = fmt;
  if (channels === 0) throw new Error("the WAV file's fmt chunk says it has 0 channels");
  if (sampleRate === 0) throw new Error("the WAV file's fmt chunk says its sample rate is 0");
  if (!((format === 1 && [8, 16, 24, 32].includes(bits)) || (format === 3 && bits === 32)))
    throw new Error(`unsupported WAV encoding (format ${format}, ${bits} bits)`);
  const bytesPer = bits / 8;
  // Whole frames only (a file cut short may end inside one).
  const n = Math.floor(data.length / (bytesPer * channels)) * channels;
  const out = new Float32Array(n);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < n; i++) {
    const o = i * bytesPer;
    if (format === 3 && bits === 32) out[i] = dv.getFloat32(o, true);
    else if (format === 1 && bits === 16) out[i] = dv.getInt16(o, true) / 32768;
    else if (format === 1 && bits === 8) out[i] = (dv.getUint8(o) - 128) / 128;
    else if (format === 1 && bits === 24)
      out[i] = ((dv.getUint8(o) | (dv.getUint8(o + 1) << 8) | (dv.getInt8(o + 2) << 16)) / 8388608) as number;
    else if (format === 1 && bits === 32) out[i] = dv.getInt32(o, true) / 2147483648;
    else throw new Error(`unsupported WAV encoding (format ${format}, ${bits} bits)`);
  }
  return { kind: "audio", sampleRate, channels, data: out };
}
