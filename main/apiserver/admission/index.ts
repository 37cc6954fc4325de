// The admission chain in upstream's order; the API server runs admit() of each, then validate() of each.
import { defaultTolerationSeconds } from './default-toleration-seconds';
import { limitRanger } from './limit-ranger';
import { namespaceLifecycle } from './namespace-lifecycle';
import { podSecurity } from './pod-security';
import { resourceQuota } from './resource-quota';
import { serviceAccount } from './service-account';
import type { AdmissionPlugin } from './types';

export function admissionPlugins(): AdmissionPlugin[] {
  return [namespaceLifecycle(), serviceAccount(), limitRanger(), podSecurity(), resourceQuota(), defaultTolerationSeconds()];
}
