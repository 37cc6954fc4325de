// Manifests from the seed articles, kept as plain YAML files in resources/templates/.
import nginx from '../../resources/templates/nginx-pod.yaml?raw';
import nodeSelector from '../../resources/templates/nginx-node-selector.yaml?raw';
import resources from '../../resources/templates/nginx-resources.yaml?raw';
import probes from '../../resources/templates/nginx-probes.yaml?raw';
import labels from '../../resources/templates/nginx-labels.yaml?raw';
import deployment from '../../resources/templates/deployment-k8s-nginx.yaml?raw';
import service from '../../resources/templates/service-k8s-nginx.yaml?raw';
import job from '../../resources/templates/job-busybox.yaml?raw';

export interface Template {
  /** i18n key under create.tpl */
  id: string;
  yaml: string;
}

export const TEMPLATES: Template[] = [
  { id: 'nginx', yaml: nginx },
  { id: 'nodeSelector', yaml: nodeSelector },
  { id: 'resources', yaml: resources },
  { id: 'probes', yaml: probes },
  { id: 'labels', yaml: labels },
  { id: 'deployment', yaml: deployment },
  { id: 'service', yaml: service },
  { id: 'job', yaml: job },
];
