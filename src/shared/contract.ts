/**
 * The one contract. Every channel `domain:action` maps to an input and an output schema; main,
 * preload, renderer, browser mode and the CLI all use this file, and their types are inferred from it.
 */
import { z } from 'zod';
import { errorSchema } from './error-schema';
import {
  appInfoSchema,
  datasetRecordSchema,
  regimePointsSchema,
  importRequestSchema,
  jobProgressSchema,
  jobStartedSchema,
  jobKindSchema,
  jobStateSchema,
  previewRequestSchema,
  previewSchema,
  seriesRequestSchema,
  seriesSchema,
  synthRequestSchema,
  unitListSchema,
  importResultSchema,
  featureRankingSchema,
  featureTrendSchema,
  runSummarySchema,
  runDetailSchema,
  trainStartedSchema,
  bundleEntrySchema,
  bundleVerdictSchema,
  scorerSchema,
  fleetScoresSchema,
  fleetSeriesSchema,
  importSourceSchema,
  trustedKeySchema,
  trustPolicySchema,
  trustPolicySettingSchema,
} from './schemas';
import { driftReportSchema, driftReportSummarySchema, driftRequestSchema } from './drift';
import { rememberedMappingSchema } from './column-roles';
import { sensorCatalogueSchema } from './sensor-catalogue';
import { sweepDetailSchema, sweepStartSchema, sweepSummarySchema } from './sweep';
import { modelCardSchema } from './model-card';
import { alertRuleSchema, webhookSettingSchema } from './drift';
import { reportJobResultSchema, reportRecordSchema, reportRequestSchema, storedTemplateSchema } from './report';
import { modelServerStartSchema, modelServerStatusSchema, modelServerTryResultSchema, modelServerTrySchema } from './model-server';
import { datasetRoleSchema, deleteImpactSchema, deleteTargetSchema, displayNameSchema } from './housekeeping';
import { lineageSchema, modelNameSchema, modelVersionSchema, promotionCheckSchema, promotionResultSchema, registeredModelSchema, stageSchema, transitionSchema } from './registry';
import { comparisonSchema, experimentNameSchema, experimentSchema, MAX_COMPARE, MIN_COMPARE, notesSchema, tagSchema } from './experiments';
import { fleetComparisonSchema } from './fleet-compare';
import { activeJobSchema, storedFleetScoresSchema, storedRankingSchema } from './live-jobs';
import { alertRuleDraftSchema, notificationListSchema, notificationsChangedSchema, webhookInputSchema, webhookTestResultSchema, webhookUrlProblem } from './alerts';
import { pipelineJobResultSchema, pipelineRunRecordSchema, pipelineStartedSchema, savedPipelineSchema } from './pipelines';

const datasetIdInput = z.object({ datasetId: z.string().min(1) });
const jobIdInput = z.object({ jobId: z.string().min(1) });
/** what a finished drift job gives: the stored report's id (`drift:get` reads it) */
export const driftJobResultSchema = z.object({ reportId: z.string() });

