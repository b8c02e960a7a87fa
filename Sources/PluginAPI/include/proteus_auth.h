/*
 * proteus_auth.h — auth methods: enroll a secret, verify a credential (password, totp).
 * Part of the Proteus plugin ABI; the rules every declaration follows
 * (versions, strings, memory, errors, threads) are in proteus_plugin.h.
 */
#ifndef PROTEUS_AUTH_H
#define PROTEUS_AUTH_H

#include "proteus_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Auth methods                                                              */
/* ======================================================================== */

/** Result of a successful verify. */
typedef struct proteus_verify_result {
    uint32_t struct_size;
    /** true when the stored verifier is outdated (weaker algorithm or cost):
     *  the caller should enroll the presented secret again and store it. */
    bool needs_rehash;
    /** When present, the stored verifier changed as a side effect (e.g. a
     *  TOTP last-used step) and the caller must persist it, with optimistic
     *  concurrency, before treating the credential as accepted. */
    proteus_str updated_stored;
} proteus_verify_result;

/**
 * An auth method: turns a secret into a stored verifier and checks a
 * presented credential against one. Several plugins may serve one method
 * (e.g. "password"): the first in config order enrolls; verify asks each in
 * order until one does not answer IGNORE.
 *
 * Both functions are CPU-heavy by design: [any thread]; the host runs them
 * on its bounded KDF worker pool, never on a thread serving connections.
 */
typedef struct proteus_auth_api {
    uint32_t struct_size;
    /** The method this plugin serves: "password", later "totp", ... */
    const char *method;
    /** Derive a stored verifier (e.g. a PHC string) from `secret`.
     *  [any thread, blocks] (CPU; on the host's KDF pool) */
    proteus_status (*enroll)(void *instance, proteus_str secret,
                             proteus_arena *arena, proteus_str *stored,
                             proteus_error *err);
    /** OK: matches. DENIED: does not match. IGNORE: not my format.
     *  INVALID: stored verifier malformed. Must take time independent of
     *  where a mismatch is. `result` is caller-owned.
     *  [any thread, blocks] (CPU; on the host's KDF pool) */
    proteus_status (*verify)(void *instance, proteus_str presented,
                             proteus_str stored, proteus_arena *arena,
                             proteus_verify_result *result,
                             proteus_error *err);
} proteus_auth_api;

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_AUTH_H */
