// The Pod, its spec (containers, volumes, probes, scheduling constraints) and status, as the API reference has them.
import { arr, bool, enumOf, int, int64, intOrString, listMap, mapOf, obj, quantity, resource, str, stringMap, strings, time } from '../schema';
import { conditions, labelSelector, objectMeta, objectReference } from './meta';

const localRef = (what: string) =>
  obj(
    { name: str(`Name of the referent (${what}).`) },
    'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.',
  );

const keyToPath = obj(
  {
    key: str('key is the key to project.'),
    path: str('path is the relative path of the file to map the key to.'),
    mode: int('mode is Optional: mode bits used to set permissions on this file.'),
  },
  'Maps a string key to a path within a volume.',
  ['key', 'path'],
);

const objectFieldSelector = obj(
  {
    apiVersion: str('Version of the schema the FieldPath is written in terms of, defaults to "v1".'),
    fieldPath: str('Path of the field to select in the specified API version.'),
  },
  'ObjectFieldSelector selects an APIVersioned field of an object.',
  ['fieldPath'],
);

const resourceFieldSelector = obj(
  {
    containerName: str('Container name: required for volumes, optional for env vars.'),
    resource: str('Required: resource to select.'),
    divisor: quantity('Specifies the output format of the exposed resources, defaults to "1".'),
  },
  'ResourceFieldSelector represents container resources (cpu, memory) and their output format.',
  ['resource'],
);

const keySelector = (what: string) =>
  obj(
    {
      key: str(`The key of the ${what} to select from.`),
      name: str(`Name of the referent.`),
      optional: bool(`Specify whether the ${what} or its key must be defined.`),
    },
    `Selects a key from a ${what}.`,
    ['key'],
  );

const envVar = obj(
  {
    name: str('Name of the environment variable. Must be a C_IDENTIFIER.'),
    value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container.'),
    valueFrom: obj(
      {
        fieldRef: objectFieldSelector,
        resourceFieldRef: resourceFieldSelector,
        configMapKeyRef: keySelector('ConfigMap'),
        secretKeyRef: keySelector('Secret'),
      },
      "Source for the environment variable's value. Cannot be used if value is not empty.",
    ),
  },
  'EnvVar represents an environment variable present in a Container.',
  ['name'],
);

const envFromSource = obj(
  {
    prefix: str('An optional identifier to prepend to each key in the ConfigMap. Must be a C_IDENTIFIER.'),
    configMapRef: obj(
      { name: str('Name of the referent.'), optional: bool('Specify whether the ConfigMap must be defined.') },
      'The ConfigMap to select from.',
    ),
    secretRef: obj({ name: str('Name of the referent.'), optional: bool('Specify whether the Secret must be defined.') }, 'The Secret to select from.'),
  },
  'EnvFromSource represents the source of a set of ConfigMaps or Secrets.',
);

const httpHeader = obj(
  { name: str('The header field name.'), value: str('The header field value.') },
  'HTTPHeader describes a custom header to be used in HTTP probes.',
  ['name', 'value'],
);
const execAction = obj(
  { command: strings('Command is the command line to execute inside the container.') },
  'ExecAction describes a "run in container" action.',
);
const httpGetAction = obj(
  {
    path: str('Path to access on the HTTP server.'),
    port: intOrString('Name or number of the port to access on the container. Number must be in the range 1 to 65535.'),
    host: str('Host name to connect to, defaults to the pod IP.'),
    scheme: enumOf(['HTTP', 'HTTPS'], 'Scheme to use for connecting to the host. Defaults to HTTP.'),
    httpHeaders: arr(httpHeader, 'Custom headers to set in the request. HTTP allows repeated headers.'),
  },
  'HTTPGetAction describes an action based on HTTP Get requests.',
  ['port'],
);
const tcpSocketAction = obj(
  {
    port: intOrString('Number or name of the port to access on the container.'),
    host: str('Optional: Host name to connect to, defaults to the pod IP.'),
  },
  'TCPSocketAction describes an action based on opening a socket',
  ['port'],
);
const grpcAction = obj(
  { port: int('Port number of the gRPC service.'), service: str('Service is the name of the service to place in the gRPC HealthCheckRequest.') },
  'GRPC specifies an action involving a GRPC port.',
  ['port'],
);

