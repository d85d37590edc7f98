/*
 * kora-mock-cluster: runs librdkafka's in-memory mock Kafka cluster as a standalone
 * process, as the "ideal broker" baseline to measure Kora against with the same
 * client (it speaks the Kafka protocol on loopback but does no storage work).
 *
 * Usage: kora-mock-cluster [--no-stdin] [BROKERS] [TOPIC:PARTITIONS ...]
 *   --no-stdin         don't watch stdin (for `... </dev/null &`): stop on a signal only
 *   BROKERS            number of mock brokers (default 1, ids 1..BROKERS)
 *   TOPIC:PARTITIONS   topics to create up front (replication factor = min(3, BROKERS));
 *                      other topics are auto-created on first use.
 *
 * Once listening it prints exactly one line on stdout and flushes it:
 *   MOCK_BOOTSTRAP 127.0.0.1:PORT[,127.0.0.1:PORT...]
 * then runs until stdin reaches EOF (or errors), or SIGTERM/SIGINT/SIGHUP arrives.
 * Watching stdin means a parent that dies (and so closes the pipe) never leaks it.
 * Exit status: 0 on a clean stop, 1 on a start-up failure, 2 on bad arguments.
 *
 * Built by scripts/build-mock-cluster into .deps/bin/kora-mock-cluster.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static void usage(const char *argv0) {
        fprintf(stderr, "Usage: %s [--no-stdin] [BROKERS] [TOPIC:PARTITIONS ...]\n", argv0);
}

int main(int argc, char **argv) {
        int broker_cnt = 1;
        int argi       = 1;
        int watch_stdin = 1;
        char errstr[512];

        for (; argi < argc && argv[argi][0] == '-'; argi++) {
                if (!strcmp(argv[argi], "-h") || !strcmp(argv[argi], "--help")) {
                        usage(argv[0]);
                        return 0;
                } else if (!strcmp(argv[argi], "--no-stdin")) {
                        watch_stdin = 0;
                } else {
                        fprintf(stderr, "kora-mock-cluster: unknown option '%s'\n", argv[argi]);
                        usage(argv[0]);
                        return 2;
                }
        }
        if (argi < argc && !strchr(argv[argi], ':')) {
                char *end;
                long n = strtol(argv[argi], &end, 10);
                if (*end || n < 1 || n > 100) {
                        fprintf(stderr, "kora-mock-cluster: bad broker count '%s'\n", argv[argi]);
                        usage(argv[0]);
                        return 2;
                }
                broker_cnt = (int)n;
                argi++;
        }

        /* Signals: stop cleanly. SIGPIPE: ignore, so a closed stdout reader doesn't kill us
         * before we notice stdin's EOF. */
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        /* The mock cluster needs an rd_kafka_t for its bookkeeping; a producer handle that
         * never produces is enough. No bootstrap.servers: it never connects anywhere. */
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "client.id", "kora-mock-cluster", errstr,
                              sizeof(errstr)) != RD_KAFKA_CONF_OK ||
            rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) !=
                RD_KAFKA_CONF_OK) {
                fprintf(stderr, "kora-mock-cluster: conf: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "kora-mock-cluster: rd_kafka_new: %s\n", errstr);
                return 1;
        }

        rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mcluster) {
                fprintf(stderr, "kora-mock-cluster: rd_kafka_mock_cluster_new failed\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        for (; argi < argc; argi++) {
                char topic[256];
                const char *colon = strchr(argv[argi], ':');
                char *end;
                long parts;
                size_t len;
                if (!colon || colon == argv[argi] ||
                    (len = (size_t)(colon - argv[argi])) >= sizeof(topic)) {
                        fprintf(stderr, "kora-mock-cluster: bad topic spec '%s'\n", argv[argi]);
                        usage(argv[0]);
                        rd_kafka_mock_cluster_destroy(mcluster);
                        rd_kafka_destroy(rk);
                        return 2;
                }
                parts = strtol(colon + 1, &end, 10);
                if (*end || parts < 1 || parts > 100000) {
                        fprintf(stderr, "kora-mock-cluster: bad partition count in '%s'\n",
                                argv[argi]);
                        rd_kafka_mock_cluster_destroy(mcluster);
                        rd_kafka_destroy(rk);
                        return 2;
                }
                memcpy(topic, argv[argi], len);
                topic[len] = '\0';
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
                    mcluster, topic, (int)parts, broker_cnt < 3 ? broker_cnt : 3);
                if (err) {
                        fprintf(stderr, "kora-mock-cluster: creating topic %s: %s\n", topic,
                                rd_kafka_err2str(err));
                        rd_kafka_mock_cluster_destroy(mcluster);
                        rd_kafka_destroy(rk);
                        return 1;
                }
        }

        printf("MOCK_BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);
        fprintf(stderr, "kora-mock-cluster: librdkafka %s, %d broker(s) up\n",
                rd_kafka_version_str(), broker_cnt);

        /* Wait for stdin EOF or a signal. poll() with a timeout so a signal that lands
         * between the flag check and poll() is still seen within 200 ms. */
        while (!stop_requested) {
                struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
                int r = poll(&pfd, watch_stdin ? 1 : 0, 200);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (r == 0 || !watch_stdin)
                        continue;
                if (pfd.revents & POLLNVAL) {
                        /* stdin closed before we started (e.g. `<&-`): rely on signals. */
                        watch_stdin = 0;
                        continue;
                }
                if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
                        char buf[4096];
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n == 0)
                                break; /* EOF */
                        if (n < 0 && errno != EINTR && errno != EAGAIN)
                                break;
                        /* Anything written to stdin is ignored. */
                }
        }

        fprintf(stderr, "kora-mock-cluster: stopping\n");
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
