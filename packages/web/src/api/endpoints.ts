/**
 * Every API path the console calls or links to (CSV exports, change
 * records), in one place: pages name a resource, never a URL.
 */
const V1 = '/api/v1';
const enc = encodeURIComponent;

export const endpoints = {
  session: `${V1}/session`,
  sessionPassword: `${V1}/session/password`,
  dashboard: `${V1}/dashboard`,
  hosts: `${V1}/hosts`,
  hostTags: `${V1}/hosts/tags`,
  host: (id: number) => `${V1}/hosts/${id}`,
  hostFindings: (id: number) => `${V1}/hosts/${id}/findings`,
  hostPackages: (id: number) => `${V1}/hosts/${id}/packages`,
  hostUpdates: (id: number) => `${V1}/hosts/${id}/updates`,
  hostDeployments: (id: number) => `${V1}/hosts/${id}/deployments`,
  hostEnrollToken: (id: number) => `${V1}/hosts/${id}/enroll-token`,
  hostLifecycle: (id: number, action: 'retire' | 'reinstate') => `${V1}/hosts/${id}/${action}`,
  findings: `${V1}/findings`,
  vulnerabilities: `${V1}/vulnerabilities`,
  remediations: `${V1}/remediations`,
  exceptions: `${V1}/exceptions`,
  exceptionDecision: (id: number, action: string) => `${V1}/exceptions/${id}/${action}`,
  policies: `${V1}/policies`,
  policy: (name: string) => `${V1}/policies/${enc(name)}`,
  policySimulation: (name: string) => `${V1}/policies/${enc(name)}/simulate`,
  deployments: `${V1}/deployments`,
  deployment: (id: number) => `${V1}/deployments/${id}`,
  deploymentTask: (id: number, taskId: string) =>
    `${V1}/deployments/${id}/tasks/${encodeURIComponent(taskId)}`,
  deploymentAction: (id: number, action: string) => `${V1}/deployments/${id}/${action}`,
  deploymentRecord: (id: number, format: 'json' | 'csv') => `${V1}/deployments/${id}/record?format=${format}`,
  audit: `${V1}/audit`,
  feeds: `${V1}/feeds`,
  feedSync: `${V1}/feeds/sync`,
  enrollment: `${V1}/settings/enrollment`,
  enrollmentRotate: `${V1}/settings/enrollment/rotate`,
  riskSettings: `${V1}/settings/risk`,
  users: `${V1}/users`,
  user: (username: string) => `${V1}/users/${enc(username)}`,
  userPassword: (username: string) => `${V1}/users/${enc(username)}/password`,
  tokens: `${V1}/tokens`,
  token: (id: number) => `${V1}/tokens/${id}`,
} as const;
