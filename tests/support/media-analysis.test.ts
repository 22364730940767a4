/**
 * The content judges of the e2e tests on media made the way the mini NExT-GPT world makes them
 * (training/world/render.py): anti-aliased shapes on black, tones of three timbres that are steady,
 * pulsing (4 Hz on/off) or rising, written as PNG (sharp) and 16-bit WAV (as the app's downloads are).
 */
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  decodeImage,
  decodeWav,
  dominantFrequency,
  isPulsing,
  nearestColour,
  pitchBand,
  pulsing,
  shapeStats,
  WORLD_COLOURS,
} from "./media-analysis";

/** A star (render.py's) or a circle of radius r at (cx, cy) on a black 64×64 canvas, 4×4 supersampled. */
async function shapePng(shape: "star" | "circle", colour: string, cx: number, cy: number, r: number) {
  const rgb = WORLD_COLOURS[colour]!;
  const data = Buffer.alloc(64 * 64 * 3);
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 64; x++) {
      let cover = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const u = x + (sx + 0.5) / 4 - cx;
          const v = y + (sy + 0.5) / 4 - cy;
          const rho = Math.hypot(u, v);
          const k = Math.abs(((((Math.atan2(u, -v) / ((2 * Math.PI) / 5)) % 1) + 1) % 1) - 0.5) * 2;
          if (rho <= (shape === "circle" ? r : r * (0.45 + 0.55 * k))) cover++;
        }
      for (let c = 0; c < 3; c++) data[(y * 64 + x) * 3 + c] = Math.round((rgb[c]! * cover) / 16);
    }
  return new Uint8Array(
    await sharp(data, { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** render.py's tone: 1 s at 16 kHz, band-limited sine/square/saw, steady, pulsing (4 Hz) or rising. */
function tone(
  hz: number,
  timbre: "sine" | "square" | "saw",
  pattern: "steady" | "pulsing" | "rising",
  noise = 0,
) {
  const rate = 16000;
  const out = new Float32Array(rate);
  let phase = 0;
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (let i = 0; i < rate; i++) {
    const t = i / rate;
    const f0 = pattern === "rising" ? hz * 2 ** ((t - 0.5) * 0.5) : hz;
    phase += f0 / rate;
    let wave = 0;
    for (let k = 1; k < 40 && (timbre !== "sine" || k === 1); k++)
      if ((timbre !== "square" || k % 2 === 1) && k * f0 < 7200)
        wave += Math.sin(2 * Math.PI * k * phase) / k;
    const on = pattern !== "pulsing" || -Math.cos(2 * Math.PI * 4 * t) > 0 ? 1 : 0;
    const fade = Math.min(1, t / 0.01, (1 - t) / 0.01);
    out[i] = 0.5 * wave * on * fade + noise * random();
  }
  return out;
}

/** A mono 16-bit PCM WAV, as the app's `encodeWav` writes. */
function wav(samples: Float32Array, rate = 16000): Uint8Array {
  const out = Buffer.alloc(44 + samples.length * 2);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + samples.length * 2, 4);
  out.write("WAVEfmt ", 8, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(samples.length * 2, 40);
  samples.forEach((s, i) => out.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), 44 + i * 2));
  return new Uint8Array(out);
}

describe("image judges", () => {
  it("name each world colour, also for darkened edge pixels", () => {
    for (const [name, rgb] of Object.entries(WORLD_COLOURS)) {
      expect(nearestColour(rgb)).toBe(name);
      expect(nearestColour([rgb[0] * 0.6, rgb[1] * 0.6, rgb[2] * 0.6])).toBe(name);
    }
  });

  it("find a small red star at the top and a large blue circle in the bottom left", async () => {
    const star = shapeStats(await decodeImage(await shapePng("star", "red", 32, 18, 7)));
    expect(star.colour).toBe("red");
    expect(star.agreement).toBeGreaterThan(0.9);
    expect(star.centroid.x).toBeCloseTo(32, 0);
    expect(star.centroid.y).toBeLessThan(26);
    const circle = shapeStats(await decodeImage(await shapePng("circle", "blue", 18, 46, 15)));
    expect(circle.colour).toBe("blue");
    expect(circle.centroid.x).toBeCloseTo(18, 0);
    expect(circle.centroid.y).toBeCloseTo(46, 0);
    expect(circle.pixels).toBeGreaterThan(star.pixels * 4);
  });

  it("tell every colour apart in every place", async () => {
    for (const colour of Object.keys(WORLD_COLOURS))
      for (const [cx, cy] of [
        [18, 18],
        [46, 32],
        [32, 46],
      ] as const) {
        const s = shapeStats(await decodeImage(await shapePng("star", colour, cx, cy, 7)));
        expect(s.colour).toBe(colour);
        expect(Math.hypot(s.centroid.x - cx, s.centroid.y - cy)).toBeLessThan(1.5);
      }
  });

  it("see nothing on a black image", async () => {
    const black = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    expect(shapeStats(await decodeImage(new Uint8Array(black))).pixels).toBe(0);
  });
});

describe("audio judges", () => {
  it("decode the app's 16-bit WAV", () => {
    const a = decodeWav(wav(Float32Array.from([0, 0.5, -0.5, 1])));
    expect(a.sampleRate).toBe(16000);
    expect([...a.samples].map((s) => Math.round(s * 100) / 100)).toEqual([0, 0.5, -0.5, 1]);
  });

  it("find the pitch band of every timbre, detuned by up to 8%", () => {
    for (const [band, hz] of [
      ["low", 220 * 0.92],
      ["mid", 440 * 1.08],
      ["high", 880 * 0.92],
      ["high", 880 * 1.08],
    ] as const)
      for (const timbre of ["sine", "square", "saw"] as const) {
        const found = dominantFrequency(decodeWav(wav(tone(hz, timbre, "pulsing")))).hz;
        expect(Math.abs(found - hz)).toBeLessThan(hz * 0.01);
        expect(pitchBand(found)).toBe(band);
      }
  });

  it("tell pulsing tones from steady and rising ones, also under noise", () => {
    for (const timbre of ["sine", "square", "saw"] as const)
      for (const noise of [0, 0.1]) {
        const p = pulsing(decodeWav(wav(tone(880, timbre, "pulsing", noise))));
        expect(p.rateHz).toBe(4);
        expect(p.bursts).toBe(4);
        expect(isPulsing(p)).toBe(true);
        expect(isPulsing(pulsing(decodeWav(wav(tone(880, timbre, "steady", noise)))))).toBe(false);
        expect(isPulsing(pulsing(decodeWav(wav(tone(220, timbre, "rising", noise)))))).toBe(false);
      }
  });
});
