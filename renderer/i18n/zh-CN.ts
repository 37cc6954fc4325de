// 简体中文。术语与种子文章一致：调度、预选/优选、绑定、拉取镜像、沙箱容器、就绪探针……
import type en from './en';

type Tree<T> = { [K in keyof T]: T[K] extends string ? string : Tree<T[K]> };

const zh: Tree<typeof en> = {
  app: { name: 'kubelab', tagline: '在你的 Docker 引擎上真实运行的 Kubernetes' },
  nav: {
    overview: '概览', workloads: '工作负载', network: '网络', config: '配置', cluster: '集群',
    pods: 'Pod', deployments: 'Deployment', replicasets: 'ReplicaSet', daemonsets: 'DaemonSet', jobs: 'Job',
    services: 'Service', endpoints: 'Endpoints', configmaps: 'ConfigMap', secrets: 'Secret',
    namespaces: '命名空间', nodes: '节点', events: '事件', create: '创建',
  },
  header: {
    allNamespaces: '全部命名空间', namespace: '命名空间', search: '搜索…（Ctrl+K）', language: '语言', theme: '主题',
    themeSystem: '跟随系统', themeLight: '浅色', themeDark: '深色', disconnected: '与实验环境的连接已断开，正在重连…', schedulerPaused: '调度器已暂停：恢复',
  },
  phase: { STOPPED: '已停止', STARTING: '启动中', STARTED: '运行中', STOPPING: '停止中', ERROR: '错误' },
  overview: {
    title: '集群概览', nodes: '节点', pods: 'Pod', running: '运行中', pending: '等待中', failed: '失败',
    deployments: 'Deployment', services: 'Service', capacity: '容量', allocatable: '可分配', requested: '已请求',
    podsOnNode: '该节点上的 Pod', noPodsOnNode: '该节点上还没有 Pod。', starting: '正在启动控制平面',
    virtualTitle: '没有 Docker 引擎：虚拟节点',
    virtualBody: '没有找到可用的 Docker 引擎，Pod 将运行在模拟节点上。控制平面的一切都是真实的，只有容器是模拟的。启动 Docker 并重启实验环境即可运行真实容器。',
    recentEvents: '最近事件', cpu: 'CPU', memory: '内存', podsCap: 'Pod 数', stepMode: '单步模式',
    stepHelp: '暂停某个组件来观察 Pod 的等待：暂停调度器时新 Pod 停留在 Pending；暂停 kubelet 时 Pod 已绑定但不会启动。',
    scheduler: '调度器（Scheduler）', kubeletOf: '{node} 上的 kubelet', paused: '已暂停', active: '运行中', pause: '暂停', resume: '恢复',
    slowMotion: '慢动作', off: '关闭', stopAllPods: '停止所有 Pod', stopAllConfirm: '删除所有命名空间中的全部 Pod？控制器会重新创建它们管理的 Pod。',
    stopped: '已删除 {n} 个 Pod',
  },
  list: {
    search: '按名称过滤', labelFilter: '标签选择器，例如 app=web', items: '没有条目 | {n} 个条目 | {n} 个条目',
    emptyTitle: '这里还没有 {kind}', emptyBody: '当前命名空间中没有匹配项。', clearFilters: '清除过滤条件',
    noPodsTitle: '创建你的第一个 Pod',
    noPodsBody: 'Pod 是 Kubernetes 运行的最小单元。提交文章中的 nginx Pod，观察它经历调度、绑定、拉取镜像和启动的全过程。',
    createFromTemplate: '创建 nginx Pod', create: '创建', actions: '操作',
  },
  col: {
    name: '名称', namespace: '命名空间', ready: '就绪', status: '状态', restarts: '重启次数', age: '存在时间', ip: 'IP', node: '节点',
    upToDate: '已更新', available: '可用', desired: '期望', current: '当前', completions: '完成数', duration: '耗时',
    type: '类型', clusterIP: '集群 IP', ports: '端口', endpoints: '端点', data: '数据', roles: '角色', version: '版本',
    lastSeen: '最近出现', reason: '原因', object: '对象', message: '消息', count: '次数', images: '镜像', selector: '选择器',
    nodeSelector: '节点选择器',
  },
  action: {
    delete: '删除', deleteConfirm: '删除 {kind} "{name}"？', deleted: '已删除 {kind} "{name}"', cancel: '取消', confirm: '确认',
    scale: '扩缩容', scaled: '{name} 已扩缩到 {n} 个副本', restart: '重启', restarted: '{name} 正在重启', undo: '回滚', undone: '{name} 已回滚到版本 {rev}', undoSkipped: '已跳过：Deployment 已在运行版本 {rev} 的模板',
    cordon: '禁止调度', uncordon: '恢复调度', drain: '驱逐', drained: '{name} 已驱逐 {n} 个 Pod', label: '标签', taint: '污点',
    logs: '日志', shell: '终端', open: '打开', copy: '复制', copied: '已复制', apply: '应用', dryRun: '校验（dry run）',
    close: '关闭', download: '下载', replicas: '副本数', add: '添加', remove: '移除', save: '保存', reveal: '显示', hide: '隐藏',
    openInBrowser: '在浏览器中打开 {port}',
  },
  pod: {
    overview: '概览', flow: '创建流程', logs: '日志', terminal: '终端', docker: 'Docker 实况', yaml: 'YAML', events: '事件',
    phase: '阶段', conditions: '状况', containers: '容器', initContainers: 'Init 容器', volumes: '卷',
    image: '镜像', state: '状态', started: '启动时间', exitCode: '退出码', probes: '探针', readiness: '就绪探针（Readiness）',
    liveness: '存活探针（Liveness）', startup: '启动探针（Startup）', qos: 'QoS 等级', podIP: 'Pod IP', hostIP: '主机 IP', node: '节点',
    controlledBy: '控制者', labels: '标签', annotations: '注解', created: '创建时间', requests: '请求', limits: '限制',
    noEvents: '还没有事件。', pullProgress: '正在拉取镜像', layers: '层', whyPending: '为什么我的 Pod 处于 Pending？',
    notScheduledYet: '调度器还没有处理这个 Pod。', schedulerPaused: '调度器已暂停（单步模式）：恢复后该 Pod 才会被调度。',
    kubeletPaused: '{node} 上的 kubelet 已暂停（单步模式）：Pod 已绑定，恢复前不会启动。',
    nodeRejected: '{node}：{reason}', restartCount: '重启次数', selectorIs: '该 Pod 要求节点带有 {selector}。',
  },
  flow: {
    title: '创建流程', live: '实时', done: '已完成', steps: '{n} 个步骤', replay: '回放', stop: '停止', total: '总耗时', noTrace: '这个 Pod 还没有流程记录。API Server 收到 Pod 后就会出现。',
    step: '步骤', component: '组件', action: '动作', outcome: '结果', start: '开始', duration: '耗时', details: '详情',
    filterTable: '各节点的预选（过滤）与优选（打分）', plugin: '插件', verdict: '结论', score: '得分', chosen: '选中', layers: '镜像层',
    lanes: {
      client: '客户端', apiserver: 'API Server', store: '存储（etcd）', 'controller-manager': '控制器', scheduler: '调度器',
      kubelet: 'kubelet', runtime: '运行时', proxy: '代理',
    },
    controllerChain: '控制器链',
  },
  docker: {
    intro: '每个 Pod 都是一个沙箱容器（即 “pause” 容器，持有网络命名空间），加上每个 Kubernetes 容器对应的一个加入其中的 Docker 容器。',
    container: '容器', role: '角色', id: 'ID', image: '镜像', network: '网络模式', ports: '发布的端口', sandbox: '沙箱（pause）',
    init: 'init', app: '应用', commands: '显示相同信息的 docker 命令', none: '还没有容器：kubelet 尚未创建沙箱容器。',
  },
  logs: {
    container: '容器', follow: '跟随', previous: '上一次', timestamps: '时间戳', tail: '末尾行数', wrap: '自动换行', search: '搜索日志',
    all: '全部', lines: '{n} 行', paused: '自动滚动已暂停，滚动到底部即可恢复', matches: '{n} 处匹配', empty: '还没有日志输出。',
  },
  exec: { title: '终端', connecting: '正在连接…', exited: '会话已结束，退出码 {code}', newTab: '打开终端', noContainer: '选择一个容器' },
  create: {
    title: '创建资源', templates: '模板', editor: '清单（YAML）', run: '运行一个 Pod', runHelp: '相当于 kubectl run / kubectl create deployment',
    image: '镜像', name: '名称', replicas: '副本数（0 = 单个 Pod）', port: '容器端口', applied: '{kind} "{name}" {action}', invalidAt: '第 {line} 行',
    tpl: {
      nginx: 'nginx Pod', nodeSelector: '带 nodeSelector 的 nginx', resources: '带资源请求的 nginx', probes: '带探针的 nginx', labels: '带标签的 nginx',
      deployment: 'Deployment k8s-nginx ×3', service: 'k8s-nginx 的 Service', job: 'Job（busybox）',
    },
  },
  node: {
    conditions: '状况', capacity: '容量', allocatable: '可分配', systemInfo: '系统信息', taints: '污点', addresses: '地址',
    nonTerminated: '未终止的 Pod', allocated: '已分配资源', unschedulable: '不可调度', schedulable: '可调度',
    labelPrompt: '标签（key=value，或 key- 表示删除）', taintPrompt: '污点（key=value:NoSchedule，或 key- 表示删除）', dockerContext: 'Docker 上下文',
  },
  deploy: { replicaSets: 'ReplicaSet', history: '版本历史', revision: '版本', strategy: '策略', current: '当前',
    rollout: '滚动发布', conditions: '状况', change: '变更', undoTo: '回滚到版本 {rev}', noHistory: '没有可回滚的更早版本',
    fenceposts: '最大超出 {surge}，最大不可用 {unavailable}', changeImage: '{container}：{from} → {to}', changeRestart: '重启于 {at}',
    changeOther: 'Pod 模板已变更', changeFirst: '初始模板', podsOf: 'Pod（{n}）',
    statusObserving: '等待控制器观察到 Deployment 的新规格…', statusDeadline: 'Deployment "{name}" 超过了发布期限（progressDeadlineSeconds）',
    statusUpdating: '等待 Deployment "{name}" 发布完成：{desired} 个新副本中已更新 {updated} 个…',
    statusTerminating: '等待 Deployment "{name}" 发布完成：{old} 个旧副本等待终止…',
    statusAvailable: '等待 Deployment "{name}" 发布完成：{updated} 个已更新副本中 {available} 个可用…',
    statusDone: 'Deployment "{name}" 发布成功',
    stuck: '版本 {rev} 的新 Pod 无法启动（{reason}）：发布会一直等待，旧 ReplicaSet 继续提供服务。修正模板或回滚。',
  },
  secret: { hidden: '已隐藏' },
  kubectl: { title: '等价的 kubectl 命令', http: 'HTTP 请求', command: '命令' },
  palette: { placeholder: '跳转到资源或视图…', noResults: '没有匹配项' },
  time: { justNow: '刚刚' },
  common: { yes: '是', no: '否', none: '—', loading: '加载中…', error: '错误', all: '全部' },
};
export default zh;
