/** Types of reference-tools.mjs (plain JavaScript so the e2e runner can use it as well). */
export declare const REFERENCE_TOOLS: Readonly<Record<string, { packages: readonly string[] }>>;
export declare function isCi(env?: NodeJS.ProcessEnv): boolean;
export declare function toolHidden(tool: string, env?: NodeJS.ProcessEnv): boolean;
export declare function missingToolVerdict(
  tool: string,
  reason: string,
  env?: NodeJS.ProcessEnv,
): { action: 'skip' | 'fail'; message: string };
