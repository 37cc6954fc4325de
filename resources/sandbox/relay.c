/*
 * kubelab's Service relay: the lab's in-network stand-in for kube-proxy's ClusterIP rules.
 * Usage: relay PORT=IP:PORT[,IP:PORT...] ...   e.g. relay 80=172.18.0.3:80,172.18.0.4:80 8080=172.18.0.3:80
 * Listens on each PORT (all addresses) and forwards every accepted TCP connection to the next backend of that
 * port, round robin (a backend that refuses is skipped), one forked child per connection copying both ways.
 * With no arguments it just waits. Exits 0 on SIGTERM or SIGINT. Built static next to pause by scripts/build-pause.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PORTS 64
#define MAX_BACKENDS 256

struct listener {
  int fd;
  int port;
  int nbackends;
  int next;
  struct sockaddr_in backends[MAX_BACKENDS];
};

static struct listener listeners[MAX_PORTS];
static int nlisteners;

static void on_stop(int sig) {
  (void)sig;
  _exit(0);
}

static int parse_spec(char *arg, struct listener *l) {
  char *eq = strchr(arg, '=');
  if (!eq) return -1;
  *eq = 0;
  l->port = atoi(arg);
  if (l->port <= 0 || l->port > 65535) return -1;
  for (char *tok = strtok(eq + 1, ","); tok; tok = strtok(NULL, ",")) {
    char *colon = strrchr(tok, ':');
    if (!colon || l->nbackends >= MAX_BACKENDS) return -1;
    *colon = 0;
    struct sockaddr_in *a = &l->backends[l->nbackends];
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, tok, &a->sin_addr) != 1) return -1;
    l->nbackends++;
  }
  return 0;
}

/* copies both directions until both sides have closed; runs in the per-connection child */
static void pump(int a, int b) {
  int fds[2] = {a, b};
  struct pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  char buf[16384];
  while (p[0].fd >= 0 || p[1].fd >= 0) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; i++) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i], buf, sizeof buf);
      if (n <= 0) {
        /* half-close: the other side learns no more data comes, its answer still flows back */
        shutdown(fds[1 - i], SHUT_WR);
        p[i].fd = -1;
        continue;
      }
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(fds[1 - i], buf + off, (size_t)(n - off));
        if (w <= 0) return;
        off += w;
      }
    }
  }
}

static void serve_one(struct listener *l, int client, int first) {
  for (int tries = 0; tries < l->nbackends; tries++) {
    struct sockaddr_in *a = &l->backends[(first + tries) % l->nbackends];
    int up = socket(AF_INET, SOCK_STREAM, 0);
    if (up < 0) break;
    if (connect(up, (struct sockaddr *)a, sizeof *a) == 0) {
      pump(client, up);
      close(up);
      break;
    }
    close(up);
  }
  close(client);
}

int main(int argc, char **argv) {
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  signal(SIGPIPE, SIG_IGN);
  /* children are never waited for: the kernel reaps them */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  sa.sa_flags = SA_NOCLDWAIT;
  sigaction(SIGCHLD, &sa, NULL);

  for (int i = 1; i < argc && nlisteners < MAX_PORTS; i++) {
    struct listener *l = &listeners[nlisteners];
    if (parse_spec(argv[i], l) != 0 || l->nbackends == 0) {
      fprintf(stderr, "relay: bad argument %s (want PORT=IP:PORT[,IP:PORT...])\n", argv[i]);
      return 2;
    }
    l->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)l->port);
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(l->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(l->fd, 128) != 0) {
      fprintf(stderr, "relay: cannot listen on %d: %s\n", l->port, strerror(errno));
      return 1;
    }
    fprintf(stderr, "relay: port %d -> %d backend(s)\n", l->port, l->nbackends);
    nlisteners++;
  }
  if (nlisteners == 0) {
    for (;;) pause();
  }

  struct pollfd p[MAX_PORTS];
  for (int i = 0; i < nlisteners; i++) p[i] = (struct pollfd){listeners[i].fd, POLLIN, 0};
  for (;;) {
    if (poll(p, (nfds_t)nlisteners, -1) < 0) continue;
    for (int i = 0; i < nlisteners; i++) {
      if (!(p[i].revents & POLLIN)) continue;
      struct listener *l = &listeners[i];
      int c = accept(l->fd, NULL, NULL);
      if (c < 0) continue;
      int first = l->next;
      l->next = (l->next + 1) % l->nbackends;
      pid_t pid = fork();
      if (pid == 0) {
        for (int j = 0; j < nlisteners; j++) close(listeners[j].fd);
        serve_one(l, c, first);
        _exit(0);
      }
      close(c);
    }
  }
}
