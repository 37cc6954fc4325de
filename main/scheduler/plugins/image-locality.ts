// ImageLocality: prefer nodes that already hold the pod's images, scaled by how widely each image is spread.
import type { Plugin } from '../types';
import { MaxNodeScore } from '../types';

const mb = 1024 * 1024;
const minThreshold = 23 * mb;
const maxContainerThreshold = 1000 * mb;

export function imageLocality(imageNodes: ReadonlyMap<string, number>, totalNodes: () => number): Plugin {
  return {
    name: 'ImageLocality',
    score(_state, pod, node) {
      const total = totalNodes();
      let sum = 0;
      for (const img of pod.images) {
        const size = node.images.get(img);
        if (size === undefined) continue;
        const spread = (imageNodes.get(img) ?? 0) / Math.max(total, 1);
        sum += Math.trunc(size * spread);
      }
      const maxThreshold = maxContainerThreshold * Math.max(pod.images.length, 1);
      sum = Math.min(Math.max(sum, minThreshold), maxThreshold);
      return Math.trunc((MaxNodeScore * (sum - minThreshold)) / (maxThreshold - minThreshold));
    },
  };
}
