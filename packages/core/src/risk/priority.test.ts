import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_CONTEXT, DEFAULT_RISK_WEIGHTS, type RiskContext } from './model.js';
import { decidePriority, moreUrgent, priorityForScore } from './priority.js';

const W = DEFAULT_RISK_WEIGHTS;
const HOST: RiskContext = DEFAULT_RISK_CONTEXT;

describe('priority', () => {
  it('follows the cut-offs: P1 ≥ 70, P2 ≥ 40, P3 ≥ 20, else P4', () => {
    const cases: [number, string][] = [
      [100, 'P1'],
      [70, 'P1'],
      [69.9, 'P2'],
      [40, 'P2'],
      [39.9, 'P3'],
      [20, 'P3'],
      [19.9, 'P4'],
      [0, 'P4'],
    ];
    for (const [score, p] of cases)
      expect([score, priorityForScore(score, W.priorityCutoffs)]).toEqual([score, p]);
  });

  it('picks the more urgent of two priorities', () => {
    expect(moreUrgent('P3', 'P1')).toBe('P1');
    expect(moreUrgent('P2', 'P4')).toBe('P2');
    expect(moreUrgent('P2', 'P2')).toBe('P2');
  });

  it('leaves a finding not in KEV at its score', () => {
    expect(decidePriority(10, false, { ...HOST, internetFacing: true }, W)).toEqual({
      priority: 'P4',
      reason: 'P4: score < 20',
    });
  });

  it('makes a KEV finding at least P2, and at least P1 on internet-facing or tier0 hosts', () => {
    expect(decidePriority(30, true, HOST, W)).toEqual({
      priority: 'P2',
      reason: 'P2: score ≥ 20 gives P3, raised because a KEV finding is at least P2',
    });
    expect(decidePriority(45, true, { ...HOST, internetFacing: true }, W)).toEqual({
      priority: 'P1',
      reason:
        'P1: score ≥ 40 gives P2, raised because a KEV finding on an internet-facing host is at least P1',
    });
    expect(decidePriority(45, true, { ...HOST, criticality: 'tier0' }, W).reason).toContain(
      'on a tier0 host',
    );
    // Already urgent enough: no override mentioned.
    expect(decidePriority(75, true, { ...HOST, internetFacing: true }, W)).toEqual({
      priority: 'P1',
      reason: 'P1: score ≥ 70',
    });
    expect(decidePriority(50, true, HOST, W)).toEqual({ priority: 'P2', reason: 'P2: score ≥ 40' });
  });

  it('uses configured overrides and cut-offs', () => {
    const w = { ...W, kevMinPriority: 'P4' as const, kevExposedMinPriority: 'P3' as const };
    expect(decidePriority(5, true, HOST, w).priority).toBe('P4');
    expect(decidePriority(5, true, { ...HOST, criticality: 'tier0' }, w).priority).toBe('P3');
    expect(priorityForScore(55, { P1: 90, P2: 60, P3: 50 })).toBe('P3');
  });
});
