/**
 * Value types that flow along edges (DESIGN.md §4) and the port specs that declare them.
 * Client-safe: no server imports.
 */
import { z } from "zod";

export const VALUE_TYPES = ["text", "image", "audio", "video", "tensor", "tokens", "signal"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];
/** `any` is only allowed on input ports of generic inspection nodes. */
export type PortValueType = ValueType | "any";

export const MODALITIES = ["text", "image", "audio", "video"] as const;
export type Modality = (typeof MODALITIES)[number];

export const DTYPES = ["float32", "float16", "int64", "int32", "uint8", "bool"] as const;
export type DType = (typeof DTYPES)[number];

/**
 * One dimension of a tensor shape: a fixed size, or a symbol (`"B"`, `"T"`) that matches any size.
 * A symbol starting with `...` (e.g. `"...batch"`) matches zero or more leading dimensions.
 */
export type Dim = number | string;

export interface TensorSpec {
  dtype: DType | "any";
  dims: Dim[];
}

export interface PortSpec {
  /** Unique within the node's inputs (or outputs). */
  id: string;
  label: string;
  type: PortValueType;
  /** For `tensor` and `signal` ports: the shape the port carries or needs. */
  tensor?: TensorSpec;
  /** Input ports: a run may start without it connected. */
  optional?: boolean;
  /** Input ports: accepts more than one incoming edge (values arrive as a list). */
  multiple?: boolean;
  description?: string;
}

export interface NodePorts {
  inputs: PortSpec[];
  outputs: PortSpec[];
}

/** Branded ids so a node id is never passed where a port id is expected. */
export type NodeId = string & { readonly __brand: "NodeId" };
export type PortId = string & { readonly __brand: "PortId" };
export type EdgeId = string & { readonly __brand: "EdgeId" };

export const valueTypeSchema = z.enum(VALUE_TYPES);
export const modalitySchema = z.enum(MODALITIES);

/** CSS colours of port handles and edges, one per value type (also used by the palette legend). */
export const VALUE_TYPE_COLORS: Record<PortValueType, string> = {
  text: "#60a5fa",
  image: "#f472b6",
  audio: "#34d399",
  video: "#f59e0b",
  tensor: "#a78bfa",
  tokens: "#22d3ee",
  signal: "#f87171",
  any: "#9ca3af",
};
