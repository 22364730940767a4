/**
 * Global setup of the `models` test project: makes sure the real models are in `models/` (the same step as
 * `npm run models:setup`), so these tests never skip for want of files — they fail with the setup's error.
 */
import { createLog } from "../../../scripts/lib/log";
import { ensureNpmModels } from "../../../scripts/lib/npm-models";

export default async function setup(): Promise<void> {
  await ensureNpmModels({ log: createLog("models") });
}
