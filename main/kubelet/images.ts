// The kubelet's image manager: imagePullPolicy, pulls with per-layer progress, pull back-off
// (ErrImagePull then ImagePullBackOff), imagePullSecrets, and upstream's Pulling/Pulled events.
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1';
import type { EventRecorder } from '../client/events';
import type { Tracer } from '../trace/types';
import { now } from '../trace/types';
import type { ContainerRuntime, PullProgress, RegistryAuth } from '../runtime/types';
import { Backoff, formatDuration } from './backoff';

export class ImageError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
    readonly retryAt?: number,
  ) {
    super(message);
  }
}

/** Upstream's default: `latest` (or no tag) pulls Always, anything else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** The registry host an image reference names (`docker.io` when it names none). */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'docker.io';
}

/** Docker auth for an image from dockerconfigjson / dockercfg secrets. */
export function authFromSecrets(image: string, secrets: Secret[]): RegistryAuth | undefined {
  const want = registryOf(image);
  const norm = (h: string) => {
    const host = h.replace(/^https?:\/\//, '').split('/')[0];
    return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
  };
  for (const s of secrets) {
    const raw = s.data?.['.dockerconfigjson'] ?? s.data?.['.dockercfg'];
    if (!raw) continue;
    let parsed: any;
    try {
      parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    } catch {
      continue;
    }
    const auths: Record<string, { username?: string; password?: string; auth?: string }> = parsed.auths ?? parsed;
    for (const [host, a] of Object.entries(auths)) {
      if (norm(host) !== want) continue;
      let { username, password } = a;
      if ((!username || !password) && a.auth) [username, password] = Buffer.from(a.auth, 'base64').toString('utf8').split(/:(.*)/s);
      return { username, password, serveraddress: host };
    }
  }
  return undefined;
}

export interface ImageManagerDeps {
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  tracer: Tracer;
  /** the pod's pull secrets */
  pullSecrets(pod: Pod): Promise<Secret[]>;
  backoff?: Backoff;
}

export class ImageManager {
  private readonly backoff: Backoff;
  private lastFailure = new Map<string, number>();
  private inflight = new Map<string, Promise<void>>();
  /** latest progress per image, for the UI */
  readonly progress = new Map<string, PullProgress>();

  constructor(private readonly deps: ImageManagerDeps) {
    this.backoff = deps.backoff ?? new Backoff();
  }

  /** Make sure the container's image is on the node, as its pull policy says. Throws ImageError. */
  async ensure(pod: Pod, container: Container): Promise<void> {
    const { runtime, recorder, tracer } = this.deps;
    const image = container.image ?? '';
    const ref = { namespace: pod.metadata!.namespace!, name: pod.metadata!.name!, uid: pod.metadata!.uid };
    const podObj = pod as unknown as Parameters<EventRecorder['normal']>[0];
    if (!isImageReference(image)) {
      // never hand a malformed reference to the engine (it would land in a request path)
      const msg = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`;
      void recorder.warning(podObj, 'InspectFailed', msg);
      throw new ImageError('InvalidImageName', msg);
    }
    const policy = container.imagePullPolicy ?? defaultPullPolicy(image);
    const present = policy === 'Always' ? undefined : await runtime.inspectImage(image);
    if (present) {
      void recorder.normal(podObj, 'Pulled', `Container image "${image}" already present on machine`);
      tracer.record(ref, {
        component: 'kubelet',
        action: 'pull-image',
        start: now(),
        end: now(),
        outcome: 'skipped',
        message: `Container image "${image}" already present on machine`,
        details: { container: container.name, image, policy, imageID: present.id, sizeBytes: present.sizeBytes },
      });
      return;
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      void recorder.warning(podObj, 'ErrImageNeverPull', msg);
      throw new ImageError('ErrImageNeverPull', msg);
    }
    const key = `${pod.metadata!.uid}/${image}`;
    const failedAt = this.lastFailure.get(key);
    const until = failedAt !== undefined ? this.backoff.until(key, failedAt) : undefined;
    if (until !== undefined && until > Date.now()) {
      void recorder.normal(podObj, 'BackOff', `Back-off pulling image "${image}"`);
      throw new ImageError('ImagePullBackOff', `Back-off pulling image "${image}"`, until);
    }
    // one pull per image at a time on this node; others wait for it
    const running = this.inflight.get(image);
    if (running) {
      await running.catch(() => undefined);
      if (await runtime.inspectImage(image)) return;
    }
    const p = this.pull(pod, container, image, key, ref, podObj);
    this.inflight.set(image, p);
    try {
      await p;
    } finally {
      this.inflight.delete(image);
    }
  }

  private async pull(
    pod: Pod,
    container: Container,
    image: string,
    key: string,
    ref: { namespace: string; name: string; uid?: string },
    podObj: Parameters<EventRecorder['normal']>[0],
  ): Promise<void> {
    const { runtime, recorder, tracer } = this.deps;
    void recorder.normal(podObj, 'Pulling', `Pulling image "${image}"`);
    const start = Date.now();
    const startIso = now();
    let auth: RegistryAuth | undefined;
    try {
      auth = authFromSecrets(image, await this.deps.pullSecrets(pod));
    } catch {
      auth = undefined;
    }
    try {
      const res = await runtime.pullImage(image, auth, (p) => this.progress.set(image, p));
      const took = formatDuration(Date.now() - start);
      this.backoff.reset(key);
      this.lastFailure.delete(key);
      const msg = `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${res.sizeBytes} bytes.`;
      void recorder.normal(podObj, 'Pulled', msg);
      tracer.record(ref, {
        component: 'kubelet',
        action: 'pull-image',
        start: startIso,
        end: now(),
        outcome: 'success',
        message: msg,
        details: {
          container: container.name,
          image,
          imageID: res.imageID,
          sizeBytes: res.sizeBytes,
          durationMs: Date.now() - start,
          layers: res.layers,
          authenticated: !!auth,
        },
      });
    } catch (e) {
      const err = String((e as Error).message ?? e);
      this.backoff.next(key);
      this.lastFailure.set(key, Date.now());
      const msg = `Failed to pull image "${image}": ${err}`;
      void recorder.warning(podObj, 'Failed', msg);
      void recorder.warning(podObj, 'Failed', 'Error: ErrImagePull');
      tracer.record(ref, {
        component: 'kubelet',
        action: 'pull-image',
        start: startIso,
        end: now(),
        outcome: 'failure',
        message: msg,
        details: { container: container.name, image },
      });
      throw new ImageError('ErrImagePull', msg);
    } finally {
      this.progress.delete(image);
    }
  }
}

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$`,
);

/** Whether an image name is a valid Docker reference (`nginx`, `127.0.0.1:5000/nginx:1.22`, `repo@sha256:...`). */
export function isImageReference(image: string): boolean {
  return image.length > 0 && image.length <= 255 && REFERENCE.test(image);
}
