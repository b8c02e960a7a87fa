/*
 * proteus_plugin.h — the Proteus plugin ABI, version 1.
 *
 * This header is the whole contract between the `proteus` host and its
 * plugins. A plugin is a shared library that exports one C symbol,
 * `proteus_plugin_entry_v1`, returning a static descriptor. The host checks
 * the descriptor's magic, size and ABI version before it calls anything else
 * (as PostgreSQL checks PG_MODULE_MAGIC), then creates instances through the
 * descriptor and talks to them through the kind's function table.
 *
 * Rules that hold for every type and function below unless a comment says
 * otherwise:
 *
 * Versioning
 *   - PROTEUS_ABI_MAJOR changes when anything existing changes meaning or
 *     layout; the host refuses a plugin whose major differs (and the entry
 *     symbol's name carries the major, so an old host never even finds a new
 *     plugin's entry).
 *   - PROTEUS_ABI_MINOR changes when something is appended: a field at the end
 *     of a struct, a function at the end of a table. Every extensible struct
 *     starts with `struct_size`; a reader reads only fields that lie inside the
 *     size the writer declared, so old plugins run on new hosts. The host
 *     refuses a plugin built against a newer minor than its own.
 *
 * Strings and bytes
 *   - `proteus_str` is UTF-8 text, `proteus_bytes` is binary; neither is
 *     NUL-terminated. `ptr == NULL` means "absent" (SQL NULL / JSON null);
 *     `ptr != NULL && len == 0` means "present and empty".
 *   - Plain `const char *` fields are NUL-terminated UTF-8.
 *
 * Memory ownership
 *   - Inputs are borrowed: the callee may read them only until it returns and
 *     must copy anything it keeps.
 *   - Every output that carries variable-sized data (records, pages, strings,
 *     hashes) is allocated by the callee from a `proteus_arena` that the
 *     caller passes in. The caller owns the arena and everything in it; it
 *     frees all of it at once with `arena_destroy` (or, for the arena of a
 *     request, the host frees it after the response is sent). Nothing that
 *     crosses the ABI is ever freed with free() by the other side.
 *   - A descriptor and the tables it points to are static: they live as long
 *     as the library, and the host never unloads a library.
 *
 * Errors
 *   - Every fallible function returns a `proteus_status`. PROTEUS_OK (0) is
 *     success; anything else is one of the PROTEUS_E_* codes below, chosen by
 *     meaning (the host maps them to HTTP statuses and log lines).
 *   - Such functions take a caller-owned `proteus_error *err` (may be NULL).
 *     On failure the callee sets `err->code` to the returned status and writes
 *     a NUL-terminated, human-readable, English message into `err->message`,
 *     truncated to fit. Messages must never contain passwords, tokens or
 *     other secrets. On success `err` is left untouched.
 *
 * Threads
 *   - "[startup]": called once, on the host's main thread, before serving and
 *     never concurrently with anything else of the same instance.
 *   - "[any thread]": may be called from any host thread, concurrently with
 *     itself and with every other "[any thread]" function of the instance.
 *     Such functions may block (disk, network, CPU-heavy hashing); the host
 *     calls them from serving or worker threads, never from a thread that
 *     would stall unrelated connections.
 *   - "[shutdown]": called once, on the main thread, after every other call
 *     to the instance has returned.
 *
 * Processes
 *   - The host may run several worker processes, each loading and creating
 *     its own instances (instances are never shared across a fork). Keep
 *     shared state in the backing store (the database) or in host services
 *     (rate-limit counters are shared by the host); never assume yours is the
 *     only process using a file or database.
 *   - Several hosts may share one store (e.g. PostgreSQL). The host's
 *     rate_limit counters are per host; a limit that must hold across hosts
 *     (failed sign-ins per account) belongs in the store's counters
 *     (counter_hit, ABI 1.3).
 */
#ifndef PROTEUS_PLUGIN_H
#define PROTEUS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Versions, magic, entry symbol                                             */
/* ======================================================================== */

#define PROTEUS_ABI_MAJOR 1
#define PROTEUS_ABI_MINOR 5

/** First field of every descriptor: "PRTS" read as a little-endian uint32. */
#define PROTEUS_PLUGIN_MAGIC 0x53545250u

/** The one symbol every plugin library exports (its name carries the major). */
#define PROTEUS_ENTRY_SYMBOL "proteus_plugin_entry_v1"

/* ======================================================================== */
/* Status codes                                                              */
/* ======================================================================== */

/** Result of every fallible ABI function. 0 is success. */
typedef int32_t proteus_status;

#define PROTEUS_OK             0
/** The thing asked for does not exist (user, group, role, session, key...). */
#define PROTEUS_E_NOT_FOUND    1
/** A uniqueness rule would break: id, username, group name, role slug,
 *  token or key hash, external identity. Nothing was changed. */
#define PROTEUS_E_CONFLICT     2
/** Optimistic concurrency: the record's version is not the expected one.
 *  Nothing was changed; re-read and retry. */
#define PROTEUS_E_STALE        3
/** An argument or option is malformed or refers to something missing
 *  (unknown role slug, unknown group id). Nothing was changed. */
#define PROTEUS_E_INVALID      4
/** A credential did not verify (auth plugins). */
#define PROTEUS_E_DENIED       5
/** Auth plugins: "not mine" — the stored verifier is in a format this plugin
 *  does not handle; the host asks the next plugin of the same method
 *  (as PAM_IGNORE lets modules stack). */
