/**
 * Role contracts, taken from the node definitions' `contract()`, and checking a model's inspected signature
 * against them (for `model.register`).
 *
 * A definition's contract depends on its settings: an encoder's output is `[B, D]` or `[B, T, D]` by its
 * `output` setting, and D is its `embeddingDim`. So a role's contract is gathered over the definition's
 * enum settings (each value), and dimensions that follow a number setting are found by changing that
 * setting and seeing which dims move: those are free (any size; reported as the setting to use), the rest
 * are fixed. A model meets the role when it meets one of the variants.
 */
import { z } from "zod";
import { nodeDefinitions } from "@nodes/index";
import type { ContractTensor, ModelContract, NodeDefinition } from "@nodes/types";
import type { TensorSignature } from "~/lib/models/manifest";
import type { ContractProblem } from "./errors";
import { formatDims } from "./tensors";

/** A dim of a role contract: fixed size, symbol (any size), or a size set by a node setting. */
export type RoleDim = number | string | { setting: string };

export interface RoleTensor {
  name: string;
  dtype: string;
  dims: RoleDim[];
}

export interface RoleContract {
  role: string;
  nodeType: string;
  description: string;
  inputs: RoleTensor[];
  outputs: RoleTensor[];
}

type JsonProp = {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonProp[];
  minimum?: number;
  maximum?: number;
};

function settingKinds(def: NodeDefinition): { enums: [string, string[]][]; numbers: string[] } {
  const schema = z.toJSONSchema(def.settings, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonProp>;
  };
  const enums: [string, string[]][] = [];
  const numbers: string[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const variants = prop.anyOf ?? [prop];
    const e = variants.find((v) => Array.isArray(v.enum) && v.enum.every((x) => typeof x === "string"));
    if (e && !prop.anyOf) enums.push([key, e.enum as string[]]);
    if (variants.some((v) => v.type === "integer" || v.type === "number")) numbers.push(key);
  }
  return { enums, numbers };
}

function contractsOf(def: NodeDefinition, settings: Record<string, unknown>): ModelContract[] {
  const parsed = def.settings.safeParse(settings);
  if (!parsed.success || !def.contract) return [];
  try {
    return def.contract(parsed.data as never);
  } catch {
    return [];
  }
}

/** Settings that differ from `base` in `key` only and still parse. */
function perturbed(
  def: NodeDefinition,
  base: Record<string, unknown>,
  key: string,
): Record<string, unknown> | undefined {
  const v = base[key];
  const candidates = typeof v === "number" ? [v + 8, v + 1, v - 1, v * 2] : [64, 8, 3, 2];
  for (const c of candidates) {
    const s = { ...base, [key]: c };
    if (def.settings.safeParse(s).success) return s;
  }
  return undefined;
}

function variantsOf(def: NodeDefinition): Record<string, unknown>[] {
  const base = def.settings.parse({}) as Record<string, unknown>;
  let out: Record<string, unknown>[] = [base];
  for (const [key, values] of settingKinds(def).enums) {
    const next: Record<string, unknown>[] = [];
    for (const s of out) for (const v of values) next.push({ ...s, [key]: v });
    if (next.length > 256) break;
    out = next;
  }
  return out;
}

const key = (c: ModelContract) => JSON.stringify(c);

/** Every role contract the registered node types declare. */
export function roleContracts(
  defs: readonly NodeDefinition[] = nodeDefinitions as unknown as NodeDefinition[],
): RoleContract[] {
  const out = new Map<string, RoleContract>();
  for (const def of defs) {
    if (!def.contract) continue;
    const { numbers } = settingKinds(def);
    for (const settings of variantsOf(def)) {
      const base = contractsOf(def, settings);
      const moved = numbers.map((n) => {
        const p = perturbed(def, settings, n);
        return { setting: n, contracts: p ? contractsOf(def, p) : [] };
      });
      for (const c of base) {
        const free = (side: "inputs" | "outputs", t: ContractTensor, i: number): RoleDim => {
          const d = t.dims[i]!;
          if (typeof d !== "number") return d;
          for (const m of moved) {
            const other = m.contracts.find((x) => x.role === c.role)?.[side].find((x) => x.name === t.name);
            if (other && other.dims.length === t.dims.length && other.dims[i] !== d)
              return { setting: m.setting };
          }
          return d;
        };
        const rc: RoleContract = {
          role: c.role,
          nodeType: def.type,
          description: c.description,
          inputs: c.inputs.map((t) => ({
            name: t.name,
            dtype: t.dtype,
            dims: t.dims.map((_, i) => free("inputs", t, i)),
          })),
          outputs: c.outputs.map((t) => ({
            name: t.name,
            dtype: t.dtype,
            dims: t.dims.map((_, i) => free("outputs", t, i)),
          })),
        };
        const k = key({ ...rc, description: "" } as unknown as ModelContract);
        if (!out.has(k)) out.set(k, rc);
      }
    }
  }
  return [...out.values()];
}

