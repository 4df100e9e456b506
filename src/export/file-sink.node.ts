// A streamed file written to disk in Node: chunks go to a sibling ".partial" file that is renamed over the
// target only once every byte is on disk, so an interrupted export never leaves a truncated file under the
// name a user (or llama.cpp) would open.
import { open, rename, rm } from 'node:fs/promises';
import { bodyChunks, type FileBody } from '../train/checkpoint/byte-source';

export async function writeFileBody(path: string, body: FileBody, onBytes?: (written: number) => void): Promise<void> {
  const partial = `${path}.partial`;
  const handle = await open(partial, 'w');
  let written = 0;
  try {
    for await (const chunk of bodyChunks(path, body)) {
      for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at, chunk.length - at)).bytesWritten;
      written += chunk.length;
      onBytes?.(written);
    }
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(partial, { force: true });
    throw e;
  }
  await handle.close();
  await rename(partial, path);
}
