// The sweep's report: strategy x call x fault with OK / STRANDED / LOST counts, then the cases that were not OK.
const COLUMNS = ['strategy', 'call', 'fault', 'runs', 'OK', 'STRANDED', 'LOST', 'in window', 'OK, left files'];

/** One row per strategy, call and fault: strategies in the order given, each one's cases in the order they ran. */
export function tally(results, order) {
  const rows = new Map();
  const rank = (r) => order.indexOf(r.scenario);
  for (const r of [...results].sort((a, b) => rank(a) - rank(b))) {
    const k = `${r.scenario}|${r.call}|${r.fault}`;
    const row = rows.get(k) ?? { strategy: r.scenario, call: r.call, fault: r.fault, runs: 0, OK: 0, STRANDED: 0, LOST: 0, 'in window': 0, 'OK, left files': 0 };
    row.runs++;
    if (r.consented) row['in window']++;
    else row[r.verdict]++;
    if (r.verdict === 'OK' && r.left.length > 0) row['OK, left files']++;
    rows.set(k, row);
  }
  return [...rows.values()];
}

/** A plain-text table, columns padded; totals last. */
export function formatTable(rows) {
  const total = { strategy: 'total', call: '', fault: '' };
  for (const c of COLUMNS.slice(3)) total[c] = rows.reduce((s, r) => s + r[c], 0);
  const all = [...rows, total];
  const width = COLUMNS.map((c) => Math.max(c.length, ...all.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((cell, i) => (i < 3 ? String(cell).padEnd(width[i]) : String(cell).padStart(width[i]))).join('  ');
  return [line(COLUMNS), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(COLUMNS.map((c) => r[c]))), line(COLUMNS.map((c) => total[c]))].join('\n');
}

/** The non-OK cases, each with what happened and the two ways to reproduce it. */
export function formatCases(results, limit) {
  const bad = results.filter((r) => r.verdict !== 'OK');
  const shown = bad.slice(0, limit);
  const lines = shown.map((r) =>
    [
      `${r.verdict}${r.consented ? ' (inside the consented window)' : ''} ${r.id}: ${r.how}${r.lostBytes ? `, ${r.lostBytes} bytes nowhere` : ''}`,
      ...r.steps.map((s) => `  ${s.what}: exit ${s.code}${s.timedOut ? ' (timed out, killed)' : ''}; last line: ${s.output.split('\n').at(-1)}`),
      `  files: ${r.files.join(', ') || 'none'}`,
      `  reproduce: npm run faults -- --case ${r.id} --keep`,
      `  strace:    ${r.command}`,
    ].join('\n'),
  );
  if (bad.length > shown.length) lines.push(`... and ${bad.length - shown.length} more (--all shows them)`);
  return lines.join('\n');
}
