/**
 * Pick one host by name: type part of a hostname, the server searches
 * (GET /api/v1/hosts?q=…), choose from the matches. The chosen host shows by
 * name, with a way to change it.
 */
import { useId, useState } from 'react';
import { useHostSearch } from '../api/hosts.js';

export interface PickedHost {
  readonly id: number;
  readonly hostname: string;
}

const MATCHES = 8;

export function HostPicker({
  value,
  onChange,
  label = 'Host',
}: {
  value: PickedHost | null;
  onChange: (h: PickedHost | null) => void;
  label?: string;
}) {
  const [text, setText] = useState('');
  const id = useId();
  const search = text.trim();
  const q = useHostSearch(search, MATCHES, value === null && search.length > 0);
  if (value !== null) {
    return (
      <div className="host-picker">
        <span id={`${id}-label`}>{label}</span>
        <span className="host-picked">
          <strong>{value.hostname}</strong>{' '}
          <button type="button" className="link-button" onClick={() => onChange(null)}>
            Change<span className="visually-hidden"> {label.toLowerCase()}</span>
          </button>
        </span>
      </div>
    );
  }
  return (
    <div className="host-picker">
      <label htmlFor={`${id}-input`}>{label}</label>
      <input
        id={`${id}-input`}
        type="search"
        value={text}
        placeholder="search by name"
        autoComplete="off"
        aria-describedby={`${id}-status`}
        onChange={(e) => setText(e.target.value)}
      />
      <span id={`${id}-status`} className="muted small" role="status">
        {search.length === 0
          ? 'Any host: type part of a name to limit it to one.'
          : q.isPending
            ? 'Searching…'
            : q.isError
              ? q.error.message
              : q.data.total === 0
                ? `No host name contains “${search}”.`
                : q.data.total > MATCHES
                  ? `${q.data.total} hosts match; the first ${MATCHES}:`
                  : `${q.data.total} ${q.data.total === 1 ? 'host matches' : 'hosts match'}:`}
      </span>
      {q.data && search.length > 0 && q.data.items.length > 0 ? (
        <ul className="host-matches" aria-label={`Hosts matching ${search}`}>
          {q.data.items.map((h) => (
            <li key={h.id}>
              <button type="button" onClick={() => onChange({ id: h.id, hostname: h.hostname })}>
                {h.hostname}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