const probe = (description: string) =>
  obj(
    {
      exec: execAction,
      httpGet: httpGetAction,
      tcpSocket: tcpSocketAction,
      grpc: grpcAction,
      initialDelaySeconds: int('Number of seconds after the container has started before liveness probes are initiated.'),
      timeoutSeconds: int('Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1.'),
      periodSeconds: int('How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.'),
      successThreshold: int('Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1.'),
      failureThreshold: int('Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3.'),
      terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully upon probe failure.'),
    },
    description,
  );

const lifecycleHandler = (description: string) =>
  obj(
    {
      exec: execAction,
      httpGet: httpGetAction,
      tcpSocket: tcpSocketAction,
      sleep: obj(
        { seconds: int64('Seconds is the number of seconds to sleep.') },
        'Sleep represents the duration that the container should sleep before being terminated.',
        ['seconds'],
      ),
    },
    description,
  );

const resourceRequirements = obj(
  {
    limits: mapOf(quantity(), 'Limits describes the maximum amount of compute resources allowed.'),
    requests: mapOf(quantity(), 'Requests describes the minimum amount of compute resources required.'),
    claims: listMap(
      obj({
        name: str('Name must match the name of one entry in pod.spec.resourceClaims.'),
        request: str('Request is the name chosen for a request in the referenced claim.'),
      }),
      ['name'],
      'Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.',
    ),
  },
  'ResourceRequirements describes the compute resource requirements.',
);

const capabilities = obj(
  { add: strings('Added capabilities'), drop: strings('Removed capabilities') },
  'Adds and removes POSIX capabilities from running containers.',
);
const seLinuxOptions = obj(
  { user: str('SELinux user label'), role: str('SELinux role label'), type: str('SELinux type label'), level: str('SELinux level label') },
  'The SELinux context to be applied to the container.',
);
const seccompProfile = obj(
  {
    type: enumOf(['Localhost', 'RuntimeDefault', 'Unconfined'], 'type indicates which kind of seccomp profile will be applied.'),
    localhostProfile: str('localhostProfile indicates a profile defined in a file on the node should be used.'),
  },
  'The seccomp options to use by this container.',
  ['type'],
);

