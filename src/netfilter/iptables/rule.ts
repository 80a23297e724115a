import { KpathError, type SourceLoc } from '../../errors.js';
import type { MatchFamily, ParseCtx, ParsedOption } from '../family.js';
import type { Match, Target } from '../model.js';
import { CORE_OPTION_FAMILIES, MODULE_FAMILIES, TARGET_NAMES } from '../registry.js';
import { protoName } from '../values.js';
import { tokenizeLine, type Token } from './lexer.js';
import type { DumpLines } from './lines.js';

// One rule's text → matches and a target, through the match and target families of registry.ts.

/** A rule parsed from its text, before its chain numbers it. */
export interface PendingRule {
  readonly matches: Match[];
  readonly target: Target;
  readonly raw: string;
  readonly loc: SourceLoc;
  readonly counters?: { packets: bigint; bytes: bigint };
  /** A -j to a name that is neither an extension nor (yet) a declared chain. */
  readonly jumpTo?: { name: string; loc: SourceLoc; token: Token; line: string };
}

/** Throws a positioned error for the line being parsed. */
export type Fail = (code: string, message: string, column: number, token: string, hint?: string) => never;


const CORE_SHORT = new Set(['-s', '-d', '-p', '-i', '-o', '-f', '-m', '-j', '-g', '-c', '!']);

/** Where `-A` starts on a rule line (after blanks and an optional `[p:b]` counters prefix), or -1. */
export function ruleStart(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
  if (line.charCodeAt(i) === 91 /* [ */) {
    const close = line.indexOf(']', i);
    if (close < 0 || line.charCodeAt(close + 1) !== 32 || !/^\[\d+:\d+\]$/.test(line.slice(i, close + 1))) return -1;
    i = close + 1;
    while (line.charCodeAt(i) === 32) i++;
  }
  return line.startsWith('-A ', i) ? i : -1;
}

/** Parses a kept `-A CHAIN …` line into a pending rule. */
export function parseRawRule(idx: number, env: { readonly file: string; readonly family: 4 | 6; readonly lines: DumpLines }): PendingRule {
  const line = env.lines.at(idx);
  const lineNo = idx + 1;
  const err: Fail = (code, message, column, token, hint) => {
    throw new KpathError(code, message, { loc: { file: env.file, line: lineNo, column }, token, sourceLine: line, hint });
  };
  const cmdAt = ruleStart(line);
  const cm = /^\s*\[(\d+):(\d+)\]/.exec(line);
  const counters = cm ? { packets: BigInt(cm[1]!), bytes: BigInt(cm[2]!) } : undefined;
  // Tokens after `-A`: the chain name, then the rule.
  const tokens = tokenizeLine(line, env.file, lineNo).filter((t) => t.column > cmdAt + 1);
  const pending = parseRuleBody(tokens.slice(1), { line, lineNo, file: env.file, family: env.family, err });
  return { ...pending, raw: line.slice(cmdAt).trim(), loc: { file: env.file, line: lineNo, column: cmdAt + 1 }, counters: counters ?? pending.counters };
}

interface BodyEnv {
  readonly line: string;
  readonly lineNo: number;
  readonly file: string;
  readonly family: 4 | 6;
  readonly err: Fail;
}

interface OpenModule {
  readonly name: string;
  readonly family: MatchFamily | undefined;
  readonly opts: ParsedOption[];
  readonly unknown: string[][];
  readonly implicit: boolean;
}

