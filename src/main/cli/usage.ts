/**
 * Usage lines of the commands whose modules are large: `prognos --help` prints them without loading
 * those modules (each command's module is loaded only when the command runs).
 */

export const REPORT_USAGE =
  'report (--run R | --bundle B) --data FILE|D [--rul FILE] [--template T.json|ID] [--title TEXT] [--notes TEXT] [--fleet NAME] [--top N] [--created-at ISO] [--require-signed] --out FILE.pdf  a PDF maintenance report: every unit ranked by risk with its action, panels of the top units, model health; stored in the history (SOURCE_DATE_EPOCH fixes the creation time when --created-at is not given)';

export const SERVE_MODEL_USAGE =
  'serve-model --bundle B [--port N] [--host H] [--api-keys FILE] [--require-signed] [--trusted-key PEM]... [--redis URL] [--postgres URL] [--spool-dir DIR] [--require-backends] [--cache-ttl S] [--log FILE] [--body-limit BYTES] [--rate-limit N] [--drift-window ROWS] [--drift-interval S] [--alert-webhook URL] [--alert-rate PCT] [--alert-cooldown MIN] [--scoring inline|thread] [--workers N]   serve a bundle over HTTP: POST /predict (its openapi.json), KServe v2, /units/{unit}/cycles and /risk, /healthz, /readyz, /model, /metrics, /predictions/recent; online drift of the features over the last --drift-window scored rows (default 5000, 0: off) against the bundle’s drift reference, recomputed every --drift-interval s (default 30); drift alerts, and alerts when more than --alert-rate % of predictions alert, POSTed to the Slack-compatible --alert-webhook once per episode (--alert-cooldown minutes, default 30); --scoring: features + onnxruntime on the request thread (inline, the default) or in a worker thread; --workers N: N server processes on one port, the connections handed out in turn (needs --redis, which they share; default 1); SIGHUP reloads the bundle, SIGTERM stops gracefully';

export const DATASETS_USAGE =
  'datasets [list] | datasets set-role D training|test|unlabeled | datasets rename D NAME | datasets delete D [--force]  list datasets (with their role), set a role, rename, delete (states what goes with it; --force deletes)';
export const RUNS_SUBCOMMANDS = 'runs rename R NAME | runs delete R [--force]';
export const BUNDLES_USAGE = 'bundles [list] | bundles rename B NAME | bundles delete B [--force]  the bundle library (names kept in the store); a delete states what goes and needs --force';
export const REGISTRY_USAGE =
  'registry register (--run R | --bundle B) --model NAME [--actor WHO] | registry promote NAME VERSION None|Staging|Production|Archived [--reason TEXT] [--force] [--actor WHO] | registry list | registry history NAME | registry lineage NAME VERSION  the model registry: versions (a run or a bundle, with fingerprints), stages with one Production version; promoting to Staging or Production checks validation metrics against Production, the latest drift report and the bundle\'s signature (exit 1 with the failed checks; --force --reason overrides, recorded)';
export const EXPERIMENTS_USAGE =
  'experiments [list] | experiments show E | experiments create NAME [--notes TEXT] [--tag T]... | experiments rename E NAME | experiments notes (E | --run R) TEXT | experiments tag (E | --run R) [TAG...] [--remove TAG]... | experiments move R... --to E | experiments delete E [--force]  experiments (E: an id or a name) with notes and tags, and the notes and tags of runs; training puts a run in --experiment E (created when new), else in "Default"; a delete of an experiment with runs lists them and needs --force';
export const RUNS_TRANSFER_USAGE = 'runs compare R1 R2 … [--fleet D] | runs export R --out FILE [--force] | runs import FILE [--new-id] [--experiment E]';

export const SWEEP_USAGE =
  'sweep --dataset D --space FILE [--trials N] [--objective f2|rmse] [--sampler tpe|random|grid] [--parallel N] [--seed S] [--no-pruning] | sweep --resume ID  hyperparameter search: the space is a training config whose values may be ranges ({"int":[lo,hi]}, {"float":[lo,hi]}, {"logFloat":[lo,hi]}, {"choice":[…]}); trial 0 is the defaults; every trial a run in a new experiment, run in parallel (default: the cores), poor trials pruned by the median rule; the same command again (or --resume) continues an interrupted sweep';
export const PIPELINE_USAGE = 'pipeline run FILE | pipeline history [--limit N] | pipeline show ID  run a saved recipe (import → train → evaluate → export → drift → report → register as Staging if the checks pass) with per-step retries, logs and caching of steps whose inputs did not change; the pipeline runs recorded and each one’s steps with their logs (docs/pipelines.md)';
