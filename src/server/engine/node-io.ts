/**
 * Per-node plumbing the scheduler needs between executors: gathering a node's inputs from its sources'
 * outputs (deciding whether it must be skipped), checking what an executor returned against its declared
 * ports, and previews of outputs for events. Pure functions over plan + state; no I/O.
 */
import { previewValue } from "~/lib/values/preview";
import type { Value } from "~/lib/values/types";
import type { PortPreview } from "./events";
import { isSkippedPort, type NodeInputs, type NodeOutputs, type SkippedPort } from "./executor";
import { NodeExecutionError } from "./errors";
import type { PlannedNode } from "./plan";
import type { NodeSlot } from "./run-types";

export type InputResolution =
  { ok: true; inputs: NodeInputs } | { ok: false; reason: string; cause: string; failure: boolean };

function title(nodeId: string, nodes: readonly PlannedNode[], index: number): string {
  const n = nodes[index];
  return n ? `${n.node.label?.trim() || n.definition.title} (${nodeId})` : nodeId;
}

/**
 * Gathers `node`'s inputs. A failed source (or one skipped because of a failure) skips the node. A skipped
 * port (routing) skips the node only where the input is required and no value is left; an optional
 * input just sees nothing, and a `multiple` input gets the values that did arrive.
 */
export function resolveInputs(
  node: PlannedNode,
  nodes: readonly PlannedNode[],
  state: (index: number) => NodeSlot,
): InputResolution {
  const inputs: NodeInputs = {};
  for (const input of node.inputs) {
    const values: Value[] = [];
    let skipped: { reason: string; cause: string } | undefined;
    for (const src of input.sources) {
      const s = state(src.index);
      if (s.status === "failed" || (s.status === "skipped" && s.failure)) {
        const why = s.status === "failed" ? "failed" : "was skipped after a failure";
        return {
          ok: false,
          reason: `upstream ${title(src.nodeId, nodes, src.index)} ${why}`,
          cause: src.nodeId,
          failure: true,
        };
      }
      const v: Value | SkippedPort | undefined =
        s.status === "skipped" ? { kind: "skipped", reason: s.reason ?? "skipped" } : s.outputs?.[src.port];
      if (v === undefined || isSkippedPort(v)) {
        skipped ??= { reason: v?.reason ?? `no value on "${src.port}"`, cause: src.nodeId };
        continue;
      }
      values.push(v);
    }
    if (values.length === 0 && skipped && !input.port.optional) {
      return {
        ok: false,
        reason: `input "${input.port.label}" has no value: ${skipped.reason}`,
        cause: skipped.cause,
        failure: false,
      };
    }
    if (input.port.multiple) inputs[input.port.id] = values;
    else if (values[0] !== undefined) inputs[input.port.id] = values[0];
  }
  return { ok: true, inputs };
}

/**
 * Checks that `outputs` has a value of the declared type (or a skip) for every declared output port.
 * Extra entries are allowed: output nodes pass their input through under the input's port id.
 */
export function checkOutputs(node: PlannedNode, outputs: unknown): NodeOutputs {
  if (typeof outputs !== "object" || outputs === null) {
    throw new NodeExecutionError("INVALID_OUTPUT", "the executor returned no outputs object", node.id);
  }
  const record = outputs as Record<string, Value | SkippedPort | undefined>;
  for (const port of node.ports.outputs) {
    const v = record[port.id];
    if (v === undefined)
      throw new NodeExecutionError(
        "INVALID_OUTPUT",
        `the executor produced nothing on output "${port.id}"`,
        node.id,
      );
    if (v.kind !== "skipped" && port.type !== "any" && v.kind !== port.type) {
      throw new NodeExecutionError(
        "INVALID_OUTPUT",
        `output "${port.id}" should be ${port.type} but is ${v.kind}`,
        node.id,
      );
    }
  }
  return record as NodeOutputs;
}

/** Previews of every output port, for `node.finished` / `node.cached`. */
export function previewOutputs(outputs: NodeOutputs): Record<string, PortPreview> {
  const out: Record<string, PortPreview> = {};
  for (const key in outputs) {
    const v = outputs[key]!;
    out[key] = v.kind === "skipped" ? { kind: "skipped", reason: v.reason } : previewValue(v);
  }
  return out;
}
