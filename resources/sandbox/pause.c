/*
 * kubelab's pod sandbox process: holds the pod's namespaces open and does nothing else.
 * Sleeps until SIGINT or SIGTERM (then exits 0) and reaps zombies, as PID 1 of a pod must.
 * Built static (gcc -static -Os) by scripts/build-pause.sh; imported as kubelab/pause:<version>.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION "unknown"
#endif

static void on_stop(int sig) {
  (void)sig;
  _exit(0);
}

static void on_child(int sig) {
  (void)sig;
  int saved = errno;
  /* reap every exited child: orphans of the pod's processes land here */
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

static void handle(int sig, void (*fn)(int), int flags) {
  struct sigaction act;
  memset(&act, 0, sizeof act);
  act.sa_handler = fn;
  act.sa_flags = flags;
  sigemptyset(&act.sa_mask);
  if (sigaction(sig, &act, NULL) < 0) {
    fprintf(stderr, "pause: sigaction(%d): %s\n", sig, strerror(errno));
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0)) {
    printf("kubelab pause %s\n", VERSION);
    return 0;
  }
  if (getpid() != 1) fprintf(stderr, "pause: warning: not running as PID 1\n");
  handle(SIGINT, on_stop, 0);
  handle(SIGTERM, on_stop, 0);
  handle(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART);
  for (;;) pause();
  return 1;
}
