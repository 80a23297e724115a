import { createRequire } from 'node:module';
import { KpathError } from '../errors.js';

/** Line and column (1-based) of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; last = i; }
  }
  return { line, column: offset - last };
}

/**
 * The KpathError for text that cannot be read at `offset` of a file: line, column, the line's text
 * and the token (by default the character at `offset`).
 */
export function textError(code: string, message: string, text: string, file: string, offset: number, opts: { token?: string; hint?: string } = {}): KpathError {
  const { line, column } = positionOf(text, offset);
  return new KpathError(code, message, {
    loc: { file, line, column }, token: opts.token ?? text.slice(offset, offset + 1), sourceLine: text.split('\n')[line - 1], hint: opts.hint,
  });
}

/**
 * JSON.parse with a positioned KpathError (E_JSON_BAD) instead of a bare SyntaxError. With
 * `start`/`end`, parses only that part of `text` (one item of a List) and still reports the
 * position in the whole file.
 */
export function parseJsonText(text: string, file: string, start = 0, end = text.length): unknown {
  const part = start === 0 && end === text.length ? text : text.slice(start, end);
  try {
    return JSON.parse(part);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    const offset = start + (m ? Number(m[1]) : 0);
    throw textError('E_JSON_BAD', `not valid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`, text, file, offset);
  }
}

/** Parses every YAML document of a file; errors carry the position YAML reports. */
export function parseYamlDocs(text: string, file: string): unknown[] {
  // Loaded on first use: most snapshots hold only JSON, and the parser is a large module.
  const YAML = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const docs = YAML.parseAllDocuments(text);
  const out: unknown[] = [];
  for (const d of docs) {
    const err = d.errors[0];
    if (err) {
      throw textError('E_YAML_BAD', `not valid YAML: ${err.message.split('\n')[0]}`, text, file, err.pos[0], { token: text.slice(err.pos[0], err.pos[1]) || ' ' });
    }
    out.push(d.toJSON());
  }
  return out;
}
