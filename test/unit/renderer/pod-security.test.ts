import { describe, expect, it } from 'vitest';
import { namespacePodSecurity } from '../../../renderer/lib/pod-security';

describe('namespacePodSecurity', () => {
  it('a namespace without labels gets the lab default (baseline) in every mode', () => {
    expect(namespacePodSecurity(undefined)).toEqual([
      { mode: 'enforce', level: 'baseline', version: 'latest', labelled: false },
      { mode: 'audit', level: 'baseline', version: 'latest', labelled: false },
      { mode: 'warn', level: 'baseline', version: 'latest', labelled: false },
    ]);
  });
  it('reads each mode and its version from the labels', () => {
    const p = namespacePodSecurity({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.30',
      'pod-security.kubernetes.io/warn': 'privileged',
    });
    expect(p[0]).toEqual({ mode: 'enforce', level: 'restricted', version: 'v1.30', labelled: true });
    expect(p[1]).toEqual({ mode: 'audit', level: 'baseline', version: 'latest', labelled: false });
    expect(p[2]).toEqual({ mode: 'warn', level: 'privileged', version: 'latest', labelled: true });
  });
  it('a value that names no level: shown, and enforce falls to restricted as the server does', () => {
    expect(namespacePodSecurity({ 'pod-security.kubernetes.io/enforce': 'strict' })[0]).toEqual({
      mode: 'enforce',
      level: 'restricted',
      version: 'latest',
      labelled: true,
      invalid: 'strict',
    });
  });
});
