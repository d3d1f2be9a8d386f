export * from './model.js';
export { assessRisk } from './score.js';
export { decidePriority, moreUrgent, priorityForScore } from './priority.js';
export { parseRiskWeights } from './weights.js';
export * from './sla.js';
