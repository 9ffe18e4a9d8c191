/** openapi.json: OpenAPI 3.0 description of POST /predict as the server stack serves a bundle. */
import type { BundleManifest } from './manifest';

export function buildOpenApi(m: BundleManifest): Record<string, unknown> {
  const historyColumns = m.rawInput.historyColumns;
  const columnInfo = new Map(m.rawInput.columns.map((c) => [c.name, c]));
  const rowProps: Record<string, unknown> = {
    cycle: { type: 'integer', description: 'cycle number; strictly increasing within a unit' },
  };
  for (const name of historyColumns) {
    const c = columnInfo.get(name);
    const what = [c?.description, c?.unit === undefined ? undefined : `unit: ${c.unit}`].filter((x) => x !== undefined).join('; ');
    rowProps[name] = { type: 'number', description: `raw value of ${name}${what === '' ? '' : ` (${what})`}` };
  }
  const p = m.pipeline;
  const rowsRule =
    p === null
      ? 'Rows in cycle order.'
      : p.requiresFullHistory
        ? "Rows in cycle order, starting at the unit's first cycle (the model uses an EWMA over the whole history)."
        : `Rows in cycle order. At least the last ${p.minHistoryRows} rows of a unit are needed for its full feature windows; a unit with fewer rows is treated as starting at its first row.`;
  const parts: Record<string, unknown> = { gbdt: { type: 'number', minimum: 0, maximum: 1 } };
  if (m.models.lstm !== undefined) parts.lstm = { type: 'number', minimum: 0, maximum: 1 };
  return {
    openapi: '3.0.3',
    info: {
      title: `Prognos failure-risk model (run ${m.runId})`,
      version: m.appVersion,
      description:
        `Probability that a unit fails within ${m.label.window} cycles (RUL ≤ ${m.label.window}), from its raw sensor history. ` +
        `Ensemble ${m.ensemble.formula} with weight w = ${m.ensemble.weight}; alert when probability ≥ ${m.threshold}. ` +
        `Served from the Prognos bundle format ${m.formatVersion} (manifest.json, models/pipeline.onnx).`,
    },
    paths: {
      '/predict': {
        post: {
          operationId: 'predict',
          summary: 'Failure-risk probability for each unit at its latest cycle',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/PredictRequest' } } },
          },
          responses: {
            '200': {
              description: 'One prediction per unit, in request order',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/PredictResponse' } } },
            },
            '422': {
              description: 'The request does not follow the input contract (missing column, unordered cycles, empty history)',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        PredictRequest: {
          type: 'object',
          required: ['units'],
          properties: { units: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/UnitHistory' } } },
        },
        UnitHistory: {
          type: 'object',
          required: ['unit', 'rows'],
          properties: {
            unit: { type: 'integer', description: 'unit (engine) id' },
            rows: { type: 'array', minItems: 1, description: rowsRule, items: { $ref: '#/components/schemas/HistoryRow' } },
          },
        },
        HistoryRow: {
          type: 'object',
          required: ['cycle', ...historyColumns],
          properties: rowProps,
          additionalProperties: { type: 'number' },
          description: 'One cycle of raw readings; other columns are accepted and ignored.',
        },
        PredictResponse: {
          type: 'object',
          required: ['units'],
          properties: {
            units: { type: 'array', items: { $ref: '#/components/schemas/UnitPrediction' } },
            threshold: { type: 'number', description: 'alert threshold (tuned for F2 on the validation units)' },
            runId: { type: 'string' },
          },
        },
        UnitPrediction: {
          type: 'object',
          required: ['unit', 'cycle', 'probability', 'parts', 'alert', ...(m.rul === undefined ? [] : ['rul', 'rulLow', 'rulHigh'])],
          properties: {
            unit: { type: 'integer' },
            cycle: { type: 'integer', description: 'the latest cycle of the unit, where the prediction applies' },
            probability: { type: 'number', minimum: 0, maximum: 1, description: m.ensemble.formula },
            parts: { type: 'object', required: Object.keys(parts), properties: parts },
            alert: { type: 'boolean', description: m.alert },
            ...(m.rul === undefined
              ? {}
              : {
                  rul: { type: 'number', description: `predicted remaining useful life at the latest cycle, in cycles (${m.rul.formula}; target capped at ${m.rul.cap})` },
                  rulLow: { type: 'number', minimum: 0, description: `lower end of the ${m.rul.interval.coverage} split-conformal interval of rul` },
                  rulHigh: { type: 'number', description: `upper end of the ${m.rul.interval.coverage} split-conformal interval of rul` },
                }),
          },
        },
        Error: {
          type: 'object',
          required: ['detail'],
          properties: { detail: { type: 'string' } },
        },
      },
    },
    'x-prognos': {
      bundleFormatVersion: m.formatVersion,
      historyColumns,
      ...(p === null
        ? {}
        : { minHistoryRows: p.minHistoryRows, requiresFullHistory: p.requiresFullHistory, pipelineContract: p.contract }),
      windowLength: m.windowLength,
      threshold: m.threshold,
      ensembleWeight: m.ensemble.weight,
      ...(m.rul === undefined ? {} : { rul: { cap: m.rul.cap, weight: m.rul.weight, interval: m.rul.interval } }),
    },
  };
}
