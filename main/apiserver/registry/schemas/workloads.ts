// Schemas of apps/v1 and batch/v1 workloads, coordination.k8s.io Lease and RBAC.
import { arr, bool, enumOf, int, int64, intOrString, obj, preserve, resource, str, strings, time } from '../schema';
import { conditions, labelSelector, objectMeta } from './meta';
import { podTemplateSpec } from './pod';

const rollingUpdate = obj(
  {
    maxUnavailable: intOrString(
      'The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.',
    ),
    maxSurge: intOrString(
      'The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.',
    ),
  },
  'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.',
);

export const deploymentSchema = resource('Deployment enables declarative updates for Pods and ReplicaSets.', objectMeta, {
  spec: obj(
    {
      replicas: int('Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.'),
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: obj(
        {
          type: enumOf(['Recreate', 'RollingUpdate'], 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
          rollingUpdate,
        },
        'The deployment strategy to use to replace existing pods with new ones.',
      ),
      minReadySeconds: int(
        'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.',
      ),
      revisionHistoryLimit: int('The number of old ReplicaSets to retain to allow rollback. Defaults to 10.'),
      paused: bool('Indicates that the deployment is paused.'),
      progressDeadlineSeconds: int('The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.'),
    },
    'Specification of the desired behavior of the Deployment.',
    ['selector', 'template'],
  ),
  status: obj(
    {
      observedGeneration: int64('The generation observed by the deployment controller.'),
      replicas: int('Total number of non-terminated pods targeted by this deployment (their labels match the selector).'),
      updatedReplicas: int('Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      readyReplicas: int('readyReplicas is the number of pods targeted by this Deployment with a Ready Condition.'),
      availableReplicas: int('Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      unavailableReplicas: int('Total number of unavailable pods targeted by this deployment.'),
      terminatingReplicas: int('Total number of terminating pods targeted by this deployment.'),
      conditions: conditions("Represents the latest available observations of a deployment's current state."),
      collisionCount: int('Count of hash collisions for the Deployment.'),
    },
    'Most recently observed status of the Deployment.',
  ),
});

export const replicaSetSchema = resource('ReplicaSet ensures that a specified number of pod replicas are running at any given time.', objectMeta, {
  spec: obj(
    {
      replicas: int('Replicas is the number of desired pods. Defaults to 1.'),
      minReadySeconds: int(
        'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.',
      ),
      selector: labelSelector,
      template: podTemplateSpec,
    },
    'Spec defines the specification of the desired behavior of the ReplicaSet.',
    ['selector'],
  ),
  status: obj(
    {
      replicas: int('Replicas is the most recently observed number of non-terminating pods.'),
      fullyLabeledReplicas: int('The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'),
      readyReplicas: int('The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
      availableReplicas: int('The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'),
      terminatingReplicas: int('The number of terminating pods for this replica set.'),
      observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed ReplicaSet.'),
      conditions: conditions("Represents the latest available observations of a replica set's current state."),
    },
    'Status is the most recently observed status of the ReplicaSet.',
    ['replicas'],
  ),
});

export const scaleSchema = resource('Scale represents a scaling request for a resource.', objectMeta, {
  spec: obj({ replicas: int('replicas is the desired number of instances for the scaled object.') }, 'spec defines the behavior of the scale.'),
  status: obj(
    {
      replicas: int('replicas is the actual number of observed instances of the scaled object.'),
      selector: str('selector is the label query over pods that should match the replicas count.'),
    },
    'status is the current status of the scale.',
    ['replicas'],
  ),
});

export const daemonSetSchema = resource('DaemonSet represents the configuration of a daemon set.', objectMeta, {
  spec: obj(
    {
      selector: labelSelector,
      template: podTemplateSpec,
      updateStrategy: obj(
        {
          type: enumOf(['OnDelete', 'RollingUpdate'], 'Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.'),
          rollingUpdate: obj(
            {
              maxUnavailable: intOrString('The maximum number of DaemonSet pods that can be unavailable during the update.'),
              maxSurge: intOrString(
                'The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during during an update.',
              ),
            },
            'Rolling update config params. Present only if type = "RollingUpdate".',
          ),
        },
        'An update strategy to replace existing DaemonSet pods with new pods.',
      ),
      minReadySeconds: int(
        'The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available.',
      ),
      revisionHistoryLimit: int('The number of old history to retain to allow rollback. Defaults to 10.'),
    },
    'The desired behavior of this daemon set.',
    ['selector', 'template'],
  ),
  status: obj(
    {
      currentNumberScheduled: int('The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
      numberMisscheduled: int('The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.'),
      desiredNumberScheduled: int('The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
      numberReady: int(
        'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
      ),
      observedGeneration: int64('The most recent generation observed by the daemon set controller.'),
      updatedNumberScheduled: int('The total number of nodes that are running updated daemon pod'),
      numberAvailable: int(
        'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
      ),
      numberUnavailable: int('The number of nodes that should be running the daemon pod and have none of the daemon pod running and available'),
      collisionCount: int('Count of hash collisions for the DaemonSet.'),
      conditions: conditions("Represents the latest available observations of a DaemonSet's current state."),
    },
    'The current status of this daemon set.',
    ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
  ),
});

export const controllerRevisionSchema = resource('ControllerRevision implements an immutable snapshot of state data.', objectMeta, {
  data: preserve('Data is the serialized representation of the state.'),
  revision: int64('Revision indicates the revision of the state represented by Data.'),
});

export const jobSpec = obj(
  {
    parallelism: int('Specifies the maximum desired number of pods the job should run at any given time.'),
    completions: int('Specifies the desired number of successfully finished pods the job should be run with.'),
    activeDeadlineSeconds: int64(
      'Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.',
    ),
    podFailurePolicy: obj(
      {
        rules: arr(
          obj(
            {
              action: enumOf(['Count', 'FailIndex', 'FailJob', 'Ignore'], 'Specifies the action taken on a pod failure when the requirements are satisfied.'),
              onExitCodes: obj(
                {
                  containerName: str('Restricts the check for exit codes to the container with the specified name.'),
                  operator: enumOf(['In', 'NotIn'], 'Represents the relationship between the container exit code(s) and the specified values.'),
                  values: arr(int(), 'Specifies the set of values.'),
                },
                'Represents the requirement on the container exit codes.',
                ['operator', 'values'],
              ),
              onPodConditions: arr(
                obj(
                  { type: str('Specifies the required Pod condition type.'), status: str('Specifies the required Pod condition status.') },
                  'PodFailurePolicyOnPodConditionsPattern describes a pattern for matching an actual pod condition type.',
                ),
                'Represents the requirement on the pod conditions.',
              ),
            },
            'PodFailurePolicyRule describes how a pod failure is handled when the requirements are met.',
            ['action'],
          ),
          'A list of pod failure policy rules. The rules are evaluated in order.',
        ),
      },
      'Specifies the policy of handling failed pods.',
      ['rules'],
    ),
    successPolicy: obj(
      {
        rules: arr(
          obj(
            {
              succeededIndexes: str(
                'succeededIndexes specifies the set of indexes which need to be contained in the actual set of the succeeded indexes for the Job.',
              ),
              succeededCount: int('succeededCount specifies the minimal required size of the actual set of the succeeded indexes for the Job.'),
            },
            'SuccessPolicyRule describes rule for declaring a Job as succeeded.',
          ),
          'rules represents the list of alternative rules for the declaring the Jobs as successful before `.status.succeeded >= .spec.completions`.',
        ),
      },
      'successPolicy specifies the policy when the Job can be declared as succeeded.',
      ['rules'],
    ),
    backoffLimit: int('Specifies the number of retries before marking this job failed. Defaults to 6'),
    backoffLimitPerIndex: int('Specifies the limit for the number of retries within an index before marking this index as failed.'),
    maxFailedIndexes: int('Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set.'),
    selector: labelSelector,
    manualSelector: bool(
      'manualSelector controls generation of pod labels and pod selectors. Leave `manualSelector` unset unless you are certain what you are doing.',
    ),
    template: podTemplateSpec,
    ttlSecondsAfterFinished: int('ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed).'),
    completionMode: enumOf(
      ['Indexed', 'NonIndexed'],
      'completionMode specifies how Pod completions are tracked. It can be `NonIndexed` (default) or `Indexed`.',
    ),
    suspend: bool('suspend specifies whether the Job controller should create Pods or not.'),
    podReplacementPolicy: enumOf(['Failed', 'TerminatingOrFailed'], 'podReplacementPolicy specifies when to create replacement Pods.'),
    managedBy: str('ManagedBy field indicates the controller that manages a Job.'),
  },
  'Specification of the desired behavior of a job.',
  ['template'],
);

export const jobSchema = resource('Job represents the configuration of a single job.', objectMeta, {
  spec: jobSpec,
  status: obj(
    {
      conditions: conditions("The latest available observations of an object's current state."),
      startTime: time('Represents time when the job controller started processing a job.'),
      completionTime: time('Represents time when the job was completed.'),
      active: int('The number of pending and running pods which are not terminating (without a deletionTimestamp).'),
      succeeded: int('The number of pods which reached phase Succeeded.'),
      failed: int('The number of pods which reached phase Failed.'),
      terminating: int('The number of pods which are terminating (in phase Pending or Running and have a deletionTimestamp).'),
      completedIndexes: str('completedIndexes holds the completed indexes when .spec.completionMode = "Indexed" in a text format.'),
      failedIndexes: str('FailedIndexes holds the failed indexes when spec.backoffLimitPerIndex is set.'),
      uncountedTerminatedPods: obj(
        { succeeded: strings('succeeded holds UIDs of succeeded Pods.'), failed: strings('failed holds UIDs of failed Pods.') },
        "uncountedTerminatedPods holds the UIDs of Pods that have terminated but the job controller hasn't yet accounted for in the status counters.",
      ),
      ready: int('The number of active pods which have a Ready condition and are not terminating (without a deletionTimestamp).'),
    },
    'Current status of a job.',
  ),
});

export const cronJobSchema = resource('CronJob represents the configuration of a single cron job.', objectMeta, {
  spec: obj(
    {
      schedule: str('The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
      timeZone: str('The time zone name for the given schedule. If not specified, this will default to the time zone of the kube-controller-manager process.'),
      startingDeadlineSeconds: int64('Optional deadline in seconds for starting the job if it misses scheduled time for any reason.'),
      concurrencyPolicy: enumOf(['Allow', 'Forbid', 'Replace'], 'Specifies how to treat concurrent executions of a Job.'),
      suspend: bool('This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.'),
      jobTemplate: obj({ metadata: objectMeta, spec: jobSpec }, 'Specifies the job that will be created when executing a CronJob.'),
      successfulJobsHistoryLimit: int('The number of successful finished jobs to retain. Value must be non-negative integer. Defaults to 3.'),
      failedJobsHistoryLimit: int('The number of failed finished jobs to retain. Value must be non-negative integer. Defaults to 1.'),
    },
    'Specification of the desired behavior of a cron job, including the schedule.',
    ['schedule', 'jobTemplate'],
  ),
  status: obj(
    {
      active: arr(
        obj(
          {
            apiVersion: str('API version of the referent.'),
            kind: str('Kind of the referent.'),
            name: str('Name of the referent.'),
            namespace: str('Namespace of the referent.'),
            uid: str('UID of the referent.'),
            resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
            fieldPath: str(
              'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
            ),
          },
          'ObjectReference',
        ),
        'A list of pointers to currently running jobs.',
      ),
      lastScheduleTime: time('Information when was the last time the job was successfully scheduled.'),
      lastSuccessfulTime: time('Information when was the last time the job successfully completed.'),
    },
    'Current status of a cron job.',
  ),
});

export const leaseSchema = resource('Lease defines a lease concept.', objectMeta, {
  spec: obj(
    {
      holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: int('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
      acquireTime: { type: 'string', format: 'date-time', description: 'acquireTime is a time when the current lease was acquired.' },
      renewTime: { type: 'string', format: 'date-time', description: 'renewTime is a time when the current holder of a lease has last updated the lease.' },
      leaseTransitions: int('leaseTransitions is the number of transitions of a lease between holders.'),
      strategy: str('Strategy indicates the strategy for picking the leader for coordinated leader election.'),
      preferredHolder: str('PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up.'),
    },
    'spec contains the specification of the Lease.',
  ),
});

const policyRule = obj(
  {
    verbs: strings("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."),
    apiGroups: strings(
      'APIGroups is the name of the APIGroup that contains the resources. "" represents the core API group and "*" represents all API groups.',
    ),
    resources: strings("Resources is a list of resources this rule applies to. '*' represents all resources."),
    resourceNames: strings('ResourceNames is an optional white list of names that the rule applies to.'),
    nonResourceURLs: strings('NonResourceURLs is a set of partial urls that a user should have access to.'),
  },
  'PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.',
  ['verbs'],
);

export const roleSchema = resource('Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.', objectMeta, {
  rules: arr(policyRule, 'Rules holds all the PolicyRules for this Role'),
});

export const clusterRoleSchema = resource(
  'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
  objectMeta,
  {
    rules: arr(policyRule, 'Rules holds all the PolicyRules for this ClusterRole'),
    aggregationRule: obj(
      {
        clusterRoleSelectors: arr(
          labelSelector,
          'ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules.',
        ),
      },
      'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole.',
    ),
  },
);

const subject = obj(
  {
    kind: str('Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount".'),
    apiGroup: str('APIGroup holds the API group of the referenced subject.'),
    name: str('Name of the object being referenced.'),
    namespace: str('Namespace of the referenced object.'),
  },
  'Subject contains a reference to the object or user identities a role binding applies to.',
  ['kind', 'name'],
);
const roleRef = obj(
  {
    apiGroup: str('APIGroup is the group for the resource being referenced'),
    kind: str('Kind is the type of resource being referenced'),
    name: str('Name is the name of resource being referenced'),
  },
  'RoleRef contains information that points to the role being used',
  ['apiGroup', 'kind', 'name'],
);

export const roleBindingSchema = resource('RoleBinding references a role, but does not contain it.', objectMeta, {
  subjects: arr(subject, 'Subjects holds references to the objects the role applies to.'),
  roleRef,
});
export const clusterRoleBindingSchema = resource('ClusterRoleBinding references a ClusterRole, but not contain it.', objectMeta, {
  subjects: arr(subject, 'Subjects holds references to the objects the role applies to.'),
  roleRef,
});
