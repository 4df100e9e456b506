// Opening a WebGPU device for the engine: the adapter's largest limits (big models need big bindings) and
// the optional features that speed kernels up, each one switchable off so both paths can be tested.

export interface DeviceCaps {
  /** A CPU implementation of WebGPU (SwiftShader, a fallback adapter): kernels without barriers run faster there. */
  readonly emulated: boolean;
  readonly subgroups: boolean;
  /** The fewest invocations a subgroup may have (the adapter's subgroupMinSize; 0 without subgroups). */
  readonly subgroupMinSize: number;
  readonly f16: boolean;
  readonly timestampQuery: boolean;
  readonly adapter: { vendor: string; architecture: string; device: string; description: string };
  readonly limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupsPerDimension: number;
    maxStorageBuffersPerShaderStage: number;
    minStorageBufferOffsetAlignment: number;
    minUniformBufferOffsetAlignment: number;
  };
}

export interface OpenDeviceOptions {
  readonly powerPreference?: GPUPowerPreference;
  /** Use the workgroup-memory reductions even where subgroups exist (tests run both paths). */
  readonly disableSubgroups?: boolean;
  readonly disableF16?: boolean;
}

export interface EngineDevice {
  readonly device: GPUDevice;
  readonly caps: DeviceCaps;
}

// Limits the engine raises to the adapter's maximum.
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage',
] as const;

export async function openDevice(gpu: GPU, opts: OpenDeviceOptions = {}): Promise<EngineDevice> {
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new Error('WebGPU is available but no adapter was found (is a GPU driver installed?)');
  return openDeviceOn(adapter, opts);
}

export async function openDeviceOn(adapter: GPUAdapter, opts: OpenDeviceOptions = {}): Promise<EngineDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const features: GPUFeatureName[] = [];
  const subgroups = adapter.features.has('subgroups') && !opts.disableSubgroups;
  const f16 = adapter.features.has('shader-f16') && !opts.disableF16;
  const timestampQuery = adapter.features.has('timestamp-query');
  if (subgroups) features.push('subgroups' as GPUFeatureName);
  if (f16) features.push('shader-f16');
  if (timestampQuery) features.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: features, label: 'leveret' });
  device.lost.then((info) => {
    if (info.reason !== 'destroyed') console.error(`WebGPU device lost: ${info.message}`);
  });
  const info = adapter.info;
  const l = device.limits;
  const emulated = /swiftshader|lavapipe|llvmpipe|warp/i.test(`${info.architecture} ${info.device} ${info.description}`) ||
    Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  return {
    device,
    caps: {
      emulated, subgroups, f16, timestampQuery,
      subgroupMinSize: subgroups ? (info as { subgroupMinSize?: number }).subgroupMinSize ?? 0 : 0,
      adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
      limits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
        minStorageBufferOffsetAlignment: l.minStorageBufferOffsetAlignment,
        minUniformBufferOffsetAlignment: l.minUniformBufferOffsetAlignment,
      },
    },
  };
}

export function describeAdapter(caps: DeviceCaps): string {
  const a = caps.adapter;
  const name = [a.vendor, a.architecture, a.device, a.description].filter((s) => s && s.length > 0).join(' / ');
  const feats = [caps.emulated && 'emulated on the CPU', caps.subgroups && 'subgroups', caps.f16 && 'shader-f16']
    .filter(Boolean).join(', ') || 'no optional features';
  return `${name || 'unknown adapter'} (${feats}; max binding ${(caps.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB)`;
}
