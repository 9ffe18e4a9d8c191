/**
 * A pipeline recipe read from JSON text: syntax errors name the line and column, schema errors the
 * key path with its line and column, and the training config is checked against the training
 * config's own schema (its problems named under `steps.train.config`).
 */
import { z } from 'zod';
import { PrognosError, type FileIssue } from '../../../shared/errors';
import { pipelineRecipeSchema, type PipelineRecipe } from '../../../shared/pipelines';
import { trainConfigSchema } from '../pipeline/config';
import { issueText, jsonLocations, keyPath, lineColumn, syntaxErrorAt } from '../report/template';

type PathPart = string | number;

export function parseRecipeText(text: string, fileName: string): PipelineRecipe {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new PrognosError('BAD_FILE', `${fileName}: the recipe is empty (a JSON object is expected).`, { issues: [{ file: fileName, reason: 'the recipe is empty' }] });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const at = syntaxErrorAt(body, e instanceof Error ? e.message : String(e));
    const reason = `not valid JSON: ${at.reason}`;
    throw new PrognosError('BAD_FILE', `${fileName}: line ${at.line}, column ${at.column}: ${reason}`, {
      issues: [{ file: fileName, line: at.line, reason: `column ${at.column}: ${reason}` }],
    });
  }
  const parsed = pipelineRecipeSchema.safeParse(json);
  const problems: { path: PathPart[]; reason: string }[] = [];
  if (!parsed.success) problems.push(...parsed.error.issues.map(issueText));
  else if (parsed.data.steps.train !== undefined) {
    const config = trainConfigSchema.safeParse(parsed.data.steps.train.config);
    if (!config.success) for (const issue of config.error.issues) {
      const t = issueText(issue);
      problems.push({ path: ['steps', 'train', 'config', ...t.path], reason: t.reason });
    }
  }
  if (problems.length === 0 && parsed.success) return parsed.data;
  const where = jsonLocations(body);
  const issues: FileIssue[] = [];
  const lines: string[] = [];
  for (const p of problems.slice(0, 20)) {
    const key = keyPath(p.path);
    let loc: { key?: number; value: number } | undefined;
    for (let n = p.path.length; n >= 0 && loc === undefined; n--) loc = where.get(keyPath(p.path.slice(0, n)));
    const lc = loc === undefined ? undefined : lineColumn(body, loc.key ?? loc.value);
    lines.push(`${key}${lc === undefined ? '' : ` (line ${lc.line}, column ${lc.column})`}: ${p.reason}`);
    issues.push({ file: fileName, ...(lc === undefined ? {} : { line: lc.line }), reason: `key ${key}${lc === undefined ? '' : ` (column ${lc.column})`}: ${p.reason}` });
  }
  const more = problems.length > 20 ? `; and ${problems.length - 20} more` : '';
  throw new PrognosError('BAD_FILE', `${fileName}: not a valid pipeline recipe: ${lines.join('; ')}${more}`, { issues });
}

/** The recipe's JSON Schema for the editor, with the training config's schema under steps.train.config. */
export function recipeJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(pipelineRecipeSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  const train = z.toJSONSchema(trainConfigSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  const steps = (schema.properties as Record<string, Record<string, unknown>> | undefined)?.steps;
  const trainStep = (steps?.properties as Record<string, Record<string, unknown>> | undefined)?.train;
  const props = trainStep?.properties as Record<string, unknown> | undefined;
  if (props !== undefined) {
    const { $schema: _ignored, ...rest } = train;
    props.config = rest;
  }
  return { title: 'Prognos pipeline recipe', ...schema };
}
