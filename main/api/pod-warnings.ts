// Warnings for pod fields the lab's runtime cannot honor as asked (upstream's strategies warn the same way,
// pkg/api/pod/warnings.go): they come back as `Warning:` lines in kubectl, never dropped silently.
type Obj = Record<string, any>;

/** Warnings for one pod spec at `path` (`spec`, `spec.template.spec`, ...). */
export function podSpecWarnings(spec: Obj | undefined, path: string): string[] {
  if (!spec) return [];
  const out: string[] = [];
  const psc = spec.securityContext ?? {};
  if (psc.seLinuxOptions)
    out.push(`${path}.securityContext.seLinuxOptions: passed to Docker as label options, which take effect only on an engine with SELinux enabled`);
  if (psc.supplementalGroupsPolicy === 'Strict')
    out.push(`${path}.securityContext.supplementalGroupsPolicy: "Strict" is not honored: Docker also applies the groups the image's /etc/group gives the user`);
  if (psc.fsGroupChangePolicy === 'OnRootMismatch')
    out.push(
      `${path}.securityContext.fsGroupChangePolicy: "OnRootMismatch" is not honored: the kubelet gives every volume it writes the fsGroup; hostPath volumes never change`,
    );
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    ((spec[key] ?? []) as Obj[]).forEach((c, i) => {
      if (c.securityContext?.seLinuxOptions)
        out.push(
          `${path}.${key}[${i}].securityContext.seLinuxOptions: passed to Docker as label options, which take effect only on an engine with SELinux enabled`,
        );
    });
  }
  return out;
}

/** Warnings of a write: for a create, or for an update that changed the spec. */
export function podSpecWarningsOnWrite(spec: Obj | undefined, old: Obj | undefined, path: string): string[] {
  if (old !== undefined && JSON.stringify(spec) === JSON.stringify(old)) return [];
  return podSpecWarnings(spec, path);
}
