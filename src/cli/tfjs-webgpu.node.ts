// tfjs-backend-webgpu in Node, on the same Dawn instance (and so the same adapter) as our engine: the
// baseline of the benchmarks and of `train --engine tfjs`.
import * as tf from '@tensorflow/tfjs';

export async function useTfjsWebGPU(gpu: GPU): Promise<string> {
  // The backend looks for navigator.gpu; Node 20 has no navigator.
  if (!('navigator' in globalThis) || !(globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start its WebGPU backend');
  await tf.ready();
  return tf.getBackend();
}
