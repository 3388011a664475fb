import { expect } from 'vitest';
import { PlanError } from '../../generator/errors.ts';

/** The messages of the PlanError a load throws (fails the test when it does not throw one). */
export async function planErrorMessages(load: Promise<unknown>): Promise<string[]> {
  const err = await load.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlanError);
  return (err as PlanError).diagnostics.map((d) => d.message);
}