#define PROTEUS_E_IGNORE       6
/** A backend is unreachable, overloaded or timed out. The caller may retry
 *  later (dialects answer 503). A write that fails this way normally
 *  changed nothing, but when the connection broke during COMMIT its outcome
 *  is unknown: it may have been applied. */
#define PROTEUS_E_UNAVAILABLE  7
/** The change would leave no enabled user holding the guarded role
 *  (e.g. "the last administrator"). Nothing was changed. */
#define PROTEUS_E_GUARD        8
/** A value is larger than the plugin accepts (document, body, string). */
#define PROTEUS_E_TOO_LARGE    9
/** The plugin does not implement this operation or option. */
#define PROTEUS_E_UNSUPPORTED 10
/** Anything else: a bug, corruption, an unexpected library error. */
#define PROTEUS_E_INTERNAL    11
/** (ABI 1.5; only from auth_sign_in and auth_session_check.) The password
 *  matched, or the session is valid, but the user has a second factor on
 *  and this sign-in does not include it: the dialect refuses the sign-in in
 *  its own envelope, saying a second factor is required. */
#define PROTEUS_E_SECOND_FACTOR 12

#define PROTEUS_ERROR_MESSAGE_MAX 512

/** Caller-owned error out-parameter; see "Errors" above. */
typedef struct proteus_error {
    proteus_status code;
    char message[PROTEUS_ERROR_MESSAGE_MAX];
} proteus_error;

/* ======================================================================== */
/* Basic value types                                                         */
/* ======================================================================== */

/** UTF-8 text, not NUL-terminated. ptr == NULL means absent. */
typedef struct proteus_str {
    const char *ptr;
    size_t len;
} proteus_str;

/** Binary data. ptr == NULL means absent. */
typedef struct proteus_bytes {
    const uint8_t *ptr;
    size_t len;
} proteus_bytes;

/** A 128-bit identifier. Users and groups have one; each dialect formats it
 *  its own way (dashed UUID, 32 hex...). Generated by the caller from the
 *  host's secure random (UUID version 4 layout). */
typedef struct proteus_id {
    uint8_t bytes[16];
} proteus_id;

/**
 * An arena: a region the caller owns, into which a callee allocates its
 * outputs. Opaque; created and freed only through the host services
 * (arena_create / arena_alloc / arena_destroy). One thread at a time.
 */
typedef struct proteus_arena proteus_arena;

/* ======================================================================== */
/* The directory model (store contract)                                      */
/* ======================================================================== */

/** proteus_user.flags */
#define PROTEUS_USER_DISABLED     (1u << 0) /**< banned: may not sign in or act */
#define PROTEUS_USER_MFA_ENABLED  (1u << 1) /**< second factor required at login */

/** A per-user JSON document owned by one namespace (usually a dialect name,
 *  e.g. "aiostreams" or "mcsmanager"). Dialects never read or write each
 *  other's namespaces. `json` is one complete JSON value (text). */
typedef struct proteus_doc {
    proteus_str ns;
    proteus_str json;   /**< absent in an update = delete this document */
} proteus_doc;

/**
 * The canonical user record. Shared facts live in typed fields every dialect
 * reads; dialect-specific data lives in namespaced documents.
 *
 * Output records (user_get, user_search, users_export) are allocated in the
 * caller's arena: the struct, its strings, its role and doc arrays.
 */
typedef struct proteus_user {
    uint32_t struct_size;     /**< sizeof(proteus_user) of the writer */
    uint32_t flags;           /**< PROTEUS_USER_* */
    proteus_id id;
    uint64_t version;         /**< 1 after create; +1 on every update */
    int64_t created_at;       /**< unix milliseconds; 0 on create = now */
    int64_t updated_at;       /**< unix milliseconds; set by the store */
    int64_t accessed_at;      /**< unix ms of last use, 0 = never */
    int64_t login_at;         /**< unix ms of last sign-in, 0 = never */
    proteus_str username;     /**< unique when present, compared byte-exact */
    proteus_str email;        /**< not unique; matched ASCII-case-insensitively */
    proteus_str display_name;
    proteus_str password_hash;/**< PHC or crypt(3) string; absent = no password */
    proteus_bytes mfa_secret; /**< TOTP secret sealed with the host AEAD */
    int64_t mfa_last_step;    /**< last accepted TOTP time step (anti-replay) */
    bool has_group;
    proteus_id group_id;      /**< valid when has_group */
    const proteus_str *roles; /**< role slugs; each must exist (role_put) */
    uint32_t role_count;
    const proteus_doc *docs;
    uint32_t doc_count;
} proteus_user;

/** Field selectors for user_update: only selected fields are written. */
#define PROTEUS_FIELD_USERNAME      (1ull << 0)
#define PROTEUS_FIELD_EMAIL         (1ull << 1)
#define PROTEUS_FIELD_DISPLAY_NAME  (1ull << 2)
#define PROTEUS_FIELD_PASSWORD_HASH (1ull << 3)
#define PROTEUS_FIELD_FLAGS         (1ull << 4)
#define PROTEUS_FIELD_MFA           (1ull << 5) /**< mfa_secret + mfa_last_step */
#define PROTEUS_FIELD_GROUP         (1ull << 6) /**< has_group + group_id */
#define PROTEUS_FIELD_ROLES         (1ull << 7) /**< replaces the whole role set */
#define PROTEUS_FIELD_DOCS          (1ull << 8) /**< writes the listed docs only */
#define PROTEUS_FIELD_ACCESSED_AT   (1ull << 9)
#define PROTEUS_FIELD_LOGIN_AT      (1ull << 10)

