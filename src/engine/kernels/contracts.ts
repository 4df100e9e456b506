// Every kernel's contracts in one list, so that a test can hold each @compute entry point in shaders/ to
// one (tests/unit/engine/shader-contracts.test.ts): a new kernel is added here beside its binding's import.
import type { KernelContract } from '../kernel-contract';
import { ADD_RMSNORM_CONTRACTS } from './add-norm';
import { ATTENTION_CONTRACTS } from './attention';
import { ATTENTION_DECODE_CONTRACTS } from './attention-decode';
import { ELEMENTWISE_CONTRACTS } from './elementwise';
import { EMBEDDING_CONTRACTS } from './embedding';
import { LORA } from './lora';
import { CROSS_ENTROPY_CONTRACTS } from './loss';
import { MATMUL_CONTRACTS } from './matmul';
import { RMSNORM_CONTRACTS } from './norm';
import { PACK_F16_CONTRACTS } from './pack-f16';
import { ADAMW, GRAD_NORM_CONTRACTS } from './optimizer';
import { OPTIMIZER_MULTI_CONTRACTS } from './optimizer-multi';

export const KERNEL_CONTRACTS: readonly KernelContract[] = [
  ...ADD_RMSNORM_CONTRACTS, ...ATTENTION_CONTRACTS, ...ATTENTION_DECODE_CONTRACTS, ...ELEMENTWISE_CONTRACTS, ...EMBEDDING_CONTRACTS,
  LORA, ...CROSS_ENTROPY_CONTRACTS, ...MATMUL_CONTRACTS, ...PACK_F16_CONTRACTS, ...RMSNORM_CONTRACTS, ...GRAD_NORM_CONTRACTS, ADAMW,
  ...OPTIMIZER_MULTI_CONTRACTS,
];
