/**
 * /etc/os-release (os-release(5)): KEY=value lines, values optionally quoted
 * with shell-style escapes; comments and blank lines ignored.
 */
import { PatchloopError } from '../error/codes.js';

export interface OsRelease {
  /** ID, lower-case: "debian", "ubuntu", "almalinux", "alpine", … */
  readonly id: string;
  /** VERSION_ID: "12", "22.04", "9.4", "3.19.1"; '' when absent (e.g. Debian sid). */
  readonly versionId: string;
  readonly versionCodename: string;
  readonly prettyName: string;
  readonly idLike: readonly string[];
  readonly fields: Readonly<Record<string, string>>;
}

function unquote(raw: string, lineNo: number): string {
  const q = raw[0];
  if (q !== '"' && q !== "'") return raw;
  if (raw.length < 2 || raw[raw.length - 1] !== q) {
    throw new PatchloopError('PL_OS_RELEASE_INVALID', `os-release line ${lineNo}: unterminated quote`, {
      line: lineNo,
    });
  }
  const body = raw.slice(1, -1);
  return q === "'" ? body : body.replace(/\\([$"\\`])/g, '$1');
}

export function parseOsRelease(text: string): OsRelease {
  const fields: Record<string, string> = {};
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m === null) {
      throw new PatchloopError('PL_OS_RELEASE_INVALID', `os-release line ${i + 1}: expected KEY=value`, {
        line: i + 1,
      });
    }
    fields[m[1] as string] = unquote(m[2] as string, i + 1);
  });
  return {
    id: (fields.ID ?? 'linux').toLowerCase(),
    versionId: fields.VERSION_ID ?? '',
    versionCodename: fields.VERSION_CODENAME ?? '',
    prettyName: fields.PRETTY_NAME ?? fields.NAME ?? 'Linux',
    idLike: (fields.ID_LIKE ?? '').split(/\s+/).filter((s) => s !== ''),
    fields,
  };
}
