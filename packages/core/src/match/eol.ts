/**
 * End of life: is the host's OS release still supported? From the
 * endoflife.date cycles of its product, evaluated at `now`.
 */
import type { EolCycle } from '../advisory/model.js';
import type { EolAssessment } from './report.js';

const DAY = 86_400_000;
/** A release this close to its end of life is flagged. */
export const EOL_WARNING_DAYS = 90;

function dateOf(v: string | boolean | null): { ended: boolean | null; date: string | null } {
  if (typeof v === 'string') return { ended: null, date: v };
  if (v === true) return { ended: true, date: null };
  if (v === false) return { ended: false, date: null };
  return { ended: null, date: null };
}

function passed(v: { ended: boolean | null; date: string | null }, now: Date): boolean {
  if (v.date !== null) return Date.parse(`${v.date}T00:00:00Z`) <= now.getTime();
  return v.ended === true;
}

export function assessEol(
  product: { product: string; cycle: string } | null,
  cycles: readonly EolCycle[],
  now: Date,
): EolAssessment {
  if (product === null) {
    return {
      status: 'unknown',
      product: null,
      cycle: null,
      eol: null,
      extendedSupportEnd: null,
      explanation: 'the OS release is not known',
    };
  }
  const c = cycles.find((x) => x.product === product.product && x.cycle === product.cycle);
  const name = `${product.product} ${product.cycle}`;
  if (!c) {
    return {
      status: 'unknown',
      ...product,
      eol: null,
      extendedSupportEnd: null,
      explanation: `no end-of-life data for ${name} (import the endoflife feed)`,
    };
  }
  const eol = dateOf(c.eol);
  const ext = dateOf(c.eoes);
  const base = {
    product: product.product,
    cycle: product.cycle,
    eol: eol.date,
    extendedSupportEnd: ext.date,
  };
  if (passed(eol, now)) {
    if (ext.date !== null && !passed(ext, now)) {
      return {
        status: 'security-support-ended',
        ...base,
        explanation: `${name} left standard security support${eol.date ? ` on ${eol.date}` : ''}; extended support runs until ${ext.date}`,
      };
    }
    return {
      status: 'eol',
      ...base,
      explanation: `${name} reached end of life${eol.date ? ` on ${eol.date}` : ''}: it gets no security fixes`,
    };
  }
  if (eol.date !== null && Date.parse(`${eol.date}T00:00:00Z`) - now.getTime() <= EOL_WARNING_DAYS * DAY) {
    return {
      status: 'eol-within-90-days',
      ...base,
      explanation: `${name} reaches end of life on ${eol.date}`,
    };
  }
  return {
    status: 'supported',
    ...base,
    explanation: eol.date ? `${name} is supported until ${eol.date}` : `${name} is supported`,
  };
}
