/* The peer for scripts/bench-smtp.sh: the same message COUNT times over one reused libcurl
   handle, as bare as libcurl allows. Usage: curl-loop URL COUNT MESSAGE_FILE */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct body { const char *data; size_t size, offset; };

static size_t feed(char *buffer, size_t size, size_t count, void *context) {
    struct body *body = context;
    size_t n = body->size - body->offset;
    if (n > size * count) n = size * count;
    memcpy(buffer, body->data + body->offset, n);
    body->offset += n;
    return n;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: curl-loop URL COUNT MESSAGE_FILE\n"); return 64; }
    FILE *file = fopen(argv[3], "rb");
    if (!file) { perror(argv[3]); return 66; }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    char *data = malloc(size);
    if (fread(data, 1, size, file) != (size_t)size) return 74;
    fclose(file);
    int count = atoi(argv[2]), failures = 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    struct curl_slist *rcpt = curl_slist_append(NULL, "<sink@cobrador.example>");
    struct body body = { data, (size_t)size, 0 };
    curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, "<bench@cobrador.example>");
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, feed);
    curl_easy_setopt(curl, CURLOPT_READDATA, &body);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < count; i++) {
        body.offset = 0;
        if (curl_easy_perform(curl) != CURLE_OK) failures++;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%.1f %d\n", count / seconds, failures);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    return 0;
}
