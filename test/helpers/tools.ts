/**
 * Tests that compare against a reference tool (python3-xgboost, python3-onnx, python3-numpy,
 * python3) declare it here and register through `itWith` / `describeWith`: with the tool present
 * they run; without it they are skipped with a notice, or, under CI=true, fail with a message naming
 * the tool and its Debian package (the rule lives in reference-tools.mjs, shared with the e2e runner).
 * Never skip on a missing tool any other way.
 */
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { pythonModulesAvailable } from './python';
import { missingToolVerdict, REFERENCE_TOOLS, toolHidden } from './reference-tools.mjs';

export interface ReferenceTool {
  /** a key of REFERENCE_TOOLS, e.g. 'python3-xgboost' */
  readonly tool: string;
  readonly ok: boolean;
  /** why the tool is unavailable ('' when ok) */
  readonly reason: string;
}

type TestBody = () => unknown;

/** The probe runs once, on first use (a python import can take a second). */
function declare(tool: string, probe: () => { ok: boolean; reason: string }): ReferenceTool {
  if (REFERENCE_TOOLS[tool] === undefined) throw new Error(`unknown reference tool "${tool}"`);
  let result: { ok: boolean; reason: string } | undefined;
  const get = (): { ok: boolean; reason: string } =>
    (result ??= toolHidden(tool) ? { ok: false, reason: 'hidden by PROGNOS_TEST_HIDE_TOOLS' } : probe());
  return {
    tool,
    get ok() {
      return get().ok;
    },
    get reason() {
      return get().reason;
    },
  };
}

/** A tool made of Python modules importable by Debian's /usr/bin/python3. */
export function pythonTool(tool: string, modules: readonly string[]): ReferenceTool {
  return declare(tool, () => pythonModulesAvailable(modules));
}

/** A tool that is an executable file. */
export function binaryTool(tool: string, path: string): ReferenceTool {
  return declare(tool, () =>
    existsSync(path) ? { ok: true, reason: '' } : { ok: false, reason: `${path} not found` },
  );
}

const warned = new Set<string>();
function verdict(t: ReferenceTool): { action: 'skip' | 'fail'; message: string } {
  const v = missingToolVerdict(t.tool, t.reason);
  if (v.action === 'skip' && !warned.has(t.tool)) {
    warned.add(t.tool);
    console.warn(v.message);
  }
  return v;
}

/** `it` for a test that needs `t`: runs it, skips it (outside CI) or fails it (CI=true). */
export function itWith(t: ReferenceTool): (name: string, body: TestBody, timeout?: number) => void {
  return (name, body, timeout) => {
    if (t.ok) return it(name, body, timeout);
    const v = verdict(t);
    if (v.action === 'skip') return it.skip(name, body, timeout);
    return it(name, () => {
      throw new Error(v.message);
    });
  };
}

/** `describe` for a block whose tests all need `t`; under CI=true a missing tool is one failing test. */
export function describeWith(t: ReferenceTool): (name: string, body: () => void) => void {
  return (name, body) => {
    if (t.ok) return describe(name, body);
    const v = verdict(t);
    if (v.action === 'skip') return describe.skip(name, body);
    return describe(name, () => {
      it(`needs ${t.tool}`, () => {
        throw new Error(v.message);
      });
    });
  };
}

export const PYTHON3 = binaryTool('python3', '/usr/bin/python3');
export const PYTHON_NUMPY = pythonTool('python3-numpy', ['numpy']);
export const PYTHON_SCIPY = pythonTool('python3-scipy', ['scipy.stats', 'scipy.spatial.distance', 'numpy']);
export const PYTHON_XGBOOST = pythonTool('python3-xgboost', ['xgboost', 'numpy']);
export const PYTHON_ONNX = pythonTool('python3-onnx', ['onnx']);
/** pdfinfo, pdffonts, pdftotext and pdftoppm */
export const POPPLER = binaryTool('poppler-utils', '/usr/bin/pdftotext');