export function parseRuleBody(tokens: readonly Token[], env: BodyEnv): Omit<PendingRule, 'raw' | 'loc'> {
  const matches: Match[] = [];
  let target: Target = { kind: 'none' };
  let jumpTo: PendingRule['jumpTo'];
  let counters: PendingRule['counters'];
  let proto: number | undefined;
  let open: OpenModule | undefined;
  let negNext = false;
  const ctx: ParseCtx = {
    family: env.family,
    get proto() { return proto; },
    fail(code, message, at, argIndex, hint) {
      const loc = argIndex !== undefined ? at.argLocs[argIndex] ?? at.loc : at.loc;
      const token = argIndex !== undefined ? at.args[argIndex] ?? '' : `--${at.name}`;
      throw new KpathError(code, message, { loc, token, sourceLine: env.line, hint });
    },
  };
  const close = () => {
    if (!open) return;
    matches.push(finishModule(open, ctx));
    open = undefined;
  };
  const readOption = (i: number, name: string, arity: number, negated: boolean): [ParsedOption, number] => {
    const t = tokens[i]!;
    const args = tokens.slice(i + 1, i + 1 + arity);
    if (args.length < arity) return env.err('E_IPT_MISSING_VALUE', `${t.text} wants ${arity} value${arity > 1 ? 's' : ''}`, t.column, t.text);
    const last = args[args.length - 1] ?? t;
    const opt: ParsedOption = {
      name, negated, args: args.map((a) => a.text),
      loc: { file: env.file, line: env.lineNo, column: t.column },
      argLocs: args.map((a) => ({ file: env.file, line: env.lineNo, column: a.column })),
      width: last.column + last.width - t.column,
    };
    return [opt, i + 1 + arity];
  };
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.text === '!' && !t.quoted) {
      if (negNext) return env.err('E_IPT_BAD_LINE', 'two "!" in a row', t.column, '!');
      negNext = true;
      i++;
      continue;
    }
    if (!t.text.startsWith('-') || t.quoted) return env.err('E_IPT_UNEXPECTED_TOKEN', `unexpected "${t.text}" (an option starts with -)`, t.column, t.text);
    const negated = negNext;
    negNext = false;
    if (t.text === '-m' || t.text === '--match') {
      close();
      const name = tokens[i + 1];
      if (!name) return env.err('E_IPT_MISSING_VALUE', '-m wants a module name', t.column, t.text);
      open = { name: name.text, family: MODULE_FAMILIES.get(name.text), opts: [], unknown: [], implicit: false };
      i += 2;
      continue;
    }
    if (t.text === '-j' || t.text === '--jump' || t.text === '-g' || t.text === '--goto') {
      close();
      const nameTok = tokens[i + 1];
      if (!nameTok) return env.err('E_IPT_MISSING_VALUE', `${t.text} wants a target or chain`, t.column, t.text);
      let j = i + 2;
      const optTokens: Token[] = [];
      while (j < tokens.length && !(CORE_SHORT.has(tokens[j]!.text) && !tokens[j]!.quoted && tokens[j]!.text !== '!')) {
        optTokens.push(tokens[j]!);
        j++;
      }
      const isGoto = t.text === '-g' || t.text === '--goto';
      const r = parseTarget(nameTok, optTokens, isGoto, ctx, env);
      target = r.target;
      jumpTo = r.jumpTo;
      i = j;
      continue;
    }
    if (t.text === '-c' || t.text === '--set-counters') {
      const p = tokens[i + 1]?.text ?? '';
      const b = tokens[i + 2]?.text ?? '';
      if (!/^\d+$/.test(p) || !/^\d+$/.test(b)) return env.err('E_IPT_BAD_VALUE', '-c wants PACKETS BYTES', t.column, t.text);
      counters = { packets: BigInt(p), bytes: BigInt(b) };
      i += 3;
      continue;
    }
    const name = t.text.replace(/^--?/, '');
    const short = !t.text.startsWith('--');
    if (open && !short && (open.family?.options[name] !== undefined || (!open.implicit && !CORE_OPTION_FAMILIES.has(name)))) {
      // An option of the open -m module (or an option it does not know, kept as text).
      const arity = open.family?.options[name];
      if (arity === undefined) {
        let j = i + 1;
        const args: string[] = [];
        while (j < tokens.length && (tokens[j]!.quoted || !tokens[j]!.text.startsWith('-')) && tokens[j]!.text !== '!') args.push(tokens[j++]!.text);
        open.unknown.push([...(negated ? ['!'] : []), t.text, ...args]);
        i = j;
        continue;
      }
      const [opt, next] = readOption(i, name, arity, negated);
      open.opts.push(opt);
      i = next;
      continue;
    }
    const core = CORE_OPTION_FAMILIES.get(name);
    if (core && (short ? name.length === 1 : name.length > 1)) {
      const [opt, next] = readOption(i, name, core.options[name]!, negated);
      const m = core.parse('', [opt], ctx);
      if (m.kind === 'proto' && !m.negated) proto = m.proto;
      matches.push(m);
      i = next;
      continue;
    }
    // iptables loads the protocol's match implicitly after -p tcp/udp/…: `-p tcp --dport 80`.
    const implicitName = proto !== undefined ? protoName(proto) : undefined;
    const implicit = implicitName ? MODULE_FAMILIES.get(implicitName) : undefined;
    if (implicit && implicitName && !short && implicit.options[name] !== undefined) {
      if (!open || open.name !== implicitName) {
        close();
        open = { name: implicitName, family: implicit, opts: [], unknown: [], implicit: true };
      }
      const [opt, next] = readOption(i, name, implicit.options[name]!, negated);
      open.opts.push(opt);
      i = next;
      continue;
    }
    env.err('E_IPT_UNKNOWN_OPTION', `unknown option "${t.text}"${open ? ` for -m ${open.name}` : ''}`, t.column, t.text,
      open ? undefined : 'module options follow their -m MODULE; core options are -s -d -p -i -o -f -m -j -g');
  }
  if (negNext) {
    const last = tokens[tokens.length - 1]!;
    env.err('E_IPT_BAD_LINE', '"!" at the end of a rule negates nothing', last.column, '!');
  }
  close();
  return { matches, target, jumpTo, counters };
}

