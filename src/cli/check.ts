// `npm run check [-- --swiftshader]`: proves the engine on this machine's adapter against the tfjs
// reference model on the CPU (loss and every gradient of one step, in every kernel layout).
import * as tf from '@tensorflow/tfjs';
import { describeAdapter, openDevice } from '../engine/device';
import { nodeGPU } from '../engine/node-gpu.node';
import { selfCheck } from '../engine/self-check';
import { Args } from './args';
import type { KernelChoices } from '../engine/kernel-context';

export const CHECK_USAGE = `usage: npm run check [-- --swiftshader]
  compares this adapter's engine with the tfjs reference on the CPU: the loss and every gradient of one
  step, in every kernel layout; --swiftshader runs on SwiftShader (Chromium's CPU Vulkan) instead of a GPU`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(CHECK_USAGE); return 0; }
  const a = new Args(argv, new Set(['swiftshader']));
  const swiftshader = a.flag('swiftshader');
  a.checkAllUsed();
  const dev = await openDevice(await nodeGPU({ swiftshader }));
  console.log(`adapter: ${describeAdapter(dev.caps)}`);
  await tf.setBackend('cpu');
  const layouts: Partial<KernelChoices>[] = [
    { reduce: 'workgroup', matmul: 'tiled' },
    { reduce: 'rows', matmul: 'direct' },
    { reduce: 'rows', matmul: 'lanes' },
  ];
  if (dev.caps.f16) layouts.push({ reduce: 'workgroup', matmul: 'tiled', matmulPrecision: 'f16' });
  else console.log('no shader-f16 on this adapter: the half-precision path is not checked');
  const results = await selfCheck(dev, layouts);
  for (const r of results) {
    console.log(`${r.passed ? 'pass' : 'FAIL'}  ${r.name}: loss error ${r.lossError.toExponential(2)}, ` +
      `worst gradient ${r.worstGradient.name} ${r.worstGradient.error.toExponential(2)}`);
  }
  return results.every((r) => r.passed) ? 0 : 1;
}
