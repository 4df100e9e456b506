// Node entry: `npm run <command> -- [args]` lands here through scripts/cli.mjs.
const COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  data: () => import('./prepare'),
  train: () => import('./train'),
  bench: () => import('./bench'),
  eval: () => import('./eval'),
  check: () => import('./check'),
  compare: () => import('./compare'),
  sample: () => import('./sample'),
  synth: () => import('./synth'),
  export: () => import('./export'),
};

async function main(): Promise<number> {
  const [command, ...argv] = process.argv.slice(2);
  const load = command ? COMMANDS[command] : undefined;
  if (!load) {
    console.error(`usage: leveret <${Object.keys(COMMANDS).join('|')}> [options]`);
    return 2;
  }
  return (await load()).run(argv);
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
