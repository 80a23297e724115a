/**
 * Kubernetes label selectors in their string form, as `kubectl get -l` takes them:
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas
 * (k8s.io/apimachinery pkg/labels/selector.go). All requirements must hold.
 */
export interface LabelRequirement {
  readonly key: string;
  readonly op: 'in' | 'notin' | 'exists' | 'absent';
  readonly values: readonly string[];
}

/** A selector the parser cannot read: `offset` is the character it stopped at. */
export interface SelectorProblem {
  readonly offset: number;
  readonly message: string;
}

// Label keys are [prefix/]name and values are at most 63 of [A-Za-z0-9._-]; the parser stays a
// little looser (it accepts what kubectl would reject for length) and quotes the token it stops at.
const WORD = /[A-Za-z0-9._/-]+/y;

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function word(text: string, i: number): { value: string; end: number } | undefined {
  WORD.lastIndex = i;
  const m = WORD.exec(text);
  return m ? { value: m[0], end: i + m[0].length } : undefined;
}

function valueList(text: string, start: number): { values: string[]; end: number } | SelectorProblem {
  let i = skipSpace(text, start);
  if (text[i] !== '(') return { offset: i, message: 'wants "(" to open the value list' };
  const values: string[] = [];
  i = skipSpace(text, i + 1);
  for (;;) {
    const w = word(text, i);
    if (!w) return { offset: i, message: 'wants a label value' };
    values.push(w.value);
    i = skipSpace(text, w.end);
    if (text[i] === ')') return { values, end: i + 1 };
    if (text[i] !== ',') return { offset: i, message: 'wants "," or ")" in the value list' };
    i = skipSpace(text, i + 1);
  }
}

function requirement(text: string, start: number): { req: LabelRequirement; end: number } | SelectorProblem {
  let i = skipSpace(text, start);
  if (text[i] === '!') {
    const w = word(text, skipSpace(text, i + 1));
    if (!w) return { offset: i + 1, message: 'wants a label key after "!"' };
    return { req: { key: w.value, op: 'absent', values: [] }, end: w.end };
  }
  const key = word(text, i);
  if (!key) return { offset: i, message: 'wants a label key' };
  i = skipSpace(text, key.end);
  const rest = text.slice(i);
  const op = rest.startsWith('==') ? '==' : rest.startsWith('!=') ? '!=' : rest.startsWith('=') ? '=' : /^(notin|in)\b/.exec(rest)?.[1];
  if (op === undefined) return { req: { key: key.value, op: 'exists', values: [] }, end: key.end };
  if (op === 'in' || op === 'notin') {
    const list = valueList(text, i + op.length);
    if ('offset' in list) return list;
    return { req: { key: key.value, op, values: list.values }, end: list.end };
  }
  const vStart = skipSpace(text, i + op.length);
  const v = word(text, vStart);
  // An empty value is legal (`tier=`): it matches a label whose value is empty.
  const value = v?.value ?? '';
  return { req: { key: key.value, op: op === '!=' ? 'notin' : 'in', values: [value] }, end: v?.end ?? vStart };
}

/** Parses a selector string; returns the requirements or where and why it could not read it. */
export function parseLabelSelector(text: string): readonly LabelRequirement[] | SelectorProblem {
  const reqs: LabelRequirement[] = [];
  let i = 0;
  if (text.trim() === '') return { offset: 0, message: 'is empty (an empty selector would match every pod)' };
  for (;;) {
    const r = requirement(text, i);
    if ('offset' in r) return r;
    reqs.push(r.req);
    i = skipSpace(text, r.end);
    if (i >= text.length) return reqs;
    if (text[i] !== ',') return { offset: i, message: `wants "," between requirements, got "${text[i]}"` };
    i++;
  }
}

/** Whether a pod's labels satisfy every requirement. */
export function matchesLabels(reqs: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case 'exists': return has;
      case 'absent': return !has;
      case 'in': return has && r.values.includes(v ?? '');
      case 'notin': return !has || !r.values.includes(v ?? '');
    }
  });
}
