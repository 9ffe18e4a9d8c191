/** Report templates as text: where a mistake is, said in the message; the canonical form and its hash. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PrognosError } from '../../../src/shared/errors';
import { defaultReportTemplate, reportTemplateSchema } from '../../../src/shared/report';
import { canonicalTemplateJson, jsonLocations, parseTemplateText, templateEditorText, templateSha256 } from '../../../src/main/core/report/template';

function failure(text: string, file = 'fleet.json'): PrognosError {
  try {
    parseTemplateText(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(PrognosError);
    return e as PrognosError;
  }
  throw new Error('the template was accepted');
}

describe('parseTemplateText', () => {
  it('fills every default in a minimal template', () => {
    const t = parseTemplateText('{ "name": "Weekly" }', 'weekly.json');
    expect(t).toEqual({ ...defaultReportTemplate(), name: 'Weekly' });
  });

  it('names the line and column of a syntax error', () => {
    // a trailing comma: the parser stops at the closing brace on line 4, column 1
    const e = failure('{\n  "name": "x",\n  "topN": 5,\n}\n');
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/^fleet\.json: line 4, column 1: not valid JSON/);
    expect(e.details?.issues?.[0]).toMatchObject({ file: 'fleet.json', line: 4 });
  });

  it('places an unterminated document at its end', () => {
    const e = failure('{\n  "name": "x"');
    expect(e.message).toMatch(/^fleet\.json: line 2, column 14: not valid JSON/);
  });

  it('names an unknown key with its path, line and column', () => {
    const text = '{\n  "name": "A",\n  "actions": [\n    { "id": "x", "label": "L", "priority": "high", "when": { "bogus": 1 } }\n  ]\n}';
    const e = failure(text, 'a.json');
    expect(e.message).toContain('a.json: not a valid report template');
    expect(e.message).toContain('actions[0].when.bogus (line 4, column 62): unknown key "bogus"');
    expect(e.details?.issues?.[0]).toMatchObject({ file: 'a.json', line: 4, reason: 'key actions[0].when.bogus (column 62): unknown key "bogus"' });
  });

  it('names a top-level unknown key and a value of the wrong type', () => {
    const e = failure('{"name":"x","topN":"ten","colour":"red"}');
    expect(e.message).toMatch(/colour \(line 1, column 26\): unknown key "colour"/);
    expect(e.message).toMatch(/topN \(line 1, column 13\): /);
  });

  it('refuses an empty text and a document that is not an object', () => {
    expect(failure('  \n').message).toBe('fleet.json: the template is empty (a JSON object is expected).');
    expect(failure('[1, 2]').message).toMatch(/^fleet\.json: not a valid report template: \(root\)/);
  });

  it('reads a file that starts with a byte order mark', () => {
    expect(parseTemplateText('\uFEFF{"name":"BOM"}', 'b.json').name).toBe('BOM');
  });
});

describe('canonical form', () => {
  it('sorts keys at every level, so the hash does not depend on how the file was laid out', () => {
    const a = parseTemplateText('{"name":"X","topN":3,"sections":{"cover":false}}', 'a.json');
    const b = parseTemplateText('{\n "sections": { "cover": false },\n "topN": 3,\n "name": "X",\n "$schema": "./report-template.schema.json"\n}', 'b.json');
    expect(canonicalTemplateJson(a)).toBe(canonicalTemplateJson(b));
    expect(templateSha256(a)).toBe(templateSha256(b));
    expect(templateSha256(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(templateSha256(a)).not.toBe(templateSha256({ ...a, topN: 4 }));
    const keys = Object.keys(JSON.parse(canonicalTemplateJson(a)) as object);
    expect(keys).toEqual([...keys].sort());
  });

  it('reads back what the editor text shows', () => {
    const t = parseTemplateText('{"name":"Y","language":"de"}', 'y.json');
    expect(parseTemplateText(templateEditorText(t), 'y.json')).toEqual(t);
  });

  it('locates keys and array items in valid JSON', () => {
    const text = '{"a": [1, {"b": "x\\"y"}], "c": null}';
    const at = jsonLocations(text);
    expect(at.get('a')).toEqual({ key: 1, value: 6 });
    expect(at.get('a[1].b')?.key).toBe(text.indexOf('"b"'));
    expect(at.get('c')?.value).toBe(text.indexOf('null'));
  });
});

describe('the documented template reference', () => {
  it('lists every key of the JSON Schema, and no other', () => {
    const schema = z.toJSONSchema(reportTemplateSchema, { io: 'input' }) as { properties: Record<string, { items?: { properties: Record<string, unknown> }; properties?: Record<string, unknown> }> };
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'reports.md'), 'utf8');
    const reference = doc.slice(doc.indexOf('## Template reference'));
    const [top, rule] = reference.split('An action rule:');
    const keysOf = (table: string): string[] => [...table.matchAll(/^\| `([$\w]+)` \|/gm)].map((m) => m[1]!).sort();
    expect(keysOf(top!)).toEqual(Object.keys(schema.properties).sort());
    expect(keysOf(rule!)).toEqual(Object.keys(schema.properties.actions!.items!.properties).sort());
    for (const k of Object.keys(schema.properties.sections!.properties!)) expect(top).toContain(`\`${k}\``);
    // the default rules shown are the ones the schema fills in
    const shown = /```json\n(\[[\s\S]*?\])\n```/.exec(reference)![1]!;
    expect(JSON.parse(shown)).toEqual(defaultReportTemplate().actions);
  });
});
