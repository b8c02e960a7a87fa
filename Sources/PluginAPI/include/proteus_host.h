/*
 * proteus_host.h — the services the host offers every plugin instance.
 * Part of the Proteus plugin ABI; the rules every declaration follows
 * (versions, strings, memory, errors, threads) are in proteus_plugin.h.
 */
#ifndef PROTEUS_HOST_H
#define PROTEUS_HOST_H

#include "proteus_store.h"
#include "proteus_auth.h"
#include "proteus_dialect.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Host services                                                             */
/* ======================================================================== */

/** Log levels */
#define PROTEUS_LOG_DEBUG 0
#define PROTEUS_LOG_INFO  1
#define PROTEUS_LOG_WARN  2
#define PROTEUS_LOG_ERROR 3

/* --- outbound HTTP ------------------------------------------------------ */

/** proteus_http_request.flags: also trust the operator's extra CA file
 *  (config `outbound.extraCAFile`) besides the system CA store. INVALID when
 *  the config names no such file. */
#define PROTEUS_HTTP_TRUST_EXTRA_CA (1u << 0)

/**
 * One outbound HTTP(S) request (host->http_request). Borrowed by the host
 * for the duration of the call. The host reads only the fields inside
 * `struct_size`; every field below is required.
 */
typedef struct proteus_http_request {
    uint32_t struct_size;      /**< sizeof(proteus_http_request) of the caller */
    uint32_t flags;            /**< PROTEUS_HTTP_* */
    proteus_str method;        /**< an HTTP token: "GET", "POST", "HEAD"... */
    proteus_str url;           /**< absolute http:// or https:// URL */
    /** Extra request headers. Names are HTTP tokens, values contain no
     *  CR, LF or NUL. Framing is the host's: Content-Length,
     *  Transfer-Encoding, Connection, Expect, Host and TE are refused. */
    const proteus_header *headers;
    uint32_t header_count;
    /** Request body; absent = none. Sent as is, with a Content-Length. */
    proteus_bytes body;
    /** Total time for the whole exchange, redirects included.
     *  0 = the config's `outbound.timeoutMs`; larger values are capped at
     *  `outbound.maxTimeoutMs`. Connecting is bounded by
     *  `outbound.connectTimeoutMs` within that. */
    uint32_t timeout_ms;
} proteus_http_request;

/**
 * The answer to an outbound request: the final response after redirects.
 * The caller sets struct_size; on OK the host fills the rest, everything
 * variable-sized in the caller's arena. On failure it is left untouched.
 */
typedef struct proteus_http_response {
    uint32_t struct_size;      /**< sizeof(proteus_http_response) of the caller */
    uint16_t status;           /**< HTTP status code of the final response */
    /** The final response's headers as received, in order (names with
     *  their case; folded lines joined). */
    const proteus_header *headers;
    uint32_t header_count;
    /** The body, de-chunked; present, possibly empty. A Content-Encoding
     *  (gzip...) is not undone: none is asked for unless the plugin sends
     *  Accept-Encoding itself. */
    proteus_bytes body;
} proteus_http_response;

/** Outcome of a rate-limit hit (fixed window). */
typedef struct proteus_rate_limit {
    uint32_t struct_size;
    bool allowed;              /**< false: over the limit, do not serve */
    uint32_t limit;
    uint32_t remaining;        /**< after this hit */
    uint32_t reset_seconds;    /**< until the window ends (>= 1) */
} proteus_rate_limit;

/** (Since 2.5) One plugin instance of the running configuration, as
 *  host->plugin_list describes it. Strings are in the caller's arena. */
