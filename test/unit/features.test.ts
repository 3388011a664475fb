import { describe, expect, it } from 'vitest';
import { chartSetsValidationFailurePolicy, validationFailurePolicy } from '../../generator/istio/features.ts';

describe('release features', () => {
  it.each([
    ['1.28.9', 'Ignore'],
    ['1.29.0', 'Ignore'],
    ['1.29.1', 'Ignore'],
    ['1.29.2', 'Fail'],
    ['1.29.6', 'Fail'],
    ['1.30.0', 'Fail'],
    ['1.30.3', 'Fail'],
    ['1.31.0', 'Fail'],
  ])('Istio %s renders the validators with failurePolicy %s', (version, policy) => {
    expect(validationFailurePolicy(version)).toBe(policy);
    expect(chartSetsValidationFailurePolicy(version)).toBe(policy === 'Fail');
  });
});
