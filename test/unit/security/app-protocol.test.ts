import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from '../../../src/main/security/app-protocol';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../../src/main/security/headers';
import { resolveStaticPath } from '../../../src/main/security/static-path';

// a renderer folder next to a secret the handler must never serve
const root = mkdtempSync(join(tmpdir(), 'prognos-app-protocol-'));
const rendererDir = join(root, 'out', 'renderer');
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Prognos</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'out', 'secret.txt'), 'secret');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fake net.fetch for file: URLs that records what was read. */
function fakeNet() {
  const read: string[] = [];
  const fetchFile = async (url: string): Promise<Response> => {
    const path = fileURLToPath(url);
    read.push(path);
    const { readFile } = await import('node:fs/promises');
    const body = await readFile(path); // rejects like net.fetch on a missing file
    return new Response(body, { status: 200, headers: { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html' } });
  };
  return { read, handler: createAppProtocolHandler({ rendererDir, fetchFile }) };
}

const get = (url: string, method = 'GET'): Request => new Request(url, { method });

describe('app:// protocol handler', () => {
  it('serves the renderer with the CSP and every security header on the response itself', async () => {
    const { handler } = fakeNet();
    for (const url of ['app://prognos/', 'app://prognos/index.html', 'app://prognos/assets/app.js']) {
      const r = await handler(get(url));
      expect(r.status, url).toBe(200);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(r.headers.get(name), `${url} ${name}`).toBe(value);
    }
    const index = await handler(get('app://prognos/'));
    expect(await index.text()).toContain('<title>Prognos</title>');
    const csp = index.headers.get('content-security-policy') ?? '';
    for (const directive of ["frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'", "form-action 'none'", "script-src 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    const js = await handler(get('app://prognos/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript');
  });

  it('refuses path traversal, plain and encoded, without reading outside the renderer folder', async () => {
    const { handler, read } = fakeNet();
    const attacks = [
      'app://prognos/../../etc/passwd',
      'app://prognos/..%2f..%2fsecret.txt',
      'app://prognos/%2e%2e/secret.txt',
      'app://prognos/%2e%2e%2fsecret.txt',
      'app://prognos/assets/..%2f..%2fsecret.txt',
      'app://prognos/..%5c..%5csecret.txt',
      'app://prognos/%252e%252e%252fsecret.txt',
      'app://prognos/index.html%00.js',
      'app://prognos/%E0%A4%A',
      'app://prognos/C:%5cWindows%5cwin.ini',
      'app://prognos//etc/passwd',
      'app://prognos/%2fetc%2fpasswd',
    ];
    for (const url of attacks) {
      const r = await handler(get(url));
      expect(r.status, url).toBeGreaterThanOrEqual(400);
      expect(await r.text(), url).not.toContain('secret');
      expect(r.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
    const outside = read.filter((p) => !p.startsWith(rendererDir + '/'));
    expect(outside).toEqual([]);
  });

  it('refuses another host, another scheme and methods other than GET/HEAD', async () => {
    const { handler, read } = fakeNet();
    for (const url of ['app://evil/index.html', 'app://prognos.evil/index.html', 'file:///etc/passwd', 'https://prognos/index.html']) {
      expect((await handler(get(url))).status, url).toBe(404);
    }
    expect((await handler(get('app://prognos/index.html', 'POST'))).status).toBe(405);
    expect(read).toEqual([]);
  });

  it('answers HEAD without a body and a missing file with 404', async () => {
    const { handler } = fakeNet();
    const head = await handler(get('app://prognos/index.html', 'HEAD'));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await handler(get('app://prognos/missing.js'))).status).toBe(404);
  });
});

describe('resolveStaticPath', () => {
  it('maps clean paths inside the folder and nothing else', () => {
    expect(resolveStaticPath(rendererDir, '/')).toBe(join(rendererDir, 'index.html'));
    expect(resolveStaticPath(rendererDir, '/assets/app.js')).toBe(join(rendererDir, 'assets', 'app.js'));
    expect(resolveStaticPath(rendererDir, '/a%20b.js')).toBe(join(rendererDir, 'a b.js'));
    for (const bad of ['/../x', '/a/../../x', '/..%2fx', '/.%2e/x', '/a%5cb', '/x%00', '/%zz', '/c:/x', '/./x']) {
      expect(resolveStaticPath(rendererDir, bad), bad).toBeUndefined();
    }
  });
});

describe('one CSP', () => {
  it("the renderer's meta CSP says what the served header says (less frame-ancestors, which a meta tag cannot carry)", () => {
    const html = readFileSync(join(__dirname, '../../../src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    const directives = (csp: string) => csp.split(';').map((d) => d.trim()).filter((d) => d !== '').sort();
    expect(meta).toBeDefined();
    expect(directives(meta!)).toEqual(directives(CONTENT_SECURITY_POLICY).filter((d) => !d.startsWith('frame-ancestors')));
  });
});
