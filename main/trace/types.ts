// Per-pod flow records: what each component did for a pod, when and why.
export type TraceComponent = 'client' | 'apiserver' | 'store' | 'controller-manager' | 'scheduler' | 'kubelet' | 'runtime' | 'proxy';

export interface TraceStep {
  component: TraceComponent;
  /** short verb phrase: `authenticate`, `admit:LimitRanger`, `filter`, `bind`, `create-sandbox`, `pull-image` */
  action: string;
  /** RFC 3339 with milliseconds */
  start: string;
  end?: string;
  outcome: 'success' | 'failure' | 'skipped' | 'pending' | 'info';
  message: string;
  details?: Record<string, unknown>;
}

export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
}

/** Components report steps here; the trace module stores them and serves `podtraces`. */
export interface Tracer {
  record(pod: PodRef, step: TraceStep): void;
}

export const noopTracer: Tracer = { record() {} };

export const now = () => new Date().toISOString();
