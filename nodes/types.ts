/**
 * The node definition format (DESIGN.md §2). A definition is client-safe metadata: ports, settings schema,
 * defaults, and for model nodes the tensor contract its ONNX model must meet. Executors live apart in
 * `executor.ts` so native onnxruntime never reaches the browser bundle.
 */
import type { z } from "zod";
import type { DType, Dim, NodePorts } from "~/lib/graph/types";

export const NODE_CATEGORIES = ["input", "output", "model", "routing", "utility"] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

/** One tensor of a model's ONNX signature. */
export interface ContractTensor {
  name: string;
  dtype: DType;
  dims: Dim[];
  description?: string;
}

/** The inputs and outputs an ONNX model must have to fill a node's role. */
export interface ModelContract {
  role: string;
  description: string;
  inputs: ContractTensor[];
  outputs: ContractTensor[];
}

export interface NodeDefinition<S extends z.ZodObject = z.ZodObject, T extends string = string> {
  /** kebab-case, equal to the node's folder name. */
  type: T;
  title: string;
  category: NodeCategory;
  description: string;
  /** Extra words the palette search matches. */
  keywords?: string[];
  /** zod object; every field has a default so `settings.parse({})` gives the defaults. */
  settings: S;
  /**
   * Ports as a function of settings: e.g. a decoder's output type follows its modality.
   * Declared as a method (not a property) so a definition with specific settings still fits the
   * registry's `NodeDefinition[]` (method parameters are checked bivariantly).
   */
  ports(settings: z.output<S>): NodePorts;
  /** Model nodes: the contract(s) of the ONNX model(s) they run, as a function of settings. */
  contract?(settings: z.output<S>): ModelContract[];
  /**
   * Whether the node pauses at steps of its own when a debugged run steps into it (`ctx.checkpoint`: a
   * diffusion decoder's denoising steps); the editor offers "Step into" only for such nodes.
   */
  hasSteps?(settings: z.output<S>): boolean;
}

/**
 * UI hints attached with `.meta()` to a settings field; they come out of `z.toJSONSchema(def.settings)`
 * next to `title`/`description`, so the settings inspector can be generated from the JSON Schema.
 * (A type alias, not an interface: zod's `.meta()` needs the implicit index signature aliases have.)
 */
export type SettingsFieldMeta = {
  title?: string;
  /** How to edit the field when the JSON Schema type alone is not enough. */
  widget?: "textarea" | "upload" | "model";
  /** `widget: "upload"`: the file picker's accept string, e.g. `image/*`. */
  accept?: string;
  /** `widget: "model"`: the contract role(s) the picked model must fill (see `ModelContract.role`). */
  modelRoles?: string[];
  /** Show the field only while every named setting has one of the listed values. */
  showWhen?: Record<string, readonly string[]>;
  /** For nullable fields whose null means "pick a default from other settings": what the default is. */
  nullMeans?: string;
};

/**
 * Checks a definition against the format while keeping its literal `type` and its settings type, so
 * `NodeType` is a union of type ids and `NodeSettings<"llm">` is the LLM's settings.
 */
export function defineNode<S extends z.ZodObject, const T extends string>(
  def: NodeDefinition<S, T>,
): NodeDefinition<S, T> {
  return def;
}
