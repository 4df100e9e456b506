// `--adapter DIR` of npm run eval and npm run export: a PEFT LoRA adapter folder, opened and checked against
// the base model's config before any work; every refusal starts with `--adapter DIR:` and names the file.
import type { ModelConfig } from '../model/config';
import { openCheckpointDir } from '../train/checkpoint/dir.node';
import { readAdapter, type LoadedAdapter } from '../train/checkpoint/peft-adapter';
import { InputError } from './args';

export interface AdapterArg {
  readonly dir: string;
  readonly adapter: LoadedAdapter;
  close(): Promise<void>;
}

export async function openAdapterArg(dir: string, base: ModelConfig): Promise<AdapterArg> {
  if (dir === '') throw new InputError('--adapter needs a folder');
  const named = (e: unknown) => new InputError(`--adapter ${dir}: ${(e as Error).message}`);
  const opened = await openCheckpointDir(dir).catch((e) => { throw named(e); });
  try {
    const adapter = await readAdapter(opened.files, base);
    return { dir, adapter, close: () => opened.close() };
  } catch (e) {
    await opened.close();
    throw named(e);
  }
}
