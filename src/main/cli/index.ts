/** `prognos`: the batch face of the workbench. Same services and contract as the app. */
import type { ErrorValue } from '../../shared/errors';
import { appVersion } from '../paths';
import { createOutput, type Output } from './output';
import { BUNDLES_USAGE, DATASETS_USAGE, EXPERIMENTS_USAGE, PIPELINE_USAGE, REGISTRY_USAGE, REPORT_USAGE, RUNS_SUBCOMMANDS, RUNS_TRANSFER_USAGE, SERVE_MODEL_USAGE, SWEEP_USAGE } from './usage';

/** A command resolves to its exit code (0 when it returns nothing). */
type Command = (argv: string[], out: Output) => Promise<void | number>;

/**
 * A command whose module is loaded only when it runs (a dynamic import: its own chunk of the build),
 * so `prognos --help` and `--version` load no SQLite, tfjs, onnxruntime, server or zod code, and
 * `prognos import` none of the model or server code.
 */
function lazy<K extends string>(load: () => Promise<Record<K, Command>>, key: K): Command {
  return async (argv, out) => (await load())[key](argv, out);
}
const synthCommand = lazy(() => import('./commands/data'), 'synthCommand');
const importCommand = lazy(() => import('./commands/import'), 'importCommand');
const datasetsCommand = lazy(() => import('./commands/data'), 'datasetsCommand');
const datasetCommand = lazy(() => import('./commands/data'), 'datasetCommand');
const featuresCommand = lazy(() => import('./commands/model'), 'featuresCommand');
const trainCommand = lazy(() => import('./commands/model'), 'trainCommand');
const evaluateCommand = lazy(() => import('./commands/model'), 'evaluateCommand');
const exportCommand = lazy(() => import('./commands/bundle'), 'exportCommand');
const predictCommand = lazy(() => import('./commands/bundle'), 'predictCommand');
const verifyCommand = lazy(() => import('./commands/bundle'), 'verifyCommand');
const demoCommand = lazy(() => import('./commands/demo'), 'demoCommand');
const driftCommand = lazy(() => import('./commands/drift'), 'driftCommand');
const keysCommand = lazy(() => import('./commands/keys'), 'keysCommand');
const reportCommand = lazy(() => import('./commands/report'), 'reportCommand');
const serveCommand = lazy(() => import('./commands/serve'), 'serveCommand');
const serveModelCommand = lazy(() => import('./commands/serve-model'), 'serveModelCommand');
const storeCommand = lazy(() => import('./commands/store'), 'storeCommand');
const runCommand = lazy(() => import('./commands/runs'), 'runCommand');
const runsCommand = lazy(() => import('./commands/runs'), 'runsCommand');
const bundlesCommand = lazy(() => import('./commands/housekeeping'), 'bundlesCommand');
const registryCommand = lazy(() => import('./commands/registry'), 'registryCommand');
const experimentsCommand = lazy(() => import('./commands/experiments'), 'experimentsCommand');
const sweepCommand = lazy(() => import('./commands/sweep'), 'sweepCommand');
const pipelineCommand = lazy(() => import('./commands/pipeline'), 'pipelineCommand');

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  synth: { run: synthCommand, usage: 'synth --units N --seed S --out FILE [--rul-out FILE] [--regimes 1|6]   a synthetic fleet as C-MAPSS text (a test set with --rul-out; six FD002-like operating regimes with --regimes 6)' },
  import: { run: importCommand, usage: 'import FILE [--rul FILE] [--format cmapss|csv] [--map FILE.json | --map col=role,...] [--columns role=col,...] [--name NAME] [--reuse | --as-new NAME]  import a fleet (C-MAPSS text or CSV) into the store; column roles unit, cycle, setting, sensor, ignore (a CSV header\'s roles are remembered; without a map the remembered ones, else a guess from the names); a file already imported (same content, RUL file alike) is refused naming the dataset unless --reuse (answer with it) or --as-new NAME (another copy)' },
  datasets: { run: datasetsCommand, usage: DATASETS_USAGE },
  dataset: { run: datasetCommand, usage: 'dataset ID                                one dataset with its column summary' },
  features: { run: featuresCommand, usage: 'features --dataset D|FILE [--config F] [--out FILE.csv] [--top N]   rank engineered features' },
  train: { run: trainCommand, usage: 'train --dataset D|FILE [--config F] [--models gbdt,lstm] [--seed S] [--force] [--experiment E]  train and record a run (--force: on a dataset whose role is not training; --experiment: an id or a name, created when new; else "Default")' },
  evaluate: { run: evaluateCommand, usage: 'evaluate --run R --data FILE --rul FILE     official test scoring (last cycle, all cycles; RUL per model at the last cycle)' },
  export: { run: exportCommand, usage: 'export --run R --out DIR [--zip] [--sign KEY.pem] [--force]   write a model bundle' },
  verify: { run: verifyCommand, usage: 'verify --bundle B [--require-signed]      checksums, and what the signature proves against the keyring (exit 0 or 1)' },
  predict: { run: predictCommand, usage: 'predict (--bundle B | --run R) --data FILE [--rul FILE] [--engine models|pipeline] [--require-signed]  each unit’s failure risk at its last cycle (and rul, rulLow, rulHigh when the run or bundle has RUL models; --rul adds trueRul)' },
  drift: {
    run: driftCommand,
    usage:
      'drift (--run R | --bundle B) --data FILE|D [--rul FILE] [--method auto|psi|ks|wasserstein|jsd|hellinger] [--threshold X] [--share X] [--chunk N] [--chunk-by rows|cycles|batches] [--matched|--unmatched] [--run-to-failure|--in-service] [--require-signed] [--top N]  per-feature, multivariate and prediction drift of new data against the reference, with label-free performance estimates; stored as a report (--list [--run R | --bundle B]: the history)',
  },
  report: { run: reportCommand, usage: REPORT_USAGE },
  keys: { run: keysCommand, usage: 'keys add FILE [--name N] | keys list | keys remove ID | keys policy [default|require-signed|allow-unsigned]  trusted bundle signers (Ed25519 public keys) and the trust policy' },
  demo: { run: demoCommand, usage: 'demo [--units N] [--seed S]               synth → import → train → evaluate on a synthetic fleet' },
  serve: { run: serveCommand, usage: 'serve [--port N]                          the workbench in a browser, on 127.0.0.1' },
  'serve-model': { run: serveModelCommand, usage: SERVE_MODEL_USAGE },
  store: { run: storeCommand, usage: 'store backup FILE [--force] | store restore FILE   online backup (never inside the store; --force replaces FILE) / checked restore of the store' },
  runs: { run: runsCommand, usage: `runs [--dataset D] | ${RUNS_SUBCOMMANDS} | ${RUNS_TRANSFER_USAGE}  list training runs (name, status, dataset, F2), newest first; rename or delete one (a delete states what goes and needs --force); compare 2–8 runs (metrics with the best marked, the config diff, feature selections; --fleet D adds each unit of dataset D scored by every run at its last cycle, the largest differences first, alert disagreements marked); move a run to another store in one checked archive (--new-id: import under a new id when the run is here already)` },
  experiments: { run: experimentsCommand, usage: EXPERIMENTS_USAGE },
  bundles: { run: bundlesCommand, usage: BUNDLES_USAGE },
  registry: { run: registryCommand, usage: REGISTRY_USAGE },
  sweep: { run: sweepCommand, usage: SWEEP_USAGE },
  pipeline: { run: pipelineCommand, usage: PIPELINE_USAGE },
  run: { run: runCommand, usage: 'run ID                                    one run: config, metrics, timings, artifacts with their SHA-256, status, error' },
};

