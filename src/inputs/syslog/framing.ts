// Splits a syslog TCP stream into messages (RFC 6587): octet counting (`<length> SP <message>`, the
// message may hold newlines) or newline framing (non-transparent: a message ends at LF). `auto`
// decides per frame, as rsyslog does: a frame starting with a digit is octet-counted, one starting
// with anything else (normally `<`) runs to the next LF.
//
// States
//   start  - between frames: stray CR/LF/NUL are skipped, the first other byte picks the framing
//   length - reading the decimal length of an octet-counted frame, up to its space
//   octets - reading the `remaining` bytes of an octet-counted frame
//   line   - reading a newline-framed message up to its LF
// A frame longer than `maxBytes` keeps its first `maxBytes` bytes and is reported with its real size
// (`truncatedFrom`); the rest is read and thrown away, so memory stays bounded whatever the sender does.

export type Framing = 'auto' | 'octet_counting' | 'newline';

export interface Frame {
  data: Buffer;
  /** The frame's full length when it was longer than maxBytes and `data` holds only the start. */
  truncatedFrom?: number;
}

/** The stream cannot be split any more (octet_counting and a frame that does not start with a length). */
export class FramingError extends Error {
  override readonly name = 'FramingError';
}

type State = 'start' | 'length' | 'octets' | 'line';

/** Ten digits: frames up to 9,999,999,999 bytes (they are truncated, never held). */
const MAX_LENGTH_DIGITS = 10;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;

export class FrameDecoder {
  readonly #framing: Framing;
  readonly #maxBytes: number;
  #state: State = 'start';
  #digits = '';
  #remaining = 0;
  #pieces: Buffer[] = [];
  #kept = 0;
  #seen = 0;

  constructor(framing: Framing, maxBytes: number) {
    this.#framing = framing;
    this.#maxBytes = maxBytes;
  }

  /** Bytes of a frame begun and not finished (for the message when a connection ends). */
  get pendingBytes(): number {
    return this.#state === 'length' ? this.#digits.length : this.#seen;
  }

  /** The frames completed by `chunk`, in order. Throws FramingError when the stream is not syslog. */
  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (this.#state) {
        case 'start': {
          const b = chunk[i] as number;
          if (b === LF || b === CR || b === 0) {
            i += 1;
          } else if (b >= 0x30 && b <= 0x39 && this.#framing !== 'newline') {
            this.#state = 'length';
          } else if (this.#framing === 'octet_counting') {
            throw new FramingError(`expected an octet-counted frame ("<length> <message>") but got ${describeByte(b)}`);
          } else {
            this.#state = 'line';
          }
          break;
        }
        case 'length': {
          const b = chunk[i] as number;
          if (b >= 0x30 && b <= 0x39 && this.#digits.length < MAX_LENGTH_DIGITS) {
            this.#digits += String.fromCharCode(b);
            i += 1;
          } else if (b === SP && this.#digits !== '') {
            i += 1;
            this.#remaining = Number(this.#digits);
            this.#digits = '';
            this.#state = 'octets';
            if (this.#remaining === 0) this.#state = 'start';
          } else if (this.#framing === 'octet_counting') {
            throw new FramingError(`an octet-counted frame must start with its length and a space (got "${this.#digits}" then ${describeByte(b)})`);
          } else {
            // auto: digits that are not a length start a newline-framed message.
            this.#state = 'line';
            this.#keep(Buffer.from(this.#digits, 'latin1'));
            this.#digits = '';
          }
          break;
        }
        case 'octets': {
          const n = Math.min(this.#remaining, chunk.length - i);
          this.#keep(chunk.subarray(i, i + n));
          i += n;
          this.#remaining -= n;
          if (this.#remaining === 0) out.push(this.#finish());
          break;
        }
        case 'line': {
          const lf = chunk.indexOf(LF, i);
          const end = lf < 0 ? chunk.length : lf;
          this.#keep(chunk.subarray(i, end));
          i = end;
          if (lf >= 0) {
            i += 1;
            const frame = this.#finish();
            if (frame.data.length > 0) out.push(frame);
          }
          break;
        }
      }
    }
    return out;
  }

  /**
   * The stream ended cleanly: a newline-framed message without its final LF is complete (its sender
   * closed after it); a partial octet-counted frame is not (null, see pendingBytes).
   */
  end(): Frame | null {
    if (this.#state !== 'line' || this.#seen === 0) return null;
    return this.#finish();
  }

  /** Keep bytes of the current frame up to maxBytes; count all of them. */
  #keep(bytes: Buffer): void {
    this.#seen += bytes.length;
    const room = this.#maxBytes - this.#kept;
    if (room <= 0 || bytes.length === 0) return;
    // The socket reuses nothing, but a view would pin the whole read buffer: copy what is kept.
    const kept = Buffer.from(bytes.subarray(0, room));
    this.#pieces.push(kept);
    this.#kept += kept.length;
  }

  #finish(): Frame {
    const data = this.#pieces.length === 1 ? (this.#pieces[0] as Buffer) : Buffer.concat(this.#pieces, this.#kept);
    const frame: Frame = this.#seen > this.#kept ? { data, truncatedFrom: this.#seen } : { data };
    this.#pieces = [];
    this.#kept = 0;
    this.#seen = 0;
    this.#state = 'start';
    return frame;
  }
}

function describeByte(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
