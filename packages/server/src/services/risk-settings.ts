/**
 * The risk weights and SLA days in force: defaults, overridden by what an
 * admin stored (PUT /api/v1/settings/risk), validated by core.
 */
import {
  DEFAULT_RISK_WEIGHTS,
  DEFAULT_SLA,
  parseRiskWeights,
  parseSlaPolicy,
  type RiskWeights,
  type SlaPolicy,
} from '@patchloop/core';
import { getSetting, type Queryable } from '@patchloop/store';

export interface RiskSettings {
  readonly weights: RiskWeights;
  readonly sla: SlaPolicy;
}

export async function loadRiskSettings(q: Queryable): Promise<RiskSettings> {
  const weights = await getSetting<unknown>(q, 'risk_weights');
  const sla = await getSetting<unknown>(q, 'sla_policy');
  return {
    weights: weights === null ? DEFAULT_RISK_WEIGHTS : parseRiskWeights(weights),
    sla: sla === null ? DEFAULT_SLA : parseSlaPolicy(sla),
  };
}
