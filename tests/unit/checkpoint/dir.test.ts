import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyBytes } from '../../../src/train/checkpoint/byte-source';
import { buildCheckpoint, CHECKPOINT_FILES as F } from '../../../src/train/checkpoint/checkpoint';
import { readCheckpoint } from '../../../src/train/checkpoint/checkpoint-read';
import { openCheckpointDir, writeCheckpointDir } from '../../../src/train/checkpoint/dir.node';
import { fingerprint, sameBits, TINY, tinyInput, tokenizerJSON, trainerState } from './fixtures';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'leveret-ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function load(dir: string) {
  const opened = await openCheckpointDir(dir);
  try {
    const loaded = await readCheckpoint(opened.files, { fingerprint });
    const params = new Map<string, Float32Array>();
    for (const name of tinyInput().params.keys()) params.set(name, await loaded.readParam(name));
    const moments = new Map<string, Float32Array>();
    for (const name of tinyInput().moments.keys()) moments.set(name, await loaded.readMoment(name));
    return { loaded, params, moments };
  } finally {
    await opened.close();
  }
}

describe('checkpoint folders', () => {
  it('write every file and read back bit-exactly', async () => {
    const dir = join(root, 'runs', 'tiny', 'step-120');
    const input = tinyInput();
    const files = buildCheckpoint(input);
    await writeCheckpointDir(dir, files);
    expect((await readdir(dir)).sort()).toEqual(Object.values(F).sort());
    // The bytes on disk are the bytes that were built.
    for (const name of [F.config, F.model]) expect(new Uint8Array(await readFile(join(dir, name)))).toEqual(await bodyBytes(name, files.get(name)!));
    const { loaded, params, moments } = await load(dir);
    expect(loaded.trainerState).toEqual(input.trainerState);
    for (const [name, v] of input.params) expect(sameBits(params.get(name)!, v), name).toBe(true);
    for (const [name, v] of input.moments) expect(sameBits(moments.get(name)!, v), name).toBe(true);
  });

  it('replace an older checkpoint in place, leaving no staging folders', async () => {
    const dir = join(root, 'autosave');
    await writeCheckpointDir(dir, buildCheckpoint(tinyInput()));
    const later = { ...tinyInput(), trainerState: trainerState(TINY, tokenizerJSON(), 240) };
    await writeCheckpointDir(dir, buildCheckpoint(later));
    expect((await load(dir)).loaded.trainerState.step).toBe(240);
    expect((await readdir(root)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('keep the previous checkpoint when writing fails part way', async () => {
    const dir = join(root, 'survivor');
    await writeCheckpointDir(dir, buildCheckpoint(tinyInput()));
    const failing = buildCheckpoint({
      ...tinyInput(),
      trainerState: trainerState(TINY, tokenizerJSON(), 360),
      params: (name) => {
        if (name === 'model.norm.weight') throw new Error('device lost');
        return tinyInput().params.get(name)!;
      },
    });
    await expect(writeCheckpointDir(dir, failing)).rejects.toThrow('device lost');
    expect((await load(dir)).loaded.trainerState.step).toBe(120);
    expect((await readdir(root)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuse to replace a folder that holds other files', async () => {
    const dir = join(root, 'project');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(writeCheckpointDir(dir, buildCheckpoint(tinyInput()))).rejects.toThrow('holds files that are not part of a checkpoint (notes.txt)');
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('name the folder when it does not exist', async () => {
    await expect(openCheckpointDir(join(root, 'nowhere'))).rejects.toThrow(`${join(root, 'nowhere')}: no such folder`);
  });
});
