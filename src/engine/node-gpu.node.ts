// WebGPU in Node through Dawn (npm `webgpu`): the real GPU where a Vulkan driver is installed, or
// SwiftShader (Chromium's CPU Vulkan) when asked or when there is nothing else.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

let instance: GPU | null = null;

export function swiftshaderIcd(): string | undefined {
  for (const p of ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json']) {
    if (existsSync(p)) return p;
  }
  try {
    const out = execSync('dpkg -L chromium 2>/dev/null | grep vk_swiftshader_icd.json', { encoding: 'utf8' }).trim();
    return out.split('\n')[0] || undefined;
  } catch {
    return undefined;
  }
}

/** navigator.gpu's equivalent in Node. Call once per process, before any other WebGPU use. */
export async function nodeGPU(opts: { swiftshader?: boolean } = {}): Promise<GPU> {
  if (instance) return instance;
  process.env.XDG_RUNTIME_DIR ??= '/tmp'; // Dawn's Vulkan loader complains without it
  if (opts.swiftshader) {
    const icd = swiftshaderIcd();
    if (!icd) throw new Error('SwiftShader was asked for but Debian\'s chromium (which ships it) is not installed');
    process.env.VK_ICD_FILENAMES = icd;
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  instance = create([]) as unknown as GPU;
  return instance;
}
