// Typed, non-variadic wrappers over libcurl's variadic setopt/getinfo, which Swift cannot
// call, and the macro constants Swift cannot see. One function per argument shape.
#ifndef COBRADOR_CCURL_SHIM_H
#define COBRADOR_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*cobrador_read_callback)(char *buffer, size_t size, size_t count, void *context);
typedef int (*cobrador_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *context);
typedef int (*cobrador_progress_callback)(void *context, curl_off_t download_total, curl_off_t downloaded, curl_off_t upload_total, curl_off_t uploaded);

CURLcode cobrador_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode cobrador_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode cobrador_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode cobrador_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode cobrador_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode cobrador_setopt_read_callback(CURL *handle, cobrador_read_callback callback);
CURLcode cobrador_setopt_debug_callback(CURL *handle, cobrador_debug_callback callback);
CURLcode cobrador_setopt_progress_callback(CURL *handle, cobrador_progress_callback callback);
CURLcode cobrador_getinfo_long(CURL *handle, CURLINFO info, long *value);
/// Shuts the handle's connection down (both ways) after a transfer, so that closing it does
/// not say QUIT and wait for the answer of a relay that answers nothing.
void cobrador_shut_connection(CURL *handle);

/// CURL_GLOBAL_DEFAULT, CURLUSESSL_ALL, CURL_SSLVERSION_TLSv1_2: macros Swift cannot import.
long cobrador_global_default(void);
long cobrador_use_ssl_all(void);
long cobrador_tls_1_2(void);

#endif
