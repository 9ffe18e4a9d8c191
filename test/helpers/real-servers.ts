/**
 * Real Redis and PostgreSQL servers for the model server's backend tests.
 *
 * `sharedRedis()` / `sharedPostgres()` use the servers CI started (.ci/run exports
 * PROGNOS_TEST_REDIS_URL and PROGNOS_TEST_POSTGRES_URL) and otherwise start private throwaway ones, so
 * `npx vitest run` works on a developer's machine too. Tests that stop a server (the outage tests)
 * always use a private instance (`privateRedis()` / `privatePostgres()`), whose `stop()` / `start()`
 * restart the same server on the same port with the same data: CI's servers are never stopped by a
 * test, and other test files keep using them.
 *
 * Private instances: redis-server on a free 127.0.0.1 port with a temp dir and no persistence; a
 * PostgreSQL cluster made by initdb in a temp dir and run by pg_ctl (as the `postgres` user when the
 * tests run as root, since PostgreSQL refuses to run as root), listening on a free 127.0.0.1 port.
 * Missing binaries: `describeWith(REDIS_SERVER)` / `describeWith(POSTGRESQL)` skip (fail under CI).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { tempDir } from './paths';
import { binaryTool } from './tools';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, name);
    if (dir !== '' && existsSync(p)) return p;
  }
  return undefined;
}

const REDIS_BIN = onPath('redis-server') ?? '/usr/bin/redis-server';

/** Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin (the newest is taken). */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => existsSync(join(root, d, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0] !== undefined) return join(root, majors[0], 'bin');
  }
  const ctl = onPath('pg_ctl');
  return ctl === undefined ? join(root, 'bin') : join(ctl, '..');
}
const PG_BIN = postgresBinDir();

export const REDIS_SERVER = binaryTool('redis-server', REDIS_BIN);
export const POSTGRESQL = binaryTool('postgresql', join(PG_BIN, 'pg_ctl'));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

function run(cmd: string, args: readonly string[], asUser?: string): Promise<string> {
  const [file, argv] = asUser === undefined ? [cmd, args] : ['runuser', ['-u', asUser, '--', cmd, ...args]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A server a test can use; `stop`/`start` exist only on private instances. */
export interface TestServer {
  readonly url: string;
  /** true for a private instance this process started (and may stop) */
  readonly private: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const cleanups = new Set<() => void>();
process.once('exit', () => {
  for (const c of cleanups) c();
});

// ---------- Redis ----------

export async function privateRedis(): Promise<TestServer> {
  const port = await freePort();
  const dir = tempDir('prognos-redis-');
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    if (child !== undefined) return;
    child = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    await waitForPort(port, 20_000);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (c === undefined) return;
    child = undefined;
    if (c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  const kill = (): void => {
    child?.kill('SIGKILL');
  };
  cleanups.add(kill);
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    private: true,
    start,
    stop,
    dispose: async () => {
      await stop();
      cleanups.delete(kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function notOurs(what: string): () => Promise<void> {
  return () => Promise.reject(new Error(`${what} was started by CI; tests that stop a server use a private instance`));
}

/** CI's Redis (PROGNOS_TEST_REDIS_URL) or a private one. Tests keep apart by their own key prefixes. */
export async function sharedRedis(): Promise<TestServer> {
  const url = process.env.PROGNOS_TEST_REDIS_URL;
  if (url !== undefined && url !== '') {
    return { url, private: false, stop: notOurs('Redis'), start: notOurs('Redis'), dispose: () => Promise.resolve() };
  }
  return privateRedis();
}

// ---------- PostgreSQL ----------

export interface TestPostgres extends TestServer {
  /** a new, empty database on this server (dropped by dispose); its URL */
  newDatabase(): Promise<string>;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databases(adminUrl: string, dispose: () => Promise<void>, extra: Pick<TestServer, 'stop' | 'start' | 'private'>): TestPostgres {
  const made: string[] = [];
  return {
    url: adminUrl,
    ...extra,
    newDatabase: async () => {
      const name = `prognos_test_${randomBytes(6).toString('hex')}`;
      await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
      made.push(name);
      return withDatabase(adminUrl, name);
    },
    dispose: async () => {
      for (const name of made.splice(0)) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await dispose();
    },
  };
}

export async function privatePostgres(): Promise<TestPostgres> {
  const port = await freePort();
  const dir = tempDir('prognos-pg-');
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  // PostgreSQL will not run as root: as root, the cluster belongs to the postgres user
  const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
  if (asUser !== undefined) {
    const uid = Number(execFileSync('id', ['-u', asUser]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', asUser]).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(sock, uid, gid);
  }
  await run(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], asUser);
  const ctl = (args: string[]): Promise<string> => run(join(PG_BIN, 'pg_ctl'), ['-D', data, ...args], asUser);
  let running = false;
  const start = async (): Promise<void> => {
    if (running) return;
    await ctl(['-l', join(dir, 'postgres.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`, 'start']);
    running = true;
    await waitForPort(port, 20_000);
  };
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    // immediate: the way a crashed or killed database goes away, connections dropped mid-query
    await ctl(['-m', 'immediate', '-w', 'stop']);
  };
  const kill = (): void => {
    if (!running) return;
    const argv = [join(PG_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'];
    try {
      if (asUser === undefined) execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      else execFileSync('runuser', ['-u', asUser, '--', ...argv], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  cleanups.add(kill);
  await start();
  return databases(`postgres://postgres@127.0.0.1:${port}/postgres`, async () => {
    await stop();
    cleanups.delete(kill);
    rmSync(dir, { recursive: true, force: true });
  }, { private: true, stop, start });
}

/** CI's PostgreSQL (PROGNOS_TEST_POSTGRES_URL, a role with CREATEDB) or a private one. Tests use `newDatabase()`. */
export async function sharedPostgres(): Promise<TestPostgres> {
  const url = process.env.PROGNOS_TEST_POSTGRES_URL;
  if (url !== undefined && url !== '') {
    return databases(url, () => Promise.resolve(), { private: false, stop: notOurs('PostgreSQL'), start: notOurs('PostgreSQL') });
  }
  return privatePostgres();
}

/** Rows of a query against `url` (for assertions). */
export async function queryRows<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
