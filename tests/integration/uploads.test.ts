/**
 * Artifacts and uploads against a real PostgreSQL: the store (dedup by content), the upload and download
 * handlers (limits enforced while streaming, caching headers), and the Next route modules themselves.
 */
import { createHash } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handleArtifactGet, handleUpload } from "~/server/api/uploads";
import {
  createArtifactStore,
  DEFAULT_MAX_UPLOAD_BYTES,
  maxUploadBytes,
  normalizeMime,
  type ArtifactStore,
} from "~/server/services/artifacts";
import { InvalidInputError } from "~/server/services/errors";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

let t: TestDatabase;
let store: ArtifactStore;

beforeAll(async () => {
  t = await createTestDatabase();
  store = createArtifactStore(t.db);
});
afterAll(() => t?.drop());
beforeEach(async () => {
  await t.db.artifact.deleteMany();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

function upload(body: BodyInit, headers: Record<string, string> = {}, query = "") {
  return new Request(`http://localhost/api/uploads${query}`, {
    method: "POST",
    headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

/** A body that never ends by itself; `pulled()` says how many bytes the reader asked for. */
function endlessBody(chunkSize = 64 * 1024) {
  let pulled = 0;
  const chunk = new Uint8Array(chunkSize).fill(7);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk.byteLength;
      if (pulled > 64 * 1024 * 1024)
        controller.close(); // a safety stop for a broken limiter
      else controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe("PostgresArtifactStore", () => {
  it("stores by SHA-256 and stores the same bytes once", async () => {
    const data = bytes("hello artifact");
    const first = await store.put(data, "text/plain");
    expect(first).toMatchObject({
      hash: sha(data),
      size: data.byteLength,
      mime: "text/plain",
      created: true,
    });
    const second = await store.put(new Uint8Array(data), "application/octet-stream");
    expect(second).toMatchObject({ hash: first.hash, created: false, mime: "text/plain" });
    expect(await t.db.artifact.count()).toBe(1);

    expect(await store.has(first.hash)).toBe(true);
    const got = await store.get(first.hash);
    expect(got && Array.from(got.data)).toEqual(Array.from(data));
    expect(got?.mime).toBe("text/plain");
    expect(await store.stat(first.hash)).toMatchObject({ hash: first.hash, size: data.byteLength });
  });

  it("survives concurrent puts of the same bytes", async () => {
    const data = bytes("same bytes, many writers");
    const results = await Promise.all([1, 2, 3, 4].map(() => store.put(data, "text/plain")));
    expect(new Set(results.map((r) => r.hash)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await t.db.artifact.count()).toBe(1);
  });

  it("answers null/false for unknown hashes and refuses malformed ones", async () => {
    const unknown = "0".repeat(64);
    expect(await store.get(unknown)).toBeNull();
    expect(await store.has(unknown)).toBe(false);
    await expect(store.get("ABC")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.has("g".repeat(64))).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("normalizes mime types and falls back to octet-stream for junk", () => {
    expect(normalizeMime("Image/PNG")).toBe("image/png");
    expect(normalizeMime("text/plain; charset=utf-8")).toBe("text/plain; charset=utf-8");
    expect(normalizeMime("not a mime")).toBe("application/octet-stream");
    expect(normalizeMime("text/html\r\nX-Injected: 1")).toBe("application/octet-stream");
    expect(normalizeMime(undefined)).toBe("application/octet-stream");
  });
});

describe("POST /api/uploads", () => {
  it("stores a raw body and answers hash, size, mime and file name; the same bytes again dedup", async () => {
    const data = bytes("RIFF....WAVEfmt ");
    const res = await handleUpload(
      upload(data, { "content-type": "audio/wav", "x-filename": "clip%20one.wav" }),
      {
        store,
        maxBytes: 1024,
      },
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      hash: sha(data),
      size: data.byteLength,
      mime: "audio/wav",
      filename: "clip one.wav",
    });

    const again = await handleUpload(upload(data, { "content-type": "audio/wav" }, "?filename=again.wav"), {
      store,
      maxBytes: 1024,
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ hash: sha(data), filename: "again.wav" });
    expect(await t.db.artifact.count()).toBe(1);
  });

  it("types a file by its bytes: a JPEG named photo.png is a JPEG; unknown bytes keep the declared type", async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#0a0" } })
      .jpeg()
      .toBuffer();
    const form = new FormData();
    form.append("file", new File([jpeg], "photo.png", { type: "image/png" }));
    const res = await handleUpload(upload(form), { store, maxBytes: 1024 * 1024 });
    expect(await res.json()).toMatchObject({ mime: "image/jpeg", filename: "photo.png" });
    expect((await store.get(sha(jpeg)))?.mime).toBe("image/jpeg");

    const text = bytes("plain words");
    const raw = await handleUpload(upload(text, { "content-type": "text/plain" }), { store, maxBytes: 1024 });
    expect(await raw.json()).toMatchObject({ mime: "text/plain" });
  });

  it("stores the file of a multipart form", async () => {
    const data = bytes("\x89PNG fake image bytes");
    const form = new FormData();
    form.append("note", "not a file");
    form.append("file", new File([data], "../../etc/cat.png", { type: "image/png" }));
    const res = await handleUpload(upload(form), { store, maxBytes: 1024 });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      hash: sha(data),
      size: data.byteLength,
      mime: "image/png",
      filename: "cat.png",
    });
  });

  it("refuses a declared oversize body with 413 and the limit in words, before reading it", async () => {
    const { stream, pulled } = endlessBody();
    const res = await handleUpload(upload(stream, { "content-length": String(2 * 1024 * 1024) }), {
      store,
      maxBytes: 1024 * 1024,
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "This upload is larger than the 1 MB limit." });
    expect(pulled()).toBeLessThanOrEqual(64 * 1024 * 2); // at most what the stream buffered on its own
    expect(await t.db.artifact.count()).toBe(0);
  });

  it("stops reading an undeclared (chunked) body as soon as it passes the limit", async () => {
    const { stream, pulled } = endlessBody();
    const res = await handleUpload(upload(stream), { store, maxBytes: 1024 * 1024 });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "This upload is larger than the 1 MB limit." });
    expect(pulled()).toBeLessThan(1024 * 1024 + 4 * 64 * 1024);
    expect(await t.db.artifact.count()).toBe(0);
  });

  it("refuses an oversize multipart file, and a body exactly at the limit is accepted", async () => {
    const form = new FormData();
    form.append("file", new File([new Uint8Array(2048)], "big.bin"));
    const res = await handleUpload(upload(form), { store, maxBytes: 1024 });
    expect(res.status).toBe(413);

    const exact = new Uint8Array(1024).fill(1);
    const ok = await handleUpload(upload(exact), { store, maxBytes: 1024 });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ size: 1024, mime: "application/octet-stream", filename: null });
  });

  it("refuses empty uploads and forms without a file with 400", async () => {
    const empty = await handleUpload(upload(new Uint8Array(0)), { store, maxBytes: 1024 });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: "The upload is empty." });
    const form = new FormData();
    form.append("note", "text only");
    const noFile = await handleUpload(upload(form), { store, maxBytes: 1024 });
    expect(noFile.status).toBe(400);
    expect((await noFile.json()).error).toContain('field named "file"');
  });

  it("reads its limit from SWITCHBOARD_MAX_UPLOAD_BYTES (default 50 MB)", () => {
    const saved = process.env.SWITCHBOARD_MAX_UPLOAD_BYTES;
    try {
      delete process.env.SWITCHBOARD_MAX_UPLOAD_BYTES;
      expect(maxUploadBytes()).toBe(DEFAULT_MAX_UPLOAD_BYTES);
      expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(50 * 1024 * 1024);
      process.env.SWITCHBOARD_MAX_UPLOAD_BYTES = "2048";
      expect(maxUploadBytes()).toBe(2048);
      process.env.SWITCHBOARD_MAX_UPLOAD_BYTES = "lots";
      expect(maxUploadBytes()).toBe(DEFAULT_MAX_UPLOAD_BYTES);
    } finally {
      if (saved === undefined) delete process.env.SWITCHBOARD_MAX_UPLOAD_BYTES;
      else process.env.SWITCHBOARD_MAX_UPLOAD_BYTES = saved;
    }
  });
});

