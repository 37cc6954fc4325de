// Schemas of the core (v1) resources other than Pod.
import { arr, bool, bytes, enumOf, int, int64, intOrString, listMap, mapOf, obj, quantity, resource, str, stringMap, strings, time } from '../schema';
import { conditions, objectMeta, objectReference } from './meta';

export const namespaceSchema = resource('Namespace provides a scope for Names. Use of multiple namespaces is optional.', objectMeta, {
  spec: obj(
    { finalizers: strings('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.') },
    'Spec defines the behavior of the Namespace.',
  ),
  status: obj(
    {
      phase: enumOf(['Active', 'Terminating'], 'Phase is the current lifecycle phase of the namespace.'),
      conditions: conditions("Represents the latest available observations of a namespace's current state."),
    },
    'Status describes the current status of a Namespace.',
  ),
});

const taint = obj(
  {
    key: str('Required. The taint key to be applied to a node.'),
    value: str('The taint value corresponding to the taint key.'),
    effect: enumOf(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'Required. The effect of the taint on pods that do not tolerate the taint.'),
    timeAdded: time('TimeAdded represents the time at which the taint was added.'),
  },
  'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.',
  ['key', 'effect'],
);

export const nodeSchema = resource('Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).', objectMeta, {
  spec: obj(
    {
      podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
      podCIDRs: strings('podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.'),
      providerID: str('ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>'),
      unschedulable: bool('Unschedulable controls node schedulability of new pods. By default, node is schedulable.'),
      taints: arr(taint, "If specified, the node's taints."),
      configSource: obj(
        {
          configMap: obj(
            {
              namespace: str('Namespace is the metadata.namespace of the referenced ConfigMap.'),
              name: str('Name is the metadata.name of the referenced ConfigMap.'),
              uid: str('UID is the metadata.UID of the referenced ConfigMap.'),
              resourceVersion: str('ResourceVersion is the metadata.ResourceVersion of the referenced ConfigMap.'),
              kubeletConfigKey: str('KubeletConfigKey declares which key of the referenced ConfigMap corresponds to the KubeletConfiguration structure'),
            },
            "ConfigMap is a reference to a Node's ConfigMap",
          ),
        },
        "Deprecated: Previously used to specify the source of the node's configuration for the DynamicKubeletConfig feature.",
      ),
      externalID: str('Deprecated. Not all kubelets will set this field.'),
    },
    'Spec defines the behavior of a node.',
  ),
  status: obj(
    {
      capacity: mapOf(quantity(), 'Capacity represents the total resources of a node.'),
      allocatable: mapOf(quantity(), 'Allocatable represents the resources of a node that are available for scheduling. Defaults to Capacity.'),
      phase: str('NodePhase is the recently observed lifecycle phase of the node.'),
      conditions: conditions('Conditions is an array of current observed node conditions.'),
      addresses: listMap(
        obj(
          { type: str('Node address type, one of Hostname, ExternalIP or InternalIP.'), address: str('The node address.') },
          "NodeAddress contains information for the node's address.",
          ['type', 'address'],
        ),
        ['type'],
        'List of addresses reachable to the node.',
      ),
      daemonEndpoints: obj(
        { kubeletEndpoint: obj({ Port: int('Port number of the given endpoint.') }, 'Endpoint on which Kubelet is listening.') },
        'Endpoints of daemons running on the Node.',
      ),
      nodeInfo: obj(
        {
          machineID: str('MachineID reported by the node.'),
          systemUUID: str('SystemUUID reported by the node.'),
          bootID: str('Boot ID reported by the node.'),
          kernelVersion: str("Kernel Version reported by the node from 'uname -r'."),
          osImage: str('OS Image reported by the node from /etc/os-release.'),
          containerRuntimeVersion: str('ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
          kubeletVersion: str('Kubelet Version reported by the node.'),
          kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.'),
          operatingSystem: str('The Operating System reported by the node'),
          architecture: str('The Architecture reported by the node'),
        },
        'Set of ids/uuids to uniquely identify the node.',
      ),
      images: arr(
        obj({ names: strings('Names by which this image is known.'), sizeBytes: int64('The size of the image in bytes.') }, 'Describe a container image'),
        'List of container images on this node',
      ),
      volumesInUse: strings('List of attachable volumes in use (mounted) by the node.'),
      volumesAttached: arr(
        obj(
          { name: str('Name of the attached volume'), devicePath: str('DevicePath represents the device path where the volume should be available') },
          'AttachedVolume describes a volume attached to a node',
          ['name', 'devicePath'],
        ),
        'List of volumes that are attached to the node.',
      ),
      config: obj(
        {
          assigned: obj({}, 'Assigned reports the checkpointed config the node will try to use.'),
          active: obj({}, 'Active reports the checkpointed config the node is actively using.'),
          lastKnownGood: obj({}, 'LastKnownGood reports the checkpointed config the node will fall back to.'),
          error: str('Error describes any problems reconciling the Spec.ConfigSource to the Active config.'),
        },
        'Status of the config assigned to the node via the dynamic Kubelet config feature.',
      ),
      runtimeHandlers: arr(
        obj(
          {
            name: str('Runtime handler name. Empty for the default runtime handler.'),
            features: obj(
              {
                recursiveReadOnlyMounts: bool('RecursiveReadOnlyMounts is set to true if the runtime handler supports RecursiveReadOnlyMounts.'),
                userNamespaces: bool('UserNamespaces is set to true if the runtime handler supports UserNamespaces, including for volumes.'),
              },
              'Supported features.',
            ),
          },
          'NodeRuntimeHandler is a set of runtime handler information.',
        ),
        'The available runtime handlers.',
      ),
      features: obj(
        { supplementalGroupsPolicy: bool('SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser.') },
        'Features describes the set of features implemented by the CRI implementation.',
      ),
    },
    'Most recently observed status of the node.',
  ),
});

export const eventSchema = resource('Event is a report of an event somewhere in the cluster.', objectMeta, {
  involvedObject: objectReference,
  reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  message: str('A human-readable description of the status of this operation.'),
  source: obj(
    { component: str('Component from which the event is generated.'), host: str('Node name on which the event is generated.') },
    'The component reporting this event.',
  ),
  firstTimestamp: time('The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
  lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
  count: int('The number of times this event has occurred.'),
  type: str('Type of this event (Normal, Warning), new types could be added in the future'),
  eventTime: { type: 'string', format: 'date-time', description: 'Time when this Event was first observed.' },
  series: obj(
    { count: int('Number of occurrences in this series up to the last heartbeat time'), lastObservedTime: time('Time of the last occurrence observed') },
    "Data about the Event series this event represents or nil if it's a singleton Event.",
  ),
  action: str('What action was taken/failed regarding to the Regarding object.'),
  related: objectReference,
  reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
  reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
});

const servicePort = obj(
  {
    name: str('The name of this port within the service. This must be a DNS_LABEL.'),
    protocol: enumOf(['SCTP', 'TCP', 'UDP'], 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.'),
    appProtocol: str('The application protocol for this port.'),
    port: int('The port that will be exposed by this service.'),
    targetPort: intOrString('Number or name of the port to access on the pods targeted by the service.'),
    nodePort: int('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
  },
  "ServicePort contains information on service's port.",
  ['port'],
);

const loadBalancerStatus = obj(
  {
    ingress: arr(
      obj(
        {
          ip: str('IP is set for load-balancer ingress points that are IP based'),
          hostname: str('Hostname is set for load-balancer ingress points that are DNS based'),
          ipMode: str('IPMode specifies how the load-balancer IP behaves.'),
          ports: arr(
            obj(
              {
                port: int('Port is the port number of the service port of which status is recorded here'),
                protocol: str('Protocol is the protocol of the service port of which status is recorded here'),
                error: str('Error is to record the problem with the service port'),
              },
              'PortStatus represents the error condition of a service port',
            ),
            'Ports is a list of records of service ports',
          ),
        },
        'LoadBalancerIngress represents the status of a load-balancer ingress point.',
      ),
      'Ingress is a list containing ingress points for the load-balancer.',
    ),
  },
  'LoadBalancer contains the current status of the load-balancer, if one is present.',
);

export const serviceSchema = resource(
  'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
  objectMeta,
  {
    spec: obj(
      {
        ports: { ...listMap(servicePort, ['port', 'protocol'], 'The list of ports that are exposed by this service.'), 'x-kubernetes-patch-merge-key': 'port' },
        selector: stringMap('Route service traffic to pods with label keys and values matching this selector.'),
        clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly.'),
        clusterIPs: strings('ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.'),
        type: enumOf(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'type determines how the Service is exposed. Defaults to ClusterIP.'),
        externalIPs: strings('externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
        sessionAffinity: enumOf(['ClientIP', 'None'], 'Supports "ClientIP" and "None". Used to maintain session affinity. Defaults to None.'),
        loadBalancerIP: str('Only applies to Service Type: LoadBalancer. Deprecated.'),
        loadBalancerSourceRanges: strings(
          'If specified and supported by the platform, this will restrict traffic through the cloud-provider load-balancer will be restricted to the specified client IPs.',
        ),
        externalName: str(
          'externalName is the external reference that discovery mechanisms will return as an alias for this service (e.g. a DNS CNAME record).',
        ),
        externalTrafficPolicy: enumOf(
          ['Cluster', 'Local'],
          'externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses.',
        ),
        healthCheckNodePort: int('healthCheckNodePort specifies the healthcheck nodePort for the service.'),
        publishNotReadyAddresses: bool(
          'publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.',
        ),
        sessionAffinityConfig: obj(
          {
            clientIP: obj(
              { timeoutSeconds: int('timeoutSeconds specifies the seconds of ClientIP type session sticky time.') },
              'clientIP contains the configurations of Client IP based session affinity.',
            ),
          },
          'sessionAffinityConfig contains the configurations of session affinity.',
        ),
        ipFamilies: strings('IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service.'),
        ipFamilyPolicy: enumOf(
          ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
          'IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.',
        ),
        allocateLoadBalancerNodePorts: bool(
          'allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.',
        ),
        loadBalancerClass: str('loadBalancerClass is the class of the load balancer implementation this Service belongs to.'),
        internalTrafficPolicy: enumOf(
          ['Cluster', 'Local'],
          'InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.',
        ),
        trafficDistribution: str('TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.'),
      },
      'Spec defines the behavior of a service.',
    ),
    status: obj({ loadBalancer: loadBalancerStatus, conditions: conditions('Current service state') }, 'Most recently observed status of the service.'),
  },
);

const endpointAddress = obj(
  {
    ip: str('The IP of this endpoint.'),
    hostname: str('The Hostname of this endpoint'),
    nodeName: str('Optional: Node hosting this endpoint.'),
    targetRef: objectReference,
  },
  'EndpointAddress is a tuple that describes single IP address.',
  ['ip'],
);

export const endpointsSchema = resource('Endpoints is a collection of endpoints that implement the actual service.', objectMeta, {
  subsets: arr(
    obj(
      {
        addresses: arr(endpointAddress, 'IP addresses which offer the related ports that are marked as ready.'),
        notReadyAddresses: arr(endpointAddress, 'IP addresses which offer the related ports but are not currently marked as ready.'),
        ports: arr(
          obj(
            {
              name: str('The name of this port.'),
              port: int('The port number of the endpoint.'),
              protocol: enumOf(['SCTP', 'TCP', 'UDP'], 'The IP protocol for this port.'),
              appProtocol: str('The application protocol for this port.'),
            },
            'EndpointPort is a tuple that describes a single port.',
            ['port'],
          ),
          'Port numbers available on the related IP addresses.',
        ),
      },
      'EndpointSubset is a group of addresses with a common set of ports.',
    ),
    'The set of all endpoints is the union of all subsets.',
  ),
});

export const configMapSchema = resource('ConfigMap holds configuration data for pods to consume.', objectMeta, {
  data: stringMap('Data contains the configuration data.'),
  binaryData: mapOf(bytes(), 'BinaryData contains the binary data.'),
  immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).'),
});

export const secretSchema = resource(
  'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
  objectMeta,
  {
    data: mapOf(
      bytes(),
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string.",
    ),
    stringData: stringMap('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience.'),
    type: str('Used to facilitate programmatic handling of secret data.'),
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'),
  },
);

export const serviceAccountSchema = resource(
  'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets',
  objectMeta,
  {
    secrets: listMap(
      objectReference,
      ['name'],
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    ),
    imagePullSecrets: arr(
      obj({ name: str('Name of the referent.') }, 'LocalObjectReference'),
      'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.',
    ),
    automountServiceAccountToken: bool(
      'AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.',
    ),
  },
);

export const tokenRequestSchema = resource('TokenRequest requests a token for a given service account.', objectMeta, {
  spec: obj(
    {
      audiences: strings('Audiences are the intendend audiences of the token.'),
      expirationSeconds: int64('ExpirationSeconds is the requested duration of validity of the request.'),
      boundObjectRef: obj(
        {
          kind: str('Kind of the referent.'),
          apiVersion: str('API version of the referent.'),
          name: str('Name of the referent.'),
          uid: str('UID of the referent.'),
        },
        'BoundObjectRef is a reference to an object that the token will be bound to.',
      ),
    },
    'Spec holds information about the request being evaluated',
    ['audiences'],
  ),
  status: obj(
    { token: str('Token is the opaque bearer token.'), expirationTimestamp: time('ExpirationTimestamp is the time of expiration of the returned token.') },
    'Status is filled in by the server and indicates whether the token can be authenticated.',
  ),
});

export const resourceQuotaSchema = resource('ResourceQuota sets aggregate quota restrictions enforced per namespace', objectMeta, {
  spec: obj(
    {
      hard: mapOf(quantity(), 'hard is the set of desired hard limits for each named resource.'),
      scopes: strings('A collection of filters that must match each object tracked by a quota.'),
      scopeSelector: obj(
        {
          matchExpressions: arr(
            obj(
              {
                scopeName: str('The name of the scope that the selector applies to.'),
                operator: str("Represents a scope's relationship to a set of values."),
                values: strings('An array of string values.'),
              },
              'A scoped-resource selector requirement',
              ['scopeName', 'operator'],
            ),
            'A list of scope selector requirements by scope of the resources.',
          ),
        },
        'scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota.',
      ),
    },
    'Spec defines the desired quota.',
  ),
  status: obj(
    {
      hard: mapOf(quantity(), 'Hard is the set of enforced hard limits for each named resource.'),
      used: mapOf(quantity(), 'Used is the current observed total usage of the resource in the namespace.'),
    },
    'Status defines the actual enforced quota and its current usage.',
  ),
});

export const limitRangeSchema = resource('LimitRange sets resource usage limits for each kind of resource in a Namespace.', objectMeta, {
  spec: obj(
    {
      limits: arr(
        obj(
          {
            type: str('Type of resource that this limit applies to.'),
            max: mapOf(quantity(), 'Max usage constraints on this kind by resource name.'),
            min: mapOf(quantity(), 'Min usage constraints on this kind by resource name.'),
            default: mapOf(quantity(), 'Default resource requirement limit value by resource name if resource limit is omitted.'),
            defaultRequest: mapOf(
              quantity(),
              'DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.',
            ),
            maxLimitRequestRatio: mapOf(
              quantity(),
              'MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value.',
            ),
          },
          'LimitRangeItem defines a min/max usage limit for any resource that matches on kind.',
          ['type'],
        ),
        'Limits is the list of LimitRangeItem objects that are enforced.',
      ),
    },
    'Spec defines the limits enforced.',
    ['limits'],
  ),
});
