/** Signal router executor: no model, just `routeSignals` over the LLM's tokens. */
import "server-only";
import { NodeExecutionError } from "~/server/engine/errors";
import { defineExecutor, skipPort, type SkippedPort } from "~/server/engine/executor";
import type { SignalValue, TextValue, TokensValue } from "~/lib/values/types";
import type { NodeSettings } from "../index";
import { routeSignals, type SignalSpec } from "./route";

type Settings = NodeSettings<"signal-router">;

export function signalSpecs(s: Settings): SignalSpec[] {
  return [
    { modality: "image", prefix: s.imagePrefix, count: s.imageTokens },
    { modality: "audio", prefix: s.audioPrefix, count: s.audioTokens },
    { modality: "video", prefix: s.videoPrefix, count: s.videoTokens },
  ];
}

type Out = SignalValue | SkippedPort;

export const signalRouterExecutor = defineExecutor<
  Settings,
  { tokens: TokensValue },
  { text: TextValue; image: Out; audio: Out; video: Out }
>({
  version: "1",
  deterministic: true,
  usesDevice: false,
  async execute(ctx, { tokens }, s) {
    let routed;
    try {
      routed = routeSignals(tokens, signalSpecs(s));
    } catch (err) {
      throw new NodeExecutionError("INPUT_SHAPE_MISMATCH", (err as Error).message, ctx.nodeId);
    }
    const port = (m: SignalSpec["modality"]): Out => {
      const r = routed.signals[m];
      if ("absent" in r) return skipPort(r.absent);
      if (r.hidden.dims[2] !== s.hiddenSize)
        throw new NodeExecutionError(
          "INPUT_SHAPE_MISMATCH",
          `the hidden states are ${r.hidden.dims[2]} wide, the node's "Hidden size" is ${s.hiddenSize}`,
          ctx.nodeId,
        );
      return { kind: "signal", modality: m, hidden: r.hidden };
    };
    return {
      text: { kind: "text", text: routed.text },
      image: port("image"),
      audio: port("audio"),
      video: port("video"),
    };
  },
});
