// A namespace's Pod Security levels as the API server applies them: the same reading of the labels
// (pod-security.kubernetes.io/<mode>[-version]) and the same defaults as the admission plugin.
import { DEFAULT_POLICY, MODES, policyFromLabels, versionString, type Level, type Mode } from '../../main/apiserver/admission/pod-security-policy';

export interface ModePolicy {
  mode: Mode;
  level: Level;
  version: string;
  /** false: no label, the lab's default applies */
  labelled: boolean;
  /** the label's value when it names no level (the server then applies restricted to enforce, privileged to audit/warn) */
  invalid?: string;
}

const PREFIX = 'pod-security.kubernetes.io/';

export function namespacePodSecurity(labels: Record<string, string> | undefined): ModePolicy[] {
  const { policy, errors } = policyFromLabels(labels, DEFAULT_POLICY);
  return MODES.map((mode) => {
    const bad = errors.find((e) => e.field === `metadata.labels[${PREFIX}${mode}]`);
    return {
      mode,
      level: policy[mode].level,
      version: versionString(policy[mode].version),
      labelled: labels?.[PREFIX + mode] !== undefined,
      ...(bad ? { invalid: bad.value } : {}),
    };
  });
}