function finishModule(open: OpenModule, ctx: ParseCtx): Match {
  const args = [...open.opts.flatMap((o) => [...(o.negated ? ['!'] : []), `--${o.name}`, ...o.args]), ...open.unknown.flat()];
  if (!open.family) return { kind: 'unmodelled', module: open.name, args, reason: `match module -m ${open.name} is not modelled` };
  if (open.unknown.length > 0) {
    return { kind: 'unmodelled', module: open.name, args, reason: `option ${open.unknown.map((u) => u.join(' ')).join(', ')} of -m ${open.name} is not modelled` };
  }
  return open.family.parse(open.name, open.opts, ctx);
}

function parseTarget(nameTok: Token, optTokens: readonly Token[], isGoto: boolean, ctx: ParseCtx, env: BodyEnv): { target: Target; jumpTo?: PendingRule['jumpTo'] } {
  const name = nameTok.text;
  const loc = { file: env.file, line: env.lineNo, column: nameTok.column };
  if (isGoto) {
    if (optTokens.length > 0) return env.err('E_IPT_UNEXPECTED_TOKEN', `-g ${name} takes no options`, optTokens[0]!.column, optTokens[0]!.text);
    return { target: { kind: 'goto', chain: name }, jumpTo: { name, loc, token: nameTok, line: env.line } };
  }
  const family = TARGET_NAMES.get(name);
  if (!family) {
    if (optTokens.length > 0) {
      return { target: { kind: 'unmodelled', name, args: optTokens.map((t) => t.text) } };
    }
    return { target: { kind: 'jump', chain: name }, jumpTo: { name, loc, token: nameTok, line: env.line } };
  }
  const opts: ParsedOption[] = [];
  const unknown: string[] = [];
  let neg = false;
  for (let j = 0; j < optTokens.length; ) {
    const t = optTokens[j]!;
    if (t.text === '!' && !t.quoted) { neg = true; j++; continue; }
    if (!t.text.startsWith('--') || t.quoted) return env.err('E_IPT_UNEXPECTED_TOKEN', `unexpected "${t.text}" after -j ${name}`, t.column, t.text);
    const oname = t.text.slice(2);
    const arity = family.options[oname];
    if (arity === undefined) {
      let k = j + 1;
      while (k < optTokens.length && (optTokens[k]!.quoted || !optTokens[k]!.text.startsWith('-'))) k++;
      unknown.push(optTokens.slice(j, k).map((x) => x.text).join(' '));
      j = k;
      continue;
    }
    const args = optTokens.slice(j + 1, j + 1 + arity);
    if (args.length < arity) return env.err('E_IPT_MISSING_VALUE', `${t.text} wants ${arity} value${arity > 1 ? 's' : ''}`, t.column, t.text);
    const last = args[args.length - 1] ?? t;
    opts.push({
      name: oname, negated: neg, args: args.map((a) => a.text),
      loc: { file: env.file, line: env.lineNo, column: t.column },
      argLocs: args.map((a) => ({ file: env.file, line: env.lineNo, column: a.column })),
      width: last.column + last.width - t.column,
    });
    neg = false;
    j += 1 + arity;
  }
  if (unknown.length > 0) return { target: { kind: 'unmodelled', name, args: optTokens.map((t) => t.text) } };
  return { target: family.parse(name, opts, ctx) };
}
