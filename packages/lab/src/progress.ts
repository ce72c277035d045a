// A progress bar on stderr for long runs, drawn only on a terminal (never into a pipe or a file).

export class Progress {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private total = 0;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY);
  }

  start(total: number): void {
    this.total = total;
    this.update(0);
  }

  update(done: number): void {
    if (!this.enabled || this.total === 0) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    const width = 30;
    const fraction = Math.min(1, done / this.total);
    const filled = Math.round(fraction * width);
    this.stream.write(
      `\r${this.label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${this.total} runs`,
    );
  }

  /** Draws the bar full (the plan may have counted runs that turned out not to be needed) and ends the line. */
  finish(): void {
    if (!this.enabled || this.total === 0) return;
    this.lastDraw = 0;
    this.update(this.total);
    this.stream.write("\n");
  }
}
