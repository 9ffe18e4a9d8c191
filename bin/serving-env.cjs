'use strict';
/**
 * The environment of Prognos's long-running serving processes (browser mode, the desktop app's main
 * process). glibc gives each thread that allocates its own malloc arena (up to 8 per core) and keeps
 * what an arena once held; a server that starts worker threads for every ranking, export and check
 * grows by tens of MiB that way without leaking anything (measured by `npm run bench -- soak-memory`).
 * Two arenas keep it flat. It must be set before the process starts, so launchers set it.
 */
const SERVING_ENV = Object.freeze({ MALLOC_ARENA_MAX: '2' });

/** `env` with the serving settings added where the user has not set them. */
function withServingEnv(env) {
  const out = { ...env };
  for (const [k, v] of Object.entries(SERVING_ENV)) if (out[k] === undefined) out[k] = v;
  return out;
}

/** Whether this process already runs with the serving settings (or on a platform they don't apply to). */
function hasServingEnv(env = process.env) {
  return process.platform !== 'linux' || Object.keys(SERVING_ENV).every((k) => env[k] !== undefined);
}

module.exports = { SERVING_ENV, withServingEnv, hasServingEnv };
