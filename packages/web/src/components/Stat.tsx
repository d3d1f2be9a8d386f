/** A dashboard figure that links to the list behind it. */
import { Link } from 'react-router';
import { formatNumber } from './format.js';

interface Props {
  readonly label: string;
  readonly value: number | string;
  readonly to: string;
  readonly tone?: 'bad' | 'warn' | 'good' | undefined;
  readonly hint?: string;
}

export function Stat({ label, value, to, tone, hint }: Props) {
  const shown = typeof value === 'number' ? formatNumber(value) : value;
  return (
    <Link to={to} className={`stat ${tone ? `stat-${tone}` : ''}`}>
      <span className="stat-value" data-testid={`stat-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`}>
        {shown}
      </span>{' '}
      <span className="stat-label">{label}</span>
      {hint ? <span className="stat-hint"> {hint}</span> : null}
    </Link>
  );
}
