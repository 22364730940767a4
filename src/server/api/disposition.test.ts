import { describe, expect, it } from "vitest";
import { asDownload, safeFilename } from "./disposition";

const bytes = () =>
  new Response(new Uint8Array([0xff, 0xd8, 0xff]), { headers: { "Content-Type": "image/jpeg" } });

describe("artifact download", () => {
  it("serves the bytes as an attachment under the name asked for", async () => {
    const res = asDownload(new Request("http://x/api/artifacts/h?download=beach%20photo.jpg"), bytes());
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="beach photo.jpg"; filename*=UTF-8''beach%20photo.jpg`,
    );
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 0xff]));
  });

  it("keeps a non-ASCII name exact for browsers that read filename*, with a plain fallback", () => {
    const res = asDownload(new Request("http://x/a?download=%C3%A9t%C3%A9.png"), bytes());
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="_t_.png"; filename*=UTF-8''%C3%A9t%C3%A9.png`,
    );
  });

  it("never names a file after a folder or a hidden file", () => {
    expect(safeFilename("../../etc/passwd")).toBe("passwd");
    expect(safeFilename("C:\\Users\\me\\cat.jpg")).toBe("cat.jpg");
    expect(safeFilename(".bashrc")).toBe("bashrc");
    expect(safeFilename("")).toBe("download");
  });

  it("leaves the response alone when no download was asked for, or on an error", () => {
    const plain = bytes();
    expect(asDownload(new Request("http://x/a"), plain)).toBe(plain);
    const missing = new Response("{}", { status: 404 });
    expect(asDownload(new Request("http://x/a?download=a.jpg"), missing)).toBe(missing);
  });
});