/** How user_get finds a user. */
#define PROTEUS_LOOKUP_ID        1  /**< key.id */
#define PROTEUS_LOOKUP_USERNAME  2  /**< key.text, byte-exact */
#define PROTEUS_LOOKUP_EMAIL     3  /**< key.text, ASCII case-insensitive;
                                         the earliest-created match */

typedef struct proteus_user_key {
    int32_t by;          /**< PROTEUS_LOOKUP_* */
    proteus_id id;
    proteus_str text;
} proteus_user_key;

/** Document selection for reads: absent = no documents, "*" = all,
 *  anything else = that one namespace. */
#define PROTEUS_DOCS_ALL "*"

/** user_search ordering */
#define PROTEUS_ORDER_CREATED   0  /**< created_at, then id */
#define PROTEUS_ORDER_USERNAME  1  /**< username bytes, then id */
#define PROTEUS_ORDER_ID        2  /**< id bytes */

/** user_search group filter */
#define PROTEUS_GROUP_ANY    0
#define PROTEUS_GROUP_NONE   1   /**< users without a group */
#define PROTEUS_GROUP_EQUALS 2   /**< users in group_id */

typedef struct proteus_user_query {
    uint32_t struct_size;
    proteus_str username_contains; /**< absent or empty = any; case-sensitive
                                        substring (index-backed) */
    proteus_str email;             /**< absent = any; ASCII case-insensitive */
    proteus_str has_role;          /**< absent = any */
    const proteus_str *lacks_roles;/**< users holding none of these */
    uint32_t lacks_role_count;
    uint32_t flags_mask;           /**< match (flags & mask) == flags_value */
    uint32_t flags_value;
    int32_t group_filter;          /**< PROTEUS_GROUP_* */
    proteus_id group_id;
    uint64_t offset;               /**< rows to skip */
    uint32_t limit;                /**< max rows; 0 = count only */
    int32_t order;                 /**< PROTEUS_ORDER_* */
    proteus_str doc_ns;            /**< documents to include, as for user_get */
} proteus_user_query;

/** A page of users: `items[0..count)` plus the total matching the query
 *  regardless of offset/limit. Arena-allocated. */
typedef struct proteus_user_page {
    uint64_t total;
    uint32_t count;
    const proteus_user *items;
} proteus_user_page;

/** users_import modes */
#define PROTEUS_IMPORT_INSERT 0  /**< any existing id/username fails the batch */
#define PROTEUS_IMPORT_UPSERT 1  /**< replace by id (idempotent re-runs) */

/** A group (Cortex Hub admin groups). Users belong to at most one group;
 *  deleting a group leaves its members ungrouped. */
typedef struct proteus_group {
    uint32_t struct_size;
    proteus_id id;
    uint64_t version;
    int64_t created_at;
    int64_t updated_at;
    proteus_str name;          /**< unique, byte-exact */
    proteus_str description;
    proteus_str policy_json;   /**< one JSON value; absent = null */
    uint64_t member_count;     /**< output only */
} proteus_group;

typedef struct proteus_group_list {
    uint32_t count;
    const proteus_group *items;
} proteus_group_list;

/** A role definition. Users reference roles by slug. */
typedef struct proteus_role {
    uint32_t struct_size;
    int64_t id;                /**< store-assigned on first put, stable, > 0 */
    proteus_str slug;          /**< unique, [A-Za-z0-9._:-], byte-exact */
    proteus_str name;
    proteus_str attributes_json; /**< dialect data (color, songRequests...) */
} proteus_role;

typedef struct proteus_role_list {
    uint32_t count;
    const proteus_role *items;
} proteus_role_list;

/** A session (login token). Only a hash of the token is stored. */
typedef struct proteus_session {
    uint32_t struct_size;
    proteus_bytes token_hash;  /**< unique; callers use the host's sha256 */
    proteus_id user_id;        /**< deleting the user deletes its sessions */
    proteus_str ns;            /**< issuing namespace (dialect) */
    int64_t created_at;        /**< unix ms; 0 on create = now */
    int64_t expires_at;        /**< unix ms; 0 = never */
    proteus_str data_json;     /**< small dialect data (e.g. "mfa pending") */
} proteus_session;

/** An API key. Only a hash of the key is stored. */
typedef struct proteus_api_key {
    uint32_t struct_size;
    proteus_bytes key_hash;    /**< unique */
    proteus_id user_id;        /**< deleting the user deletes its keys */
    proteus_str ns;
    proteus_str label;
    int64_t created_at;
    int64_t last_used_at;      /**< output only (maintained by the store) */
} proteus_api_key;

typedef struct proteus_api_key_list {
    uint32_t count;
    const proteus_api_key *items;
} proteus_api_key_list;

/** Granularity of api key last_used_at (see apikey_get). */
#define PROTEUS_LAST_USED_RESOLUTION_MS 60000

