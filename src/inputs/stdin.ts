// The stdin input inside the daemon: lines from the daemon's standard input, parsed as `send` does.
// Backpressure is natural: the next chunk of stdin is not read until the previous batch committed.
// At end of input the input is finished (the daemon keeps running its other inputs).
import type { Readable } from 'node:stream';
import type { StdinInputConfig } from '../config/types.js';
import type { LogEvent } from '../core/record.js';
import { createParser, LineSplitter } from '../parsers/index.js';
import type { Input, InputContext } from './types.js';

export class StdinInput implements Input {
  readonly name: string;
  readonly #cfg: StdinInputConfig;
  readonly #ctx: InputContext;
  readonly #stream: Readable;
  #loop: Promise<void> | null = null;
  #stopped = false;
  lines = 0;
  parseErrors = 0;

  constructor(name: string, cfg: StdinInputConfig, ctx: InputContext, stream: Readable = process.stdin) {
    this.name = name;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#stream = stream;
  }

  async start(): Promise<void> {
    const parse = createParser(this.#cfg.format, this.#cfg.timeKey !== undefined ? { timeKey: this.#cfg.timeKey } : {});
    this.#loop = this.#run(parse).catch((err: Error) => this.#ctx.log('error', `${this.name}: reading stdin failed: ${err.message}`));
  }

  async #run(parse: ReturnType<typeof createParser>): Promise<void> {
    const splitter = new LineSplitter();
    const tag = this.#cfg.tag;
    const toEvents = (lines: string[], nowSec: number): LogEvent[] => {
      const events: LogEvent[] = [];
      for (const line of lines) {
        if (line.length === 0) continue;
        const r = parse(line, nowSec);
        if (r.error !== undefined) this.parseErrors++;
        events.push({ tag, record: r.record });
      }
      return events;
    };
    for await (const chunk of this.#stream as AsyncIterable<Buffer>) {
      const events = toEvents(splitter.push(chunk), Math.floor(Date.now() / 1000));
      if (events.length > 0) {
        await this.#ctx.sink.write(events);
        this.lines += events.length;
      }
      if (this.#stopped) return;
    }
    const rest = splitter.end();
    if (rest !== null) {
      const events = toEvents([rest], Math.floor(Date.now() / 1000));
      if (events.length > 0) await this.#ctx.sink.write(events);
      this.lines += events.length;
    }
    this.#ctx.log('info', `${this.name}: end of stdin after ${this.lines} lines`);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stream.pause();
    // Do not wait for a read that may never come; a write already in progress completes.
    await Promise.race([this.#loop, new Promise((r) => setTimeout(r, 100))]);
  }
}
