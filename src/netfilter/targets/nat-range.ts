import { parseIp } from '../cidr.js';
import type { ParseCtx, ParsedOption } from '../family.js';
import type { NatRange, PortRange } from '../model.js';
import { parsePort } from '../values.js';

/** Parses `PORT[-PORT]` (NAT targets' port span). */
export function portRange(text: string): PortRange | undefined {
  const [a, b] = text.split('-');
  const from = parsePort(a ?? '');
  const to = b === undefined ? from : parsePort(b);
  return from === undefined || to === undefined || from > to ? undefined : { from, to };
}

/**
 * Parses a DNAT/SNAT range: `ADDR[-ADDR][:PORT[-PORT]]`, IPv6 as `[ADDR][-[ADDR]][:PORT…]` or a
 * bare IPv6 address, or `:PORT` alone.
 */
export function parseNatRange(o: ParsedOption, ctx: ParseCtx, argIndex = 0): NatRange {
  const text = o.args[argIndex] ?? '';
  const bad = (): never => ctx.fail('E_IPT_BAD_VALUE', `--${o.name} wants ADDR[-ADDR][:PORT[-PORT]], got "${text}"`, o, argIndex);
  let addrPart = text;
  let portPart: string | undefined;
  if (ctx.family === 6 && text.includes('[')) {
    const close = text.lastIndexOf(']');
    if (close < 0) bad();
    addrPart = text.slice(0, close + 1).replace(/[[\]]/g, '');
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) bad();
      portPart = rest.slice(1);
    }
  } else if (ctx.family === 4) {
    const colon = text.indexOf(':');
    if (colon >= 0) {
      addrPart = text.slice(0, colon);
      portPart = text.slice(colon + 1);
    }
  }
  let addrFrom: string | undefined;
  let addrTo: string | undefined;
  if (addrPart !== '') {
    const [a, b] = addrPart.split('-');
    const ia = parseIp(a ?? '');
    const ib = b === undefined ? ia : parseIp(b);
    if (!ia || !ib || ia.family !== ctx.family || ib.family !== ctx.family || ia.value > ib.value) bad();
    addrFrom = a;
    addrTo = b ?? a;
  }
  let ports: PortRange | undefined;
  if (portPart !== undefined) {
    ports = portRange(portPart);
    if (!ports) bad();
  }
  if (addrFrom === undefined && ports === undefined) bad();
  return { addrFrom, addrTo, ports, text };
}
