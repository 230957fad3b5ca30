// OpenSSL's libcrypto, already loaded with libcurl: its SHA-256 uses the CPU's SHA extensions.
#include <openssl/evp.h>