/** A link from an external identity (e.g. an OIDC issuer + subject). */
typedef struct proteus_identity {
    uint32_t struct_size;
    proteus_str provider;      /**< (provider, subject) is unique */
    proteus_str subject;
    proteus_id user_id;        /**< deleting the user deletes its links */
} proteus_identity;

typedef struct proteus_identity_list {
    uint32_t count;
    const proteus_identity *items;
} proteus_identity_list;

typedef struct proteus_store_stats {
    uint32_t struct_size;
    uint64_t users;
    uint64_t documents;
    uint64_t groups;
    uint64_t roles;
    uint64_t sessions;
    uint64_t api_keys;
    uint64_t identities;
    uint32_t schema_version;
} proteus_store_stats;

/**
 * The store contract. A store plugin fills one static table; the host hands
 * dialects a table of the same type whose functions route to the configured
 * store (dialects call `host->store`, never a store library directly).
 *
 * Every function: [any thread]; `store` is the instance from create (or, in
 * the table the host gives dialects, `host->store_ctx`). Writes are atomic:
 * on any error nothing was changed. Outputs go into `arena`.
 *
 * A write acknowledged with PROTEUS_OK must survive a crash of the host
 * process right after (kill -9).
 */
typedef struct proteus_store_api {
    uint32_t struct_size;

    /* --- users ---------------------------------------------------------- */

    /** Create a user with all fields, roles and docs given. version becomes 1.
     *  CONFLICT: id or username taken. INVALID: unknown role or group. */
    proteus_status (*user_create)(void *store, const proteus_user *user,
                                  proteus_error *err);

    /** Find one user. doc_ns selects documents (see PROTEUS_DOCS_ALL).
     *  NOT_FOUND when no user matches. */
    proteus_status (*user_get)(void *store, const proteus_user_key *key,
                               proteus_str doc_ns, proteus_arena *arena,
                               proteus_user **out, proteus_error *err);

    /** Write the fields selected by `fields` from `changes` to the user
     *  `changes->id`. expected_version 0 = unconditional, else STALE when the
     *  stored version differs. guard_role (absent = none): GUARD when, after
     *  the change, no enabled user would hold that role although the changed
     *  user held it before — decided inside the same transaction so it holds
     *  under concurrency. On success *new_version (may be NULL) is set.
     *  NOT_FOUND, STALE, CONFLICT (username), INVALID (role/group), GUARD. */
    proteus_status (*user_update)(void *store, const proteus_user *changes,
                                  uint64_t fields, uint64_t expected_version,
                                  proteus_str guard_role,
                                  uint64_t *new_version, proteus_error *err);

    /** Delete a user with its docs, sessions, keys and identity links.
     *  expected_version and guard_role as for user_update. */
    proteus_status (*user_delete)(void *store, proteus_id id,
                                  uint64_t expected_version,
                                  proteus_str guard_role, proteus_error *err);

    /** Page through users matching a query (see proteus_user_query). */
    proteus_status (*user_search)(void *store, const proteus_user_query *query,
                                  proteus_arena *arena,
                                  proteus_user_page **out, proteus_error *err);

    /** Bulk write in one transaction (migration, import, benchmarks).
     *  Records are complete (all fields, roles, docs); version and timestamps
     *  are taken as given. Roles and groups referenced must exist. */
    proteus_status (*users_import)(void *store, const proteus_user *users,
                                   size_t count, int32_t mode,
                                   proteus_error *err);

    /** Complete records (all docs) in id order, after `after` (when
     *  has_after), at most `limit`. page->total is the total user count. */
    proteus_status (*users_export)(void *store, bool has_after,
                                   proteus_id after, uint32_t limit,
                                   proteus_arena *arena,
                                   proteus_user_page **out, proteus_error *err);

    /* --- groups --------------------------------------------------------- */

    /** CONFLICT: id or name taken. */
    proteus_status (*group_create)(void *store, const proteus_group *group,
                                   proteus_error *err);
    proteus_status (*group_get)(void *store, proteus_id id,
                                proteus_arena *arena, proteus_group **out,
                                proteus_error *err);
    /** All groups by name, with member counts. */
    proteus_status (*group_list)(void *store, proteus_arena *arena,
                                 proteus_group_list **out, proteus_error *err);
    /** Writes name, description, policy_json. expected_version as for users. */
    proteus_status (*group_update)(void *store, const proteus_group *group,
                                   uint64_t expected_version,
                                   uint64_t *new_version, proteus_error *err);
    /** Deletes the group; its members become ungrouped. */
    proteus_status (*group_delete)(void *store, proteus_id id,
                                   proteus_error *err);

    /* --- roles ---------------------------------------------------------- */

    /** Insert or update the role with this slug; *out_id (may be NULL)
     *  receives its stable id. */
    proteus_status (*role_put)(void *store, const proteus_role *role,
                               int64_t *out_id, proteus_error *err);
    proteus_status (*role_get)(void *store, proteus_str slug,
                               proteus_arena *arena, proteus_role **out,
                               proteus_error *err);
    /** All roles by id. */
    proteus_status (*role_list)(void *store, proteus_arena *arena,
                                proteus_role_list **out, proteus_error *err);
    /** Deletes the role and removes it from every user. guard semantics do
     *  not apply; callers check themselves. */
    proteus_status (*role_delete)(void *store, proteus_str slug,
                                  proteus_error *err);

    /* --- sessions ------------------------------------------------------- */

    /** CONFLICT: hash taken. NOT_FOUND/INVALID: no such user. */
    proteus_status (*session_create)(void *store,
                                     const proteus_session *session,
                                     proteus_error *err);
    /** NOT_FOUND also when expired (expires_at != 0 && expires_at <= now). */
    proteus_status (*session_get)(void *store, proteus_bytes token_hash,
                                  int64_t now, proteus_arena *arena,
                                  proteus_session **out, proteus_error *err);
    proteus_status (*session_delete)(void *store, proteus_bytes token_hash,
                                     proteus_error *err);
    /** Deletes the user's sessions of one namespace (absent ns = all);
     *  *deleted (may be NULL) receives the count. */
    proteus_status (*session_delete_user)(void *store, proteus_id user_id,
                                          proteus_str ns, uint64_t *deleted,
                                          proteus_error *err);

    /* --- API keys ------------------------------------------------------- */

    proteus_status (*apikey_create)(void *store, const proteus_api_key *key,
                                    proteus_error *err);
    /** Finds a key by hash. Records last_used_at = now when the stored value
     *  is at least PROTEUS_LAST_USED_RESOLUTION_MS older (best effort: a
     *  bounded wait, failures ignored), so a busy key does not turn every
     *  read into a write; returns the value as stored afterwards. */
    proteus_status (*apikey_get)(void *store, proteus_bytes key_hash,
                                 int64_t now, proteus_arena *arena,
                                 proteus_api_key **out, proteus_error *err);
    /** A user's keys (absent user = every key, for export), by creation. */
    proteus_status (*apikey_list)(void *store, bool has_user,
                                  proteus_id user_id, proteus_arena *arena,
                                  proteus_api_key_list **out,
                                  proteus_error *err);
    proteus_status (*apikey_delete)(void *store, proteus_bytes key_hash,
                                    proteus_error *err);
    proteus_status (*apikey_delete_user)(void *store, proteus_id user_id,
                                         proteus_str ns, uint64_t *deleted,
                                         proteus_error *err);

    /* --- external identities -------------------------------------------- */

    /** CONFLICT: (provider, subject) already linked. */
    proteus_status (*identity_link)(void *store,
                                    const proteus_identity *identity,
                                    proteus_error *err);
    proteus_status (*identity_get)(void *store, proteus_str provider,
                                   proteus_str subject, proteus_id *user_id,
                                   proteus_error *err);
    proteus_status (*identity_unlink)(void *store, proteus_str provider,
                                      proteus_str subject,
                                      proteus_error *err);
    /** A user's links (absent user = all, for export). */
    proteus_status (*identity_list)(void *store, bool has_user,
                                    proteus_id user_id, proteus_arena *arena,
                                    proteus_identity_list **out,
                                    proteus_error *err);

    /* --- maintenance ---------------------------------------------------- */

    proteus_status (*stats)(void *store, proteus_store_stats *out,
                            proteus_error *err);
    /** Deletes expired sessions; *removed (may be NULL) receives the count. */
    proteus_status (*purge_expired)(void *store, int64_t now,
                                    uint64_t *removed, proteus_error *err);

    /* --- counters (ABI 1.3) --------------------------------------------- */
    /* Fixed-window counters every host and process on this store shares
     * (e.g. failed sign-ins per account), so a limit cannot be multiplied by
     * spreading attempts over several hosts. A table built against ABI <= 1.2
     * ends before these fields (check struct_size); the host's routed table
     * then answers UNSUPPORTED. */

    /** Atomically add `weight` to the counter `key` and report the count
     *  after the hit. The counter belongs to a fixed window: when the stored
     *  window has ended (window_ends <= now_ms) or there is none, the hit
     *  starts a new one, [now_ms, now_ms + window_seconds * 1000), at 0.
     *  Hits never move a window's end, so a counter always falls back to 0
     *  at most window_seconds after its first hit.
     *  `key`: opaque bytes, 1..PROTEUS_COUNTER_KEY_MAX (callers namespace
     *  them, e.g. "mcsm-login-user:" + sha256(name)). `weight` 0 reads the
     *  counter (a new window is still started when none is live).
     *  `window_seconds`: 1..PROTEUS_COUNTER_WINDOW_MAX; it only matters
     *  when the hit starts a window. `now_ms`: the caller's wall clock (unix
     *  ms; tests drive it instead of sleeping). Hosts sharing a store should
     *  keep their clocks in step (NTP): a host whose clock is d ahead sees
     *  windows end d early. The count saturates (at INT64_MAX) instead of
     *  wrapping.
     *  Inputs are borrowed. Outputs (caller-owned, each may be NULL; written
     *  only on OK): *count = the count after the hit, *window_ends_ms = when
     *  its window ends (unix ms).
     *  Atomic: one statement or transaction; concurrent hits from any
     *  thread, process or host on the same store are all counted (no lost
     *  update) and, with weight > 0, each sees a distinct count. Durable
     *  like every write. Expired counters are deleted by the store, lazily
     *  and in bounded batches (a hit that starts a window deletes a few
     *  ended ones): callers never clean up.
     *  INVALID: key empty or absent, window out of range. TOO_LARGE: key
     *  longer than PROTEUS_COUNTER_KEY_MAX. UNAVAILABLE: backend down, busy
     *  or timed out (the caller decides whether to fail closed; the
     *  MCSManager dialect answers 503). UNSUPPORTED: a store built for ABI
     *  <= 1.2, through the host's table. */
    proteus_status (*counter_hit)(void *store, proteus_bytes key,
                                  uint32_t weight, uint32_t window_seconds,
                                  int64_t now_ms, uint64_t *count,
                                  int64_t *window_ends_ms,
                                  proteus_error *err);
    /** Deletes the counter `key` (its next hit starts a new window at 0),
     *  e.g. when an administrator unlocks an account. Clearing a missing
     *  counter is OK. Errors as for counter_hit. */
    proteus_status (*counter_clear)(void *store, proteus_bytes key,
                                    proteus_error *err);
} proteus_store_api;

