/*
 * kubelab's Service relay: the lab's in-network stand-in for kube-proxy's ClusterIP rules.
 * Usage: relay PORT=IP:PORT[,IP:PORT...] ...   e.g. relay 80=172.18.0.3:80,172.18.0.4:80 8080=172.18.0.3:80
 * Listens on each PORT (all addresses) and forwards every accepted TCP connection to the next backend of that
 * port, round robin (a backend that refuses is skipped), one forked child per connection copying both ways.
 * Each line read from stdin is a whole new configuration in the same form (space-separated, an empty line = no
 * port): listeners of ports that stay are kept open (their backends swapped in place), so an endpoint change never
 * leaves a window without a listener; ports that go are closed (connections refused, as kube-proxy rejects a
 * Service without endpoints). Connections in flight keep their backend. Prints `relay: config N` after each line.
 * Exits 0 on SIGTERM or SIGINT. Built static next to pause by scripts/build-pause.sh.
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
  l->nbackends = 0;
  if (l->port <= 0 || l->port > 65535) return -1;
  char *save = NULL;
  for (char *tok = strtok_r(eq + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
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

static int open_listener(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 128) != 0) {
    fprintf(stderr, "relay: cannot listen on %d: %s\n", port, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* applies a whole configuration (argv-like list of PORT=backends): keeps listeners of ports that stay */
static int apply_config(char **specs, int n) {
  static struct listener next[MAX_PORTS];
  int nnext = 0;
  for (int i = 0; i < n && nnext < MAX_PORTS; i++) {
    struct listener *l = &next[nnext];
    memset(l, 0, sizeof *l);
    if (parse_spec(specs[i], l) != 0 || l->nbackends == 0) {
      fprintf(stderr, "relay: bad argument %s (want PORT=IP:PORT[,IP:PORT...])\n", specs[i]);
      return -1;
    }
    l->fd = -1;
    nnext++;
  }
  for (int i = 0; i < nnext; i++) {
    for (int j = 0; j < nlisteners; j++) {
      if (listeners[j].port == next[i].port && listeners[j].fd >= 0) {
        next[i].fd = listeners[j].fd;
        next[i].next = listeners[j].next % next[i].nbackends;
        listeners[j].fd = -1; /* taken over */
      }
    }
    if (next[i].fd < 0) next[i].fd = open_listener(next[i].port);
    fprintf(stderr, "relay: port %d -> %d backend(s)\n", next[i].port, next[i].nbackends);
  }
  for (int j = 0; j < nlisteners; j++)
    if (listeners[j].fd >= 0) close(listeners[j].fd);
  memcpy(listeners, next, sizeof(struct listener) * (size_t)nnext);
  nlisteners = nnext;
  return 0;
}

static char line[1 << 20];
static size_t linelen;
static int configs;

/* reads what stdin has; each complete line is applied as a new configuration */
static int read_stdin(void) {
  ssize_t n = read(0, line + linelen, sizeof line - 1 - linelen);
  if (n <= 0) return -1;
  linelen += (size_t)n;
  char *nl;
  while ((nl = memchr(line, '\n', linelen))) {
    *nl = 0;
    static char *specs[MAX_PORTS];
    int ns = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r", &save); tok && ns < MAX_PORTS; tok = strtok_r(NULL, " \t\r", &save)) specs[ns++] = tok;
    if (apply_config(specs, ns) == 0) fprintf(stderr, "relay: config %d\n", ++configs);
    size_t used = (size_t)(nl - line) + 1;
    memmove(line, nl + 1, linelen - used);
    linelen -= used;
  }
  if (linelen == sizeof line - 1) linelen = 0; /* an overlong line is dropped */
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

  if (apply_config(argv + 1, argc - 1) != 0) return 2;
  for (int i = 0; i < nlisteners; i++)
    if (listeners[i].fd < 0) return 1;

  int stdin_open = 1;
  struct pollfd p[MAX_PORTS + 1];
  for (;;) {
    int np = 0;
    if (stdin_open) p[np++] = (struct pollfd){0, POLLIN, 0};
    int base = np;
    for (int i = 0; i < nlisteners; i++) p[np++] = (struct pollfd){listeners[i].fd, POLLIN, 0};
    if (poll(p, (nfds_t)np, -1) < 0) continue;
    if (stdin_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      /* EOF: nobody configures us any more; keep serving the last configuration */
      if (read_stdin() != 0) stdin_open = 0;
      continue; /* the listener table may have changed */
    }
    for (int i = 0; i < nlisteners; i++) {
      if (!(p[base + i].revents & POLLIN)) continue;
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
