// A reader that goes away (`tdfwd chunks export ID | head -1`) ends the command quietly, the way
// SIGPIPE ends a C program: nothing is left to print to, so exit 0 at once, without a stack trace.
// Node ignores SIGPIPE, so the closed pipe arrives as an EPIPE 'error' event on process.stdout; without
// a listener it is an uncaught exception. Installed once, before any command runs, so it covers them
// all. Exiting at once is safe: what a command committed is durable in SQLite, as after a kill.
//
// A closed stderr is ignored instead: the daemon keeps running without its log pipe.

const CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

export function endQuietlyWhenOutputCloses(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (CLOSED.has(err.code ?? '')) process.exit(0);
    process.stderr.write(`tdfwd: cannot write to standard output (${err.code ?? err.message}); check where it is redirected\n`);
    process.exit(1);
  });
  process.stderr.on('error', () => {
    // nowhere left to report anything
  });
}
