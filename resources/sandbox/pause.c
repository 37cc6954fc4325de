/*
 * kubelab's pod sandbox process: holds the pod's namespaces open and does nothing else.
 * Sleeps until SIGINT or SIGTERM (then exits 0) and reaps zombies, as PID 1 of a pod must.
 * Built static (gcc -static -Os) by scripts/build-pause.sh; imported as kubelab/pause:<version>.
 *
 * Two more modes, run by the lab as a Docker exec in the sandbox (so inside the pod's network namespace, on any
 * engine, even one whose container addresses this machine cannot route to):
 *   pause dial HOST PORT [TIMEOUT_MS]    connect, print "connected" on stderr, then copy stdin to the socket and the
 *                                        socket to stdout; stdin EOF half-closes the socket (shutdown SHUT_WR); exits
 *                                        when both directions are done. A failed connect prints one line on stderr,
 *                                        "dial-error refused|timeout|unreachable|other: <errno text>", and exits 1.
 *   pause dial -                         the same, started ahead of need: the target comes as one stdin line
 *                                        "HOST PORT TIMEOUT_MS" (stdin EOF before it: exit 0)
 *   pause listen PORT [TIMEOUT_MS]       listen on 0.0.0.0:PORT (0: any), print "listening <port>" on stderr, answer
 *                                        one connection with "kubelab\n" and exit 0 (2 on timeout): the lab's check
 *                                        whether it reaches pod addresses directly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

static void say(const char *line) {
  size_t n = strlen(line);
  while (n > 0) {
    ssize_t w = write(2, line, n);
    if (w <= 0) return;
    line += w;
    n -= (size_t)w;
  }
}

static int dial_fail(const char *kind, int err) {
  char buf[256];
  snprintf(buf, sizeof buf, "dial-error %s: %s\n", kind, strerror(err));
  say(buf);
  return 1;
}

static int write_all(int fd, const char *p, ssize_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, (size_t)n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= w;
  }
  return 0;
}

/* An IPv4 or IPv6 literal (pods are reached by IP; a scratch sandbox has no resolver anyway). */
static int parse_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((unsigned short)port);
    *len = sizeof *v4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((unsigned short)port);
    *len = sizeof *v6;
    return 0;
  }
  return -1;
}

static int dial(const char *host, int port, int timeout_ms) {
  struct sockaddr_storage ss;
  socklen_t len;
  if (parse_addr(host, port, &ss, &len) < 0) {
    say("dial-error lookup: no such host\n");
    return 1;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return dial_fail("other", errno);
  if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
    if (errno != EINPROGRESS) return dial_fail(errno == ECONNREFUSED ? "refused" : errno == ENETUNREACH || errno == EHOSTUNREACH ? "unreachable" : "other", errno);
    struct pollfd p = {fd, POLLOUT, 0};
    int r;
    do r = poll(&p, 1, timeout_ms); while (r < 0 && errno == EINTR);
    if (r == 0) return dial_fail("timeout", ETIMEDOUT);
    int err = 0;
    socklen_t el = sizeof err;
    if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0) return dial_fail("other", errno);
    if (err) return dial_fail(err == ECONNREFUSED ? "refused" : err == ETIMEDOUT ? "timeout" : err == ENETUNREACH || err == EHOSTUNREACH ? "unreachable" : "other", err);
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  say("connected\n");
  static char buf[65536];
  int in_open = 1, out_open = 1;
  while (out_open) {
    struct pollfd p[2] = {{fd, POLLIN, 0}, {0, in_open ? POLLIN : 0, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (in_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        in_open = 0;
        shutdown(fd, SHUT_WR); /* half-close: the peer sees EOF and may still answer */
      } else if (write_all(fd, buf, n) < 0) {
        in_open = 0;
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        out_open = 0;
      } else if (write_all(1, buf, n) < 0) {
        return 1; /* nobody reads any more */
      }
    }
  }
  /* the peer closed its side: exit, since a Docker exec's stdout ends only with its process (a peer that half-closes
   * and still reads is rare; the common case, a server closing after its answer, must end the client's stream) */
  close(fd);
  return 0;
}

static int listen_once(int port, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return dial_fail("other", errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof a;
  if (bind(fd, (struct sockaddr *)&a, len) < 0 || listen(fd, 4) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0) return dial_fail("other", errno);
  char line[64];
  snprintf(line, sizeof line, "listening %d\n", ntohs(a.sin_port));
  say(line);
  struct pollfd p = {fd, POLLIN, 0};
  int r;
  do r = poll(&p, 1, timeout_ms); while (r < 0 && errno == EINTR);
  if (r <= 0) return 2;
  int c = accept(fd, NULL, NULL);
  if (c < 0) return 1;
  write_all(c, "kubelab\n", 8);
  close(c);
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "dial") == 0 && strcmp(argv[2], "-") == 0) {
    /* a dialer started ahead of need: the target comes as one line "HOST PORT TIMEOUT_MS" on stdin */
    signal(SIGPIPE, SIG_IGN);
    char line[320];
    size_t n = 0;
    while (n + 1 < sizeof line) {
      ssize_t r = read(0, line + n, 1);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return 0; /* closed unused */
      if (line[n] == '\n') break;
      n++;
    }
    line[n] = 0;
    char host[256];
    int port = 0, timeout_ms = 10000;
    if (sscanf(line, "%255s %d %d", host, &port, &timeout_ms) < 2) {
      say("dial-error other: bad target line\n");
      return 1;
    }
    return dial(host, port, timeout_ms);
  }
  if (argc >= 4 && strcmp(argv[1], "dial") == 0) {
    signal(SIGPIPE, SIG_IGN);
    return dial(argv[2], atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 10000);
  }
  if (argc >= 3 && strcmp(argv[1], "listen") == 0) {
    signal(SIGPIPE, SIG_IGN);
    return listen_once(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 5000);
  }
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