/** Longest counter key a store must accept (bytes). */
#define PROTEUS_COUNTER_KEY_MAX 256
/** Longest counter window (seconds): one day. */
#define PROTEUS_COUNTER_WINDOW_MAX 86400

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
    /** Derive a stored verifier (e.g. a PHC string) from `secret`. */
    proteus_status (*enroll)(void *instance, proteus_str secret,
                             proteus_arena *arena, proteus_str *stored,
                             proteus_error *err);
    /** OK: matches. DENIED: does not match. IGNORE: not my format.
     *  INVALID: stored verifier malformed. Must take time independent of
     *  where a mismatch is. `result` is caller-owned. */
    proteus_status (*verify)(void *instance, proteus_str presented,
                             proteus_str stored, proteus_arena *arena,
                             proteus_verify_result *result,
                             proteus_error *err);
} proteus_auth_api;

/* ======================================================================== */
/* API dialects                                                              */
/* ======================================================================== */

/** A route a dialect serves, relative to its mount. */
typedef struct proteus_route {
    /** Comma-separated methods, e.g. "GET,HEAD,POST". */
    const char *methods;
    /** Path pattern: literal segments and `{name}` segments matching one
     *  non-empty segment, e.g. "/api/users/{id}". Starts with '/'. */
    const char *path;
} proteus_route;

