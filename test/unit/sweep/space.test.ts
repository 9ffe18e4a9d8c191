/** Search spaces: ranges found and checked against the training config's schema, errors named by file, path and line. */
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { parseLocatedJson } from '../../../src/main/core/sweep/json-locate';
import { baselineValues, configFor, gridValues, parseSearchSpace } from '../../../src/main/core/sweep/space';

function problem(text: string): PrognosError {
  try {
    parseSearchSpace(text, 'space.json');
  } catch (e) {
    if (e instanceof PrognosError) return e;
    throw e;
  }
  throw new Error('the space was accepted');
}

describe('parseLocatedJson', () => {
  it('locates every value by path, and names a syntax error by line and column', () => {
    const r = parseLocatedJson('{\n  "gbdt": {\n    "eta": [1, 2]\n  }\n}');
    expect(r.value).toEqual({ gbdt: { eta: [1, 2] } });
    expect(r.locations.get('gbdt.eta')).toEqual({ line: 3, column: 12 });
    expect(r.locations.get('gbdt.eta[1]')).toEqual({ line: 3, column: 16 });
    expect(() => parseLocatedJson('{\n  "a": 1,\n}')).toThrow(/property name/);
    try {
      parseLocatedJson('{\n  "a": 1,\n}');
    } catch (e) {
      expect(e).toMatchObject({ line: 3, column: 1 });
    }
    expect(() => parseLocatedJson('{"a": 1, "a": 2}')).toThrow(/duplicate key "a"/);
  });
});

describe('parseSearchSpace', () => {
  it('finds the ranges of the issue example and builds each trial config from them', () => {
    const space = parseSearchSpace('{ "models": ["gbdt"], "gbdt": { "maxDepth": { "int": [3, 8] }, "eta": { "logFloat": [0.03, 0.3] } } }', 'space.json');
    expect(space.params.map((p) => [p.name, p.spec])).toEqual([
      ['gbdt.maxDepth', { kind: 'int', lo: 3, hi: 8, step: 1 }],
      ['gbdt.eta', { kind: 'logFloat', lo: 0.03, hi: 0.3 }],
    ]);
    const config = configFor(space, { 'gbdt.maxDepth': 5, 'gbdt.eta': 0.07 });
    expect(config.gbdt.maxDepth).toBe(5);
    expect(config.gbdt.eta).toBe(0.07);
    expect(config.models).toEqual(['gbdt']);
    // the baseline takes the defaults inside the ranges (depth 8, eta 0.1)
    expect(baselineValues(space)).toEqual({ 'gbdt.maxDepth': 8, 'gbdt.eta': 0.1 });
  });

  it('takes choices of any JSON value, and the baseline falls back to the middle of a range without the default', () => {
    const space = parseSearchSpace('{ "models": { "choice": [["gbdt"], ["gbdt", "lstm"]] }, "topK": { "int": [5, 21] }, "gbdt": { "subsample": { "float": [0.5, 0.7], "step": 0.1 } } }', 'space.json');
    expect(baselineValues(space)).toEqual({ models: ['gbdt', 'lstm'], topK: 13, 'gbdt.subsample': 0.6 });
    expect(gridValues(space.params[2]!.spec)).toEqual([0.5, 0.6, 0.7]);
  });

  it.each([
    ['{ "gbdt": { "maxDepth": { "int": [9, 3] } } }', 'space.json:1', 'gbdt.maxDepth: lo 9 is greater than hi 3'],
    ['{\n  "gbdt": {\n    "maxDept": { "int": [3, 8] }\n  }\n}', 'space.json:3', 'gbdt.maxDept: not a key of the training config'],
    ['{\n  "gbdt": {\n    "maxDept": 3\n  }\n}', 'space.json:3', 'gbdt.maxDept: unknown key "maxDept"'],
    ['{\n  "calibration": {\n    "method": { "float": [0, 1] }\n  }\n}', 'space.json:3', 'calibration.method: a float range on a key that is not numeric (string); use { "choice": [...] }'],
    ['{ "gbdt": { "maxDepth": { "float": [3, 8] } } }', 'space.json:1', 'gbdt.maxDepth: a float range on an integer key'],
    ['{ "gbdt": { "maxDepth": { "int": [3.5, 8] } } }', 'space.json:1', 'an int range takes whole numbers'],
    ['{ "gbdt": { "eta": { "logFloat": [0, 0.3] } } }', 'space.json:1', 'a logFloat range needs lo > 0'],
    ['{ "gbdt": { "eta": { "float": [0.1] } } }', 'space.json:1', 'a float range takes two numbers'],
    ['{ "gbdt": { "eta": { "float": [0.1, 0.2], "by": 2 } } }', 'space.json:1', 'not "by"'],
    ['{ "gbdt": { "maxDepth": { "int": [3, 20] } } }', 'space.json:1', 'gbdt.maxDepth: upper bound 20 of gbdt.maxDepth: Too big'],
    ['{ "calibration": { "method": { "choice": ["auto", "magic"] } } }', 'space.json:1', 'choice "magic" of calibration.method'],
    ['{ "gbdt": { "subsample": { "float": [0, 1] } } }', 'space.json:1', 'gbdt.subsample: lower bound 0 of gbdt.subsample: Too small'],
    ['{ "models": { "choice": [] } }', 'space.json:1', 'a choice takes a non-empty array'],
    ['[1, 2]', 'space.json:1', 'a search space is a JSON object'],
    ['{\n  "gbdt": { "eta": 0.1, }\n}', 'space.json:2', 'not valid JSON'],
  ])('refuses %s naming the file, line and reason', (text, where, reason) => {
    const e = problem(text);
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toContain(where);
    expect(e.message).toContain(reason);
    expect(e.details?.issues?.[0]).toMatchObject({ file: 'space.json' });
  });

  it('reports every problem at once, each with its own line', () => {
    const e = problem('{\n  "topK": { "int": [10, 5] },\n  "gbdt": {\n    "eta": { "logFloat": [-1, 1] }\n  }\n}');
    expect(e.details?.issues?.map((i) => i.line)).toEqual([2, 4]);
  });
});
