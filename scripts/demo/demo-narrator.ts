/** The demo's voice: one line per thing that happened, stamped with the seconds since the demo began. */
export class DemoNarrator {
  private readonly startedAt = Date.now();

  constructor(private readonly write: (line: string) => void = (line) => console.log(line)) {}

  /** A section title. */
  title(text: string): void {
    this.write('');
    this.write(`== ${text}`);
  }

  /** Something that happened; `label` is padded so the lines read as a column. */
  say(label: string, text: string): void {
    this.write(`[${this.elapsed()}] ${label.padEnd(16)} ${text}`);
  }

  elapsedSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  private elapsed(): string {
    return `${this.elapsedSeconds().toFixed(1).padStart(5)} s`;
  }
}
