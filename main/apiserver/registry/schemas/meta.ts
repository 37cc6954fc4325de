// ObjectMeta, ListMeta-adjacent types and LabelSelector, shared by every resource's schema.
import { arr, bool, int64, listMap, obj, preserve, str, stringMap, strings, time } from '../schema';

export const ownerReference = obj(
  {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    controller: bool('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: bool('If true, the owner cannot be deleted from the key-value store until this reference is removed.'),
  },
  'OwnerReference contains enough information to let you identify an owning object.',
  ['apiVersion', 'kind', 'name', 'uid'],
);

export const managedFieldsEntry = obj(
  {
    apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
    fieldsType: str('FieldsType is the discriminator for the different fields format and version.'),
    fieldsV1: preserve('FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.'),
    manager: str('Manager is an identifier of the workflow managing these fields.'),
    operation: str('Operation is the type of operation which lead to this ManagedFieldsEntry being created.'),
    subresource: str('Subresource is the name of the subresource used to update that object.'),
    time: time('Time is the timestamp of when the ManagedFields entry was added.'),
  },
  'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
);

export const objectMeta = obj(
  {
    name: str('Name must be unique within a namespace.'),
    generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    uid: str('UID is the unique in time and space value for this object.'),
    resourceVersion: str('An opaque value that represents the internal version of this object.'),
    generation: int64('A sequence number representing a specific generation of the desired state.'),
    selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
    creationTimestamp: time('CreationTimestamp is a timestamp representing the server time when this object was created.'),
    deletionTimestamp: time('DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'),
    deletionGracePeriodSeconds: int64('Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.'),
    labels: stringMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
    annotations: stringMap('Annotations is an unstructured key value map stored with a resource that may be set by external tools.'),
    ownerReferences: listMap(ownerReference, ['uid'], 'List of objects depended by this object.'),
    finalizers: {
      ...strings('Must be empty before the object is deleted from the registry.'),
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    },
    managedFields: arr(managedFieldsEntry, 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.'),
  },
  'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
);

export const labelSelectorRequirement = obj(
  {
    key: str('key is the label key that the selector applies to.'),
    operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."),
    values: strings('values is an array of string values.'),
  },
  'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
  ['key', 'operator'],
);

export const labelSelector = obj(
  {
    matchExpressions: arr(labelSelectorRequirement, 'matchExpressions is a list of label selector requirements. The requirements are ANDed.'),
    matchLabels: stringMap('matchLabels is a map of {key,value} pairs.'),
  },
  'A label selector is a label query over a set of resources.',
);

export const condition = obj(
  {
    type: str('type of condition in CamelCase or in foo.example.com/CamelCase.'),
    status: str('status of the condition, one of True, False, Unknown.'),
    observedGeneration: int64('observedGeneration represents the .metadata.generation that the condition was set based upon.'),
    lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another.'),
    lastUpdateTime: time('The last time this condition was updated.'),
    lastProbeTime: time('Last time we probed the condition.'),
    lastHeartbeatTime: time('Last time we got an update on a given condition.'),
    reason: str("reason contains a programmatic identifier indicating the reason for the condition's last transition."),
    message: str('message is a human readable message indicating details about the transition.'),
  },
  'Condition contains details for one aspect of the current state of this API Resource.',
  ['type', 'status'],
);

export const conditions = (description: string) => listMap(condition, ['type'], description);

export const objectReference = obj(
  {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    namespace: str('Namespace of the referent.'),
    uid: str('UID of the referent.'),
    resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
    fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
  },
  'ObjectReference contains enough information to let you inspect or modify the referred object.',
);
