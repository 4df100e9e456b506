// The Adapter panel: which GPU the training worker found, its optional features and the limits that decide
// what fits; or, without WebGPU, a banner saying training falls back to the tfjs reference model.
import { formatBytes } from '../model/memory';
import type { BackendReport } from '../worker/train-api';
import { fill, formatCount, h } from './dom';

// The limits that shape what the engine can run, in the order a reader cares about them.
const KEY_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage', 'minStorageBufferOffsetAlignment',
];
const BYTES = new Set(['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize']);

export function showAdapter(root: HTMLElement, banner: HTMLElement, report: BackendReport | null, error?: string): void {
  if (!report) {
    fill(root, h('h2', {}, 'Adapter'), h('p', { class: error ? 'error' : 'hint', 'data-testid': 'adapter-name' }, error ?? 'Looking for a WebGPU adapter…'));
    return;
  }
  const a = report.adapter;
  const name = a ? [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' · ') || 'unnamed adapter' : 'no WebGPU adapter';
  // One line that says what the adapter means for training; the engine, features and limits fold under it.
  const meaning = report.kind === 'tfjs' ? 'no WebGPU: the slow tfjs fallback'
    : report.emulated ? 'CPU-emulated: seconds a step, small presets only' : 'a real GPU';
  fill(root,
    h('details', { class: 'adapter-fold', 'data-testid': 'adapter-details' },
      h('summary', {}, h('span', { class: 'adapter-title' }, 'Adapter: '),
        h('span', { class: 'adapter-name', 'data-testid': 'adapter-name', 'data-kind': report.kind }, h('strong', {}, name)),
        h('span', { class: 'adapter-meaning', 'data-testid': 'adapter-meaning' }, ` · ${meaning}`)),
      h('p', { class: 'hint', 'data-testid': 'adapter-engine' }, `Training runs on: ${report.name}`),
      a ? h('p', { 'data-testid': 'adapter-features' }, h('span', { class: 'field-name' }, 'features '),
        ...(a.features.length ? a.features.map((f) => h('code', { class: 'chip' }, f)) : ['none'])) : null,
      a ? h('table', { 'data-testid': 'adapter-limits', tabindex: 0 }, h('caption', {}, 'Limits'), h('tbody', {}, ...KEY_LIMITS.filter((k) => k in a.limits).map((k) =>
        h('tr', { 'data-limit': k }, h('th', { scope: 'row' }, k), h('td', {}, BYTES.has(k) ? formatBytes(a.limits[k]) : formatCount(a.limits[k])))))) : null));
  if (report.kind === 'tfjs') {
    fill(banner, h('strong', {}, 'No WebGPU here. '),
      `${report.fallbackReason ?? 'WebGPU is unavailable'}. Training falls back to the tfjs reference model on WebGL or the CPU: it works, slowly. ` +
      'Use a recent Chrome or Edge with hardware acceleration on for the WebGPU engine.');
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
}
