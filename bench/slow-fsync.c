// A disk whose cache flush takes FSYNC_DELAY_MS (as on many cloud volumes), for bench/forward-ack.js
// --fsync-delay-ms: fsync and fdatasync sleep that long, then do the real call. Loaded with LD_PRELOAD
// into the daemon only. Build: gcc -shared -fPIC -O2 -o slow-fsync.so slow-fsync.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void delay(void) {
  const char *ms = getenv("FSYNC_DELAY_MS");
  long n = ms ? atol(ms) : 0;
  struct timespec t = { n / 1000, (n % 1000) * 1000000L };
  if (n > 0) nanosleep(&t, NULL);
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  delay();
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  delay();
  return real(fd);
}
