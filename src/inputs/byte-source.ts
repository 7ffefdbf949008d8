// Byte sources for the stdin reader (stdin-reader.ts): standard input read into one reused buffer.
// Node's process.stdin allocates a fresh 64 KB Buffer for every read, which the reader copied into its
// block and dropped: a megabyte of short-lived ArrayBuffers per megabyte of input, 10–15 MB of RSS at
// send's peak (bench/README.md). So a pipe or a socket is read by a net.Socket in its `onread` mode
// (Node reads into our buffer) and a regular file by fs.read into our buffer; anything else (a
// terminal, /dev/null) goes through process.stdin. Any Readable can be a source too (tests).
//
// A read's bytes are valid only while its `read` handler runs: the reader copies them at once.
// States: created → reading ⇄ paused → ended (end of input, an error, or stop()); after end, error or
// stop no handler is called again. Each source owns its one read buffer.
import { fstatSync, read as readFd } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import type { Readable } from 'node:stream';

export interface ByteHandlers {
  read(bytes: Buffer): void;
  end(): void;
  error(err: Error): void;
}

export interface ByteSource {
  start(handlers: ByteHandlers): void;
  pause(): void;
  resume(): void;
  /** Stop reading for good: no handler is called after this, and a pipe left open by its writer no longer keeps the process alive. */
  stop(): void;
}

/** One read of a pipe or socket at most (the size process.stdin reads with). */
const PIPE_READ_BYTES = 64 * 1024;
/** One read of a regular file: larger, as each read is a round trip to libuv's thread pool. */
const FILE_READ_BYTES = 256 * 1024;

/** File descriptor 0 read as this process's standard input is: a pipe, a socket, a file or a terminal. */
export function stdinSource(): ByteSource {
  let kind: 'socket' | 'file' | 'other' = 'other';
  try {
    const st = fstatSync(0);
    kind = st.isFIFO() || st.isSocket() ? 'socket' : st.isFile() ? 'file' : 'other';
  } catch {
    // fd 0 closed or unreadable: process.stdin reports it as it does.
  }
  if (kind === 'socket') return socketSource(0);
  if (kind === 'file') return fileSource(0);
  return streamSource(process.stdin);
}

/** Hands over the handlers once: the first end or error detaches them. */
class Once {
  #h: ByteHandlers | null = null;
  attach(h: ByteHandlers): void {
    this.#h = h;
  }
  read(bytes: Buffer): void {
    this.#h?.read(bytes);
  }
  end(): void {
    const h = this.detach();
    h?.end();
  }
  error(err: Error): void {
    const h = this.detach();
    h?.error(err);
  }
  detach(): ByteHandlers | null {
    const h = this.#h;
    this.#h = null;
    return h;
  }
  get attached(): boolean {
    return this.#h !== null;
  }
}

/** A pipe or socket: Node reads into one buffer of ours (net.Socket's onread mode). */
export function socketSource(fd: number): ByteSource {
  const handlers = new Once();
  const buffer = Buffer.allocUnsafeSlow(PIPE_READ_BYTES);
  let socket: Socket | null = null;
  return {
    start(h) {
      handlers.attach(h);
      const onread: OnReadOpts = {
        buffer,
        callback: (n) => {
          handlers.read(buffer.subarray(0, n));
          return true;
        },
      };
      const opts: SocketConstructorOpts & { onread: OnReadOpts } = { fd, readable: true, writable: false, onread };
      socket = new Socket(opts);
      socket.on('end', () => handlers.end());
      socket.on('error', (err) => handlers.error(err));
    },
    pause: () => socket?.pause(),
    resume: () => socket?.resume(),
    stop() {
      handlers.detach();
      socket?.pause();
      socket?.unref();
    },
  };
}

/** A regular file: fs.read into one buffer, one read at a time, until a read returns nothing. */
export function fileSource(fd: number): ByteSource {
  const handlers = new Once();
  const buffer = Buffer.allocUnsafeSlow(FILE_READ_BYTES);
  let paused = false;
  let reading = false;
  const next = (): void => {
    if (!handlers.attached || paused || reading) return;
    reading = true;
    readFd(fd, buffer, 0, buffer.length, null, (err, n) => {
      reading = false;
      if (err) handlers.error(err);
      else if (n === 0) handlers.end();
      else {
        handlers.read(buffer.subarray(0, n));
        next();
      }
    });
  };
  return {
    start(h) {
      handlers.attach(h);
      next();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      next();
    },
    stop() {
      handlers.detach();
    },
  };
}

/** Any readable stream of bytes (a terminal's process.stdin; a test's PassThrough). */
export function streamSource(input: Readable): ByteSource {
  const handlers = new Once();
  const onData = (chunk: Buffer): void => handlers.read(chunk);
  return {
    start(h) {
      handlers.attach(h);
      input.on('data', onData);
      input.once('end', () => handlers.end());
      input.on('error', (err) => handlers.error(err)); // kept: a stream's later error is not a crash
    },
    pause: () => input.pause(),
    resume: () => input.resume(),
    stop() {
      handlers.detach();
      input.off('data', onData);
      input.pause();
      (input as { unref?: () => void }).unref?.(); // a terminal's or a pipe's handle
    },
  };
}
