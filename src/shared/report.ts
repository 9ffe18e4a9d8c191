/**
 * PDF maintenance reports: the template (a JSON document the analyst edits), the request that starts
 * a report, the document the PDF is drawn from, and the stored history record.
 *
 * One engine everywhere: the CLI, browser mode and the desktop app all go
 *   inputs → assembleReport (src/main/core/report/assemble.ts) → ReportDocument
 *          → renderReportPdf (src/main/core/report/render/) → bytes,
 * so the same inputs and creation time give the same bytes.
 */
import type { SensorCatalogue } from './sensor-catalogue';
import { z } from 'zod';
import { type metricsSchema } from './schemas';

// ---------------------------------------------------------------------------------------------
// Template

export const REPORT_LANGUAGES = ['en', 'de'] as const;
export const reportLanguageSchema = z.enum(REPORT_LANGUAGES);
export type ReportLanguage = z.infer<typeof reportLanguageSchema>;

export const reportSectionsSchema = z.strictObject({
  cover: z.boolean().default(true),
  summary: z.boolean().default(true),
  actions: z.boolean().default(true),
  units: z.boolean().default(true),
  health: z.boolean().default(true),
  appendix: z.boolean().default(true),
});
export type ReportSections = z.infer<typeof reportSectionsSchema>;
export const REPORT_SECTIONS = ['cover', 'summary', 'actions', 'units', 'health', 'appendix'] as const;
export type ReportSectionName = (typeof REPORT_SECTIONS)[number];

/**
 * One action rule. Rules are tried in order; the first whose every condition holds gives the unit's
 * action (a rule with no conditions always holds, so the last rule is usually the catch-all).
 * `label` may contain `{cycles}`: the number of cycles in `withinCycles`, resolved per unit.
 */
export const actionRuleSchema = z.strictObject({
  /** short stable id, e.g. "remove", "inspect", "monitor" */
  id: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'an id is lower-case letters, digits and "-", at most 32 characters'),
  label: z.string().trim().min(1).max(120),
  priority: z.enum(['high', 'medium', 'low']),
  when: z
    .strictObject({
      /** probability ≥ this (0–1), or "threshold": the model's own decision threshold */
      probabilityAtLeast: z.union([z.number().min(0).max(1), z.literal('threshold')]).optional(),
      /** predicted RUL ≤ this many cycles (needs a model with RUL; never holds without one) */
      rulAtMost: z.number().min(0).optional(),
      /** lower end of the RUL interval ≤ this many cycles (needs a model with RUL) */
      rulLowAtMost: z.number().min(0).optional(),
    })
    .default({}),
  /**
   * what `{cycles}` in the label becomes: a fixed number, "rulLow" (the unit's lower RUL bound,
   * floored, at least 0; the horizon W without RUL) or "horizon" (W)
   */
  withinCycles: z.union([z.number().int().min(0), z.enum(['rulLow', 'horizon'])]).optional(),
});
export type ActionRule = z.infer<typeof actionRuleSchema>;

export const DEFAULT_ACTION_RULES: readonly ActionRule[] = [
  { id: 'remove', label: 'Remove from service', priority: 'high', when: { probabilityAtLeast: 0.9 } },
  { id: 'remove-rul', label: 'Remove from service', priority: 'high', when: { probabilityAtLeast: 'threshold', rulLowAtMost: 5 } },
  { id: 'inspect', label: 'Schedule inspection within {cycles} cycles', priority: 'medium', when: { probabilityAtLeast: 'threshold' }, withinCycles: 'rulLow' },
  { id: 'watch', label: 'Monitor closely', priority: 'low', when: { probabilityAtLeast: 0.2 } },
  { id: 'monitor', label: 'Monitor', priority: 'low', when: {} },
];

/** A logo for the cover: a PNG or JPEG as a data URL (≤ 512 KiB decoded), drawn `widthMm` wide. */
export const reportLogoSchema = z.strictObject({
  dataUrl: z
    .string()
    .max(700_000)
    .regex(/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+=*$/, 'the logo must be a PNG or JPEG data URL (data:image/png;base64,…)'),
  widthMm: z.number().min(5).max(80).default(30),
});

