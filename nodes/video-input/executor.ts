/**
 * Video input: emits the uploaded file as an undecoded `video` value (see `mediaInputExecutor`: decoding
 * arrives with the inference issue).
 */
import "server-only";
import { mediaInputExecutor } from "../executor-helpers";

export const videoInputExecutor = mediaInputExecutor("video");