/** One request header as received (name case preserved; compare names
 *  ASCII-case-insensitively). Repeated headers appear repeatedly. */
typedef struct proteus_header {
    proteus_str name;
    proteus_str value;
} proteus_header;

/** Opaque response under construction; filled through host services. */
typedef struct proteus_response proteus_response;

/**
 * One request, as the host hands it to a dialect. Everything is borrowed
 * and valid until handle() returns.
 */
typedef struct proteus_request {
    uint32_t struct_size;
    /** Index into the dialect's routes, or -1 when no route matched. */
    int32_t route;
    /** 0: a normal request for `route`. Otherwise the host has already
     *  decided the outcome and the dialect only renders it in its own
     *  envelope: 404 (no route), 405 (path known, method not), 413 (body too
     *  large), 415, 503 (overloaded), 400 (request the host could not use). */
    uint16_t host_status;
    /** A short English reason when host_status != 0. */
    proteus_str host_reason;
    proteus_str method;        /**< e.g. "GET" */
    /** Percent-decoded path relative to the mount, starting with '/'. */
    proteus_str path;
    /** Raw query string (no '?', not decoded); absent when none. */
    proteus_str query;
    const proteus_header *headers;
    uint32_t header_count;
    proteus_bytes body;        /**< decoded (de-chunked) body */
    /** Client address (the socket's peer, or X-Forwarded-For when the peer
     *  is a trusted proxy), textual. */
    proteus_str client_ip;
    /** Values of the route's `{name}` segments, in pattern order. */
    const proteus_str *params;
    uint32_t param_count;
    /** Request-scoped arena for store/auth outputs; freed by the host after
     *  the response is written. */
    proteus_arena *arena;
    /** The mount prefix this dialect is served under ("/" or "/aio"). */
    proteus_str mount;
} proteus_request;

/**
 * A dialect: the REST surface of one original system.
 */
typedef struct proteus_dialect_api {
    uint32_t struct_size;
    /** The routes of this instance. [startup]. *routes stays owned by the
     *  instance and valid until destroy. */
    proteus_status (*routes)(void *instance, const proteus_route **routes,
                             uint32_t *count, proteus_error *err);
    /** Answer one request by filling `response` through the host's
     *  response_* services. [any thread]; may block on store and auth calls.
     *  Return OK after filling the response. Any other status makes the host
     *  answer a plain 500 (use it only for bugs). */
    proteus_status (*handle)(void *instance, const proteus_request *request,
                             proteus_response *response);
} proteus_dialect_api;

/* ======================================================================== */
/* Host services                                                             */
/* ======================================================================== */

/** Log levels */
#define PROTEUS_LOG_DEBUG 0
#define PROTEUS_LOG_INFO  1
#define PROTEUS_LOG_WARN  2
#define PROTEUS_LOG_ERROR 3

/* --- outbound HTTP (ABI 1.3) --------------------------------------------- */

/** proteus_http_request.flags: also trust the operator's extra CA file
 *  (config `outbound.extraCAFile`) besides the system CA store. INVALID when
 *  the config names no such file. */
#define PROTEUS_HTTP_TRUST_EXTRA_CA (1u << 0)

/**
 * One outbound HTTP(S) request (host->http_request). Borrowed by the host
 * for the duration of the call. The host reads only the fields inside
 * `struct_size`; all fields below are required since 1.3.
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

/**
 * What the host offers a plugin. Each plugin instance gets its own copy
 * whose `ctx` identifies it; pass `host->ctx` as the first argument.
 * The table lives until the instance is destroyed. Fields are only
 * appended (check struct_size before using one added after 1.0).
 *
 * Every function here: [any thread] unless noted.
 */
