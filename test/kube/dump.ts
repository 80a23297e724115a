// Small readers over rendered iptables-save text for assertions.

/** The lines of one table (`*name` … `COMMIT`), header comments dropped. */
export function tableLines(save: string, table: string): string[] {
  const lines = save.split('\n').filter((l) => !l.startsWith('#'));
  const start = lines.indexOf(`*${table}`);
  if (start < 0) return [];
  const end = lines.indexOf('COMMIT', start);
  return lines.slice(start, end + 1);
}

/** The `-A chain …` lines of one chain in one table. */
export function chainRules(save: string, table: string, chain: string): string[] {
  return tableLines(save, table).filter((l) => l.startsWith(`-A ${chain} `));
}

/** The user chains declared in one table. */
export function declaredChains(save: string, table: string): string[] {
  return tableLines(save, table).filter((l) => l.endsWith(' - [0:0]')).map((l) => l.slice(1, -' - [0:0]'.length));
}
