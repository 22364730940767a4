/**
 * The registry of executors (server-only): one per node type in `nodes/index.ts`. Its type makes a node
 * type without an executor a compile error, and `executors.test.ts` checks the other direction.
 *
 * Model nodes (encoder, projectors, LLM, signal router, decoder) have placeholder executors for now: they
 * fail with `MODEL_EXECUTION_UNAVAILABLE` ("model execution arrives with the inference issue") instead of
 * pretending to work. They already declare what the scheduler needs — `usesDevice`, and when sampling
 * makes them non-deterministic — so caching and device scheduling behave as they will.
 */
import "server-only";
import type { NodeSettings, NodeType } from "./index";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor, type AnyNodeExecutor, type NodeExecutor } from "~/server/engine/executor";
import { textInputExecutor } from "./text-input/executor";
import { imageInputExecutor } from "./image-input/executor";
import { audioInputExecutor } from "./audio-input/executor";
import { videoInputExecutor } from "./video-input/executor";
import { textOutputExecutor } from "./text-output/executor";
import { imageOutputExecutor } from "./image-output/executor";
import { audioOutputExecutor } from "./audio-output/executor";
import { videoOutputExecutor } from "./video-output/executor";
import { tensorOutputExecutor } from "./tensor-output/executor";
import { textTemplateExecutor } from "./text-template/executor";
import { textJoinExecutor } from "./text-join/executor";
import { textCaseExecutor } from "./text-case/executor";
import { delayExecutor } from "./delay/executor";

/** Message of the placeholder model executors. */
export const MODEL_EXECUTION_PENDING = "model execution arrives with the inference issue";

/** A placeholder for a model node type: declares scheduling facts, fails clearly when run. */
function pendingModelExecutor<S>(opts: {
  usesDevice: boolean;
  deterministic: boolean | ((s: S) => boolean);
}): NodeExecutor<S> {
  return defineExecutor<S, Record<string, never>, never>({
    version: "0-pending",
    deterministic: opts.deterministic,
    usesDevice: opts.usesDevice,
    async execute(ctx) {
      throw new NodeExecutionError("MODEL_EXECUTION_UNAVAILABLE", MODEL_EXECUTION_PENDING, ctx.nodeId);
    },
  });
}

/**
 * Every registered node type must have an executor (missing one: compile error). Executors for types the
 * registry does not list yet are allowed so a new node folder can land before its registration.
 */
type ExecutorTable = { readonly [K in NodeType]: AnyNodeExecutor } & {
  readonly [type: string]: AnyNodeExecutor;
};

export const executors = {
  "text-input": textInputExecutor,
  "image-input": imageInputExecutor,
  "audio-input": audioInputExecutor,
  "video-input": videoInputExecutor,
  encoder: pendingModelExecutor<NodeSettings<"encoder">>({ usesDevice: true, deterministic: true }),
  "input-projector": pendingModelExecutor<NodeSettings<"input-projector">>({
    usesDevice: true,
    deterministic: true,
  }),
  // Sampling draws random numbers unless seeded; temperature 0 is greedy and needs no seed.
  llm: pendingModelExecutor<NodeSettings<"llm">>({
    usesDevice: true,
    deterministic: (s) => s.seed !== null || s.temperature === 0,
  }),
  // Pure bookkeeping over the LLM's tokens (no model), kept with the model nodes as it lands with them.
  "signal-router": pendingModelExecutor<NodeSettings<"signal-router">>({
    usesDevice: false,
    deterministic: true,
  }),
  "output-projector": pendingModelExecutor<NodeSettings<"output-projector">>({
    usesDevice: true,
    deterministic: true,
  }),
  // Diffusion starts from random noise: only a seed makes it reproducible.
  decoder: pendingModelExecutor<NodeSettings<"decoder">>({
    usesDevice: true,
    deterministic: (s) => s.seed !== null,
  }),
  "text-output": textOutputExecutor,
  "image-output": imageOutputExecutor,
  "audio-output": audioOutputExecutor,
  "video-output": videoOutputExecutor,
  "tensor-output": tensorOutputExecutor,
  "text-template": textTemplateExecutor,
  "text-join": textJoinExecutor,
  "text-case": textCaseExecutor,
  delay: delayExecutor,
} satisfies ExecutorTable;

/** The executor of `type`, or undefined for a type with none (an unknown type). */
export function getExecutor(type: string): AnyNodeExecutor | undefined {
  return (executors as Readonly<Record<string, AnyNodeExecutor>>)[type];
}
