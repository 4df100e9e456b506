// Environment for running WebGPU on SwiftShader through Dawn (npm `webgpu`), see ../shared/WEBGPU-TESTING.md.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

export function swiftshaderIcd() {
  const known = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];
  for (const p of known) if (existsSync(p)) return p;
  try {
    const out = execSync('dpkg -L chromium 2>/dev/null | grep vk_swiftshader_icd.json', { encoding: 'utf8' }).trim();
    if (out) return out.split('\n')[0];
  } catch { /* not a Debian machine, or chromium missing */ }
  return undefined;
}

export function swiftshaderEnv() {
  const icd = swiftshaderIcd();
  return { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp', ...(icd ? { VK_ICD_FILENAMES: icd } : {}) };
}