typedef struct proteus_plugin_info {
    uint32_t struct_size;      /**< sizeof(proteus_plugin_info) of the host */
    uint32_t kind;             /**< PROTEUS_KIND_* */
    proteus_str name;          /**< the descriptor's name ("sqlite") */
    proteus_str version;       /**< the descriptor's version ("1.0.0") */
    proteus_str description;   /**< the descriptor's description; empty when none */
    uint16_t abi_major;        /**< the ABI the plugin was built for */
    uint16_t abi_minor;
    proteus_str path;          /**< the library file it was loaded from */
    /** Dialects: the mount it is served under ("/", "/console"); absent
     *  for stores and auth plugins. */
    proteus_str mount;
    /** Auth plugins: the method it serves ("password", "totp"); absent
     *  for the others. */
    proteus_str method;
} proteus_plugin_info;

/** (Since 2.5) The answer of host->plugin_list. Step through `items` by
 *  their struct_size (proteus_plugin.h). */
typedef struct proteus_plugin_info_list {
    uint32_t struct_size;      /**< sizeof(proteus_plugin_info_list) of the host */
    uint32_t count;
    const proteus_plugin_info *items;
} proteus_plugin_info_list;

/**
 * What the host offers a plugin. Each plugin instance gets its own copy
 * whose `ctx` identifies it; pass `host->ctx` as the first argument.
 * The table lives until the instance is destroyed. Fields are only
 * appended (check struct_size before using one marked "since 2.N").
 *
 * Each function says its threads (see proteus_plugin.h). A NULL where a
 * pointer is required gets PROTEUS_E_INVALID (functions without a status
 * do nothing).
 */