/** The variants of one role's contract (empty: no node type declares the role). */
export function contractsForRole(role: string): RoleContract[] {
  return roleContracts().filter((c) => c.role === role);
}

/** Every role some node type declares, sorted. */
export function knownRoles(): string[] {
  return [...new Set(roleContracts().map((c) => c.role))].sort();
}

function showDims(dims: readonly RoleDim[]): string {
  return formatDims(dims.map((d) => (typeof d === "object" ? d.setting : d)));
}

export interface ContractCheck {
  ok: boolean;
  problems: ContractProblem[];
  /** Sizes the model fixes for settings (e.g. `{ inDim: 512 }`): set the node's settings to these. */
  settings: Record<string, number>;
  contract: RoleContract;
}

/** Checks a model's inputs/outputs against one contract variant. */
export function checkAgainst(
  contract: RoleContract,
  inputs: readonly TensorSignature[],
  outputs: readonly TensorSignature[],
): ContractCheck {
  const problems: ContractProblem[] = [];
  const settings: Record<string, number> = {};
  const side = (which: "input" | "output", want: RoleTensor[], have: readonly TensorSignature[]) => {
    for (const t of want) {
      const pattern = new RegExp(
        `^${t.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("\\{i\\}", "\\d+")}$`,
      );
      const matches = have.filter((h) => pattern.test(h.name));
      const expected = `${t.dtype} ${showDims(t.dims)}`;
      if (matches.length === 0) {
        problems.push({ side: which, tensor: t.name, expected, found: "no such tensor" });
        continue;
      }
      for (const h of matches) {
        const found = `${h.dtype} ${formatDims(h.dims)}`;
        let bad = h.dtype !== t.dtype || h.dims.length !== t.dims.length;
        // A symbol named twice in one tensor is one size there (an image's ["B", 3, "size", "size"]).
        const symbols: Record<string, number> = {};
        if (!bad)
          t.dims.forEach((d, i) => {
            const g = h.dims[i];
            if (typeof d === "number") bad ||= typeof g === "number" && g !== d;
            else if (typeof d === "string" && typeof g === "number") {
              if (symbols[d] !== undefined && symbols[d] !== g) bad = true;
              else symbols[d] = g;
            } else if (typeof d === "object" && typeof g === "number") {
              if (settings[d.setting] !== undefined && settings[d.setting] !== g) bad = true;
              else settings[d.setting] = g;
            }
          });
        if (bad) problems.push({ side: which, tensor: h.name, expected, found });
      }
    }
  };
  side("input", contract.inputs, inputs);
  side("output", contract.outputs, outputs);
  // An input the contract does not list would never be fed: the node could not run the model.
  for (const h of inputs) {
    const known = contract.inputs.some((t) =>
      new RegExp(`^${t.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("\\{i\\}", "\\d+")}$`).test(
        h.name,
      ),
    );
    if (!known)
      problems.push({
        side: "input",
        tensor: h.name,
        expected: "not an input of this role",
        found: `${h.dtype} ${formatDims(h.dims)}`,
      });
  }
  return { ok: problems.length === 0, problems, settings, contract };
}

/** The best match among a role's variants: a passing one, else the one with the fewest problems. */
export function checkRole(
  role: string,
  inputs: readonly TensorSignature[],
  outputs: readonly TensorSignature[],
): ContractCheck | undefined {
  const checks = contractsForRole(role).map((c) => checkAgainst(c, inputs, outputs));
  checks.sort((a, b) => a.problems.length - b.problems.length);
  return checks[0];
}
