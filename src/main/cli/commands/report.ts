/**
 * `prognos report`: a PDF maintenance report of a fleet scored with a run or a (verified) bundle.
 * It goes through the reports service like the app does (the same worker, the same bytes for the
 * same inputs and creation time), is stored in the history, and is written to `--out` through a
 * temporary file in the same folder and a rename: no half-written PDF is ever left at `--out`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import type { ReportCliResult, ReportRequest, ReportTemplate } from '../../../shared/report';
import { parseTemplateText } from '../../core/report/template';
import type { AppServices } from '../../services/app-services';
import type { ReportFileInput, ReportModelInput } from '../../services/reports';
import { intOption, parseCommandArgs, requireOption } from '../args';
import { openServices } from '../context';
import { waitForJob } from '../wait-for-job';
import type { Output } from '../output';
import { REPORT_USAGE } from '../usage';

const bad = (message: string): PrognosError => new PrognosError('INVALID_INPUT', message);

/** `--created-at`, else SOURCE_DATE_EPOCH (seconds since 1970), else undefined (now). */
export function createdAtOption(value: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (value !== undefined) {
    const text = value.trim();
    const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : Number.NaN;
    if (!Number.isFinite(t)) throw bad(`--created-at must be an ISO 8601 time with a zone, e.g. 2026-03-01T08:00:00Z; got "${value}".`);
    return new Date(t).toISOString();
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return undefined;
  const s = /^\d{1,12}$/.test(epoch.trim()) ? Number(epoch.trim()) : Number.NaN;
  if (!Number.isSafeInteger(s) || s * 1000 > 8.64e15) throw bad(`SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, got "${epoch}".`);
  return new Date(s * 1000).toISOString();
}

/** `--template`: a JSON file (checked here: errors name the file, line, column and key), or a stored template's id. */
function templateOption(services: AppServices, ref: string | undefined): { template: ReportTemplate; fileName: string } | { templateId: string } | undefined {
  if (ref === undefined) return undefined;
  if (ref === '') throw bad('--template needs a value.');
  const path = resolve(ref);
  if (existsSync(path) && statSync(path).isFile()) return { template: parseTemplateText(readFileSync(path, 'utf8'), basename(path)), fileName: basename(path) };
  if (services.reports.listTemplates().some((t) => t.templateId === ref)) return { templateId: ref };
  throw new PrognosError('NOT_FOUND', `--template ${ref}: no such template file, and no stored template with that id.`);
}

/** `--bundle`: a bundle folder or .zip, or a bundle of the library by id (`store:…`, `shipped:…`). */
function bundleOption(services: AppServices, ref: string): ReportModelInput {
  const path = resolve(ref);
  if (existsSync(path)) return { bundlePath: path };
  try {
    services.exports.bundlePath(ref);
    return { bundleId: ref };
  } catch {
    throw new PrognosError('NOT_FOUND', `--bundle ${ref}: no such bundle folder or .zip, and no bundle with that id in the store.`);
  }
}

/** `--out`: a file in a folder that exists (the PDF is written beside it first, then renamed into place). */
function outOption(value: string | undefined): string {
  const out = resolve(requireOption(value, 'out'));
  const dir = dirname(out);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PrognosError('NOT_FOUND', `--out ${value}: the folder ${dir} does not exist.`);
  if (existsSync(out) && statSync(out).isDirectory()) throw bad(`--out ${value}: is a folder; give the PDF's file name.`);
  return out;
}

/** Writes `data` to `out` through a temporary file in the same folder and a rename: `out` is either whole or untouched. */
export function writeWhole(out: string, data: Uint8Array): void {
  const temp = join(dirname(out), `.${basename(out)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    writeFileSync(temp, data, { flag: 'wx' });
    renameSync(temp, out);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new PrognosError('INVALID_INPUT', `--out ${out}: cannot write the PDF: ${(e as Error).message}`);
  }
}

export async function reportCommand(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    run: { type: 'string' },
    bundle: { type: 'string' },
    data: { type: 'string' },
    rul: { type: 'string' },
    template: { type: 'string' },
    title: { type: 'string' },
    notes: { type: 'string' },
    fleet: { type: 'string' },
    top: { type: 'string' },
    'created-at': { type: 'string' },
    'require-signed': { type: 'boolean', default: false },
    out: { type: 'string' },
  });
  if (positionals.length > 0) throw bad(`Unexpected argument "${positionals[0]}". Usage: prognos ${REPORT_USAGE.split('  ')[0]}`);
  if (values.run !== undefined && values.bundle !== undefined) throw bad('Give either --run R or --bundle B, not both.');
  if (values.run === undefined && values.bundle === undefined) throw bad('Give either --run R or --bundle B (the model that scores the fleet).');
  if (values.run === '' || values.bundle === '') throw bad(`--${values.run === '' ? 'run' : 'bundle'} needs a value.`);
  if (values['require-signed'] && values.bundle === undefined) throw bad('--require-signed goes with --bundle (a run in the store is not signed).');
  const dataRef = requireOption(values.data, 'data');
  const outPath = outOption(values.out);
  const createdAt = createdAtOption(values['created-at']);
  const top = values.top === undefined ? undefined : intOption(values.top, 'top', undefined, { min: 0, max: 500 });
  if (values.title !== undefined && values.title.trim() === '') throw bad('--title needs a value.');
  if (values.fleet !== undefined && values.fleet.trim() === '') throw bad('--fleet needs a value.');

  const services = openServices(values.store);
  try {
    const model: ReportModelInput = values.run !== undefined ? { runId: values.run } : bundleOption(services, values.bundle!);
    const template = templateOption(services, values.template);
    const common = {
      ...(values.title === undefined ? {} : { title: values.title }),
      ...(values.notes === undefined ? {} : { notes: values.notes }),
      ...(values.fleet === undefined ? {} : { fleet: values.fleet }),
      ...(createdAt === undefined ? {} : { createdAt }),
    };
    let jobId: string;
    if (services.store.getDataset(dataRef) !== undefined) {
      // a dataset of the store: the app's own request
      if (values.rul !== undefined) throw bad(`--rul goes with a file; dataset ${dataRef} carries the RUL file it was imported with.`);
      if (template !== undefined && 'template' in template) throw bad(`--template: with a dataset of the store, give a stored template's id (a template file goes with --data FILE).`);
      if (!('runId' in model) && !('bundleId' in model)) throw bad('--bundle: with a dataset of the store, give a bundle of the library by id (a bundle folder goes with --data FILE).');
      if (values['require-signed']) throw bad('--require-signed goes with --data FILE; with a dataset of the store the trust policy of the store applies.');
      if (top !== undefined) throw bad("--top goes with --data FILE; with a dataset of the store, the stored template's topN applies.");
      const req: ReportRequest = {
        datasetId: dataRef,
        scorer: 'runId' in model ? { kind: 'run', runId: model.runId } : { kind: 'bundle', bundleId: model.bundleId },
        ...(template === undefined ? {} : { templateId: template.templateId }),
        ...common,
      };
      jobId = await services.reports.start(req);
    } else {
      const path = resolve(dataRef);
      if (!existsSync(path) || !statSync(path).isFile()) throw new PrognosError('NOT_FOUND', `--data ${dataRef}: no such file and no dataset with that id.`);
      let rulPath: string | undefined;
      if (values.rul !== undefined) {
        rulPath = resolve(values.rul);
        if (!existsSync(rulPath) || !statSync(rulPath).isFile()) throw new PrognosError('NOT_FOUND', `--rul ${values.rul}: no such file.`);
      }
      // --top overrides the topN of the template (the built-in one when none is given)
      let chosen = template;
      if (top !== undefined) {
        const id = chosen === undefined ? undefined : 'templateId' in chosen ? chosen.templateId : undefined;
        const stored = services.reports.listTemplates().find((t) => (id === undefined ? t.builtIn : t.templateId === id));
        const base = chosen !== undefined && 'template' in chosen ? chosen : stored === undefined ? undefined : { template: stored.template, fileName: stored.template.name };
        if (base === undefined) throw new PrognosError('INTERNAL', 'no template to apply --top to');
        chosen = { template: { ...base.template, topN: top }, fileName: base.fileName };
      }
      const input: ReportFileInput = {
        ...model,
        dataPath: path,
        ...(rulPath === undefined ? {} : { rulPath }),
        ...(chosen === undefined ? {} : 'template' in chosen ? { template: chosen.template, templateFileName: chosen.fileName } : { templateId: chosen.templateId }),
        ...(values['require-signed'] ? { requireSigned: true } : {}),
        ...common,
      };
      jobId = await services.reports.start(input);
    }
    out.note(`Reporting on ${basename(dataRef)} with ${'runId' in model ? `run ${model.runId}` : `bundle ${values.bundle!}`}…`);
    const finished = await waitForJob(services, jobId, out);
    const result = finished.result;
    if (result === undefined || !('reportId' in result) || typeof result.reportId !== 'string') throw new PrognosError('INTERNAL', 'the report job finished without a report');
    // the stored PDF, checked against its SHA-256, is what is written
    const { record, data } = services.reports.pdf(result.reportId);
    writeWhole(outPath, data);
    const answer: ReportCliResult = { file: outPath, pages: record.pages, units: record.units, atRisk: record.atRisk, bytes: data.byteLength, sha256: record.sha256 };
    out.result(answer, () =>
      [
        `Report ${record.reportId} written to ${outPath}: ${record.pages} pages, ${data.byteLength.toLocaleString('en-US')} bytes, SHA-256 ${record.sha256}.`,
        `${record.units} units: ${record.atRisk} at risk now, ${record.soon} soon.`,
      ].join('\n'),
    );
  } finally {
    await services.close();
  }
}
