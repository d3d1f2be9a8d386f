/**
 * The risk weights and SLA days in force: core's defaults, overridden by
 * what an admin stored (PUT /api/v1/settings/risk), validated by core on
 * the way in and on the way out.
 */
import {
  DEFAULT_RISK_WEIGHTS,
  DEFAULT_SLA,
  parseRiskWeights,
  parseSlaPolicy,
  type RiskWeights,
  type SlaPolicy,
} from '@patchloop/core';
import type { Queryable } from '../db.js';
import { deleteSetting, getSetting, putSetting } from './principals.js';

const WEIGHTS = 'risk_weights';
const SLA = 'sla_policy';

export interface RiskSettings {
  readonly weights: RiskWeights;
  readonly sla: SlaPolicy;
}

export async function loadRiskSettings(q: Queryable): Promise<RiskSettings> {
  const weights = await getSetting<unknown>(q, WEIGHTS);
  const sla = await getSetting<unknown>(q, SLA);
  return {
    weights: weights === null ? DEFAULT_RISK_WEIGHTS : parseRiskWeights(weights),
    sla: sla === null ? DEFAULT_SLA : parseSlaPolicy(sla),
  };
}

/** Stores the weights (parsed by core), or with null goes back to the defaults. */
export async function saveRiskWeights(q: Queryable, weights: RiskWeights | null, now: Date): Promise<void> {
  if (weights === null) await deleteSetting(q, WEIGHTS);
  else await putSetting(q, WEIGHTS, weights, now);
}

/** Stores the SLA days (parsed by core), or with null goes back to the defaults. */
export async function saveSlaPolicy(q: Queryable, sla: SlaPolicy | null, now: Date): Promise<void> {
  if (sla === null) await deleteSetting(q, SLA);
  else await putSetting(q, SLA, sla, now);
}
