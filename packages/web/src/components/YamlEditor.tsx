/**
 * A YAML editor (CodeMirror 6) that marks each problem on its line as you
 * type; the same problems are listed under it as text for screen readers.
 */
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import type { PolicyProblem } from './policy-problems.js';

interface Props {
  readonly value: string;
  readonly onChange: (text: string) => void;
  readonly check: (text: string) => PolicyProblem[];
  readonly label: string;
  readonly readOnly?: boolean;
}

function diagnostics(view: EditorView, problems: PolicyProblem[]): Diagnostic[] {
  const doc = view.state.doc;
  return problems.map((p) => {
    const line = doc.line(Math.min(Math.max(p.line ?? 1, 1), doc.lines));
    const from = Math.min(line.from + Math.max((p.column ?? 1) - 1, 0), line.to);
    return {
      from,
      to: line.to > from ? line.to : from,
      severity: 'error',
      message: p.path ? `${p.path}: ${p.message}` : p.message,
    };
  });
}

export function YamlEditor({ value, onChange, check, label, readOnly = false }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, check });
  useEffect(() => {
    latest.current = { onChange, check };
  });

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          linter((ev) => diagnostics(ev, latest.current.check(ev.state.doc.toString())), { delay: 250 }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ 'aria-label': label }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor owns its text after creation; `value` changes from outside are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div className="yaml-editor" ref={host} />;
}
