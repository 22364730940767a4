/**
 * The registry of node definitions (client-safe). Adding a node type: create `nodes/<type>/definition.ts`
 * and list it here; `nodes/executors.ts` (server-only) must then map it to an executor.
 * The order of `nodeDefinitions` is the palette order: inputs, model nodes in pipeline order, outputs.
 */
import type { z } from "zod";
import type { NodePorts } from "~/lib/graph/types";
import type { NodeDefinition } from "./types";
import { textInput } from "./text-input/definition";
import { imageInput } from "./image-input/definition";
import { audioInput } from "./audio-input/definition";
import { videoInput } from "./video-input/definition";
import { encoder } from "./encoder/definition";
import { inputProjector } from "./input-projector/definition";
import { llm } from "./llm/definition";
import { signalRouter } from "./signal-router/definition";
import { outputProjector } from "./output-projector/definition";
import { decoder } from "./decoder/definition";
import { speechToText } from "./speech-to-text/definition";
import { textToSpeech } from "./text-to-speech/definition";
import { imageToText } from "./image-to-text/definition";
import { voiceActivity } from "./voice-activity/definition";
import { textTemplate } from "./text-template/definition";
import { textJoin } from "./text-join/definition";
import { textCase } from "./text-case/definition";
import { delay } from "./delay/definition";
import { textOutput } from "./text-output/definition";
import { imageOutput } from "./image-output/definition";
import { audioOutput } from "./audio-output/definition";
import { videoOutput } from "./video-output/definition";
import { tensorOutput } from "./tensor-output/definition";

export const nodeDefinitions = [
  textInput,
  imageInput,
  audioInput,
  videoInput,
  encoder,
  inputProjector,
  llm,
  signalRouter,
  outputProjector,
  decoder,
  speechToText,
  textToSpeech,
  imageToText,
  voiceActivity,
  textTemplate,
  textJoin,
  textCase,
  delay,
  textOutput,
  imageOutput,
  audioOutput,
  videoOutput,
  tensorOutput,
] as const satisfies readonly NodeDefinition[];

export type NodeType = (typeof nodeDefinitions)[number]["type"];

/** Settings type of one node type, e.g. `NodeSettings<"llm">["maxTokens"]`. */
export type NodeSettings<T extends NodeType> = z.output<
  Extract<(typeof nodeDefinitions)[number], { type: T }>["settings"]
>;

const byType = new Map<string, NodeDefinition>(
  nodeDefinitions.map((d) => [d.type, d as unknown as NodeDefinition]),
);

export function getNodeDefinition(type: string): NodeDefinition | undefined {
  return byType.get(type);
}

export function isNodeType(type: string): type is NodeType {
  return byType.has(type);
}

/** The defaults of a node type's settings (what a freshly added node gets). */
export function defaultSettings(def: NodeDefinition): Record<string, unknown> {
  return def.settings.parse({});
}

/** Settings with defaults filled in; invalid settings fall back to defaults for display only. */
export function settingsWithDefaults(
  def: NodeDefinition,
  settings: Record<string, unknown>,
): z.output<z.ZodObject> {
  const parsed = def.settings.safeParse(settings);
  return parsed.success ? parsed.data : def.settings.parse({});
}

/** The ports of a node given its (possibly invalid) settings. */
export function resolvePorts(def: NodeDefinition, settings: Record<string, unknown>): NodePorts {
  return def.ports(settingsWithDefaults(def, settings));
}

/** Whether a node of `type` with `settings` pauses at steps of its own when a debugged run steps into it. */
export function hasSteps(type: string, settings: Record<string, unknown>): boolean {
  const def = byType.get(type);
  return def?.hasSteps?.(settingsWithDefaults(def, settings)) ?? false;
}

export type { NodeDefinition } from "./types";
