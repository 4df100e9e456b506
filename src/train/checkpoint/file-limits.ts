// The most bytes each kind of checkpoint file can need once read into memory. A reader checks a file's
// declared size against its limit before inflating or reading it, so a 1 MB archive whose config.json
// claims (or inflates to) 1 GB is refused at once instead of after a gigabyte of work.
const MiB = 2 ** 20;

const BY_NAME: Readonly<Record<string, number>> = {
  // A model config is a few hundred bytes; generation and tokenizer configs a few KB (chat templates included).
  'config.json': 1 * MiB,
  'generation_config.json': 1 * MiB,
  'tokenizer_config.json': 16 * MiB,
  // The largest published tokenizer.json files (262k-token vocabularies) are about 35 MB.
  'tokenizer.json': 128 * MiB,
  // About 60 bytes a loss point as written: four million steps of history.
  'trainer_state.json': 256 * MiB,
};

// A tensor file that was deflated (re-zipped by hand) has to be inflated whole; anything bigger than this has
// to be stored, as Leveret's own archives are, so that it is read in place.
const INFLATED_TENSORS = 1024 * MiB;
const OTHER = 16 * MiB;

/** The largest size (bytes) a file of this name may have in memory; `name` is its path inside the checkpoint. */
export function inMemoryLimit(name: string): number {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return BY_NAME[base] ?? (base.endsWith('.safetensors') ? INFLATED_TENSORS : OTHER);
}

export const formatBytes = (n: number): string => (n >= MiB ? `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB` : `${n} bytes`);