export const reportTemplateSchema = z.strictObject({
  /** where the editor finds the JSON Schema; ignored otherwise */
  $schema: z.string().optional(),
  name: z.string().trim().min(1).max(120),
  language: reportLanguageSchema.default('en'),
  pageSize: z.enum(['A4', 'Letter']).default('A4'),
  /** the report's title when the request gives none */
  title: z.string().trim().min(1).max(200).default('Fleet maintenance report'),
  author: z.string().trim().max(200).default(''),
  sections: reportSectionsSchema.default({ cover: true, summary: true, actions: true, units: true, health: true, appendix: true }),
  /** how many at-risk units get a panel of their own (highest risk first) */
  topN: z.number().int().min(0).max(500).default(10),
  /** per unit panel: the features (and sensors) with the largest contributions shown */
  topContributors: z.number().int().min(1).max(20).default(8),
  /** per unit panel: trend charts of the sensors that drive its risk most */
  trendCharts: z.number().int().min(0).max(6).default(3),
  actions: z.array(actionRuleSchema).min(1).max(20).default([...DEFAULT_ACTION_RULES]),
  logo: reportLogoSchema.optional(),
});
/** A template as stored and used: every default filled in. */
export type ReportTemplate = z.output<typeof reportTemplateSchema>;
/** A template as written by hand: defaults may be left out. */
export type ReportTemplateInput = z.input<typeof reportTemplateSchema>;

export const DEFAULT_TEMPLATE_NAME = 'Standard';
export function defaultReportTemplate(): ReportTemplate {
  return reportTemplateSchema.parse({ name: DEFAULT_TEMPLATE_NAME });
}

/** A stored template (the built-in one cannot be changed or deleted; copy it instead). */
export const storedTemplateSchema = z.object({
  templateId: z.string(),
  builtIn: z.boolean(),
  template: reportTemplateSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredTemplate = z.infer<typeof storedTemplateSchema>;

// ---------------------------------------------------------------------------------------------
// Request (IPC `reports:start`; the CLI passes the same through its options)

export const reportRequestSchema = z.object({
  datasetId: z.string().min(1),
  scorer: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('bundle'), bundleId: z.string().min(1) }),
    z.object({ kind: z.literal('run'), runId: z.string().min(1) }),
  ]),
  /** a stored template; the built-in one when absent */
  templateId: z.string().min(1).optional(),
  /** overrides the template's title */
  title: z.string().trim().min(1).max(200).optional(),
  /** the analyst's notes on the cover (plain text, paragraphs separated by blank lines) */
  notes: z.string().max(10_000).optional(),
  /** the fleet's name on the cover and for "since the previous report"; the dataset's name when absent */
  fleet: z.string().trim().min(1).max(200).optional(),
  /** fixed creation time (ISO 8601), for reproducible bytes; now when absent */
  createdAt: z.iso.datetime({ offset: true }).optional(),
});
export type ReportRequest = z.infer<typeof reportRequestSchema>;

// ---------------------------------------------------------------------------------------------
// The document: everything the PDF shows, already decided (no I/O, no clock, no randomness left)

export interface ReportFile {
  role: 'data' | 'rul' | 'bundle' | 'template';
  name: string;
  sha256: string;
  bytes: number;
}

export interface ReportActionRow {
  rank: number;
  unit: number;
  probability: number;
  alert: boolean;
  lastCycle: number;
  rul?: number;
  rulLow?: number;
  rulHigh?: number;
  /** true RUL when the data came with a RUL file */
  trueRul?: number;
  /** the rule that matched and its label with `{cycles}` resolved */
  actionId: string;
  action: string;
  priority: ActionRule['priority'];
  /** 'now' | 'soon' | 'later': the summary's bucket for this unit */
  bucket: RiskBucket;
}

/** now: the model alerts (failure within W cycles); soon: not yet, but within the next W (RUL ≤ 2W, or p ≥ threshold/2 without RUL); later: the rest */
export type RiskBucket = 'now' | 'soon' | 'later';

export interface ReportContribution {
  /** engineered feature name, e.g. "s11_mean_10" */
  feature: string;
  /** the raw column it is computed from, e.g. "s11" (settings and cycle count included) */
  source: string;
  /** the feature's value at the unit's last row */
  value: number;
  /** TreeSHAP path-dependent contribution to the GBDT's log-odds */
  contribution: number;
}

export interface ReportUnitPanel {
  unit: number;
  rank: number;
  probability: number;
  rul?: number;
  rulLow?: number;
  rulHigh?: number;
  lastCycle: number;
  action: string;
  /** ensemble (calibrated) probability over every scored cycle */
  risk: { cycle: number[]; probability: number[] };
  /** GBDT margin at the last row = bias + Σ contributions */
  bias: number;
  /** largest |contribution| first, at most template.topContributors */
  contributions: ReportContribution[];
  /** per raw column: the sum of its features' contributions, largest |sum| first */
  sources: { source: string; contribution: number }[];
  /** raw sensor values over cycles for the sources that drive risk most (template.trendCharts) */
  trends: { sensor: string; cycle: number[]; values: number[] }[];
}

export interface ReportPrevious {
  reportId: string;
  createdAt: string;
  title: string;
  counts: { now: number; soon: number; later: number };
  /** units in the bucket 'now' here that were not in the previous report's 'now' */
  newlyAtRisk: number[];
  /** units in the previous report's 'now' that are not any more */
  noLongerAtRisk: number[];
  /** units present in both, largest probability rise first (at most 10) */
  risen: { unit: number; before: number; after: number }[];
  /** units of the previous report missing here, and new ones */
  removedUnits: number[];
  addedUnits: number[];
}

