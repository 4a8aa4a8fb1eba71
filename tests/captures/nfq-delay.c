/* nfq-delay: hold every packet that iptables hands to an NFQUEUE for a fixed time, then
 * accept it (in arrival order). Used by the capture scripts to make segments cross on the
 * wire (simultaneous open, simultaneous close), since tc netem is not available here.
 *
 *   nfq-delay QUEUE_NUM DELAY_MS
 *
 * Build: cc -O2 -o /tmp/nfq-delay nfq-delay.c -lnetfilter_queue
 * Run it inside the namespace whose iptables rule says `-j NFQUEUE --queue-num QUEUE_NUM`.
 * Prints "ready" on stdout once bound, so a script can wait for it. Stop it with SIGTERM.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define MAX_HELD 1024

static struct { uint32_t id; double due; } held[MAX_HELD];
static int n_held;
static double delay_s;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    uint32_t id = ntohl(ph->packet_id);
    (void)msg; (void)data;
    if (n_held == MAX_HELD)     /* full: let it through at once rather than lose it */
        return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    held[n_held].id = id;
    held[n_held].due = now() + delay_s;
    n_held++;
    return 0;
}

int main(int argc, char **argv)
{
    struct nfq_handle *h;
    struct nfq_q_handle *qh;
    char buf[65536];
    int fd;

    if (argc != 3) {
        fprintf(stderr, "usage: %s QUEUE_NUM DELAY_MS\n", argv[0]);
        return 2;
    }
    delay_s = atoi(argv[2]) / 1000.0;
    h = nfq_open();
    if (!h || !(qh = nfq_create_queue(h, atoi(argv[1]), on_packet, NULL))) {
        perror("nfq");
        return 1;
    }
    nfq_set_mode(qh, NFQNL_COPY_META, 0);
    fd = nfq_fd(h);
    printf("ready\n");
    fflush(stdout);

    for (;;) {
        int timeout = -1;
        if (n_held) {
            double wait = held[0].due - now();
            timeout = wait > 0 ? (int)(wait * 1000) + 1 : 0;
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, timeout) > 0) {
            int n = recv(fd, buf, sizeof buf, 0);
            if (n >= 0)
                nfq_handle_packet(h, buf, n);
            else if (errno != ENOBUFS && errno != EINTR)
                break;
        }
        /* release everything that is due, oldest first */
        int i = 0;
        while (i < n_held && held[i].due <= now())
            nfq_set_verdict(qh, held[i++].id, NF_ACCEPT, 0, NULL);
        for (int j = i; j < n_held; j++)
            held[j - i] = held[j];
        n_held -= i;
    }
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
