/**
 * CPU and memory of the processes taking part in a run, read from /proc: each part's CPU time
 * over a phase (as % of one core), its RSS, and the machine's total, so a report can name the
 * process that saturates. PostgreSQL counts all its server processes together.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export interface ProcessRef {
  name: string;
  /** A pid, or a function finding the pids (PostgreSQL forks a process per connection). */
  pids: () => number[];
}

export interface PhaseUsage {
  wallSeconds: number;
  /** % of one core per part, over the phase. */
  cpuPercent: Record<string, number>;
  /** The machine as a whole (all cores): busy % of its capacity. */
  machineBusyPercent: number;
  cores: number;
  /** RSS (MiB) per part at the end of the phase. */
  rssMiB: Record<string, number>;
}

export function pidRef(name: string, pid: () => number | undefined): ProcessRef {
  return {
    name,
    pids: () => {
      const value = pid();
      return value ? [value] : [];
    },
  };
}

export function commandRef(name: string, command: string): ProcessRef {
  return { name, pids: () => pidsOfCommand(command) };
}

export function pidsOfCommand(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "(comm) ".
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function machineTicks(): { busy: number; total: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = (lines[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const cores = lines.filter((line) => /^cpu\d+ /.test(line)).length;
  return { busy: total - idle, total, cores };
}

/** Starts measuring; the returned function ends the phase and reports it. */
export function measurePhase(parts: ProcessRef[]): () => PhaseUsage {
  const started = performance.now();
  const machineStart = machineTicks();
  const startTicks = new Map<string, Map<number, number>>();
  for (const part of parts) startTicks.set(part.name, new Map(part.pids().map((pid) => [pid, cpuTicks(pid)])));
  return () => {
    const wallSeconds = (performance.now() - started) / 1000;
    const machineEnd = machineTicks();
    const cpuPercent: Record<string, number> = {};
    const rss: Record<string, number> = {};
    for (const part of parts) {
      const before = startTicks.get(part.name) ?? new Map<number, number>();
      let ticks = 0;
      let memory = 0;
      for (const pid of part.pids()) {
        // A process born during the phase counts from zero.
        ticks += cpuTicks(pid) - (before.get(pid) ?? 0);
        memory += rssMiB(pid);
      }
      cpuPercent[part.name] = (ticks / TICKS_PER_SECOND / wallSeconds) * 100;
      rss[part.name] = memory;
    }
    const total = machineEnd.total - machineStart.total;
    return {
      wallSeconds,
      cpuPercent,
      machineBusyPercent: total > 0 ? ((machineEnd.busy - machineStart.busy) / total) * 100 : 0,
      cores: machineEnd.cores,
      rssMiB: rss,
    };
  };
}

/** "worker 96 %, temporal 61 %, …" busiest first, and which one saturates (if any). */
export function describeUsage(usage: PhaseUsage): string {
  const parts = Object.entries(usage.cpuPercent)
    .filter(([, percent]) => percent >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([name, percent]) => `${name} ${percent.toFixed(0)} %`);
  return `machine ${usage.machineBusyPercent.toFixed(0)} % busy of ${usage.cores} cores; ${parts.join(', ')}`;
}

/** The part using the most CPU, and whether the machine as a whole was the limit. */
export function saturation(usage: PhaseUsage): string {
  const [top] = Object.entries(usage.cpuPercent).sort((a, b) => b[1] - a[1]);
  if (!top) return 'n/a';
  const machineBound = usage.machineBusyPercent >= 85;
  const processBound = top[1] >= 90;
  if (machineBound)
    return `machine saturated (${usage.machineBusyPercent.toFixed(0)} % of ${usage.cores} cores); busiest: ${top[0]} (${top[1].toFixed(0)} % of a core)`;
  if (processBound) return `${top[0]} saturates one core (${top[1].toFixed(0)} %)`;
  return `nothing saturated (machine ${usage.machineBusyPercent.toFixed(0)} % busy; busiest ${top[0]} ${top[1].toFixed(0)} %)`;
}
