// Hash history: works from file:// in Electron and from the UI server alike.
import { createRouter, createWebHashHistory } from 'vue-router';

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', name: 'overview', component: () => import('./views/OverviewView.vue') },
    { path: '/create', name: 'create', component: () => import('./views/CreateView.vue') },
    { path: '/port-forwards', name: 'port-forwards', component: () => import('./views/PortForwardsView.vue') },
    { path: '/r/:kind', name: 'list', component: () => import('./views/ResourceListView.vue'), props: true },
    { path: '/r/pods/:namespace/:name/:tab?', name: 'pod', component: () => import('./views/PodDetailView.vue'), props: true },
    { path: '/r/deployments/:namespace/:name', name: 'deployment', component: () => import('./views/DeploymentDetailView.vue'), props: true },
    { path: '/r/nodes/:name', name: 'node', component: () => import('./views/NodeDetailView.vue'), props: true },
    { path: '/r/:kind/:namespace/:name', name: 'object', component: () => import('./views/ObjectView.vue'), props: true },
    { path: '/r/:kind/-/:name', name: 'cluster-object', component: () => import('./views/ObjectView.vue'), props: true },
  ],
});