describe("GET /api/artifacts/<hash>", () => {
  const get = (hash: string, headers: Record<string, string> = {}) =>
    handleArtifactGet(new Request(`http://localhost/api/artifacts/${hash}`, { headers }), hash, { store });

  it("serves the bytes with the stored mime, immutable caching and the hash as ETag", async () => {
    const data = bytes("<svg xmlns='http://www.w3.org/2000/svg'/>");
    const { hash } = await store.put(data, "image/svg+xml");
    const res = await get(hash);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("etag")).toBe(`"${hash}"`);
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(data);

    const cached = await get(hash, { "if-none-match": `"${hash}"` });
    expect(cached.status).toBe(304);
  });

  it("serves a byte range (media seeking)", async () => {
    const { hash } = await store.put(bytes("0123456789"), "audio/wav");
    const res = await get(hash, { range: "bytes=2-5" });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(await res.text()).toBe("2345");
    expect(await (await get(hash, { range: "bytes=-3" })).text()).toBe("789");
    expect((await get(hash, { range: "bytes=20-" })).status).toBe(416);
  });

  it("answers 404 for an unknown hash and 400 for a malformed one", async () => {
    const missing = await get("a".repeat(64));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "No artifact with this hash is stored." });
    const malformed = await get("../../etc/passwd");
    expect(malformed.status).toBe(400);
    expect((await get("A".repeat(64))).status).toBe(400);
  });
});

describe("the Next route modules", () => {
  it("upload and download through the real route handlers", async () => {
    const saved = { url: process.env.DATABASE_URL, max: process.env.SWITCHBOARD_MAX_UPLOAD_BYTES };
    process.env.DATABASE_URL = t.url;
    process.env.SWITCHBOARD_MAX_UPLOAD_BYTES = "4096";
    const { db } = await import("~/server/db");
    try {
      const uploads = await import("~/app/api/uploads/route");
      const artifacts = await import("~/app/api/artifacts/[hash]/route");
      const data = bytes("through the route");
      const res = await uploads.POST(upload(data, { "content-type": "text/plain" }));
      expect(res.status).toBe(201);
      const { hash } = (await res.json()) as { hash: string };

      const tooBig = await uploads.POST(upload(new Uint8Array(5000)));
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toEqual({ error: "This upload is larger than the 4 KB limit." });

      const got = await artifacts.GET(new Request(`http://localhost/api/artifacts/${hash}`), {
        params: Promise.resolve({ hash }),
      });
      expect(got.status).toBe(200);
      expect(await got.text()).toBe("through the route");
    } finally {
      await db().$disconnect();
      process.env.DATABASE_URL = saved.url;
      if (saved.max === undefined) delete process.env.SWITCHBOARD_MAX_UPLOAD_BYTES;
      else process.env.SWITCHBOARD_MAX_UPLOAD_BYTES = saved.max;
    }
  });
});
