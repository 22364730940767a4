/** Tests only: an ExecutionContext for calling executors directly, recording progress. */
import type { NodeId } from "~/lib/graph/types";
import { MemoryArtifactStore } from "~/server/engine/artifacts";
import {
  silentLogger,
  type ExecutionContext,
  type ProgressUpdate,
  type RunId,
} from "~/server/engine/executor";
import type { InferenceContext } from "~/server/inference/types";
import { fixtureInference } from "./nextgpt-inference";

export interface TestContext extends ExecutionContext {
  readonly updates: ProgressUpdate[];
  readonly controller: AbortController;
}

export function testContext(inference: InferenceContext = fixtureInference()): TestContext {
  const controller = new AbortController();
  const updates: ProgressUpdate[] = [];
  return {
    nodeId: "n1" as NodeId,
    runId: "r1" as RunId,
    signal: controller.signal,
    controller,
    updates,
    progress: (p) => updates.push(p),
    log: silentLogger,
    artifacts: new MemoryArtifactStore(),
    inference,
  };
}
