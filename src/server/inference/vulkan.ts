/**
 * Where a software Vulkan device comes from on a machine without a GPU (DESIGN.md §5): Debian's `chromium`
 * ships SwiftShader (`vk_swiftshader_icd.json`) and a Vulkan loader (`libvulkan.so.1`) in /usr/lib/chromium.
 * Plain module (no server imports): the Vitest config uses it too.
 *
 * The loader is found by the dynamic linker, which reads LD_LIBRARY_PATH once at process start: setting it
 * for a running process has no effect, only for processes it starts. The ICD manifest (VK_ICD_FILENAMES) is
 * read when Dawn creates its Vulkan instance, so a process can still set that for itself.
 */
import { existsSync } from "node:fs";

export const CHROMIUM_LIB_DIR = "/usr/lib/chromium";
export const SWIFTSHADER_ICD = `${CHROMIUM_LIB_DIR}/vk_swiftshader_icd.json`;

/** System places of the Vulkan loader (Debian `libvulkan1`, other distributions). */
const SYSTEM_LOADERS = [
  "/usr/lib/x86_64-linux-gnu/libvulkan.so.1",
  "/usr/lib/aarch64-linux-gnu/libvulkan.so.1",
  "/usr/lib64/libvulkan.so.1",
  "/usr/lib/libvulkan.so.1",
];

/** Whether a Vulkan loader is where the dynamic linker finds it without help. */
export function systemVulkanLoader(): string | undefined {
  return SYSTEM_LOADERS.find((p) => existsSync(p));
}

/** Whether SwiftShader (from Debian's chromium) is installed. */
export function swiftShaderAvailable(): boolean {
  return existsSync(SWIFTSHADER_ICD) && existsSync(`${CHROMIUM_LIB_DIR}/libvulkan.so.1`);
}

/**
 * Environment for a process that should run WebGPU on SwiftShader: the ICD manifest, and chromium's
 * loader on LD_LIBRARY_PATH when the system has none. Empty when SwiftShader is not installed.
 */
export function softwareVulkanEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!swiftShaderAvailable()) return {};
  const out: Record<string, string> = { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
  if (!systemVulkanLoader()) {
    const current = env.LD_LIBRARY_PATH?.split(":").filter(Boolean) ?? [];
    if (!current.includes(CHROMIUM_LIB_DIR)) out.LD_LIBRARY_PATH = [...current, CHROMIUM_LIB_DIR].join(":");
  }
  return out;
}