typedef struct proteus_host_api {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *ctx;

    /** Absolute path of the host's data directory (NUL-terminated). */
    const char *data_directory;

    /* --- logging, time, randomness -------------------------------------- */

    /** Write one log line tagged with the plugin's name. Never log secrets. */
    void (*log)(void *ctx, int32_t level, proteus_str message);
    /** Wall clock, unix milliseconds. */
    int64_t (*now_ms)(void *ctx);
    /** Monotonic clock, nanoseconds (for durations only). */
    int64_t (*monotonic_ns)(void *ctx);
    /** Fill buf with cryptographically secure random bytes. */
    proteus_status (*random)(void *ctx, uint8_t *buf, size_t len,
                             proteus_error *err);

    /* --- arenas ---------------------------------------------------------- */

    /** A new empty arena owned by the caller. NULL when out of memory. */
    proteus_arena *(*arena_create)(void *ctx);
    /** size bytes, 16-byte aligned, zeroed, valid until the arena is
     *  destroyed. NULL when out of memory. One thread at a time per arena. */
    void *(*arena_alloc)(proteus_arena *arena, size_t size);
    /** Free an arena created by arena_create and everything in it. */
    void (*arena_destroy)(proteus_arena *arena);

    /* --- crypto helpers -------------------------------------------------- */

    /** SHA-256 of data into out[32] (token and key hashes). */
    void (*sha256)(void *ctx, proteus_bytes data, uint8_t out[32]);
    /** Constant-time equality (lengths compared in the open). */
    bool (*ct_equal)(void *ctx, proteus_bytes a, proteus_bytes b);
    /** AES-256-GCM with the server's secret key. Output (in arena):
     *  12-byte random nonce || ciphertext || 16-byte tag. `aad` is
     *  authenticated, not encrypted: bind the token to its purpose and
     *  subject (e.g. "aiostreams.password:<uuid>"). */
    proteus_status (*seal)(void *ctx, proteus_bytes plaintext,
                           proteus_bytes aad, proteus_arena *arena,
                           proteus_bytes *out, proteus_error *err);
    /** Inverse of seal. DENIED for any token that does not authenticate
     *  (one uniform answer whatever was wrong with it). */
    proteus_status (*open)(void *ctx, proteus_bytes sealed, proteus_bytes aad,
                           proteus_arena *arena, proteus_bytes *out,
                           proteus_error *err);

    /* --- rate limiting --------------------------------------------------- */

    /** Count one hit for `key` in a fixed window of `window_seconds` and
     *  report whether it is within `limit`. Counters are shared by every
     *  worker process of this host, not by other hosts on the same store
     *  (use the store's counter_hit for that). Keys are opaque bytes; use
     *  client_key to key by client address. */
    proteus_status (*rate_limit)(void *ctx, proteus_bytes key, uint32_t limit,
                                 uint32_t window_seconds,
                                 proteus_rate_limit *out, proteus_error *err);
    /** The rate-limit key of a client address: IPv4 as is, IPv6 collapsed to
     *  its /56 prefix. Written into the arena. */
    proteus_status (*client_key)(void *ctx, proteus_str client_ip,
                                 proteus_arena *arena, proteus_bytes *out,
                                 proteus_error *err);

    /* --- directory and credentials (dialects only; NULL for others) ----- */

    /** The store contract, routed through the host to the configured store.
     *  Call as host->store->user_get(host->store_ctx, ...). */
    const proteus_store_api *store;
    void *store_ctx;

    /** Enroll a secret with the first plugin of `method` (e.g. "password").
     *  Runs on the KDF pool; the calling thread waits, in the host's waiting
     *  lane when it is a serving thread (another thread serves in its place
     *  meanwhile). UNAVAILABLE when the job would start later than the
     *  host's kdf.maxWaitMs or the lane is full: answer 503 at once; the
     *  host adds Retry-After to a 503 response of this request unless the
     *  dialect set one. UNSUPPORTED: no such method. */
    proteus_status (*auth_enroll)(void *ctx, const char *method,
                                  proteus_str secret, proteus_arena *arena,
                                  proteus_str *stored, proteus_error *err);
    /** Verify with the plugins of `method` in order (IGNORE passes on).
     *  Runs and waits as auth_enroll does. OK, DENIED, INVALID (no plugin
     *  understands `stored`), UNAVAILABLE (refused for load, as for
     *  auth_enroll). */
    proteus_status (*auth_verify)(void *ctx, const char *method,
                                  proteus_str presented, proteus_str stored,
                                  proteus_arena *arena,
                                  proteus_verify_result *result,
                                  proteus_error *err);

    /* --- responses (dialects; only on the thread running handle) -------- */

    /** HTTP status code of the response (default 200). */
    void (*response_status)(proteus_response *response, uint16_t status);
    /** Add a header. The host owns framing: Content-Length,
     *  Transfer-Encoding, Connection and Date set here are ignored. */
    void (*response_header)(proteus_response *response, proteus_str name,
                            proteus_str value);
    /** Append bytes to the body (copied). For HEAD the host sends the
     *  headers (with this Content-Length) and drops the body. */
    void (*response_body)(proteus_response *response, proteus_bytes bytes);

    /* --- outbound HTTP (ABI 1.3; check struct_size) --------------------- */

    /**
     * Send one HTTP(S) request to a remote server and wait for its answer
     * (e.g. an OIDC token endpoint, a JWKS document). [any thread]; blocks
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
     *   UNSUPPORTED (from PluginKit, never from the host) the host is older
     *               than 1.3 and has no http_request;
     *   INTERNAL    out of memory, an unexpected libcurl error.
     * The message says what happened without the URL's query or any header.
     */
    proteus_status (*http_request)(void *ctx,
                                   const proteus_http_request *request,
                                   proteus_arena *arena,
                                   proteus_http_response *response,
                                   proteus_error *err);

    /* --- keyed MAC under the server key (ABI 1.4; check struct_size) ---- */

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

    /* --- sign-in under the directory's rules (ABI 1.5; dialects only;
     *     check struct_size) ------------------------------------------------ */

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
     * must be the request's. [serving thread] of the dialect's own mount;
     * blocks like auth_verify.
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
} proteus_host_api;