const appArmorProfile = obj(
  {
    type: enumOf(['Localhost', 'RuntimeDefault', 'Unconfined'], 'type indicates which kind of AppArmor profile will be applied.'),
    localhostProfile: str('localhostProfile indicates a profile loaded on the node that should be used.'),
  },
  'appArmorProfile is the AppArmor options to use by this container.',
  ['type'],
);
const windowsOptions = obj(
  {
    gmsaCredentialSpecName: str('GMSACredentialSpecName is the name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: str('GMSACredentialSpec is where the GMSA admission webhook inlines the contents of the GMSA credential spec.'),
    runAsUserName: str('The UserName in Windows to run the entrypoint of the container process.'),
    hostProcess: bool("HostProcess determines if a container should be run as a 'Host Process' container."),
  },
  'The Windows specific settings applied to all containers.',
);

const securityContext = obj(
  {
    capabilities,
    appArmorProfile,
    windowsOptions,
    privileged: bool('Run container in privileged mode. Defaults to false.'),
    seLinuxOptions,
    runAsUser: int64('The UID to run the entrypoint of the container process.'),
    runAsGroup: int64('The GID to run the entrypoint of the container process.'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
    readOnlyRootFilesystem: bool('Whether this container has a read-only root filesystem. Default is false.'),
    allowPrivilegeEscalation: bool('AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process.'),
    procMount: str('procMount denotes the type of proc mount to use for the containers.'),
    seccompProfile,
  },
  'SecurityContext defines the security options the container should be run with.',
);

const containerPort = obj(
  {
    name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod.'),
    containerPort: int("Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536."),
    hostPort: int('Number of port to expose on the host.'),
    hostIP: str('What host IP to bind the external port to.'),
    protocol: enumOf(['SCTP', 'TCP', 'UDP'], 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
  },
  'ContainerPort represents a network port in a single container.',
  ['containerPort'],
);

const volumeMount = obj(
  {
    name: str('This must match the Name of a Volume.'),
    mountPath: str("Path within the container at which the volume should be mounted. Must not contain ':'."),
    subPath: str("Path within the volume from which the container's volume should be mounted."),
    subPathExpr: str("Expanded path within the volume from which the container's volume should be mounted."),
    readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false.'),
    recursiveReadOnly: str('RecursiveReadOnly specifies whether read-only mounts should be handled recursively.'),
    mountPropagation: str('mountPropagation determines how mounts are propagated from the host to container and the other way around.'),
  },
  'VolumeMount describes a mounting of a Volume within a container.',
  ['name', 'mountPath'],
);

export const container = (description: string) =>
  obj(
    {
      name: str('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL).'),
      image: str('Container image name.'),
      command: strings("Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided."),
      args: strings("Arguments to the entrypoint. The container image's CMD is used if this is not provided."),
      workingDir: str("Container's working directory."),
      ports: {
        ...listMap(containerPort, ['containerPort', 'protocol'], 'List of ports to expose from the container.'),
        'x-kubernetes-patch-merge-key': 'containerPort',
      },
      envFrom: arr(envFromSource, 'List of sources to populate environment variables in the container.'),
      env: listMap(envVar, ['name'], 'List of environment variables to set in the container. Cannot be updated.'),
      resources: resourceRequirements,
      resizePolicy: arr(
        obj(
          {
            resourceName: str('Name of the resource to which this resource resize policy applies.'),
            restartPolicy: str('Restart policy to apply when specified resource is resized.'),
          },
          'ContainerResizePolicy represents resource resize policy for the container.',
          ['resourceName', 'restartPolicy'],
        ),
        'Resources resize policy for the container.',
      ),
      restartPolicy: str(
        'RestartPolicy defines the restart behavior of individual containers in a pod. This field may only be set for init containers, and the only allowed value is "Always".',
      ),
      volumeMounts: listMap(volumeMount, ['mountPath'], "Pod volumes to mount into the container's filesystem. Cannot be updated."),
      volumeDevices: listMap(
        obj(
          {
            name: str('name must match the name of a persistentVolumeClaim in the pod'),
            devicePath: str('devicePath is the path inside of the container that the device will be mapped to.'),
          },
          'volumeDevice describes a mapping of a raw block device within a container.',
          ['name', 'devicePath'],
        ),
        ['devicePath'],
        'volumeDevices is the list of block devices to be used by the container.',
      ),
      livenessProbe: probe('Periodic probe of container liveness. Container will be restarted if the probe fails.'),
      readinessProbe: probe('Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails.'),
      startupProbe: probe(
        'StartupProbe indicates that the Pod has successfully initialized. If specified, no other probes are executed until this completes successfully.',
      ),
      lifecycle: obj(
        {
          postStart: lifecycleHandler('PostStart is called immediately after a container is created.'),
          preStop: lifecycleHandler('PreStop is called immediately before a container is terminated due to an API request or management event.'),
          stopSignal: str('StopSignal defines which signal will be sent to a container when it is being stopped.'),
        },
        'Actions that the management system should take in response to container lifecycle events.',
      ),
      terminationMessagePath: str(
        "Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Defaults to /dev/termination-log.",
      ),
      terminationMessagePolicy: enumOf(['FallbackToLogsOnError', 'File'], 'Indicate how the termination message should be populated.'),
      imagePullPolicy: enumOf(
        ['Always', 'IfNotPresent', 'Never'],
        'Image pull policy. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.',
      ),
      securityContext,
      stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
      stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
      tty: bool("Whether this container should allocate a TTY for itself, also requires 'stdin' to be true."),
    },
    description,
    ['name'],
  );

const items = arr(
  keyToPath,
  'items: if unspecified, each key-value pair in the Data field of the referenced source will be projected into the volume as a file whose name is the key and content is the value.',
);
const downwardAPIFile = obj(
  {
    path: str("Required: Path is the relative path name of the file to be created. Must not be absolute or contain the '..' path."),
    fieldRef: objectFieldSelector,
    resourceFieldRef: resourceFieldSelector,
    mode: int('Optional: mode bits used to set permissions on this file.'),
  },
  'DownwardAPIVolumeFile represents information to create the file containing the pod field',
  ['path'],
);

const configMapProjection = obj(
  { name: str('Name of the referent.'), items, optional: bool('optional specify whether the ConfigMap or its keys must be defined') },
  'Adapts a ConfigMap into a projected volume.',
);
const secretProjection = obj(
  { name: str('Name of the referent.'), items, optional: bool('optional field specify whether the Secret or its key must be defined') },
  'Adapts a secret into a projected volume.',
);

const volume = obj(
  {
    name: str('name of the volume. Must be a DNS_LABEL and unique within the pod.'),
    emptyDir: obj(
      {
        medium: str('medium represents what type of storage medium should back this directory.'),
        sizeLimit: quantity('sizeLimit is the total amount of local storage required for this EmptyDir volume.'),
      },
      "emptyDir represents a temporary directory that shares a pod's lifetime.",
    ),
    hostPath: obj(
      {
        path: str('path of the directory on the host.'),
        type: enumOf(
          ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'],
          'type for HostPath Volume. Defaults to ""',
        ),
      },
      'hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container.',
      ['path'],
    ),
    configMap: obj(
      {
        name: str('Name of the referent.'),
        items,
        defaultMode: int('defaultMode is optional: mode bits used to set permissions on created files by default. Defaults to 0644.'),
        optional: bool('optional specify whether the ConfigMap or its keys must be defined'),
      },
      'configMap represents a configMap that should populate this volume',
    ),
    secret: obj(
      {
        secretName: str("secretName is the name of the secret in the pod's namespace to use."),
        items,
        defaultMode: int('defaultMode is Optional: mode bits used to set permissions on created files by default. Defaults to 0644.'),
        optional: bool('optional field specify whether the Secret or its keys must be defined'),
      },
      'secret represents a secret that should populate this volume.',
    ),
    downwardAPI: obj(
      {
        items: arr(downwardAPIFile, 'Items is a list of downward API volume file'),
        defaultMode: int('Optional: mode bits to use on created files by default. Defaults to 0644.'),
      },
      'downwardAPI represents downward API about the pod that should populate this volume',
    ),
    projected: obj(
      {
        sources: arr(
          obj(
            {
              configMap: configMapProjection,
              secret: secretProjection,
              downwardAPI: obj(
                { items: arr(downwardAPIFile, 'Items is a list of DownwardAPIVolume file') },
                'downwardAPI information about the downwardAPI data to project',
              ),
              serviceAccountToken: obj(
                {
                  audience: str('audience is the intended audience of the token.'),
                  expirationSeconds: int64('expirationSeconds is the requested duration of validity of the service account token.'),
                  path: str('path is the path relative to the mount point of the file to project the token into.'),
                },
                'serviceAccountToken is information about the serviceAccountToken data to project',
                ['path'],
              ),
            },
            'Projection that may be projected along with other supported volume types.',
          ),
          'sources is the list of volume projections.',
        ),
        defaultMode: int('defaultMode are the mode bits used to set permissions on created files by default.'),
      },
      'projected items for all in one resources secrets, configmaps, and downward API',
    ),
    persistentVolumeClaim: obj(
      {
        claimName: str('claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.'),
        readOnly: bool('readOnly Will force the ReadOnly setting in VolumeMounts.'),
      },
      'persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace.',
      ['claimName'],
    ),
    nfs: obj(
      {
        server: str('server is the hostname or IP address of the NFS server.'),
        path: str('path that is exported by the NFS server.'),
        readOnly: bool('readOnly here will force the NFS export to be mounted with read-only permissions.'),
      },
      "nfs represents an NFS mount on the host that shares a pod's lifetime",
      ['server', 'path'],
    ),
    csi: obj(
      {
        driver: str('driver is the name of the CSI driver that handles this volume.'),
        readOnly: bool('readOnly specifies a read-only configuration for the volume. Defaults to false (read/write).'),
        fsType: str('fsType to mount. Ex. "ext4", "xfs", "ntfs".'),
        volumeAttributes: stringMap('volumeAttributes stores driver-specific properties that are passed to the CSI driver.'),
        nodePublishSecretRef: localRef('a Secret'),
      },
      'csi (Container Storage Interface) represents ephemeral storage that is handled by certain external CSI drivers.',
      ['driver'],
    ),
    ephemeral: obj(
      {
        volumeClaimTemplate: obj(
          {
            metadata: objectMeta,
            spec: obj(
              {
                accessModes: strings('accessModes contains the desired access modes the volume should have.'),
                resources: obj(
                  { limits: mapOf(quantity()), requests: mapOf(quantity()) },
                  'resources represents the minimum resources the volume should have.',
                ),
                storageClassName: str('storageClassName is the name of the StorageClass required by the claim.'),
                volumeMode: str('volumeMode defines what type of volume is required by the claim.'),
                volumeName: str('volumeName is the binding reference to the PersistentVolume backing this claim.'),
                selector: labelSelector,
              },
              'The specification for the PersistentVolumeClaim.',
            ),
          },
          'Will be used to create a stand-alone PVC to provision the volume.',
          ['spec'],
        ),
      },
      'ephemeral represents a volume that is handled by a cluster storage driver.',
    ),
    image: obj(
      { reference: str('Required: Image or artifact reference to be used.'), pullPolicy: str('Policy for pulling OCI objects.') },
      "image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet's host machine.",
    ),
  },
  'Volume represents a named volume in a pod that may be accessed by any container in the pod.',
  ['name'],
);

const nodeSelectorRequirement = obj(
  {
    key: str('The label key that the selector applies to.'),
    operator: enumOf(['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'], "Represents a key's relationship to a set of values."),
    values: strings('An array of string values.'),
  },
  'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
  ['key', 'operator'],
);
const nodeSelectorTerm = obj(
  {
    matchExpressions: arr(nodeSelectorRequirement, "A list of node selector requirements by node's labels."),
    matchFields: arr(nodeSelectorRequirement, "A list of node selector requirements by node's fields."),
  },
  'A null or empty node selector term matches no objects.',
);
const podAffinityTerm = obj(
  {
    labelSelector,
    namespaceSelector: labelSelector,
    namespaces: strings('namespaces specifies a static list of namespace names that the term applies to.'),
    topologyKey: str(
      'This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces.',
    ),
    matchLabelKeys: strings('MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
    mismatchLabelKeys: strings('MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
  },
  'Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with.',
  ['topologyKey'],
);
const weightedPodAffinityTerm = obj(
  { weight: int('weight associated with matching the corresponding podAffinityTerm, in the range 1-100.'), podAffinityTerm },
  'The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)',
  ['weight', 'podAffinityTerm'],
);
const podAffinity = (description: string) =>
  obj(
    {
      requiredDuringSchedulingIgnoredDuringExecution: arr(
        podAffinityTerm,
        'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.',
      ),
      preferredDuringSchedulingIgnoredDuringExecution: arr(
        weightedPodAffinityTerm,
        'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field.',
      ),
    },
    description,
  );

const affinity = obj(
  {
    nodeAffinity: obj(
      {
        requiredDuringSchedulingIgnoredDuringExecution: obj(
          { nodeSelectorTerms: arr(nodeSelectorTerm, 'Required. A list of node selector terms. The terms are ORed.') },
          'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.',
          ['nodeSelectorTerms'],
        ),
        preferredDuringSchedulingIgnoredDuringExecution: arr(
          obj(
            { weight: int('Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.'), preference: nodeSelectorTerm },
            'An empty preferred scheduling term matches all objects with implicit weight 0.',
            ['weight', 'preference'],
          ),
          'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field.',
        ),
      },
      'Describes node affinity scheduling rules for the pod.',
    ),
    podAffinity: podAffinity('Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).'),
    podAntiAffinity: podAffinity(
      'Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).',
    ),
  },
  "If specified, the pod's scheduling constraints",
);

export const toleration = obj(
  {
    key: str('Key is the taint key that the toleration applies to. Empty means match all taint keys.'),
    operator: enumOf(['Equal', 'Exists'], "Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal."),
    value: str('Value is the taint value the toleration matches to.'),
    effect: enumOf(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'Effect indicates the taint effect to match. Empty means match all taint effects.'),
    tolerationSeconds: int64(
      'TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute, otherwise this field is ignored) tolerates the taint.',
    ),
  },
  'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.',
);

const podSecurityContext = obj(
  {
    seLinuxOptions,
    appArmorProfile,
    windowsOptions,
    supplementalGroupsPolicy: str('Defines how supplemental groups of the first container processes are calculated.'),
    seLinuxChangePolicy: str("seLinuxChangePolicy defines how the container's SELinux label is applied to all volumes used by the Pod."),
    runAsUser: int64('The UID to run the entrypoint of the container process.'),
    runAsGroup: int64('The GID to run the entrypoint of the container process.'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
    supplementalGroups: arr(int64(), 'A list of groups applied to the first process run in each container.'),
    fsGroup: int64('A special supplemental group that applies to all containers in a pod.'),
    fsGroupChangePolicy: str('fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod.'),
    sysctls: arr(
      obj({ name: str('Name of a property to set'), value: str('Value of a property to set') }, 'Sysctl defines a kernel parameter to be set', [
        'name',
        'value',
      ]),
      'Sysctls hold a list of namespaced sysctls used for the pod.',
    ),
    seccompProfile,
  },
  'SecurityContext holds pod-level security attributes and common container settings.',
);

const topologySpreadConstraint = obj(
  {
    maxSkew: int('MaxSkew describes the degree to which pods may be unevenly distributed.'),
    topologyKey: str('TopologyKey is the key of node labels.'),
    whenUnsatisfiable: enumOf(
      ['DoNotSchedule', 'ScheduleAnyway'],
      "WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint.",
    ),
    labelSelector,
    minDomains: int('MinDomains indicates a minimum number of eligible domains.'),
    nodeAffinityPolicy: str("NodeAffinityPolicy indicates how we will treat Pod's nodeAffinity/nodeSelector when calculating pod topology spread skew."),
    nodeTaintsPolicy: str('NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew.'),
    matchLabelKeys: strings('MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.'),
  },
  'TopologySpreadConstraint specifies how to spread matching pods among the given topology.',
  ['maxSkew', 'topologyKey', 'whenUnsatisfiable'],
);

export const podSpec = obj(
  {
    volumes: listMap(volume, ['name'], 'List of volumes that can be mounted by containers belonging to the pod.'),
    initContainers: listMap(
      container('A single application container that you want to run within a pod.'),
      ['name'],
      'List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started.',
    ),
    containers: listMap(
      container('A single application container that you want to run within a pod.'),
      ['name'],
      'List of containers belonging to the pod. There must be at least one container in a Pod.',
    ),
    ephemeralContainers: listMap(
      container('An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging.'),
      ['name'],
      'List of ephemeral containers run in this pod.',
    ),
    restartPolicy: enumOf(
      ['Always', 'Never', 'OnFailure'],
      'Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always.',
    ),
    terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds.'),
    activeDeadlineSeconds: int64(
      'Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers.',
    ),
    dnsPolicy: enumOf(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'], 'Set DNS policy for the pod. Defaults to "ClusterFirst".'),
    nodeSelector: stringMap(
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
    ),
    serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
    serviceAccount: str('DeprecatedServiceAccount is a deprecated alias for ServiceAccountName. Deprecated: Use serviceAccountName instead.'),
    automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.'),
    nodeName: str(
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.',
    ),
    hostNetwork: bool("Host networking requested for this pod. Use the host's network namespace. Default to false."),
    hostPID: bool("Use the host's pid namespace. Optional: Default to false."),
    hostIPC: bool("Use the host's ipc namespace. Optional: Default to false."),
    shareProcessNamespace: bool('Share a single process namespace between all of the containers in a pod.'),
    securityContext: podSecurityContext,
    imagePullSecrets: listMap(
      localRef('a Secret'),
      ['name'],
      'ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.',
    ),
    hostname: str("Specifies the hostname of the Pod. If not specified, the pod's hostname will be set to a system-defined value."),
    subdomain: str('If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>".'),
    affinity,
    schedulerName: str('If specified, the pod will be dispatched by specified scheduler. If not specified, the pod will be dispatched by default scheduler.'),
    tolerations: arr(toleration, "If specified, the pod's tolerations."),
    hostAliases: listMap(
      obj(
        { ip: str('IP address of the host file entry.'), hostnames: strings('Hostnames for the above IP address.') },
        "HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's hosts file.",
        ['ip'],
      ),
      ['ip'],
      "HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file if specified.",
    ),
    priorityClassName: str("If specified, indicates the pod's priority."),
    priority: int('The priority value. Various system components use this field to find the priority of the pod.'),
    dnsConfig: obj(
      {
        nameservers: strings('A list of DNS name server IP addresses.'),
        searches: strings('A list of DNS search domains for host-name lookup.'),
        options: arr(
          obj(
            { name: str("Name is this DNS resolver option's name. Required."), value: str("Value is this DNS resolver option's value.") },
            'PodDNSConfigOption defines DNS resolver options of a pod.',
          ),
          'A list of DNS resolver options.',
        ),
      },
      'Specifies the DNS parameters of a pod.',
    ),
    readinessGates: arr(
      obj(
        { conditionType: str("ConditionType refers to a condition in the pod's condition list with matching type.") },
        'PodReadinessGate contains the reference to a pod condition',
        ['conditionType'],
      ),
      'If specified, all readiness gates will be evaluated for pod readiness.',
    ),
    runtimeClassName: str('RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, which should be used to run this pod.'),
    enableServiceLinks: bool(
      "EnableServiceLinks indicates whether information about services should be injected into pod's environment variables. Optional: Defaults to true.",
    ),
    preemptionPolicy: enumOf(['Never', 'PreemptLowerPriority'], 'PreemptionPolicy is the Policy for preempting pods with lower priority.'),
    overhead: mapOf(quantity(), 'Overhead represents the resource overhead associated with running a pod for a given RuntimeClass.'),
    topologySpreadConstraints: listMap(
      topologySpreadConstraint,
      ['topologyKey', 'whenUnsatisfiable'],
      'TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.',
    ),
    setHostnameAsFQDN: bool("If true the pod's hostname will be configured as the pod's FQDN, rather than the leaf name (the default)."),
    os: obj(
      { name: str('Name is the name of the operating system. The currently supported values are linux and windows.') },
      'Specifies the OS of the containers in the pod.',
      ['name'],
    ),
    hostUsers: bool("Use the host's user namespace. Optional: Default to true."),
    schedulingGates: listMap(
      obj({ name: str('Name of the scheduling gate.') }, 'PodSchedulingGate is associated to a Pod to guard its scheduling.', ['name']),
      ['name'],
      'SchedulingGates is an opaque list of values that if specified will block scheduling the pod.',
    ),
    resources: resourceRequirements,
    resourceClaims: listMap(
      obj(
        {
          name: str('Name uniquely identifies this resource claim inside the pod.'),
          resourceClaimName: str('ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.'),
          resourceClaimTemplateName: str('ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod.'),
        },
        'PodResourceClaim references exactly one ResourceClaim.',
        ['name'],
      ),
      ['name'],
      'ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.',
    ),
  },
  'PodSpec is a description of a pod.',
  ['containers'],
);

const containerState = obj(
  {
    waiting: obj(
      { reason: str('(brief) reason the container is not yet running.'), message: str('Message regarding why the container is not yet running.') },
      'Details about a waiting container',
    ),
    running: obj({ startedAt: time('Time at which the container was last (re-)started') }, 'Details about a running container'),
    terminated: obj(
      {
        exitCode: int('Exit status from the last termination of the container'),
        signal: int('Signal from the last termination of the container'),
        reason: str('(brief) reason from the last termination of the container'),
        message: str('Message regarding the last termination of the container'),
        startedAt: time('Time at which previous execution of the container started'),
        finishedAt: time('Time at which the container last terminated'),
        containerID: str("Container's ID in the format '<type>://<container_id>'"),
      },
      'Details about a terminated container',
      ['exitCode'],
    ),
  },
  'ContainerState holds a possible state of container. Only one of its members may be specified.',
);

const containerStatus = obj(
  {
    name: str('Name is a DNS_LABEL representing the unique name of the container.'),
    state: containerState,
    lastState: containerState,
    ready: bool('Ready specifies whether the container is currently passing its readiness check.'),
    restartCount: int('RestartCount holds the number of times the container has been restarted.'),
    image: str('Image is the name of container image that the container is running.'),
    imageID: str("ImageID is the image ID of the container's image."),
    containerID: str("ContainerID is the ID of the container in the format '<type>://<container_id>'."),
    started: bool('Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.'),
    allocatedResources: mapOf(quantity(), 'AllocatedResources represents the compute resources allocated for this container by the node.'),
    resources: resourceRequirements,
    volumeMounts: arr(
      obj(
        {
          name: str('Name corresponds to the name of the original VolumeMount.'),
          mountPath: str('MountPath corresponds to the original VolumeMount.'),
          readOnly: bool('ReadOnly corresponds to the original VolumeMount.'),
          recursiveReadOnly: str('RecursiveReadOnly must be set to Disabled, Enabled, or unspecified.'),
        },
        'VolumeMountStatus shows status of volume mounts.',
        ['name', 'mountPath'],
      ),
      'Status of volume mounts.',
    ),
    user: obj(
      {
        linux: obj(
          {
            uid: int64('UID is the primary uid initially attached to the first process in the container'),
            gid: int64('GID is the primary gid initially attached to the first process in the container'),
            supplementalGroups: arr(int64(), 'SupplementalGroups are the supplemental groups initially attached to the first process in the container'),
          },
          'Linux holds user identity information initially attached to the first process of the containers in Linux.',
        ),
      },
      'User represents user identity information initially attached to the first process of the container',
    ),
  },
  'ContainerStatus contains details for the current status of this container.',
  ['name', 'ready', 'restartCount', 'image', 'imageID'],
);

const podIP = obj({ ip: str('IP is the IP address assigned to the pod') }, 'PodIP represents a single IP address allocated to the pod.');

export const podStatus = obj(
  {
    phase: enumOf(
      ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'],
      'The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle.',
    ),
    conditions: conditions('Current service state of pod.'),
    message: str('A human readable message indicating details about why the pod is in this condition.'),
    reason: str("A brief CamelCase message indicating details about why the pod is in this state. e.g. 'Evicted'"),
    nominatedNodeName: str(
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
    ),
    hostIP: str('hostIP holds the IP address of the host to which the pod is assigned.'),
    hostIPs: listMap(
      obj({ ip: str('IP is the IP address assigned to the host') }, 'HostIP represents a single IP address allocated to the host.'),
      ['ip'],
      'hostIPs holds the IP addresses allocated to the host.',
    ),
    podIP: str('podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
    podIPs: listMap(podIP, ['ip'], 'podIPs holds the IP addresses allocated to the pod.'),
    startTime: time('RFC 3339 date and time at which the object was acknowledged by the Kubelet.'),
    initContainerStatuses: arr(containerStatus, 'Statuses of init containers in this pod.'),
    containerStatuses: arr(containerStatus, 'Statuses of containers in this pod.'),
    ephemeralContainerStatuses: arr(containerStatus, 'Statuses for any ephemeral containers that have run in this pod.'),
    qosClass: enumOf(
      ['BestEffort', 'Burstable', 'Guaranteed'],
      'The Quality of Service (QOS) classification assigned to the pod based on resource requirements',
    ),
    resize: str("Status of resources resize desired for pod's containers."),
    observedGeneration: int64('If set, this represents the .metadata.generation that the pod status was set based upon.'),
    resourceClaimStatuses: listMap(
      obj(
        {
          name: str('Name uniquely identifies this resource claim inside the pod.'),
          resourceClaimName: str('ResourceClaimName is the name of the ResourceClaim that was generated for the Pod in the namespace of the Pod.'),
        },
        'PodResourceClaimStatus is stored in the PodStatus for each PodResourceClaim.',
        ['name'],
      ),
      ['name'],
      'Status of resource claims.',
    ),
  },
  'PodStatus represents information about the status of a pod.',
);

export const podTemplateSpec = obj(
  { metadata: objectMeta, spec: podSpec },
  'PodTemplateSpec describes the data a pod should have when created from a template',
);

export const podSchema = resource(
  'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
  objectMeta,
  {
    spec: podSpec,
    status: podStatus,
  },
);

export const bindingSchema = resource('Binding ties one object to another; for example, a pod is bound to a node by a scheduler.', objectMeta, {
  target: objectReference,
});
