/**
 * What a long command says while it works: a progress line with rate and ETA rewritten in place
 * on a terminal, plain lines (one every few seconds) when piped or logged.
 */
export class Reporter {
  private readonly started = Date.now();
  private lastPlain = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get interactive(): boolean {
    return Boolean(this.stream.isTTY);
  }

  line(text: string): void {
    if (this.interactive) this.stream.write('\r\x1b[K');
    this.stream.write(`${text}\n`);
  }

  error(text: string): void {
    this.line(`error: ${text}`);
  }

  progress(label: string, done: number, total?: number): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = total && rate > 0 ? ` · ETA ${Math.max(0, Math.round((total - done) / rate))}s` : '';
    const of = total ? `/${total}` : '';
    if (this.interactive) {
      const width = 24;
      const filled = total ? Math.min(width, Math.round((done / total) * width)) : 0;
      const bar = total ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
      this.stream.write(`\r\x1b[K${bar}${label} ${done}${of} · ${Math.round(rate)}/s${eta}`);
    } else if (Date.now() - this.lastPlain >= 2000 || (total !== undefined && done >= total)) {
      this.lastPlain = Date.now();
      this.stream.write(`${label} ${done}${of} (${Math.round(rate)}/s${eta})\n`);
    }
  }

  done(): void {
    if (this.interactive) this.stream.write('\n');
  }
}
