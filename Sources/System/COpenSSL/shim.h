#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/err.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>
#include <openssl/core_names.h>

/* EVP_PKEY_PUBLIC_KEY is a macro of macros Swift does not import. */
static inline int proteus_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }
