/**
 * Video input: emits the uploaded file as an undecoded `video` value (see `mediaInputExecutor`); model nodes
 * decode it (`decodedVideo`: animated WebP/GIF, other formats through ffmpeg).
 */
import "server-only";
import { mediaInputExecutor } from "../executor-helpers";

export const videoInputExecutor = mediaInputExecutor("video");
