/** What every scenario receives: the stack, the mode's sizes, and where figures and progress go. */

import { measurePhase } from './process-usage';
import type { Figure, PhaseRecord } from './report';
import type { BenchStack } from './stack';

export interface ModeSizes {
  /** Repeats of each short measurement (the median is reported). */
  repeats: number;
  /** Closed-loop duration (ms) and connections. */
  closedLoopMs: number;
  connections: number;
  /** Open-loop (steady rate) duration (ms). */
  openLoopMs: number;
  burstTransactions: number;
  fleetTransactions: number;
  fleetWindowMs: number;
  /** Sync-log rows before /metrics is scraped. */
  syncLogRows: number;
  /** Transactions per regime in the 14-day polling simulation. */
  cadenceTransactions: number;
}

export const MODES: Record<'quick' | 'full', ModeSizes> = {
  quick: {
    repeats: 2,
    closedLoopMs: 4_000,
    connections: 32,
    openLoopMs: 8_000,
    burstTransactions: 200,
    fleetTransactions: 1_000,
    fleetWindowMs: 60_000,
    syncLogRows: 340_000,
    cadenceTransactions: 1,
  },
  full: {
    repeats: 3,
    closedLoopMs: 10_000,
    connections: 32,
    openLoopMs: 30_000,
    burstTransactions: 200,
    fleetTransactions: 10_000,
    fleetWindowMs: 600_000,
    syncLogRows: 3_400_000,
    cadenceTransactions: 10,
  },
};

/** An open transaction of the simulator with its workflow running. */
export interface OpenTransaction {
  id: string;
  sageNumber: string;
  emails: string[];
  /** As the workflow holds them after its first sync. */
  signers: Array<{ email: string; name: string | null; state: string; url: string | null }>;
}

export interface BenchContext {
  mode: 'quick' | 'full';
  sizes: ModeSizes;
  stack: BenchStack;
  /** Transactions whose workflows receive the webhook load. */
  webhookPool: OpenTransaction[];
  log(line: string): void;
  figure(figure: Figure): void;
  note(text: string): void;
  /** Runs `work`, recording every process's CPU over it. */
  phase<T>(scenario: string, phase: string, work: () => Promise<T>): Promise<T>;
}

export function createPhaseRecorder(stack: BenchStack, phases: PhaseRecord[]) {
  return async function phase<T>(scenario: string, name: string, work: () => Promise<T>): Promise<T> {
    const end = measurePhase(stack.parts());
    try {
      return await work();
    } finally {
      phases.push({ scenario, phase: name, usage: end() });
    }
  };
}
