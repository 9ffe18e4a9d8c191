/**
 * Stand-alone run of the GBDT benchmark: `npx vite-node bench/gbdt/cli.ts [--repeats N]`.
 * Prints `bench NAME: VALUE UNIT | REFERENCE VALUE UNIT | ratio R` like the bench runner.
 */
import { benchGbdtTrain } from './gbdt-train';

const at = process.argv.indexOf('--repeats');
const repeats = at >= 0 ? Number(process.argv[at + 1]) : 3;
const figures = await benchGbdtTrain({ repeats });
for (const f of figures) {
  const ref = f.reference;
  const tail =
    ref === undefined
      ? ''
      : ` | ${ref.name} ${ref.value.toFixed(3)} ${ref.unit} | ratio ${(f.value / ref.value).toFixed(2)}`;
  console.log(`bench ${f.name}: ${f.value.toFixed(3)} ${f.unit}${tail}`);
}