/** auth_sign_in / auth_session_check flags (ABI 1.5). */
/** The sign-in includes the user's second factor: the dialect checks it
 *  before the sign-in counts, or checked it when the session began. */
#define PROTEUS_SIGN_IN_WITH_SECOND_FACTOR (1u << 0)

/* ======================================================================== */
/* Extensions (ABI 1.1): optional capabilities found with get_extension       */
/* ======================================================================== */

/** get_extension id of proteus_import_api (offered by dialects). */
#define PROTEUS_EXT_IMPORT_V1 "import.v1"

/** Progress of a long operation: `done` of `total` items (total 0 =
 *  unknown); `note` is a short line about one item (e.g. a skipped file and
 *  why), absent for plain progress. Called on the thread running the
 *  operation; `ctx` is the caller's. */
typedef void (*proteus_progress_fn)(void *ctx, uint64_t done, uint64_t total,
                                    proteus_str note);

/** Outcome counts of an import. Caller-owned. */
typedef struct proteus_import_summary {
    uint32_t struct_size;
    uint64_t imported;   /**< items written */
    uint64_t skipped;    /**< items left out (malformed, already present...) */
} proteus_import_summary;

/**
 * "import.v1": bring another system's data into the directory, e.g. the
 * MCSManager panel's data/User/\*.json files. The dialect reads `source` (a
 * path), maps each item to the directory's model and writes it through
 * host->store. Each item is written atomically or not at all: a malformed
 * item is reported through `progress` (with a note naming it) and skipped,
 * never half-written. Re-running an import must not duplicate anything.
 * [startup]: called on the main thread by `proteus import`, no requests are
 * being served. OK when the run completed (even with skipped items);
 * INVALID when `source` is unusable as a whole.
 */
typedef struct proteus_import_api {
    uint32_t struct_size;
    proteus_status (*import_from)(void *instance, proteus_str source,
                                  proteus_progress_fn progress,
                                  void *progress_ctx,
                                  proteus_import_summary *summary,
                                  proteus_error *err);
} proteus_import_api;

/* ======================================================================== */
/* Descriptor and entry point                                                */
/* ======================================================================== */

#define PROTEUS_KIND_STORE   1
#define PROTEUS_KIND_AUTH    2
#define PROTEUS_KIND_DIALECT 3

/**
 * The static description of a plugin library, returned by the entry symbol.
 * The host reads magic, struct_size and the ABI version first and refuses
 * the library on any mismatch without calling into it further.
 */
typedef struct proteus_plugin_descriptor {
    uint32_t magic;            /**< PROTEUS_PLUGIN_MAGIC */
    uint32_t struct_size;      /**< sizeof(proteus_plugin_descriptor) */
    uint16_t abi_major;        /**< PROTEUS_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;        /**< PROTEUS_ABI_MINOR the plugin was built with */
    uint32_t kind;             /**< PROTEUS_KIND_* */
    const char *name;          /**< [a-z0-9_-]{1,64}; what configs refer to */
    const char *version;       /**< the plugin's own version, e.g. "1.0.0" */
    const char *description;   /**< one line */

    /** Create an instance. [startup]. `host` stays valid until destroy.
     *  `options_json` is the config's "options" value (a JSON object text,
     *  "{}" when not given), NUL-terminated; options_len excludes the NUL. On failure return INVALID (bad options),
     *  UNAVAILABLE (backend unreachable) or INTERNAL with a message naming
     *  the cause; the host refuses to start and prints it. */
    proteus_status (*create)(const proteus_host_api *host,
                             const char *options_json, size_t options_len,
                             void **instance, proteus_error *err);
    /** Destroy an instance: flush, close connections, free. [shutdown]. */
    void (*destroy)(void *instance);
    /** proteus_store_api, proteus_auth_api or proteus_dialect_api by kind. */
    const void *vtable;
    /** Optional capabilities by name (CLAP-style), e.g. "totp.v1"; NULL when
     *  the plugin has none. [any thread]. */
    const void *(*get_extension)(void *instance, const char *id);
} proteus_plugin_descriptor;

/** The type of the exported entry symbol PROTEUS_ENTRY_SYMBOL. [any thread],
 *  idempotent, returns the same static descriptor every time. */
typedef const proteus_plugin_descriptor *(*proteus_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_PLUGIN_H */