function help(): string {
  return [
    `prognos ${appVersion()} — failure-risk workbench for run-to-failure fleets`,
    '',
    'Usage: prognos COMMAND [options]',
    '',
    // usage lines are "syntax   description": the syntax, then what it does on the next line
    ...Object.values(COMMANDS).flatMap((c) => {
      const m = /^(.*?\S)\s{2,}(\S.*)$/.exec(c.usage);
      return m === null ? [`  ${c.usage}`] : [`  ${m[1]}`, `      ${m[2]}`];
    }),
    '',
    'Every command takes --store DIR (else $PROGNOS_HOME, else the app-data folder) and --json',
    '(stdout then holds exactly one JSON document; messages go to stderr).',
    'Counts (--units, --top) are whole numbers of 1 or more, --seed a whole number, --port 0-65535',
    '(0: any free port). A bad argument exits 1 with one line naming the option, and writes nothing.',
    'drift --threshold is the threshold of the --method it goes with: for ks a p-value in (0, 1), for jsd and',
    'hellinger in (0, 1], above 0 for psi and wasserstein; --share is the share of features that must drift',
    '(0.5); --chunk N cuts chunks of N rows (N cycles with --chunk-by cycles; 1,000 rows by default).',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  const out = createOutput(json);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${appVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) {
      const { PrognosError } = await import('../../shared/errors');
      throw new PrognosError('INVALID_INPUT', `Unknown command "${name}". Run \`prognos --help\`.`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`Usage: prognos ${command.usage}\n`);
      return 0;
    }
    return (await command.run(rest, out)) ?? 0;
  } catch (e) {
    // the errors module (and zod with it) is loaded by every command, not by --help
    const error: ErrorValue = (await import('../../shared/errors')).toErrorValue(e);
    process.stderr.write(`prognos ${name}: ${error.message}\n`);
    if (error.code === 'INTERNAL' && e instanceof Error && process.env.PROGNOS_DEBUG === '1') process.stderr.write(`${e.stack}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`prognos: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
