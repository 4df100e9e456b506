// `npm run fuzz [-- --count N] [--seed S] [--family NAME ...] [--budget-ms MS]`: every reader and import path
// fed N malformed inputs (1,000 by default), a table of outcomes, exit 1 on any crash, hang, unnamed
// refusal, lost record or family-specific violation.
import { failuresOf, familyNames, formatReports, runFuzz } from './runner';

const args = process.argv.slice(2);
let count = 1000;
let seed = 1;
let budgetMs = 10_000;
const only: string[] = [];
for (let k = 0; k < args.length; k++) {
  const a = args[k];
  const value = () => {
    const v = args[++k];
    if (v === undefined) throw new Error(`${a} needs a value`);
    return v;
  };
  if (a === '--count') count = Number(value());
  else if (a === '--seed') seed = Number(value());
  else if (a === '--budget-ms') budgetMs = Number(value());
  else if (a === '--family') only.push(value());
  else if (a === '--help') {
    console.log(`npm run fuzz -- [--count N=1000] [--seed S=1] [--budget-ms MS=10000] [--family NAME ...]\nfamilies: ${familyNames().join(', ')}`);
    process.exit(0);
  } else throw new Error(`unknown option ${a} (try --help)`);
}
if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got ${count}`);
for (const f of only) if (!familyNames().includes(f)) throw new Error(`no fuzz family ${f} (have: ${familyNames().join(', ')})`);

let last = 0;
const reports = await runFuzz({
  count, seed, budgetMs, only: only.length ? only : undefined,
  onProgress: (family, done, total) => {
    const now = Date.now();
    if (now - last > 2000 || done === total) { last = now; process.stderr.write(`\r${family}: ${done}/${total}   `); }
  },
});
process.stderr.write('\n');
console.log(formatReports(reports));
const bad = reports.reduce((s, r) => s + failuresOf(r), 0);
const total = reports.reduce((s, r) => s + r.inputs, 0);
console.log(`\n${total} inputs in ${reports.length} families (seed ${seed}): ${bad} failures`);
process.exit(bad === 0 ? 0 : 1);
