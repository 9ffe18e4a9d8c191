/** Branded identifiers: values that are easy to confuse get distinct types. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type DatasetId = Brand<string, 'DatasetId'>;
export type RunId = Brand<string, 'RunId'>;
export type JobId = Brand<string, 'JobId'>;
export type UnitId = Brand<number, 'UnitId'>;
export type Cycle = Brand<number, 'Cycle'>;
export type Probability = Brand<number, 'Probability'>;

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
