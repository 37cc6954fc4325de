/*
 * kubelab's node agent: the pod overlay's end on one node, as flannel's UDP backend, but carried by the lab.
 *   agent tun CLUSTER_CIDR [DEVICE]
 *     Runs on the node's pod network at the address kept for it (needs NET_ADMIN, /dev/net/tun and ip_forward=1).
 *     Creates the TUN device kl0, routes CLUSTER_CIDR to it (the node's own /24 stays on-link on eth0, being more
 *     specific), prints `agent: ready` on stderr, then moves packets: each one the kernel routes into kl0 (a local pod
 *     sending to another node's pod) goes to stdout as a frame, and each frame read from stdin (a packet from another
 *     node) is written to kl0, from where the kernel forwards it to the local pod. A frame is a 2-byte big-endian
 *     length and the IP packet. The lab holds stdin/stdout as a Docker attach stream and relays frames between nodes.
 *     Exits 1 with `agent: <why>` when the engine refused what it needs; 0 on SIGTERM or when stdin ends.
 *   agent route CIDR GATEWAY
 *     Adds the route CIDR via GATEWAY in its network namespace and exits: run by the lab in each pod's sandbox
 *     namespace (a short-lived container with NetworkMode container:<sandbox> and NET_ADMIN), so the pod's own
 *     containers need no capability. An existing route is success.
 * Built static next to pause and relay by scripts/build-pause.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TUN_NAME "kl0"
#define MAX_PACKET 65535

static void on_stop(int sig) {
  (void)sig;
  _exit(0);
}

static int parse_cidr(const char *s, struct in_addr *net, struct in_addr *mask) {
  char buf[64];
  snprintf(buf, sizeof buf, "%s", s);
  char *slash = strchr(buf, '/');
  if (!slash) return -1;
  *slash = 0;
  int bits = atoi(slash + 1);
  if (bits < 0 || bits > 32 || inet_pton(AF_INET, buf, net) != 1) return -1;
  mask->s_addr = bits == 0 ? 0 : htonl(0xffffffffu << (32 - bits));
  net->s_addr &= mask->s_addr;
  return 0;
}

static void set_sin(struct sockaddr *sa, struct in_addr a) {
  struct sockaddr_in *sin = (struct sockaddr_in *)sa;
  memset(sin, 0, sizeof *sin);
  sin->sin_family = AF_INET;
  sin->sin_addr = a;
}

/* adds a route through the classic ioctl (no netlink library needed); dev or gateway */
static int add_route(struct in_addr net, struct in_addr mask, const char *dev, const struct in_addr *gw) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  struct rtentry rt;
  memset(&rt, 0, sizeof rt);
  set_sin(&rt.rt_dst, net);
  set_sin(&rt.rt_genmask, mask);
  rt.rt_flags = RTF_UP;
  if (gw) {
    set_sin(&rt.rt_gateway, *gw);
    rt.rt_flags |= RTF_GATEWAY;
  }
  char name[IFNAMSIZ];
  if (dev) {
    snprintf(name, sizeof name, "%s", dev);
    rt.rt_dev = name;
  }
  int r = ioctl(fd, SIOCADDRT, &rt);
  int err = errno;
  close(fd);
  if (r != 0 && err != EEXIST) {
    errno = err;
    return -1;
  }
  return 0;
}

static int route_main(int argc, char **argv) {
  struct in_addr net, mask, gw;
  if (argc != 4 || parse_cidr(argv[2], &net, &mask) != 0 || inet_pton(AF_INET, argv[3], &gw) != 1) {
    fprintf(stderr, "agent: usage: agent route CIDR GATEWAY\n");
    return 2;
  }
  if (add_route(net, mask, NULL, &gw) != 0) {
    fprintf(stderr, "agent: cannot add the route %s via %s: %s\n", argv[2], argv[3], strerror(errno));
    return 1;
  }
  return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int tun_main(int argc, char **argv) {
  struct in_addr net, mask;
  if (argc < 3 || parse_cidr(argv[2], &net, &mask) != 0) {
    fprintf(stderr, "agent: usage: agent tun CLUSTER_CIDR [DEVICE]\n");
    return 2;
  }
  const char *dev = argc > 3 ? argv[3] : "/dev/net/tun";
  int tun = open(dev, O_RDWR);
  if (tun < 0) {
    fprintf(stderr, "agent: cannot open %s: %s\n", dev, strerror(errno));
    return 1;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", TUN_NAME);
  if (ioctl(tun, TUNSETIFF, &ifr) != 0) {
    fprintf(stderr, "agent: cannot create the TUN device %s (NET_ADMIN needed): %s\n", TUN_NAME, strerror(errno));
    return 1;
  }
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq up;
  memset(&up, 0, sizeof up);
  snprintf(up.ifr_name, IFNAMSIZ, "%s", TUN_NAME);
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &up) != 0 || (up.ifr_flags |= IFF_UP | IFF_RUNNING, ioctl(s, SIOCSIFFLAGS, &up)) != 0) {
    fprintf(stderr, "agent: cannot bring %s up: %s\n", TUN_NAME, strerror(errno));
    return 1;
  }
  close(s);
  if (add_route(net, mask, TUN_NAME, NULL) != 0) {
    fprintf(stderr, "agent: cannot route %s to %s: %s\n", argv[2], TUN_NAME, strerror(errno));
    return 1;
  }
  fprintf(stderr, "agent: ready %s -> %s\n", argv[2], TUN_NAME);

  static unsigned char out[MAX_PACKET + 2];
  static unsigned char in[4 * (MAX_PACKET + 2)];
  size_t inlen = 0;
  struct pollfd p[2] = {{tun, POLLIN, 0}, {0, POLLIN, 0}};
  for (;;) {
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (p[0].revents & POLLIN) {
      ssize_t n = read(tun, out + 2, MAX_PACKET);
      if (n > 0) {
        out[0] = (unsigned char)(n >> 8);
        out[1] = (unsigned char)(n & 0xff);
        if (write_all(1, out, (size_t)n + 2) != 0) return 0; /* the lab went away */
      }
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(0, in + inlen, sizeof in - inlen);
      if (n <= 0) return 0; /* stdin ended: the lab stopped relaying */
      inlen += (size_t)n;
      size_t off = 0;
      while (inlen - off >= 2) {
        size_t len = ((size_t)in[off] << 8) | in[off + 1];
        if (inlen - off < len + 2) break;
        /* a packet the kernel refuses (bad header) is dropped, as a wire would */
        if (len > 0 && write(tun, in + off + 2, len) < 0 && errno != EINVAL) { /* keep going */ }
        off += len + 2;
      }
      memmove(in, in + off, inlen - off);
      inlen -= off;
    }
  }
}

int main(int argc, char **argv) {
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 2 && strcmp(argv[1], "route") == 0) return route_main(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "tun") == 0) return tun_main(argc, argv);
  fprintf(stderr, "agent: usage: agent tun CLUSTER_CIDR [DEVICE] | agent route CIDR GATEWAY\n");
  return 2;
}
