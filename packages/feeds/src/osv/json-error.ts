/**
 * Where JSON.parse failed, as a 1-based line number, for error reports.
 *
 * V8 (Node 20) says "… in JSON at position N" for most faults and "Unexpected
 * end of JSON input" at the end, but for an unexpected token only quotes the
 * text around it: the whole text when it is short (under 21 characters), else
 * up to 10 characters either side, with "..." where it cut. The offset is
 * recovered from that quote; null when it cannot be (the caller then names
 * no line).
 *
 * (Used by the CVE parser too; it belongs in a shared feeds/json module when
 * one exists.)
 */
const CONTEXT = 10;
const UNEXPECTED_TOKEN = /^Unexpected token '([\s\S]+?)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/;

export function jsonErrorOffset(text: string, message: string): number | null {
  const at = /at position (\d+)/.exec(message);
  if (at !== null) return Number(at[1]);
  if (message.startsWith('Unexpected end of JSON input')) return text.length;
  const m = UNEXPECTED_TOKEN.exec(message);
  if (m === null) return null;
  const [, token, cutBefore, quoted, cutAfter] = m as unknown as [
    string,
    string,
    string | undefined,
    string,
    string | undefined,
  ];
  const start = text.indexOf(quoted);
  if (start < 0) return null;
  if (cutBefore !== undefined) return start + CONTEXT;
  if (cutAfter !== undefined) return start + quoted.length - CONTEXT;
  const i = quoted.indexOf(token);
  return i < 0 ? null : start + i;
}

/** The 1-based line of a JSON.parse error in `text`, or null. */
export function jsonErrorLine(text: string, error: unknown): number | null {
  const offset = jsonErrorOffset(text, error instanceof Error ? error.message : String(error));
  if (offset === null) return null;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
