/**
 * The JSON Schema of a search space, for Monaco's diagnostics: the training config's schema in which
 * every value may also be a range. Main parses the space again (with file, path and line) before use.
 */
import type { JsonSchema } from '../../lib/json-schema';
import { isJsonObject } from '../../lib/json-value';

const pair = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 };

const RANGE: JsonSchema = {
  anyOf: [
    { type: 'object', properties: { int: pair, step: { type: 'integer', minimum: 1 } }, required: ['int'], additionalProperties: false },
    { type: 'object', properties: { float: pair, step: { type: 'number', exclusiveMinimum: 0 } }, required: ['float'], additionalProperties: false },
    { type: 'object', properties: { logFloat: { ...pair, items: { type: 'number', exclusiveMinimum: 0 } }, steps: { type: 'integer', minimum: 2 } }, required: ['logFloat'], additionalProperties: false },
    { type: 'object', properties: { choice: { type: 'array', minItems: 1 } }, required: ['choice'], additionalProperties: false },
  ],
};

/** Objects keep their keys (and refuse unknown ones); every other value may be itself or a range. */
export function searchSpaceSchema(trainSchema: JsonSchema): JsonSchema {
  const walk = (node: JsonSchema): JsonSchema => {
    if (node.type === 'object' && isJsonObject(node.properties)) {
      const properties: Record<string, JsonSchema> = {};
      for (const [k, v] of Object.entries(node.properties)) properties[k] = isJsonObject(v) ? walk(v) : {};
      const { default: _default, required: _required, ...rest } = node;
      return { ...rest, properties };
    }
    const { default: _default, ...rest } = node;
    return { anyOf: [rest, RANGE] };
  };
  const out = walk(trainSchema);
  return { ...out, title: 'Prognos search space (a training config whose values may be ranges)' };
}

export const DEFAULT_SPACE = `{
  "models": ["gbdt"],
  "rul": { "enabled": false },
  "gbdt": {
    "maxDepth": { "int": [3, 8] },
    "eta": { "logFloat": [0.03, 0.3] }
  }
}
`;
