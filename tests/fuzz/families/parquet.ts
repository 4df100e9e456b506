// Parquet through readRecords: a file of several row groups written by hyparquet-writer, one byte mutation.
// A flipped byte inside one row group's column chunk must cost that group only (the footer is intact); a
// mutation of the footer or one that shifts the bytes may cost the file. Every input must end, none may spin:
// the issue's own case (byte 13 zeroed) and zero RLE runs in the levels are among them.
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { FuzzFamily } from '../family';
import { anyByteMutation, flipByte } from '../mutate';
import { readCase, validText } from './input';

const ROWS_PER_GROUP = 3;

function baseFile(groups: number, nullable: boolean, compressed: boolean): Uint8Array {
  const n = groups * ROWS_PER_GROUP;
  const text = Array.from({ length: n }, (_, k) => (nullable && k % 3 === 1 ? null : validText(k)));
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: 'id', data: Array.from({ length: n }, (_, k) => k), type: 'INT32' },
      { name: 'text', data: text, type: 'STRING', nullable },
    ],
    rowGroupSize: ROWS_PER_GROUP,
    codec: compressed ? 'SNAPPY' : 'UNCOMPRESSED',
  }));
}

/** Valid rows outside the row group whose column chunks hold byte `at` (all of them when none does). */
function rowsOutside(bytes: Uint8Array, at: number, nullable: boolean): number {
  const meta = parquetMetadata(bytes.buffer as ArrayBuffer);
  let keep = 0;
  let row = 0;
  for (const g of meta.row_groups) {
    const hit = g.columns.some((c) => {
      const start = Number(c.meta_data!.dictionary_page_offset || c.meta_data!.data_page_offset);
      return at >= start && at < start + Number(c.meta_data!.total_compressed_size);
    });
    for (let k = row; k < row + Number(g.num_rows); k++) if (!hit && !(nullable && k % 3 === 1)) keep++;
    row += Number(g.num_rows);
  }
  return keep;
}

export const parquetFamily: FuzzFamily = {
  name: 'parquet',
  describe: 'Parquet through readRecords (hyparquet-writer files, a flipped byte per row group, footer and shifting damage)',
  make(rng) {
    const groups = 1 + rng.nextInt(3);
    const nullable = rng.nextInt(2) === 0;
    const base = baseFile(groups, nullable, rng.nextInt(2) === 0);
    const footerStart = base.length - 8 - new DataView(base.buffer).getUint32(base.length - 8, true);
    const kind = rng.nextInt(3);
    if (kind === 0) {
      const bytes = base.slice();
      const at = 4 + rng.nextInt(footerStart - 4);
      bytes[at] = rng.nextInt(2) ? 0 : rng.nextInt(256);
      return { label: `data byte ${at} set to ${bytes[at]}`, fileName: 'fuzz-input.parquet', bytes, mustKeep: rowsOutside(base, at, nullable) };
    }
    const m = kind === 1 ? flipByte(rng, base) : anyByteMutation(rng, base);
    return { label: m.label, fileName: 'fuzz-input.parquet', bytes: m.bytes };
  },
  run(input) {
    return readCase(input.fileName, input.bytes, { kind: 'parquet', textField: 'text' }, 1 << 20, false);
  },
};
