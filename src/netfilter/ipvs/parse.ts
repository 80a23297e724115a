import { readIpvsadmList } from './list.js';
import type { IpvsTable } from './model.js';
import { readIpvsadmSave } from './save.js';
import { finishTable, type ServiceDrafts } from './table.js';
import { ipvsError, tokenize, type Line } from './tokens.js';

// IPVS is not in the kernel kpath is developed on (`ipvsadm` answers "Protocol not available"), so
// neither format was captured from a live table here: both follow ipvsadm 1.31's printf formats
// (ipvsadm.c: print_service_entry, print_title, list_all, addrport_to_anyname), its man page, and
// the dumps quoted in kube-proxy.md §3.

const LIST_START = /^(IP Virtual Server version |Prot LocalAddress:Port|(TCP|UDP|SCTP|FWM) )/;

/**
 * Parses `ipvsadm-save -n` or `ipvsadm -Ln` output, told apart by the first line that is not blank
 * (or a `#` comment). Throws a KpathError (E_IPVS_BAD_LINE, E_IPVS_BAD_VALUE) at file:line:column
 * for text it cannot read, including dumps taken without -n.
 */
export function parseIpvsadm(text: string, file: string): IpvsTable {
  const lines: Line[] = text.split('\n').map((t, i) => ({ file, line: i + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }));
  const drafts: ServiceDrafts = new Map();
  const first = lines.find((l) => l.text.trim() !== '' && !l.text.trim().startsWith('#'));
  if (!first) return finishTable(file, drafts);
  const head = first.text.trimStart();
  if (/^-[Aa](\s|$)/.test(head) || /^--add-serv(ice|er)(\s|$)/.test(head)) readIpvsadmSave(lines, drafts);
  else if (LIST_START.test(head)) readIpvsadmList(lines, drafts);
  else {
    throw ipvsError('E_IPVS_BAD_LINE', 'this is neither `ipvsadm-save -n` nor `ipvsadm -Ln` output', first, tokenize(first)[0]!,
      'capture `ipvsadm-save -n` (preferred) or `ipvsadm -Ln`');
  }
  return finishTable(file, drafts);
}