export const channels = {
  'app:info': { input: z.object({}), output: appInfoSchema },
  'datasets:list': { input: z.object({}), output: z.array(datasetRecordSchema) },
  'datasets:get': { input: datasetIdInput, output: datasetRecordSchema },
  'datasets:units': { input: datasetIdInput, output: unitListSchema },
  'datasets:preview': { input: previewRequestSchema, output: previewSchema },
  'datasets:series': { input: seriesRequestSchema, output: seriesSchema },
  /** the settings of at most 5,000 rows coloured by operating regime */
  'datasets:regimes': { input: datasetIdInput, output: regimePointsSchema },
  'datasets:delete': { input: datasetIdInput, output: z.object({ deleted: z.boolean() }) },
  /** roles and names; a delete's impact: what else goes with a dataset, run or bundle (src/shared/housekeeping.ts) */
  'datasets:setRole': { input: z.object({ datasetId: z.string().min(1), role: datasetRoleSchema }), output: datasetRecordSchema },
  'datasets:rename': { input: z.object({ datasetId: z.string().min(1), name: displayNameSchema }), output: datasetRecordSchema },
  'runs:rename': { input: z.object({ runId: z.string().min(1), name: displayNameSchema.nullable() }), output: z.object({ runId: z.string(), name: z.string().nullable() }) },
  'bundles:rename': { input: z.object({ bundleId: z.string().min(1), name: displayNameSchema.nullable() }), output: z.object({ bundleId: z.string(), name: z.string().nullable() }) },
  'bundles:delete': { input: z.object({ bundleId: z.string().min(1) }), output: z.object({ deleted: z.boolean() }) },
  'housekeeping:impact': { input: z.object({ target: deleteTargetSchema }), output: deleteImpactSchema },
  /** starts a background import; progress and the result arrive as job events */
  'datasets:import': { input: importRequestSchema, output: jobStartedSchema },
  /** generates a synthetic fleet and imports it (sample data) */
  'datasets:synth': { input: synthRequestSchema, output: jobStartedSchema },
  /** the column roles remembered for a CSV header (the import dialog's mapping step), or null */
  'datasets:mapping': {
    input: z.object({ headers: z.array(z.string().max(1000)).min(1).max(5000) }),
    output: z.object({ signature: z.string(), remembered: rememberedMappingSchema.nullable() }),
  },
  /** a dataset's sensor catalogue: each setting and sensor's display name, quantity and unit */
  'datasets:catalogue': { input: datasetIdInput, output: sensorCatalogueSchema },
  'datasets:setCatalogue': { input: z.object({ datasetId: z.string().min(1), catalogue: sensorCatalogueSchema }), output: sensorCatalogueSchema },
  'jobs:cancel': { input: jobIdInput, output: z.object({ cancelled: z.boolean() }) },
  /** a job's state, for a client that reconnects and may have missed its events */
  'jobs:get': { input: jobIdInput, output: z.lazy(() => jobStatusSchema) },
  /** the running jobs (of one kind), each with its progress, what it works on and its loss curves so far */
  'jobs:list': { input: z.object({ kind: jobKindSchema.optional() }), output: z.array(activeJobSchema) },
  /** JSON Schemas and defaults of the editable configs (fed to Monaco; main validates again) */
  'config:schemas': {
    input: z.object({}),
    output: z.object({ trainConfig: z.record(z.string(), z.unknown()), featureSpec: z.record(z.string(), z.unknown()), defaults: z.object({ trainConfig: z.unknown() }) }),
  },
  /** engineers and ranks every feature on the training units of the configured split (a job) */
  'features:rank': { input: z.object({ datasetId: z.string().min(1), config: z.unknown().optional() }), output: jobStartedSchema },
  /** the dataset's newest stored ranking (ranking again with the same spec replaces it), or null */
  'features:stored': { input: datasetIdInput, output: storedRankingSchema.nullable() },
  'features:trend': {
    input: z.object({ datasetId: z.string().min(1), feature: z.string().min(1), units: z.array(z.number().int()).min(1).max(50), config: z.unknown().optional() }),
    output: featureTrendSchema,
  },
  /** starts a training run (a job); the run is recorded at once with status 'running' */
  'train:start': { input: z.object({ datasetId: z.string().min(1), config: z.unknown().optional(), experiment: z.string().trim().min(1).max(200).optional() }), output: trainStartedSchema },
  'runs:list': { input: z.object({ datasetId: z.string().optional() }), output: z.array(runSummarySchema) },
  'runs:get': { input: z.object({ runId: z.string().min(1) }), output: runDetailSchema },
  'runs:delete': { input: z.object({ runId: z.string().min(1) }), output: z.object({ deleted: z.boolean() }) },
  /** saves the analyst's ensemble weight and alert threshold to a finished run */
  /** experiments with notes, tags and the ids of their runs (newest first) */
  'experiments:list': { input: z.object({}), output: z.array(experimentSchema.extend({ runIds: z.array(z.string()) })) },
  /** a new experiment (a name no other experiment has), with optional notes and tags */
  'experiments:create': {
    input: z.object({ name: experimentNameSchema, notes: notesSchema.optional(), tags: z.array(tagSchema).max(50).optional() }),
    output: experimentSchema.extend({ runIds: z.array(z.string()) }),
  },
  /** 2–8 runs side by side: metrics with the best per metric, the config diff, feature selections */
  'runs:compare': { input: z.object({ runIds: z.array(z.string().min(1)).min(MIN_COMPARE).max(MAX_COMPARE) }), output: comparisonSchema },
  /** each unit of a fleet scored by each run at its last cycle (in the scoring worker), the largest differences first */
  'runs:compareFleet': { input: z.object({ runIds: z.array(z.string().min(1)).min(MIN_COMPARE).max(MAX_COMPARE), datasetId: z.string().min(1) }), output: fleetComparisonSchema },
  'runs:setEnsemble': {
    input: z.object({ runId: z.string().min(1), weight: z.number().min(0).max(1), threshold: z.number().min(0).max(1) }),
    output: z.object({ saved: z.boolean() }),
  },
  /** bundles in the store (exported, imported) and the one shipped with the app */
  'bundles:list': { input: z.object({}), output: z.array(bundleEntrySchema) },
  /** writes a run as a bundle into the library (a job; its result is the new entry) */
  'bundles:export': { input: z.object({ runId: z.string().min(1), zip: z.boolean().optional() }), output: jobStartedSchema },
  /** verifies checksums (and signature) first; a tampered or incompatible bundle is refused and nothing is written */
  /** duplicates: a bundle whose manifest matches one in the library: 'ask' refuses with CONFLICT (details.existingBundles), 'reuse' answers with it, 'new' (default) imports another copy, named `name` */
  'bundles:import': { input: z.object({ source: importSourceSchema, duplicates: z.enum(['ask', 'reuse', 'new']).optional(), name: displayNameSchema.optional() }), output: bundleEntrySchema },
  'bundles:verify': { input: z.object({ bundleId: z.string().min(1) }), output: bundleVerdictSchema },
  /** shows the bundle in the file manager (desktop app only) */
  'bundles:reveal': { input: z.object({ bundleId: z.string().min(1) }), output: z.object({ shown: z.boolean(), path: z.string() }) },
  /** desktop app only: packs the bundle as a .zip and writes it where main's save dialog says (null: cancelled); browser mode downloads GET /api/download/bundle */
  'bundles:save': { input: z.object({ bundleId: z.string().min(1) }), output: z.object({ path: z.string(), bytes: z.number().int() }).nullable() },
  'bundles:card': { input: z.object({ bundleId: z.string().min(1) }), output: modelCardSchema },
  /** the keyring of trusted bundle signers and the trust policy in force */
  'keys:list': { input: z.object({}), output: z.object({ keys: z.array(trustedKeySchema), policy: trustPolicySchema }) },
  /** adds an Ed25519 public key (PEM text; a private key is reduced to its public key, which alone is stored) */
  'keys:add': {
    input: z.object({ pem: z.string().min(1).max(16_384), name: z.string().trim().min(1).max(200) }),
    output: z.object({ key: trustedKeySchema, fromPrivateKey: z.boolean(), policy: trustPolicySchema }),
  },
  'keys:remove': { input: z.object({ keyId: z.string().min(4).max(64) }), output: z.object({ key: trustedKeySchema, policy: trustPolicySchema }) },
  /** sets the trust policy: 'default' requires a trusted signature once the keyring holds a key */
  'keys:policy': { input: z.object({ setting: trustPolicySettingSchema }), output: trustPolicySchema },
  /** every unit's risk at its last cycle, through a bundle's ONNX models or a run's engines (a job) */
  'fleet:score': { input: z.object({ datasetId: z.string().min(1), scorer: scorerSchema }), output: jobStartedSchema },
  /** the stored scores of a fleet by a scorer (scoring again replaces them), else its newest by any scorer; or null */
  'fleet:stored': { input: z.object({ datasetId: z.string().min(1), scorer: scorerSchema.optional() }), output: storedFleetScoresSchema.nullable() },
  /** chosen units' risk over all their cycles */
  /** desktop app only: main's own open dialog; the chosen file comes back as a one-time handle, never a path */
  'files:choose': {
    input: z.object({ purpose: z.enum(['data', 'bundle-zip', 'bundle-folder']) }),
    output: z.object({ grant: z.string(), fileName: z.string() }).nullable(),
  },
  /** desktop app only: a dropped file's bytes, in order, in chunks of at most 8 MiB; the last one gives the upload id */
  'uploads:chunk': {
    input: z.object({
      uploadId: z.string().min(1).optional(),
      fileName: z.string().min(1).max(255),
      data: z.instanceof(Uint8Array).refine((d) => d.byteLength <= 8 * 1024 * 1024, 'a chunk holds at most 8 MiB'),
      done: z.boolean(),
    }),
    output: z.object({ uploadId: z.string() }),
  },
  /** chosen units' risk over all their cycles */
  'fleet:series': {
    input: z.object({ datasetId: z.string().min(1), scorer: scorerSchema, units: z.array(z.number().int()).min(1).max(20) }),
    output: fleetSeriesSchema,
  },
  /** compares a dataset with a run's (or a bundle's) reference in a worker and stores the report (a job; its result is { reportId }) */
  'drift:start': { input: driftRequestSchema, output: jobStartedSchema },
  /** stored drift reports, newest first: every one, or one run's or one bundle's history */
  'drift:list': {
    input: z.object({ runId: z.string().min(1).optional(), bundleId: z.string().min(1).optional() }),
    output: z.array(driftReportSummarySchema),
  },
  'drift:get': { input: z.object({ reportId: z.string().min(1) }), output: driftReportSchema },
  'drift:delete': { input: z.object({ reportId: z.string().min(1) }), output: z.object({ deleted: z.boolean() }) },
  /** renders a PDF maintenance report in a worker and stores it (a job; its result is { reportId }) */
  'reports:start': { input: reportRequestSchema, output: jobStartedSchema },
  /** stored reports, newest first (optionally of one dataset) */
  'reports:list': { input: z.object({ datasetId: z.string().min(1).optional() }), output: z.array(reportRecordSchema) },
  'reports:get': { input: z.object({ reportId: z.string().min(1) }), output: reportRecordSchema },
  /** the PDF's bytes, base64, and a file name for it (preview and download) */
  'reports:file': { input: z.object({ reportId: z.string().min(1) }), output: z.object({ fileName: z.string(), base64: z.string() }) },
  /** desktop app only: writes the PDF into the reports folder and returns its path */
  'reports:save': { input: z.object({ reportId: z.string().min(1) }), output: z.object({ path: z.string() }) },
  /** desktop app only: shows the saved PDF (saving it first if needed) in the file manager */
  'reports:reveal': { input: z.object({ reportId: z.string().min(1) }), output: z.object({ shown: z.boolean(), path: z.string() }) },
  'reports:delete': { input: z.object({ reportId: z.string().min(1) }), output: z.object({ deleted: z.boolean() }) },
  /** report templates: the built-in one first, then the analyst's, by name */
  'templates:list': { input: z.object({}), output: z.array(storedTemplateSchema) },
  /** creates (no templateId) or replaces a template from its JSON text; errors name line, column and key */
  'templates:save': { input: z.object({ templateId: z.string().min(1).optional(), text: z.string().min(1).max(1_000_000) }), output: storedTemplateSchema },
  'templates:delete': { input: z.object({ templateId: z.string().min(1) }), output: z.object({ deleted: z.boolean() }) },
  /** alert rules on stored drift reports (three built-in defaults, editable) */
  'alerts:list': { input: z.object({}), output: z.array(alertRuleSchema) },
  /** creates a rule (no ruleId) or replaces one */
  'alerts:save': { input: z.object({ rule: alertRuleDraftSchema }), output: alertRuleSchema },
  'alerts:delete': { input: z.object({ ruleId: z.string().min(1).max(64) }), output: z.object({ deleted: z.boolean() }) },
  /** the Slack-compatible webhook: read (no setting) or replace the setting; off by default */
  'alerts:webhook': { input: webhookInputSchema, output: webhookSettingSchema },
  /** POSTs one test message (to `url`, else the stored URL), once, and says what came back */
  'alerts:testWebhook': {
    input: z.object({ url: z.string().max(2048).refine((u) => webhookUrlProblem(u) === null, { message: 'the webhook URL must be an http or https URL without a user name or password' }).optional() }),
    output: webhookTestResultSchema,
  },
  /** notifications, newest first, with their webhook attempts, and the unread count */
  'notifications:list': { input: z.object({ limit: z.number().int().min(1).max(1000).optional(), unreadOnly: z.boolean().optional() }), output: notificationListSchema },
  /** marks notifications read (the given ones, or all); returns the unread count */
  'notifications:read': {
    input: z.object({ notificationIds: z.array(z.string().min(1).max(64)).max(1000).optional(), all: z.boolean().optional() }),
    output: z.object({ unread: z.number().int() }),
  },
  /** a hyperparameter sweep as a job (each trial a training run in the sweep's experiment); cancel with jobs:cancel */
  'sweeps:start': { input: sweepStartSchema, output: z.object({ jobId: z.string(), sweepId: z.string() }) },
  'sweeps:list': { input: z.object({}), output: z.array(sweepSummarySchema) },
  'sweeps:get': { input: z.object({ sweepId: z.string().min(1).max(64) }), output: sweepDetailSchema },
  /** a local model server for a bundle (`prognos serve-model` in a child process, 127.0.0.1 only); one per bundle */
  'modelServer:start': { input: modelServerStartSchema, output: modelServerStatusSchema },
  /** stops it gracefully (SIGTERM: in-flight requests finish) and waits until its port is closed */
  'modelServer:stop': { input: z.object({ bundleId: z.string().min(1) }), output: modelServerStatusSchema },
  /** its state, URL and log; while ready also its metrics and up to `recent` newest predictions */
  'modelServer:status': { input: z.object({ bundleId: z.string().min(1), recent: z.number().int().min(1).max(200).optional() }), output: modelServerStatusSchema },
  /** POSTs one unit's whole history from a dataset to the running server's /predict and returns its answer */
  'modelServer:try': { input: modelServerTrySchema, output: modelServerTryResultSchema },
  /** the model registry (src/shared/registry.ts): models with their versions, newest version first */
  'registry:list': { input: z.object({}), output: z.array(registeredModelSchema) },
  /** registers a finished run or a library bundle as the model's next version (stage None) */
  'registry:register': {
    input: z.object({ model: modelNameSchema, runId: z.string().min(1).optional(), bundleId: z.string().min(1).optional() }).refine((x) => (x.runId === undefined) !== (x.bundleId === undefined), 'give either runId or bundleId'),
    output: modelVersionSchema,
  },
  /** the checks a promotion to `stage` would run now, without promoting */
  'registry:check': { input: z.object({ model: modelNameSchema, version: z.number().int().min(1), stage: stageSchema }), output: z.object({ checks: z.array(promotionCheckSchema) }) },
  /** promotes (refused with `promoted: false` when a check fails, unless `force` with a `reason`) */
  'registry:promote': {
    input: z.object({ model: modelNameSchema, version: z.number().int().min(1), stage: stageSchema, reason: z.string().max(2000).optional(), force: z.boolean().optional() }),
    output: promotionResultSchema,
  },
  'registry:history': { input: z.object({ model: modelNameSchema }), output: z.array(transitionSchema) },
  /** dataset file fingerprint → run → bundle → version → reports made with it */
  'registry:lineage': { input: z.object({ model: modelNameSchema, version: z.number().int().min(1) }), output: lineageSchema },
  /** saved pipeline recipes, by name */
  'pipelines:list': { input: z.object({}), output: z.array(savedPipelineSchema) },
  /** checks a recipe (errors name line, column and key) and saves it: new without pipelineId */
  'pipelines:save': { input: z.object({ pipelineId: z.string().min(1).optional(), text: z.string().min(1).max(1_000_000) }), output: savedPipelineSchema },
  'pipelines:delete': { input: z.object({ pipelineId: z.string().min(1) }), output: z.object({ deleted: z.boolean() }) },
  /** runs a recipe (the text, else the saved one) as a job; its files are read from the pipeline files folder only */
  'pipelines:run': { input: z.object({ pipelineId: z.string().min(1).optional(), text: z.string().min(1).max(1_000_000).optional() }), output: pipelineStartedSchema },
  /** pipeline runs with their steps, newest first */
  'pipelines:history': { input: z.object({ limit: z.number().int().min(1).max(1000).optional() }), output: z.array(pipelineRunRecordSchema) },
  'pipelines:getRun': { input: z.object({ pipelineRunId: z.string().min(1) }), output: pipelineRunRecordSchema },
  /** the recipe's JSON Schema (Monaco) and the folder the app's recipes read files from */
  'pipelines:schema': { input: z.object({}), output: z.object({ schema: z.record(z.string(), z.unknown()), filesDir: z.string() }) },
} as const;