typedef struct proteus_host_api {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *ctx;

    /** Absolute path of the host's data directory (NUL-terminated). */
    const char *data_directory;

    /* --- logging, time, randomness -------------------------------------- */

    /** Write one log line tagged with the plugin's name. Never log secrets.
     *  [any thread] */
    void (*log)(void *ctx, int32_t level, proteus_str message);
    /** Wall clock, unix milliseconds. [any thread] */
    int64_t (*now_ms)(void *ctx);
    /** Monotonic clock, nanoseconds (for durations only). [any thread] */
    int64_t (*monotonic_ns)(void *ctx);
    /** Fill buf with cryptographically secure random bytes. [any thread] */
    proteus_status (*random)(void *ctx, uint8_t *buf, size_t len,
                             proteus_error *err);

    /* --- arenas ---------------------------------------------------------- */

    /** A new empty arena owned by the caller. NULL when out of memory.
     *  [any thread] */
    proteus_arena *(*arena_create)(void *ctx);
    /** size bytes, 16-byte aligned, zeroed, valid until the arena is
     *  destroyed. NULL when out of memory. [any thread], one thread at a
     *  time per arena. */
    void *(*arena_alloc)(proteus_arena *arena, size_t size);
    /** Free an arena created by arena_create and everything in it.
     *  [any thread], not concurrently with arena_alloc on it. */
    void (*arena_destroy)(proteus_arena *arena);

    /* --- crypto helpers -------------------------------------------------- */

    /** SHA-256 of data into out[32] (token and key hashes). [any thread] */
    void (*sha256)(void *ctx, proteus_bytes data, uint8_t out[32]);
    /** Constant-time equality (lengths compared in the open). [any thread] */
    bool (*ct_equal)(void *ctx, proteus_bytes a, proteus_bytes b);
    /** AES-256-GCM with the server's secret key. Output (in arena):
     *  12-byte random nonce || ciphertext || 16-byte tag. `aad` is
     *  authenticated, not encrypted: bind the token to its purpose and
     *  subject (e.g. "aiostreams.password:<uuid>"). [any thread] */
    proteus_status (*seal)(void *ctx, proteus_bytes plaintext,
                           proteus_bytes aad, proteus_arena *arena,
                           proteus_bytes *out, proteus_error *err);
    /** Inverse of seal. DENIED for any token that does not authenticate
     *  (one uniform answer whatever was wrong with it). [any thread] */
    proteus_status (*open)(void *ctx, proteus_bytes sealed, proteus_bytes aad,
                           proteus_arena *arena, proteus_bytes *out,
                           proteus_error *err);

    /* --- rate limiting --------------------------------------------------- */

    /** Count one hit for `key` in a fixed window of `window_seconds` and
     *  report whether it is within `limit`. Counters are shared by every
     *  worker process of this host, not by other hosts on the same store
     *  (use the store's counter_hit for that). Keys are opaque bytes; use
     *  client_key to key by client address. [any thread] */
    proteus_status (*rate_limit)(void *ctx, proteus_bytes key, uint32_t limit,
                                 uint32_t window_seconds,
                                 proteus_rate_limit *out, proteus_error *err);
    /** The rate-limit key of a client address: IPv4 as is, IPv6 collapsed to
     *  its /56 prefix. Written into the arena. [any thread] */
    proteus_status (*client_key)(void *ctx, proteus_str client_ip,
                                 proteus_arena *arena, proteus_bytes *out,
                                 proteus_error *err);

    /* --- directory and credentials (dialects only; NULL for others) ----- */

    /** The store contract, routed through the host to the configured store.
     *  Call as host->store->user_get(host->store_ctx, ...). Each function's
     *  threads are the store table's: [any thread]. */
    const proteus_store_api *store;
    void *store_ctx;

    /** Enroll a secret with the first plugin of `method` (e.g. "password").
     *  Runs on the KDF pool; the calling thread waits, in the host's waiting
     *  lane when it is a serving thread (another thread serves in its place
     *  meanwhile). UNAVAILABLE when the job would start later than the
     *  host's kdf.maxWaitMs or the lane is full: answer 503 at once; the
     *  host adds Retry-After to a 503 response of this request unless the
     *  dialect set one. UNSUPPORTED: no such method. [any thread, blocks] */
    proteus_status (*auth_enroll)(void *ctx, const char *method,
                                  proteus_str secret, proteus_arena *arena,
                                  proteus_str *stored, proteus_error *err);
    /** Verify with the plugins of `method` in order (IGNORE passes on).
     *  Runs and waits as auth_enroll does. OK, DENIED, INVALID (no plugin
     *  understands `stored`), UNAVAILABLE (refused for load, as for
     *  auth_enroll). [any thread, blocks] */
    proteus_status (*auth_verify)(void *ctx, const char *method,
                                  proteus_str presented, proteus_str stored,
                                  proteus_arena *arena,
                                  proteus_verify_result *result,
                                  proteus_error *err);

    /* --- responses (dialects; only on the thread running handle) -------- */

    /** HTTP status code of the response (default 200). [request thread] */
    void (*response_status)(proteus_response *response, uint16_t status);
    /** Add a header. The host owns framing: Content-Length,
     *  Transfer-Encoding, Connection and Date set here are ignored.
     *  [request thread] */
    void (*response_header)(proteus_response *response, proteus_str name,
                            proteus_str value);
    /** Append bytes to the body (copied). For HEAD the host sends the
     *  headers (with this Content-Length) and drops the body.
     *  [request thread] */
    void (*response_body)(proteus_response *response, proteus_bytes bytes);

    /* --- outbound HTTP -------------------------------------------------- */

    /**
     * Send one HTTP(S) request to a remote server and wait for its answer
     * (e.g. an OIDC token endpoint, a JWKS document). [any thread, blocks]:
     * for up to the request's timeout. On a serving thread the wait happens
     * in the host's waiting lane: another thread serves in its place, so a
     * slow remote does not slow requests that make no outbound call.
     * `request` is borrowed; `response` is caller-owned and its parts are
     * allocated in `arena`.
     *
     * TLS is verified against the system CA store (and the operator's
     * extra CA with PROTEUS_HTTP_TRUST_EXTRA_CA), host name included.
     * Redirects are followed up to `outbound.maxRedirects`, http and https
     * only (after a POST, 301/302/303 continue as GET; other methods are
     * kept). Every connection, also after DNS resolution and redirects, is
     * checked: loopback, private, link-local, CGNAT, unspecified, multicast
     * and reserved addresses (IPv4, IPv6, IPv4-mapped IPv6) are refused
     * unless the config sets `outbound.allowPrivateNetworks`. No proxy from
     * the environment is used; no cookies are kept between calls.
     *
     * Returns:
     *   OK          a complete HTTP answer was received, whatever its status
     *               (a 404 or 500 from the server is OK with that status);
     *   INVALID     malformed request: URL not absolute http(s), method not a
     *               token, a bad or refused header, struct_size too small,
     *               NULL pointers, TRUST_EXTRA_CA without an extra CA file;
     *   DENIED      the destination is refused by policy: a private or
     *               loopback address (also one reached by a redirect or DNS),
     *               or a redirect to a scheme other than http/https;
     *   UNAVAILABLE no usable answer: name not resolved, connection refused
     *               or reset, timeout (connect or total), TLS failure
     *               (untrusted certificate, wrong host name, handshake),
     *               too many redirects, a malformed HTTP answer; or, at
     *               once and without any transfer, the waiting lane is full
     *               (the host adds Retry-After to a 503 of this request);
     *   TOO_LARGE   the response (headers + body) is larger than
     *               `outbound.maxResponseBytes`;
     *   INTERNAL    out of memory, an unexpected libcurl error.
     * The message says what happened without the URL's query or any header.
     */
    proteus_status (*http_request)(void *ctx,
                                   const proteus_http_request *request,
                                   proteus_arena *arena,
                                   proteus_http_response *response,
                                   proteus_error *err);

    /* --- keyed MAC under the server key --------------------------------- */

    /**
     * HMAC-SHA256 of `message` into out[32], under a key derived from the
     * server's secret key for this plugin and `purpose`:
     *   K = HMAC-SHA256(server key, "proteus.mac.v1" || u16be(length of the
     *       plugin's name) || plugin name || purpose)
     * Deterministic: every worker and every host sharing the secret key
     * computes the same MAC, also after a restart, so a plugin can sign
     * tokens (e.g. JWS HS256) without ever holding key material; another
     * plugin (other name) cannot compute this plugin's MACs. Rotating the
     * secret key invalidates every MAC. [any thread]
     * INVALID: empty `purpose` (1..256 bytes) or NULL `out`.
     */
    proteus_status (*mac)(void *ctx, proteus_bytes purpose,
                          proteus_bytes message, uint8_t out[32],
                          proteus_error *err);

    /* --- sign-in under the directory's rules (dialects only) ------------ */

    /**
     * A password sign-in as `user` (the record the dialect just read, by
     * whatever name the client gave), checked against the rules every
     * dialect shares. They are written here once, so that a rule such as
     * "a user with a second factor on never signs in with the password
     * alone" holds in every dialect, whichever dialect turned the factor on:
     *
     *   1. `password` is verified with the "password" auth method against
     *      user->password_hash, run and waited for as auth_verify.
     *   2. A user without a password, a password no plugin can check (an
     *      over-long one, or a stored verifier no plugin reads: logged as
     *      a warning) and a disabled user get DENIED, like a wrong
     *      password, so the answer tells nothing about the account.
     *   3. A user with PROTEUS_USER_MFA_ENABLED whose password matched gets
     *      PROTEUS_E_SECOND_FACTOR, unless
     *        - `flags` has PROTEUS_SIGN_IN_WITH_SECOND_FACTOR: the dialect
     *          asks for the second factor itself and counts the sign-in
     *          only once it is given (MCSManager's NEED_2FA step,
     *          LISTEN.moe's /login/mfa); or
     *        - the operator exempted this dialect's mount with the option
     *          "allowPasswordOnlyForMfaUsers": true (read by the host,
     *          never passed to the plugin; it weakens security and is
     *          logged at startup).
     *
     * The host reads user->id (for log lines), user->flags and
     * user->password_hash only.
     *
     * Returns OK (signed in; result->needs_rehash as for auth_verify),
     * DENIED, SECOND_FACTOR, UNAVAILABLE (refused for load, as auth_verify;
     * answer 503), INVALID (NULL `user`), UNSUPPORTED (no "password" auth
     * plugin). `result` may be NULL; `arena` receives nothing today but
     * must be the caller's. [any thread, blocks] like auth_verify.
     */
    proteus_status (*auth_sign_in)(void *ctx, const proteus_user *user,
                                   proteus_str password, uint32_t flags,
                                   proteus_arena *arena,
                                   proteus_verify_result *result,
                                   proteus_error *err);

    /**
     * The same rules for a sign-in that presents no password: a session
     * or token the dialect issued earlier. OK while `user` may still act
     * through it; DENIED when the user is disabled; SECOND_FACTOR when the
     * user has a second factor on (turned on since the session began,
     * anywhere) and `flags` lacks PROTEUS_SIGN_IN_WITH_SECOND_FACTOR (the
     * session was started with the second factor), unless the mount is
     * exempted as above. Reads user->flags only. INVALID: NULL `user`.
     * Never blocks. [any thread]
     */
    proteus_status (*auth_session_check)(void *ctx, const proteus_user *user,
                                         uint32_t flags, proteus_error *err);

    /* --- since 2.2: caches across workers --------------------------------- */

    /**
     * The host's change counter: one number shared by every worker process
     * of this host (and only this host), starting at 0, for caches that
     * must not outlive a write made through another worker.
     *   - bump true: adds 1 and returns the new value. A store calls it
     *     after each write that may change an answer it caches, before the
     *     write's call returns.
     *   - bump false: returns the value. A cache that sees it differ from
     *     the value it last saw forgets its answers.
     * Other hosts on the same database do not see it: across hosts only the
     * cache's own time bound holds. Never blocks, never fails. [any thread]
     */
    uint64_t (*change_counter)(void *ctx, bool bump);

    /* --- since 2.5: a sign-in's second step (dialects only) ---------------- */

    /**
     * The second step of a sign-in whose password step auth_sign_in passed
     * with PROTEUS_SIGN_IN_WITH_SECOND_FACTOR: `code` (a TOTP code, or one
     * of the recovery codes the "totp" plugin keeps in its verifier) checked
     * with the "totp" auth method against user->mfa_secret, run and waited
     * for as auth_verify. The host counts the sign-in here (a success or a
     * failure), so a dialect calls it once per code presented to sign in,
     * never for a code that changes a setting (use auth_verify for those).
     *
     * The host reads user->id (for log lines) and user->mfa_secret only.
     *
     * Returns OK when the code is accepted; when result->updated_stored is
     * present (in `arena`), it is the verifier to persist, with optimistic
     * concurrency, before the sign-in counts for the dialect (as for
     * auth_verify; the "totp" plugin records the code's use this way).
     * DENIED: a wrong, used, malformed or over-long code, or a user without
     * a second factor. UNAVAILABLE: refused for load (answer 503).
     * UNSUPPORTED: no "totp" auth plugin. INVALID: NULL `user` or `result`.
     * [any thread, blocks] like auth_verify.
     */
    proteus_status (*auth_second_step)(void *ctx, const proteus_user *user,
                                       proteus_str code, proteus_arena *arena,
                                       proteus_verify_result *result,
                                       proteus_error *err);

    /* --- since 2.5: the audit log (dialects only) ------------------------- */

    /**
     * Records an administrative change the dialect just made to someone
     * (not a user's change of their own account) in the store's audit log
     * (store audit_append). The dialect gives actor_id, actor_name, action,
     * target_kind, target_id, target_name and detail_json (see
     * proteus_audit_event for each field's bound); the host ignores the
     * event's id, time, source and address and fills them: time = now,
     * source = the calling plugin's name, address = the client address of
     * the request the calling thread is handling (as request->client_ip:
     * the socket peer, or the X-Forwarded-For client behind a trusted
     * proxy; empty when the thread handles no request).
     *
     * Call it after the change succeeded. It never undoes or blocks the
     * change: a failure is only returned (and logged by the host as a
     * warning), and the dialect answers its request as it would have
     * without it. Inputs are borrowed.
     *
     * Returns OK when written; INVALID: NULL `event`, a short struct_size,
     * a field out of its bounds, detail_json not one JSON object;
     * UNAVAILABLE: the store is down, busy or full; UNSUPPORTED: the store
     * was built against 2.4 or older (it has no audit log). [any thread,
     * blocks] like a store call.
     */
    proteus_status (*audit)(void *ctx, const proteus_audit_event *event,
                            proteus_error *err);

    /* --- since 2.5: the running configuration's plugins (dialects only) --- */

    /**
     * Every plugin instance this host process runs, in the order the config
     * creates them: the store, the auth plugins (config order), then the
     * dialects (config order), the calling dialect included. For an
     * operator's view of what is loaded (the console dialect's Plugins
     * page); a plugin never needs it to talk to another plugin.
     *
     * `out` is the caller's; on OK the host fills it, with the items and
     * every string allocated in `arena` (valid until the arena is freed).
     * On failure `out` is left untouched.
     *
     * Returns OK; UNAVAILABLE while the host is still creating its plugins
     * (called from a dialect's create, before every plugin exists: ask
     * again when serving); INVALID: NULL `arena` or `out`; INTERNAL: out of
     * memory. Never blocks. [any thread]
     */
    proteus_status (*plugin_list)(void *ctx, proteus_arena *arena,
                                  proteus_plugin_info_list *out,
                                  proteus_error *err);

    /* --- since 2.6: the host's metrics (dialects only) -------------------- */

    /**
     * What the admin listener's /metrics would answer at this moment, byte
     * for byte: Prometheus's text exposition format 0.0.4 (HELP and TYPE
     * lines, one sample a line, each line ending in "\n"), UTF-8, with the
     * counters of every worker process of this host (not of other hosts on
     * the same store): requests by dialect, route and status, sign-ins,
     * store call times, the KDF queue, worker restarts, the workers wanted
     * and serving, and readiness (proteus_ready, proteus_readiness). Served
     * whether or not the config has an admin listener. For an operator's
     * view (the console dialect's Health page); a dialect never needs it to
     * answer its clients. The series are documented in docs/ARCHITECTURE.md;
     * a reader ignores series and labels it does not know.
     *
     * `out` is the caller's; on OK the host sets it to the text, allocated
     * in `arena` (valid until the arena is freed). On failure `out` is left
     * untouched.
     *
     * Returns OK; UNAVAILABLE when this process keeps no counters (a command
     * such as `proteus openapi` created the dialect, not a server); INVALID:
     * NULL `arena` or `out`; INTERNAL: out of memory. Never blocks: it reads
     * shared memory and formats some kilobytes (more with many routes).
     * [any thread]
     */
    proteus_status (*metrics_text)(void *ctx, proteus_arena *arena,
                                   proteus_bytes *out, proteus_error *err);
} proteus_host_api;

/** auth_sign_in / auth_session_check flags. */
/** The sign-in includes the user's second factor: the dialect checks it
 *  before the sign-in counts, or checked it when the session began. */
#define PROTEUS_SIGN_IN_WITH_SECOND_FACTOR (1u << 0)
/** (Since 2.5; with PROTEUS_SIGN_IN_WITH_SECOND_FACTOR.) The request carries
 *  the code too, and the dialect checks it next with auth_second_step, where
 *  the sign-in is counted; auth_sign_in then counts a matched password of a
 *  user with a second factor on as nothing (without this flag: as a sign-in
 *  that requires the second factor). Pass it only to a host whose table has
 *  auth_second_step. */
#define PROTEUS_SIGN_IN_CODE_FOLLOWS (1u << 1)

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_HOST_H */
