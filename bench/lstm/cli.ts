/**
 * Standalone run of the LSTM benchmarks: `npx vite-node bench/lstm/cli.ts [--epochs N] [--skip-generic] [--skip-joint] [--skip-torch-1] [--json FILE]`.
 */
import { writeFileSync } from 'node:fs';
import { formatFigure } from '../figures';
import { benchLstm } from './lstm';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const epochs = at('--epochs');
  const figures = await benchLstm({
    ...(epochs === undefined ? {} : { epochs: Number(epochs) }),
    skipGeneric: args.includes('--skip-generic'),
    skipJoint: args.includes('--skip-joint'),
    torchOneThread: !args.includes('--skip-torch-1'),
    log: (line) => console.error(line),
  });
  for (const f of figures) console.log(formatFigure(f));
  const json = at('--json');
  if (json !== undefined) writeFileSync(json, JSON.stringify(figures, null, 2));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