export type Channel = keyof typeof channels;
export const CHANNELS = Object.keys(channels) as Channel[];
export type ChannelInput<C extends Channel> = z.input<(typeof channels)[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<(typeof channels)[C]['output']>;

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

export const jobFinishedSchema = z.object({
  jobId: z.string(),
  kind: jobKindSchema,
  state: jobStateSchema.exclude(['running']),
  result: z.union([importResultSchema, featureRankingSchema, trainStartedSchema, fleetScoresSchema, bundleEntrySchema, driftJobResultSchema, reportJobResultSchema, pipelineJobResultSchema]).optional(),
  error: errorSchema.optional(),
});
export type JobFinished = z.infer<typeof jobFinishedSchema>;
export const jobStatusSchema = z.union([
  z.object({ jobId: z.string(), kind: jobKindSchema, state: z.literal('running'), fraction: z.number(), message: z.string() }),
  jobFinishedSchema,
]);
export type JobStatus = z.infer<typeof jobStatusSchema>;
export type JobResult = NonNullable<JobFinished['result']>;

/** Events pushed from main to the renderer (IPC) or browser (SSE). */
export const trainIterationSchema = z.object({
  jobId: z.string(),
  runId: z.string(),
  model: z.string(),
  iteration: z.number().int(),
  trainLoss: z.number(),
  validLoss: z.number().optional(),
});

export const events = {
  'job:progress': jobProgressSchema,
  'train:iteration': trainIterationSchema,
  'job:finished': jobFinishedSchema,
  /** a notification was raised or read, or one of its webhook attempts finished */
  'notifications:changed': notificationsChangedSchema,
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** Method names on `window.prognos`: `datasets:list` → `datasetsList`. */
export type MethodName<C extends string> = C extends `${infer D}:${infer A}` ? `${D}${Capitalize<A>}` : never;
export function methodName<C extends Channel>(c: C): MethodName<C> {
  const [d, a] = c.split(':') as [string, string];
  return `${d}${a.charAt(0).toUpperCase()}${a.slice(1)}` as MethodName<C>;
}

/** The typed API: one method per channel plus event subscriptions returning an unsubscribe. */
export type PrognosApi = {
  [C in Channel as MethodName<C>]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};
