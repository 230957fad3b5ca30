#include "CCurlShim.h"
#include <sys/socket.h>

CURLcode cobrador_setopt_long(CURL *handle, CURLoption option, long value) { return curl_easy_setopt(handle, option, value); }
CURLcode cobrador_setopt_string(CURL *handle, CURLoption option, const char *value) { return curl_easy_setopt(handle, option, value); }
CURLcode cobrador_setopt_pointer(CURL *handle, CURLoption option, void *value) { return curl_easy_setopt(handle, option, value); }
CURLcode cobrador_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) { return curl_easy_setopt(handle, option, value); }
CURLcode cobrador_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) { return curl_easy_setopt(handle, option, value); }
CURLcode cobrador_setopt_read_callback(CURL *handle, cobrador_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}
CURLcode cobrador_setopt_debug_callback(CURL *handle, cobrador_debug_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
}
CURLcode cobrador_setopt_progress_callback(CURL *handle, cobrador_progress_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
CURLcode cobrador_getinfo_long(CURL *handle, CURLINFO info, long *value) { return curl_easy_getinfo(handle, info, value); }
void cobrador_shut_connection(CURL *handle) {
    curl_socket_t socket = CURL_SOCKET_BAD;
    if (curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK && socket != CURL_SOCKET_BAD) shutdown(socket, SHUT_RDWR);
}

long cobrador_global_default(void) { return CURL_GLOBAL_DEFAULT; }
long cobrador_use_ssl_all(void) { return CURLUSESSL_ALL; }
long cobrador_tls_1_2(void) { return CURL_SSLVERSION_TLSv1_2; }
