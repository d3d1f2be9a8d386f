/**
 * Priority from the score's cut-offs, then the KEV overrides: a KEV finding is
 * at least `kevMinPriority` (P2), and at least `kevExposedMinPriority` (P1) on
 * an internet-facing or tier0 host.
 */
import { PRIORITIES, type Priority, type RiskContext, type RiskWeights } from './model.js';

export function priorityForScore(score: number, cutoffs: RiskWeights['priorityCutoffs']): Priority {
  if (score >= cutoffs.P1) return 'P1';
  if (score >= cutoffs.P2) return 'P2';
  if (score >= cutoffs.P3) return 'P3';
  return 'P4';
}

/** The more urgent of two priorities. */
export function moreUrgent(a: Priority, b: Priority): Priority {
  return PRIORITIES.indexOf(a) <= PRIORITIES.indexOf(b) ? a : b;
}

export function decidePriority(
  score: number,
  kev: boolean,
  context: RiskContext,
  w: RiskWeights,
): { priority: Priority; reason: string } {
  const byScore = priorityForScore(score, w.priorityCutoffs);
  const cutoffText = cutoffReason(byScore, w.priorityCutoffs);
  if (!kev) return { priority: byScore, reason: `${byScore}: ${cutoffText}` };
  const exposed = context.internetFacing || context.criticality === 'tier0';
  const floor = exposed ? w.kevExposedMinPriority : w.kevMinPriority;
  const priority = moreUrgent(byScore, floor);
  if (priority === byScore) return { priority, reason: `${priority}: ${cutoffText}` };
  const where = exposed ? (context.internetFacing ? ' on an internet-facing host' : ' on a tier0 host') : '';
  return {
    priority,
    reason: `${priority}: ${cutoffText} gives ${byScore}, raised because a KEV finding${where} is at least ${floor}`,
  };
}

function cutoffReason(p: Priority, c: RiskWeights['priorityCutoffs']): string {
  switch (p) {
    case 'P1':
      return `score ≥ ${c.P1}`;
    case 'P2':
      return `score ≥ ${c.P2}`;
    case 'P3':
      return `score ≥ ${c.P3}`;
    case 'P4':
      return `score < ${c.P3}`;
  }
}
