// OpenSSL's libcrypto, already loaded with libcurl: its SHA-256 uses the CPU's SHA extensions.
// The low-level SHA256_Init/Update/Final (deprecated in OpenSSL 3 in favour of EVP, hence the
// suppression) run without the provider machinery EVP starts, which adds 2 MB to the
// resident memory of an otherwise idle daemon.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
