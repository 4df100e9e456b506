// `npm run compare -- RUN_DIR ...`: saved runs side by side (mixture, decontamination, steps, losses,
// scores), the best of each column in bold; `--json FILE` also writes the table's data.
import { writeFile } from 'node:fs/promises';
import { compareRuns, formatCompareTable } from '../runs/compare';
import { readRunDir } from '../runs/run-store.node';

export const COMPARE_USAGE = `usage: npm run compare -- RUN_DIR [RUN_DIR ...] [--json FILE]
  RUN_DIR   a folder written by \`npm run train -- --save DIR\` (run.json, or trainer_state.json of an older save)
  --json    also write {columns, rows: [{name, id, cells}], best} to FILE`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) { console.log(COMPARE_USAGE); return 0; }
  const dirs: string[] = [];
  let json: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--json') {
      json = argv[++k];
      if (!json) { console.error(`--json needs a file\n\n${COMPARE_USAGE}`); return 2; }
    } else if (argv[k].startsWith('--')) {
      console.error(`unknown option ${argv[k]}\n\n${COMPARE_USAGE}`); return 2;
    } else dirs.push(argv[k]);
  }
  if (dirs.length === 0) { console.error(COMPARE_USAGE); return 2; }
  // Read every folder first, so one bad folder is named without hiding the others' problems.
  const runs = [];
  let bad = 0;
  for (const d of dirs) {
    try {
      runs.push(await readRunDir(d));
    } catch (e) {
      console.error(`error: ${(e as Error).message}`);
      bad++;
    }
  }
  if (runs.length === 0) return 1;
  const table = compareRuns(runs);
  console.log(formatCompareTable(table));
  if (table.commonValStep !== null) console.log(`\nval loss @${table.commonValStep}: every run's validation loss at the last step all of them reached.`);
  if (json) {
    await writeFile(json, `${JSON.stringify({
      columns: table.columns, best: table.best,
      rows: table.rows.map((r) => ({ name: r.run.name, id: r.run.id, cells: r.cells })),
    }, null, 1)}\n`);
  }
  return bad === 0 ? 0 : 1;
}
