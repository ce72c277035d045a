// A progress bar on stderr for long replays and audits, shown only on a terminal.

export class Progress {
  private readonly enabled: boolean;
  private lastDraw = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY) && total > 0;
    this.stream = stream;
  }
  private readonly stream: NodeJS.WriteStream;

  update(done: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    const width = 30;
    const fraction = Math.min(1, done / this.total);
    const filled = Math.round(fraction * width);
    this.stream.write(
      `\r${this.label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ${done}/${this.total}`,
    );
  }

  finish(): void {
    if (this.enabled) this.stream.write("\n");
  }
}
