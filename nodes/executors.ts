/**
 * The registry of executors (server-only): one per node type in `nodes/index.ts`. Its type makes a node
 * type without an executor a compile error, and `executors.test.ts` checks the other direction.
 *
 * Model nodes reach their ONNX models through `ctx.inference` (see `model-io.ts`); without an inference
 * backend (`NO_INFERENCE`) they fail with a clear message.
 */
import "server-only";
import type { NodeType } from "./index";
import type { AnyNodeExecutor } from "~/server/engine/executor";
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
import { encoderExecutor } from "./encoder/executor";
import { inputProjectorExecutor } from "./input-projector/executor";
import { llmExecutor } from "./llm/executor";
import { signalRouterExecutor } from "./signal-router/executor";
import { outputProjectorExecutor } from "./output-projector/executor";
import { decoderExecutor } from "./decoder/executor";
import { speechToTextExecutor } from "./speech-to-text/executor";
import { textToSpeechExecutor } from "./text-to-speech/executor";
import { imageToTextExecutor } from "./image-to-text/executor";
import { voiceActivityExecutor } from "./voice-activity/executor";

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
  encoder: encoderExecutor,
  "input-projector": inputProjectorExecutor,
  llm: llmExecutor,
  "signal-router": signalRouterExecutor,
  "output-projector": outputProjectorExecutor,
  decoder: decoderExecutor,
  "speech-to-text": speechToTextExecutor,
  "text-to-speech": textToSpeechExecutor,
  "image-to-text": imageToTextExecutor,
  "voice-activity": voiceActivityExecutor,
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
