/**
 * The benchmark's results: figures (each beside the ceiling it is judged against, and the goal
 * from the performance issue when it has one), per-phase CPU use of every process, and notes.
 * Written as markdown for people and JSON for the next run's "before" column.
 */
import type { PhaseUsage } from './process-usage';
import { describeUsage, saturation } from './process-usage';

export interface Figure {
  scenario: string;
  key: string;
  label: string;
  value: number;
  unit: string;
  /** What the same machine does with nothing of the product in the way, measured in this run. */
  ceiling?: { label: string; value: number; unit: string };
  /** How value compares to the ceiling, e.g. "78 % of" or "+12 ms over". */
  versus?: string;
  goal?: { text: string; met: boolean };
  /** Spread over repeats, e.g. "3 runs: 610–655". */
  spread?: string;
}

export interface PhaseRecord {
  scenario: string;
  phase: string;
  usage: PhaseUsage;
}

export interface BenchResults {
  startedAt: string;
  mode: 'quick' | 'full';
  machine: Record<string, string>;
  versions: Record<string, string>;
  settings: Record<string, string>;
  figures: Figure[];
  phases: PhaseRecord[];
  notes: string[];
  durationSeconds: number;
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`.trim();
}

export function renderReport(results: BenchResults, baseline?: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# Benchmark, ${results.mode} mode, ${results.startedAt}`, '');
  lines.push(`Took ${Math.round(results.durationSeconds)} s. \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\`.`, '');
  lines.push('## Machine and versions', '');
  for (const [name, value] of [...Object.entries(results.machine), ...Object.entries(results.versions)]) lines.push(`- ${name}: ${value}`);
  lines.push('', '## Settings', '');
  for (const [name, value] of Object.entries(results.settings)) lines.push(`- ${name}: ${value}`);
  lines.push('', '## Summary', '');
  if (baseline) lines.push(`"before": the ${baseline.mode} run of ${baseline.startedAt} (commit ${baseline.versions.commit ?? '?'}).`, '');
  const before = new Map((baseline?.figures ?? []).map((figure) => [figure.key, figure]));
  lines.push(
    baseline
      ? '| figure | before | after | ceiling (same run) | after vs ceiling | goal |'
      : '| figure | value | ceiling (same run) | vs ceiling | goal |',
  );
  lines.push(baseline ? '| --- | --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- | --- |');
  for (const figure of results.figures) {
    const ceiling = figure.ceiling ? `${formatValue(figure.ceiling.value, figure.ceiling.unit)} (${figure.ceiling.label})` : '';
    const goal = figure.goal ? `${figure.goal.met ? '✅' : '❌'} ${figure.goal.text}` : '';
    const value = `${formatValue(figure.value, figure.unit)}${figure.spread ? ` (${figure.spread})` : ''}`;
    if (baseline) {
      // A figure of another size (a quick baseline beside a full run) is no "before".
      const match = before.get(figure.key);
      const old = match && match.label === figure.label ? match : undefined;
      lines.push(
        `| ${figure.label} | ${old ? formatValue(old.value, old.unit) : '—'} | ${value} | ${ceiling} | ${figure.versus ?? ''} | ${goal} |`,
      );
    } else {
      lines.push(`| ${figure.label} | ${value} | ${ceiling} | ${figure.versus ?? ''} | ${goal} |`);
    }
  }
  lines.push('', '## Where the time went (CPU per process, % of one core)', '');
  lines.push('| scenario | phase | wall | CPU | what saturates |', '| --- | --- | --- | --- | --- |');
  for (const phase of results.phases) {
    lines.push(
      `| ${phase.scenario} | ${phase.phase} | ${phase.usage.wallSeconds.toFixed(0)} s | ${describeUsage(phase.usage)} | ${saturation(phase.usage)} |`,
    );
  }
  if (results.notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const note of results.notes) lines.push(`- ${note}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** "78 % of" a throughput ceiling. */
export function percentOf(value: number, ceiling: number): string {
  return `${((value / ceiling) * 100).toFixed(0)} % of ceiling`;
}

/** "+12 ms over" a latency ceiling. */
export function overBy(value: number, ceiling: number, unit = 'ms'): string {
  const delta = value - ceiling;
  return `${delta >= 0 ? '+' : '−'}${formatValue(Math.abs(delta), unit)} vs ceiling`;
}

/** "×3.2 the ceiling". */
export function timesOf(value: number, ceiling: number): string {
  return `×${(value / ceiling).toFixed(1)} the ceiling`;
}
