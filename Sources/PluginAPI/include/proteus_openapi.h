/*
 * proteus_openapi.h — the "openapi.v1" extension: a dialect's routes described as an OpenAPI 3.1 document.
 * Part of the Proteus plugin ABI; the rules every declaration follows
 * (versions, strings, memory, errors, threads) are in proteus_plugin.h.
 */
#ifndef PROTEUS_OPENAPI_H
#define PROTEUS_OPENAPI_H

#include "proteus_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** get_extension id of proteus_openapi_api (offered by dialects; since 2.4). */
#define PROTEUS_EXT_OPENAPI_V1 "openapi.v1"

/**
 * "openapi.v1": the dialect's own description of what it serves, an
 * OpenAPI 3.1 document (JSON), which must match what the dialect answers
 * (the test command checks it with schemathesis). The host prints it for
 * `proteus openapi PLUGIN` and serves it on the admin listener. A dialect
 * without this extension has no document; a plugin built against a header
 * without it still builds and loads.
 * [any thread]; the document depends on `mount` only, never on a request.
 * `mount` (borrowed, valid for the call): where the dialect is mounted
 * ("/", "/scim/v2"); the document's `servers` URL carries it.
 * `out`: the document, UTF-8 JSON, allocated in `arena` (host->arena_alloc),
 * which the caller owns and frees. On failure `out` is left untouched.
 */
typedef struct proteus_openapi_api {
    uint32_t struct_size;
    proteus_status (*document)(void *instance, proteus_str mount,
                               proteus_arena *arena, proteus_str *out,
                               proteus_error *err);
} proteus_openapi_api;

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_OPENAPI_H */