export interface ReportHealth {
  /** the model's validation (and test, when it had one) metrics per model */
  metrics: { model: string; split: 'validation' | 'test'; values: z.infer<typeof metricsSchema> }[];
  /** RUL accuracy on the validation units, when the model has RUL */
  rul?: { model: string; rmse: number; mae: number; phm08: number; coverage: number | null; n: number }[];
  calibration?: {
    method: string;
    /** expected calibration error on validation units */
    ece: number | null;
    /** reliability diagram bins: mean predicted vs observed share */
    bins: { predicted: number; observed: number; count: number }[];
  };
  /** the latest drift report for this fleet's data and this model, when one exists */
  drift?: {
    reportId: string;
    createdAt: string;
    datasetDrift: boolean;
    driftedShare: number;
    drifted: string[];
    domainAuc: number | null;
    estimatedF2: number | null;
  };
  /** data-quality notes from import (constant columns, gaps, clipped values, …) */
  quality: string[];
}

export interface ReportDocument {
  /** the fleet's sensor catalogue: the names and units the panels show (ids stay in the data) */
  sensors?: SensorCatalogue;
  meta: {
    title: string;
    author: string;
    subject: string;
    keywords: string[];
    /** ISO 8601; also the PDF's CreationDate */
    createdAt: string;
    appVersion: string;
    language: ReportLanguage;
  };
  template: ReportTemplate;
  notes: string;
  fleet: { name: string; units: number; rows: number; fingerprint: string; regimes: number | null };
  model: {
    kind: 'run' | 'bundle';
    /** run id, or the bundle's run id as its manifest names it */
    id: string;
    /** SHA-256 of the bundle's manifest.json (the hash everything else is pinned by), bundles only */
    bundleSha256?: string;
    /** the signature verdict in one sentence, bundles only */
    signature?: { verdict: 'trusted' | 'unknown-key' | 'unsigned' | 'bad-signature'; text: string };
    models: string[];
    features: number;
    trainedOn: { fingerprint: string; units: number | null };
    createdAt: string;
  };
  rule: { threshold: number; horizon: number; rulCap: number | null; rulCoverage: number | null };
  summary: { units: number; now: number; soon: number; later: number; withRul: boolean };
  previous: ReportPrevious | null;
  actions: ReportActionRow[];
  panels: ReportUnitPanel[];
  health: ReportHealth;
  appendix: {
    files: ReportFile[];
    /** further exact inputs, e.g. template name and hash, options, seed */
    inputs: { label: string; value: string }[];
  };
}

// ---------------------------------------------------------------------------------------------
// The stored record (history) and the CLI's answer

/** What the analyst asked for, as the history shows it (file names, never paths). */
export const reportInputsSchema = z.object({
  /** the fleet data: the dataset's file name, or the CLI's file */
  dataFile: z.string(),
  rulFile: z.string().nullable(),
  /** "run <id>", "bundle <id>" or "bundle file <name>" */
  model: z.string(),
  template: z.string(),
  /** the title, fleet name and creation time as given (null: from the template, the data, the clock) */
  title: z.string().nullable(),
  fleet: z.string().nullable(),
  createdAt: z.string().nullable(),
  notes: z.string(),
});
export type ReportInputs = z.infer<typeof reportInputsSchema>;

export const reportRecordSchema = z.object({
  reportId: z.string(),
  title: z.string(),
  fleet: z.string(),
  createdAt: z.string(),
  datasetId: z.string().nullable(),
  datasetFingerprint: z.string(),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('run'), runId: z.string() }),
    z.object({ kind: z.literal('bundle'), bundleId: z.string().nullable(), bundleSha256: z.string(), runId: z.string() }),
  ]),
  templateName: z.string(),
  templateSha256: z.string(),
  pages: z.number().int(),
  units: z.number().int(),
  atRisk: z.number().int(),
  soon: z.number().int(),
  bytes: z.number().int(),
  sha256: z.string(),
  /** where the app last saved a copy (desktop app), if anywhere */
  savedPath: z.string().nullable(),
  /** the request's inputs (stored reports always have them) */
  inputs: reportInputsSchema.optional(),
});
export type ReportRecord = z.infer<typeof reportRecordSchema>;

/** What `prognos report --json` prints. */
export const reportCliResultSchema = z.object({
  file: z.string(),
  pages: z.number().int(),
  units: z.number().int(),
  atRisk: z.number().int(),
  bytes: z.number().int(),
  sha256: z.string(),
});
export type ReportCliResult = z.infer<typeof reportCliResultSchema>;

/** A finished report job's result. */
export const reportJobResultSchema = z.object({ reportId: z.string() });
