/* A stand-in for `aplay` where there is no sound card, compiled so that it costs about what
 * the real one costs to start (a Python stand-in cost 89 ms a call). It notes when the sound
 * was handed to the "device" (CLOCK_MONOTONIC, Python's time.monotonic(), shared by every
 * process) and how long it lasts in APLAY_LOG, then takes that long. Options are ignored;
 * the first other argument is the WAV file. Built by benchmarks/_tools.py. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t le32(const unsigned char *b) {
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

int main(int argc, char **argv) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const char *path = NULL;
    for (int i = 1; i < argc && !path; i++)
        if (argv[i][0] != '-') path = argv[i];
    FILE *wav = path ? fopen(path, "rb") : NULL;
    if (!wav) return 1;
    unsigned char head[12], chunk[8], fmt[16];
    uint32_t rate = 0, block = 0, data = 0;
    if (fread(head, 1, 12, wav) != 12) return 1;
    while (fread(chunk, 1, 8, wav) == 8) { /* RIFF chunks: find "fmt " and "data" */
        uint32_t size = le32(chunk + 4);
        if (!memcmp(chunk, "fmt ", 4) && size >= 16 && fread(fmt, 1, 16, wav) == 16) {
            rate = le32(fmt + 4);
            block = fmt[12] | fmt[13] << 8;
            fseek(wav, size - 16, SEEK_CUR);
        } else if (!memcmp(chunk, "data", 4)) {
            data = size;
            break;
        } else {
            fseek(wav, size, SEEK_CUR);
        }
    }
    fclose(wav);
    if (!rate || !block) return 1;
    double seconds = (double)(data / block) / rate;
    const char *name = getenv("APLAY_LOG");
    FILE *log = name ? fopen(name, "a") : NULL;
    if (!log) return 1;
    fprintf(log, "%.9f %.9f\n", start.tv_sec + start.tv_nsec / 1e9, seconds);
    fclose(log);
    struct timespec wait = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&wait, NULL);
    return 0;
}
