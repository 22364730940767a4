import { describe, expect, it } from "vitest";
import { fileFormat } from "./upload";

describe("fileFormat", () => {
  it("names an upload's own format, from its media type first", () => {
    expect(fileFormat({ mime: "image/jpeg", filename: "photo.jpg" })).toBe("JPEG");
    expect(fileFormat({ mime: "image/png", filename: "photo.jpg" })).toBe("PNG"); // the type wins
    expect(fileFormat({ mime: "audio/x-wav", filename: "a" })).toBe("WAV");
    expect(fileFormat({ mime: "video/mp4; codecs=avc1", filename: "clip" })).toBe("MP4");
  });

  it("falls back to the file name's extension, and says nothing when neither tells", () => {
    expect(fileFormat({ mime: "application/octet-stream", filename: "scan.JPEG" })).toBe("JPEG");
    expect(fileFormat({ mime: "application/octet-stream", filename: "tone.flac" })).toBe("FLAC");
    expect(fileFormat({ mime: "application/octet-stream", filename: "x.heic" })).toBe("HEIC");
    expect(fileFormat({ mime: "application/octet-stream", filename: "upload" })).toBeNull();
  });
});
