/*
 * Plain C librdkafka loops that `memestream bench kafka` compares KafkaBridge against.
 *
 *   bench-kafka-c produce BOOTSTRAP TOPIC COUNT VALUE_BYTES
 *   bench-kafka-c consume BOOTSTRAP TOPIC PARTITIONS COUNT
 *
 * Both print "rate MESSAGES_PER_SECOND" and "cpu SECONDS" (user plus system time of the
 * process after start-up, from getrusage) on standard output. Settings match the
 * Swift side of the benchmark: an idempotent producer with linger.ms=5 and a
 * delivery-report callback that counts, and a consumer with a fixed assignment from the
 * beginning that reads every value's first byte. The consume time runs from record
 * COUNT/10 to record COUNT, so connection and start-up time are left out.
 */
#include <librdkafka/rdkafka.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long delivered = 0;
static long failed = 0;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double process_cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

/* CPU time at the start of main, so start-up is left out as on the Swift side. */
static double start_cpu = 0;

static void print_cpu(void) {
    printf("cpu %f\n", process_cpu_seconds() - start_cpu);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    (void)opaque;
    if (message->err) failed++; else delivered++;
}

static void set_or_die(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char error[512];
    if (rd_kafka_conf_set(conf, name, value, error, sizeof error) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "bench-kafka-c: invalid property %s: %s\n", name, error);
        exit(2);
    }
}

static void drop_log(const rd_kafka_t *rk, int level, const char *facility, const char *line) {
    (void)rk; (void)level; (void)facility; (void)line;
}

static int produce(const char *bootstrap, const char *topic, long count, size_t value_bytes) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set_or_die(conf, "bootstrap.servers", bootstrap);
    set_or_die(conf, "enable.idempotence", "true");
    set_or_die(conf, "acks", "all");
    set_or_die(conf, "linger.ms", "5");
    set_or_die(conf, "partitioner", "murmur2_random");
    set_or_die(conf, "queue.buffering.max.messages", "100000");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_log_cb(conf, drop_log);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!rk) {
        fprintf(stderr, "bench-kafka-c: cannot create producer: %s\n", error);
        return 1;
    }
    char *value = malloc(value_bytes);
    memset(value, 'x', value_bytes);
    char key[32];

    double start = now_seconds();
    for (long i = 0; i < count; i++) {
        int key_length = snprintf(key, sizeof key, "meme-%ld", i % 1000);
        for (int attempt = 0;; attempt++) {
            rd_kafka_resp_err_t err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY(key, (size_t)key_length), RD_KAFKA_V_VALUE(value, value_bytes),
                RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || attempt > 30000) {
                fprintf(stderr, "bench-kafka-c: produce failed: %s\n", rd_kafka_err2str(err));
                return 1;
            }
            rd_kafka_poll(rk, 10);
        }
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 60000);
    double elapsed = now_seconds() - start;
    if (delivered != count) {
        fprintf(stderr, "bench-kafka-c: %ld of %ld delivered, %ld failed\n", delivered, count, failed);
        return 1;
    }
    printf("rate %.0f\n", (double)count / elapsed);
    free(value);
    rd_kafka_destroy(rk);
    print_cpu();
    return 0;
}

static int consume(const char *bootstrap, const char *topic, int partitions, long count) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set_or_die(conf, "bootstrap.servers", bootstrap);
    set_or_die(conf, "group.id", "bench-kafka-c");
    set_or_die(conf, "enable.auto.commit", "false");
    set_or_die(conf, "enable.auto.offset.store", "false");
    set_or_die(conf, "queued.min.messages", "1000000");
    rd_kafka_conf_set_log_cb(conf, drop_log);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (!rk) {
        fprintf(stderr, "bench-kafka-c: cannot create consumer: %s\n", error);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++) {
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);

    long seen = 0;
    unsigned long checksum = 0;
    double start = 0;
    double deadline = now_seconds() + 120;
    while (seen < count && now_seconds() < deadline) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, 100);
        if (!message) continue;
        if (!message->err) {
            if (seen == count / 10) start = now_seconds();
            seen++;
            if (message->len > 0) checksum += ((const unsigned char *)message->payload)[0];
        }
        rd_kafka_message_destroy(message);
    }
    double elapsed = now_seconds() - start;
    if (seen < count) {
        fprintf(stderr, "bench-kafka-c: consumed %ld of %ld records before the deadline\n", seen, count);
        return 1;
    }
    printf("rate %.0f\n", (double)(count - count / 10) / elapsed);
    if (checksum == 0) fprintf(stderr, "bench-kafka-c: every value starts with byte 0\n");
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    print_cpu();
    return 0;
}

int main(int argc, char **argv) {
    start_cpu = process_cpu_seconds();
    if (argc == 6 && strcmp(argv[1], "produce") == 0) {
        return produce(argv[2], argv[3], atol(argv[4]), (size_t)atol(argv[5]));
    }
    if (argc == 6 && strcmp(argv[1], "consume") == 0) {
        return consume(argv[2], argv[3], atoi(argv[4]), atol(argv[5]));
    }
    fprintf(stderr,
            "usage: bench-kafka-c produce BOOTSTRAP TOPIC COUNT VALUE_BYTES\n"
            "       bench-kafka-c consume BOOTSTRAP TOPIC PARTITIONS COUNT\n");
    return 2;
}
