import fs from 'node:fs';
import path from 'node:path';
import type { Options } from './args.js';
import { BENCH_ENV } from './server.js';
import type { Target } from './target.js';
import { fmt, machine, type Machine } from './util.js';

/** One line of a scenario's table, optionally with the target it is held against. */
export interface Row {
  label: string;
  value: number | string | null;
  digits?: number;
  target?: { op: '<=' | '>=' | '=='; value: number; label?: string };
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  /** Everything measured, for the JSON line. */
  results: Record<string, unknown>;
  rows: Row[];
}

export function met(r: Row): boolean | null {
  if (!r.target || typeof r.value !== 'number') return null;
  const { op, value } = r.target;
  return op === '<=' ? r.value <= value : op === '>=' ? r.value >= value : r.value === value;
}

/** Start-to-healthy of each started node, and server CPU/RSS rows common to all scenarios. */
export function serverRows(t: Target): Row[] {
  if (t.startMs.length === 0) return [];
  return [{ label: 'server start to healthy (ms)', value: Math.max(...t.startMs), target: { op: '<=', value: 1500 } }];
}

export function printTable(r: ScenarioResult, t: Target): void {
  const head = `== ${r.title} — ${t.database}, ${t.bus} bus, ${t.nodes} node${t.nodes > 1 ? 's' : ''} ==`;
  const lines = r.rows.map((row) => {
    const ok = met(row);
    const target = row.target
      ? (row.target.label ?? `${row.target.op === '<=' ? '≤' : row.target.op === '>=' ? '≥' : '='} ${fmt(row.target.value)}`)
      : '';
    const value = typeof row.value === 'number' ? fmt(row.value, row.digits ?? 0) : fmt(row.value);
    return `  ${row.label.padEnd(40)} ${value.padStart(14)}   ${target.padEnd(12)} ${ok === null ? '' : ok ? 'met' : 'NOT MET'}`;
  });
  const other =
    t.otherCores === null ? '' : `\n  (other processes kept ${t.otherCores} of ${machine().cores} cores busy while this was measured)`;
  console.log(`\n${head}\n${lines.join('\n')}${other}`);
}

/** A URL without its password. */
const mask = (url: string): string => url.replace(/(\/\/[^:@/]*):[^@/]*@/, '$1:…@');

/** The JSON line of a scenario: machine, flags, database and bus, results and targets. */
export function jsonLine(r: ScenarioResult, t: Target, o: Options, m: Machine = machine()): string {
  return JSON.stringify({
    scenario: r.scenario,
    at: new Date().toISOString(),
    machine: m,
    flags: {
      ...o.given,
      url: o.url.length > 0 ? o.url : undefined,
      nodes: t.nodes,
      db: mask(o.db),
      redis: o.redis && mask(o.redis),
      cpuProf: o.cpuProf || undefined,
    },
    database: t.database,
    bus: t.bus,
    nodes: t.nodes,
    serverEnv: o.url.length > 0 ? undefined : BENCH_ENV,
    serverEntry: o.url.length > 0 ? undefined : o.entry,
    startToHealthyMs: t.startMs,
    windowMonoUs: t.window,
    otherLoadCores: t.otherCores,
    results: r.results,
    targets: r.rows
      .filter((row) => row.target)
      .map((row) => ({ metric: row.label, value: row.value, op: row.target?.op, target: row.target?.value, met: met(row) })),
  });
}

export function writeJson(file: string | undefined, line: string): void {
  console.log(line);
  if (!file) return;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.appendFileSync(file, `${line}\n`);
}
