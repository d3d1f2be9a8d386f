/**
 * The console's view of the API: every response and request body it uses,
 * as the TypeBox schemas of @patchloop/contracts describe them
 * (`Static<typeof …>`; type-only imports, so no schema code reaches the
 * bundle). Pages and components take their types from here, never from a
 * local copy.
 */
import type * as C from '@patchloop/contracts';
import type { Static } from 'typebox';

export type Session = Static<typeof C.ConsoleSession>;

export type HostSummary = Static<typeof C.HostSummary>;
export type Host = Static<typeof C.Host>;
export type HostList = Static<typeof C.HostList>;
export type HostPatch = Static<typeof C.HostPatch>;
export type HostTagsChange = Static<typeof C.HostTagsChange>;
export type HostTagsResult = Static<typeof C.HostTagsResult>;
export type HostEnrollTokenCreated = Static<typeof C.HostEnrollTokenCreated>;
export type PackageItem = Static<typeof C.PackageItem>;
export type PackageList = Static<typeof C.PackageList>;
export type CatalogueList = Static<typeof C.CatalogueList>;
export type CatalogueItem = Static<typeof C.CatalogueItem>;

export type Finding = Static<typeof C.Finding>;
export type FindingList = Static<typeof C.FindingList>;
export type Vulnerability = Static<typeof C.Vulnerability>;
export type VulnerabilityList = Static<typeof C.VulnerabilityList>;
export type Remediation = Static<typeof C.Remediation>;
export type RemediationList = Static<typeof C.RemediationList>;
export type RemediationTarget = Static<typeof C.RemediationTarget>;
export type Dashboard = Static<typeof C.Dashboard>;

export type ExceptionInfo = Static<typeof C.ExceptionInfo>;
export type ExceptionList = Static<typeof C.ExceptionList>;
export type ExceptionCreate = Static<typeof C.ExceptionCreate>;

export type PolicyView = Static<typeof C.PolicyView>;
export type PolicyList = Static<typeof C.PolicyList>;
export type PolicyApplied = Static<typeof C.PolicyApplied>;
export type Simulation = Static<typeof C.Simulation>;

export type DeploymentCreate = Static<typeof C.DeploymentCreate>;
export type DeploymentList = Static<typeof C.DeploymentList>;
export type DeploymentView = Static<typeof C.DeploymentView>;
export type DeploymentTask = Static<typeof C.DeploymentTask>;
export type DeploymentTaskDetail = Static<typeof C.DeploymentTaskDetail>;
export type HostDeploymentHistory = Static<typeof C.HostDeploymentHistory>;

export type AuditEvent = Static<typeof C.AuditEvent>;
export type AuditList = Static<typeof C.AuditList>;

export type FeedStatus = Static<typeof C.FeedStatus>;
export type FeedStatusList = Static<typeof C.FeedStatusList>;
export type Enrollment = Static<typeof C.Enrollment>;
export type RiskSettingsView = Static<typeof C.RiskSettingsView>;
export type UserInfo = Static<typeof C.UserInfo>;
export type UserList = Static<typeof C.UserList>;
export type UserPatch = Static<typeof C.UserPatch>;
export type PasswordResetDone = Static<typeof C.PasswordResetDone>;
export type PasswordChange = Static<typeof C.PasswordChange>;
export type TokenInfo = Static<typeof C.TokenInfo>;
export type TokenList = Static<typeof C.TokenList>;
export type TokenCreated = Static<typeof C.TokenCreated>;
