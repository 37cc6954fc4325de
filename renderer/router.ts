// Hash history: works from file:// in Electron and from the UI server alike.
// The views are part of the app's one bundle, not lazy chunks: the app loads once from this machine, and a lazy chunk
// fetched later can fail for reasons that are not the app's (Chromium aborts every load in flight with
// ERR_NETWORK_CHANGED when an interface appears, as Docker's veths do when a pod starts), which left a blank page.
import { createRouter, createWebHashHistory } from 'vue-router';
import OverviewView from './views/OverviewView.vue';
import CreateView from './views/CreateView.vue';
import PortForwardsView from './views/PortForwardsView.vue';
import ResourceListView from './views/ResourceListView.vue';
import PodDetailView from './views/PodDetailView.vue';
import DeploymentDetailView from './views/DeploymentDetailView.vue';
import NodeDetailView from './views/NodeDetailView.vue';
import ObjectView from './views/ObjectView.vue';

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', name: 'overview', component: OverviewView },
    { path: '/create', name: 'create', component: CreateView },
    { path: '/port-forwards', name: 'port-forwards', component: PortForwardsView },
    { path: '/r/:kind', name: 'list', component: ResourceListView, props: true },
    { path: '/r/pods/:namespace/:name/:tab?', name: 'pod', component: PodDetailView, props: true },
    { path: '/r/deployments/:namespace/:name', name: 'deployment', component: DeploymentDetailView, props: true },
    { path: '/r/nodes/:name', name: 'node', component: NodeDetailView, props: true },
    { path: '/r/:kind/:namespace/:name', name: 'object', component: ObjectView, props: true },
    { path: '/r/:kind/-/:name', name: 'cluster-object', component: ObjectView, props: true },
  ],
});
