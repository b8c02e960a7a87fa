/*
 * proteus_store.h — the directory model and the store contract (store plugins implement it; dialects call it through host->store).
 * Part of the Proteus plugin ABI; the rules every declaration follows
 * (versions, strings, memory, errors, threads) are in proteus_plugin.h.
 */
#ifndef PROTEUS_STORE_H
#define PROTEUS_STORE_H

#include "proteus_types.h"
#include "proteus_audit.h"

#ifdef __cplusplus
extern "C" {
#endif

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
    /* (since 2.3) A store reads the fields below only when struct_size
     * covers them (a query built against 2.2 or older ends before them).
     * They combine (AND) with every field above; order, offset, limit and
     * total hold as for any query. A store built against 2.2 or older
     * never reads them, and its table ends before entry_put: a caller
     * that sets them checks the table's struct_size first (PluginKit's
     * StoreClient answers UNSUPPORTED rather than an unfiltered page). */
    proteus_str username_folded;   /**< (since 2.3) absent = any; the username
                                        compared ASCII-case-insensitively with
                                        this text (A-Z fold to a-z, every other
                                        byte exact), as username_folded_match
                                        says (index-backed) */
    int32_t username_folded_match; /**< (since 2.3) PROTEUS_MATCH_* */
    /* (since 2.6) Read only when struct_size covers them (a query built
     * against 2.5 or older ends before them: no cursor, exact total). A
     * store built against 2.5 or older never reads them: a caller that sets
     * them checks the store table's struct_size covers session_count_user
     * (2.6's last function) first (PluginKit's StoreClient answers
     * UNSUPPORTED rather than a page from the start or an uncapped count). */
    proteus_str after_username;    /**< (since 2.6) keyset paging: absent =
                                        from the first user. Present (empty
                                        allowed): only users whose username
                                        sorts after it, in the order of
                                        PROTEUS_ORDER_USERNAME (unsigned bytes,
                                        memcmp then length: SQLite BINARY,
                                        PostgreSQL COLLATE "C"); users
                                        without a username never follow a
                                        cursor. When the username index
                                        drives the query it is a range start,
                                        so a deep page costs what the first
                                        one does; when another filter's index
                                        drives, it tests each candidate. Pass
                                        the last username of a page for the
                                        next one (offset then usually 0).
                                        Combines (AND) with every filter; the
                                        total ignores it, as it ignores offset
                                        and limit. INVALID: order other than
                                        PROTEUS_ORDER_USERNAME, not UTF-8. */
    uint64_t total_cap;            /**< (since 2.6) 0 = an exact total. N > 0:
                                        the store may stop counting at N and
                                        then answers total = N with
                                        PROTEUS_PAGE_TOTAL_AT_LEAST in the
                                        page's flags (at least N match); under
                                        N the total is exact and the flag
                                        clear. The count then visits at most
                                        N index entries (a username substring:
                                        max(N, 50001), as choosing the page's
                                        plan needs), never every match. */
    /* (since 2.7) Read only when struct_size covers them (a query built
     * against 2.6 or older ends before them: no key presence). A store
     * built against 2.6 or older never reads them: a caller that sets them
     * checks the store table's struct_size covers
     * user_get_with_key_presence (2.7's function) first (PluginKit's
     * StoreClient then asks apikey_presence itself). */
    bool key_presence;             /**< (since 2.7) also answer, for each
                                        user of the page, whether it holds
                                        an API key of namespace key_ns
                                        (proteus_user_page.holds_key), as
                                        apikey_presence would, in the same
                                        call: no second store call for a
                                        page's "has an API key" */
    proteus_str key_ns;            /**< (since 2.7) with key_presence: the
                                        keys' namespace; absent = any.
                                        INVALID: present but empty or not
                                        UTF-8 */
} proteus_user_query;

/** proteus_user_query.username_folded_match (since 2.3) */
#define PROTEUS_MATCH_EQUALS 0   /**< the whole username */
#define PROTEUS_MATCH_PREFIX 1   /**< the username starts with it (an empty
                                      text: every user with a username) */
#define PROTEUS_MATCH_CONTAINS 2 /**< (since 2.4) the username holds it
                                      anywhere (an empty text: every user with
                                      a username); index-backed from three
                                      characters on, shorter texts test each
                                      candidate. A store built against 2.3
                                      answers INVALID (an unknown match). */

/** A page of users: `items[0..count)` plus the total matching the query
 *  regardless of offset/limit. Arena-allocated by the store; readers check
 *  struct_size (so pages can grow), as for every list below. */
typedef struct proteus_user_page {
    uint32_t struct_size;      /**< sizeof(proteus_user_page) of the writer */
    uint64_t total;
    uint32_t count;
    const proteus_user *items;
    uint32_t flags;            /**< (since 2.6) PROTEUS_PAGE_*; a page written
                                    by a 2.5 store ends before it (read it
                                    only when struct_size covers it, else 0) */
    const uint8_t *holds_key;  /**< (since 2.7) with the query's
                                    key_presence: `count` bytes, 1 when
                                    items[i] holds an API key of the query's
                                    key_ns, else 0 (NULL when count is 0);
                                    NULL without key_presence. A page
                                    written by a 2.6 store ends before it
                                    (read it only when struct_size covers
                                    it) */
} proteus_user_page;

/** proteus_user_page.flags (since 2.6) */
#define PROTEUS_PAGE_TOTAL_AT_LEAST (1u << 0) /**< total is a lower bound: the
                                                   store stopped counting at
                                                   query->total_cap */

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
    uint32_t struct_size;      /**< sizeof(proteus_group_list) of the writer */
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
    uint32_t struct_size;      /**< sizeof(proteus_role_list) of the writer */
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
    uint32_t struct_size;      /**< sizeof(proteus_api_key_list) of the writer */
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
    uint32_t struct_size;      /**< sizeof(proteus_identity_list) of the writer */
    uint32_t count;
    const proteus_identity *items;
} proteus_identity_list;

/** (since 2.3) A plugin entry: one JSON value under a key in an owner's
 *  namespace, not tied to a user (e.g. the SCIM dialect's bearer tokens,
 *  ns "scim.tokens", key the hex SHA-256 of a token), so every host and
 *  every CLI command on the store sees the same set. Output records are
 *  allocated in the caller's arena, strings included. */
typedef struct proteus_entry {
    uint32_t struct_size;      /**< sizeof(proteus_entry) of the writer */
    proteus_str ns;            /**< owner namespace, e.g. "scim.tokens":
                                    1..PROTEUS_ENTRY_NS_MAX bytes of UTF-8 */
    proteus_str key;           /**< 1..PROTEUS_ENTRY_KEY_MAX bytes of UTF-8,
                                    unique within ns, compared byte-exact */
    proteus_str json;          /**< one JSON value as text,
                                    1..PROTEUS_ENTRY_VALUE_MAX bytes */
    int64_t created_at;        /**< output only (unix ms; set by the store) */
    int64_t updated_at;        /**< output only (unix ms; set by the store) */
} proteus_entry;

/** (since 2.3) */
typedef struct proteus_entry_list {
    uint32_t struct_size;      /**< sizeof(proteus_entry_list) of the writer */
    uint32_t count;
    const proteus_entry *items;
} proteus_entry_list;

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
     *  CONFLICT: id or username taken. INVALID: unknown role or group. [any thread] */
    proteus_status (*user_create)(void *store, const proteus_user *user,
                                  proteus_error *err);

    /** Find one user. doc_ns selects documents (see PROTEUS_DOCS_ALL).
     *  NOT_FOUND when no user matches. [any thread] */
    proteus_status (*user_get)(void *store, const proteus_user_key *key,
                               proteus_str doc_ns, proteus_arena *arena,
                               proteus_user **out, proteus_error *err);

    /** Write the fields selected by `fields` from `changes` to the user
     *  `changes->id`. expected_version 0 = unconditional, else STALE when the
     *  stored version differs. guard_role (absent = none): GUARD when, after
     *  the change, no enabled user would hold that role although the changed
     *  user held it before — decided inside the same transaction so it holds
     *  under concurrency. On success *new_version (may be NULL) is set.
     *  NOT_FOUND, STALE, CONFLICT (username), INVALID (role/group), GUARD. [any thread] */
    proteus_status (*user_update)(void *store, const proteus_user *changes,
                                  uint64_t fields, uint64_t expected_version,
                                  proteus_str guard_role,
                                  uint64_t *new_version, proteus_error *err);

    /** Delete a user with its docs, sessions, keys and identity links.
     *  expected_version and guard_role as for user_update. [any thread] */
    proteus_status (*user_delete)(void *store, proteus_id id,
                                  uint64_t expected_version,
                                  proteus_str guard_role, proteus_error *err);

    /** Page through users matching a query (see proteus_user_query).
     *  INVALID: an unknown order, group filter or (since 2.3)
     *  username_folded_match; username_contains or username_folded not
     *  UTF-8; (since 2.6) after_username with an order other than
     *  PROTEUS_ORDER_USERNAME, or not UTF-8. [any thread] */
    proteus_status (*user_search)(void *store, const proteus_user_query *query,
                                  proteus_arena *arena,
                                  proteus_user_page **out, proteus_error *err);

    /** Bulk write in one transaction (migration, import, benchmarks).
     *  Records are complete (all fields, roles, docs); version and timestamps
     *  are taken as given. Roles and groups referenced must exist. [any thread] */
    proteus_status (*users_import)(void *store, const proteus_user *users,
                                   size_t count, int32_t mode,
                                   proteus_error *err);

    /** Complete records (all docs) in id order, after `after` (when
     *  has_after), at most `limit`. page->total is the total user count. [any thread] */
    proteus_status (*users_export)(void *store, bool has_after,
                                   proteus_id after, uint32_t limit,
                                   proteus_arena *arena,
                                   proteus_user_page **out, proteus_error *err);

    /* --- groups --------------------------------------------------------- */

    /** CONFLICT: id or name taken. [any thread] */
    proteus_status (*group_create)(void *store, const proteus_group *group,
                                   proteus_error *err);
    /** One group with its member count. NOT_FOUND: no such group. [any thread] */
    proteus_status (*group_get)(void *store, proteus_id id,
                                proteus_arena *arena, proteus_group **out,
                                proteus_error *err);
    /** All groups by name, with member counts. [any thread] */
    proteus_status (*group_list)(void *store, proteus_arena *arena,
                                 proteus_group_list **out, proteus_error *err);
    /** Writes name, description, policy_json. expected_version as for users. [any thread] */
    proteus_status (*group_update)(void *store, const proteus_group *group,
                                   uint64_t expected_version,
                                   uint64_t *new_version, proteus_error *err);
    /** Deletes the group; its members become ungrouped. [any thread] */
    proteus_status (*group_delete)(void *store, proteus_id id,
                                   proteus_error *err);

    /* --- roles ---------------------------------------------------------- */

    /** Insert or update the role with this slug; *out_id (may be NULL)
     *  receives its stable id. [any thread] */
    proteus_status (*role_put)(void *store, const proteus_role *role,
                               int64_t *out_id, proteus_error *err);
    /** One role by slug. NOT_FOUND: no such role. [any thread] */
    proteus_status (*role_get)(void *store, proteus_str slug,
                               proteus_arena *arena, proteus_role **out,
                               proteus_error *err);
    /** All roles by id. [any thread] */
    proteus_status (*role_list)(void *store, proteus_arena *arena,
                                proteus_role_list **out, proteus_error *err);
    /** Deletes the role and removes it from every user. guard semantics do
     *  not apply; callers check themselves. [any thread] */
    proteus_status (*role_delete)(void *store, proteus_str slug,
                                  proteus_error *err);

    /* --- sessions ------------------------------------------------------- */

    /** CONFLICT: hash taken. NOT_FOUND/INVALID: no such user. [any thread] */
    proteus_status (*session_create)(void *store,
                                     const proteus_session *session,
                                     proteus_error *err);
    /** NOT_FOUND also when expired (expires_at != 0 && expires_at <= now).
     *  May be answered from the store's short-lived cache (PLUGIN_ABI.md,
     *  "Cached reads"); expires_at is still checked against `now`. [any thread] */
    proteus_status (*session_get)(void *store, proteus_bytes token_hash,
                                  int64_t now, proteus_arena *arena,
                                  proteus_session **out, proteus_error *err);
    /** Deletes one session; NOT_FOUND when there is none. [any thread] */
    proteus_status (*session_delete)(void *store, proteus_bytes token_hash,
                                     proteus_error *err);
    /** Deletes the user's sessions of one namespace (absent ns = all);
     *  *deleted (may be NULL) receives the count. [any thread] */
    proteus_status (*session_delete_user)(void *store, proteus_id user_id,
                                          proteus_str ns, uint64_t *deleted,
                                          proteus_error *err);

    /* --- API keys ------------------------------------------------------- */

    /** CONFLICT: hash taken. NOT_FOUND/INVALID: no such user. [any thread] */
    proteus_status (*apikey_create)(void *store, const proteus_api_key *key,
                                    proteus_error *err);
    /** Finds a key by hash. Records last_used_at = now when the stored value
     *  is at least PROTEUS_LAST_USED_RESOLUTION_MS older (best effort: a
     *  bounded wait, failures ignored), so a busy key does not turn every
     *  read into a write; returns the value as stored afterwards. May be
     *  answered from the store's short-lived cache (PLUGIN_ABI.md, "Cached
     *  reads") while no use needs recording. [any thread] */
    proteus_status (*apikey_get)(void *store, proteus_bytes key_hash,
                                 int64_t now, proteus_arena *arena,
                                 proteus_api_key **out, proteus_error *err);
    /** A user's keys (absent user = every key, for export), by creation. [any thread] */
    proteus_status (*apikey_list)(void *store, bool has_user,
                                  proteus_id user_id, proteus_arena *arena,
                                  proteus_api_key_list **out,
                                  proteus_error *err);
    /** Deletes one key; NOT_FOUND when there is none. [any thread] */
    proteus_status (*apikey_delete)(void *store, proteus_bytes key_hash,
                                    proteus_error *err);
    /** Deletes the user's keys of one namespace (absent ns = all); *deleted
     *  (may be NULL) receives the count. [any thread] */
    proteus_status (*apikey_delete_user)(void *store, proteus_id user_id,
                                         proteus_str ns, uint64_t *deleted,
                                         proteus_error *err);

    /* --- external identities -------------------------------------------- */

    /** CONFLICT: (provider, subject) already linked. [any thread] */
    proteus_status (*identity_link)(void *store,
                                    const proteus_identity *identity,
                                    proteus_error *err);
    /** The user linked to (provider, subject). NOT_FOUND: no link. [any thread] */
    proteus_status (*identity_get)(void *store, proteus_str provider,
                                   proteus_str subject, proteus_id *user_id,
                                   proteus_error *err);
    /** Removes a link; NOT_FOUND when there is none. [any thread] */
    proteus_status (*identity_unlink)(void *store, proteus_str provider,
                                      proteus_str subject,
                                      proteus_error *err);
    /** A user's links (absent user = all, for export). [any thread] */
    proteus_status (*identity_list)(void *store, bool has_user,
                                    proteus_id user_id, proteus_arena *arena,
                                    proteus_identity_list **out,
                                    proteus_error *err);

    /* --- maintenance ---------------------------------------------------- */

    /** Counts of every kind of record and the schema version. [any thread] */
    proteus_status (*stats)(void *store, proteus_store_stats *out,
                            proteus_error *err);
    /** Deletes expired sessions; *removed (may be NULL) receives the count. [any thread] */
    proteus_status (*purge_expired)(void *store, int64_t now,
                                    uint64_t *removed, proteus_error *err);

    /* --- counters ------------------------------------------------------- */
    /* Fixed-window counters every host and process on this store shares
     * (e.g. failed sign-ins per account), so a limit cannot be multiplied by
     * spreading attempts over several hosts. */

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
     *  MCSManager dialect answers 503). [any thread] */
    proteus_status (*counter_hit)(void *store, proteus_bytes key,
                                  uint32_t weight, uint32_t window_seconds,
                                  int64_t now_ms, uint64_t *count,
                                  int64_t *window_ends_ms,
                                  proteus_error *err);
    /** Deletes the counter `key` (its next hit starts a new window at 0),
     *  e.g. when an administrator unlocks an account. Clearing a missing
     *  counter is OK. Errors as for counter_hit. [any thread] */
    proteus_status (*counter_clear)(void *store, proteus_bytes key,
                                    proteus_error *err);

    /* --- authenticated reads (since 2.1) ---------------------------------- */
    /* A table built against 2.0 ends before these: callers check struct_size
     * covers a function before calling it (PluginKit's StoreClient does, and
     * falls back to the 2.0 functions named below). */

    /** (since 2.1) Which of `count` users hold at least one API key of
     *  namespace `ns` (absent ns = any namespace): present[i] = 1 when
     *  user_ids[i] does, else 0 (an unknown id is 0; ids may repeat). One
     *  statement for the whole batch, so a page of users costs one round
     *  trip instead of an apikey_list per row. count 0 is OK and reads
     *  nothing (user_ids and present may then be NULL).
     *  Inputs are borrowed. `present` is caller-owned, `count` bytes,
     *  written only on OK. Never cached: the answer is the database's.
     *  INVALID: count > PROTEUS_APIKEY_PRESENCE_MAX, user_ids or present
     *  NULL with count > 0, ns present but empty or not UTF-8.
     *  2.0 fallback: apikey_list per user. [any thread] */
    proteus_status (*apikey_presence)(void *store, const proteus_id *user_ids,
                                      size_t count, proteus_str ns,
                                      uint8_t *present, proteus_error *err);

    /** (since 2.1) An API key and its owner, in one call and one snapshot
     *  (never a key with the record of a user it did not belong to):
     *  *key_out as apikey_get returns it, last_used_at recorded by the same
     *  rule (at most once per PROTEUS_LAST_USED_RESOLUTION_MS, best
     *  effort); *user_out the owner's complete record, its documents
     *  selected by `doc_ns` as for user_get. What a dialect needs to
     *  authorise a request made with an API key. Like apikey_get and
     *  session_get, the answer may come from the store's short-lived cache
     *  (PLUGIN_ABI.md, "Cached reads": a key deleted or an owner changed
     *  through another store instance is seen within the store's bound;
     *  through this instance, at once).
     *  Inputs are borrowed; both records (their strings, roles and docs)
     *  are allocated in `arena`; the pointers are written only on OK.
     *  NOT_FOUND: no key with this hash. INVALID: key_hash absent or empty,
     *  no arena, key_out or user_out NULL.
     *  2.0 fallback: apikey_get, then user_get by the key's user_id (two
     *  reads, not one snapshot). [any thread] */
    proteus_status (*apikey_owner)(void *store, proteus_bytes key_hash,
                                   int64_t now, proteus_str doc_ns,
                                   proteus_arena *arena,
                                   proteus_api_key **key_out,
                                   proteus_user **user_out,
                                   proteus_error *err);

    /* --- plugin entries (since 2.3) --------------------------------------- */
    /* A small key -> JSON table per owner namespace, not tied to a user
     * (proteus_entry). What a plugin must share across hosts and processes
     * that is not a user's: the SCIM dialect's bearer tokens. Not a
     * document store: values are small and a namespace is listed whole.
     * Never cached: every answer is the database's. stats does not count
     * entries. A table built against 2.2 or older ends before these:
     * callers check struct_size covers a function before calling it
     * (PluginKit's StoreClient does, and answers UNSUPPORTED: there is no
     * 2.2 fallback). */

    /** (since 2.3) Writes `entry` (ns, key, json; its created_at and
     *  updated_at are ignored). A new (ns, key) is inserted with
     *  created_at = updated_at = now. An existing one: with `replace` its
     *  json and updated_at are overwritten (created_at is kept); without,
     *  CONFLICT and nothing changes. One atomic statement: of concurrent
     *  puts of one new key without `replace`, exactly one succeeds.
     *  Durable like every write.
     *  `json` is stored as given, byte for byte: the store does not parse
     *  it, so that it is one valid JSON value is the caller's
     *  responsibility.
     *  Inputs are borrowed.
     *  INVALID: entry NULL or struct_size below 2.3's; ns, key or json
     *  absent, empty, longer than its maximum (PROTEUS_ENTRY_NS_MAX,
     *  _KEY_MAX, _VALUE_MAX) or not UTF-8. CONFLICT: the key exists and
     *  `replace` is false. [any thread] */
    proteus_status (*entry_put)(void *store, const proteus_entry *entry,
                                bool replace, proteus_error *err);

    /** (since 2.3) The entry (ns, key), allocated in `arena` (*out written
     *  only on OK). Inputs are borrowed.
     *  NOT_FOUND: no such entry. INVALID: ns or key as for entry_put, no
     *  arena, out NULL. [any thread] */
    proteus_status (*entry_get)(void *store, proteus_str ns, proteus_str key,
                                proteus_arena *arena, proteus_entry **out,
                                proteus_error *err);

    /** (since 2.3) Every entry of namespace `ns`, by key (byte order), in
     *  one list allocated in `arena` (*out written only on OK; count 0
     *  when the namespace has none). From one snapshot. Absent `ns`: every
     *  entry of every namespace, by namespace then key (for export, e.g.
     *  `proteus migrate`), under the same cap.
     *  A namespace may hold more than PROTEUS_ENTRY_LIST_MAX entries
     *  (entry_put does not count them), but it is then not listed:
     *  TOO_LARGE, never a partial list. Namespaces meant to be listed
     *  stay below the cap.
     *  INVALID: ns present but as entry_put refuses it, no arena, out
     *  NULL. [any thread] */
    proteus_status (*entry_list)(void *store, proteus_str ns,
                                 proteus_arena *arena,
                                 proteus_entry_list **out,
                                 proteus_error *err);

    /** (since 2.3) Deletes the entry (ns, key). Inputs are borrowed.
     *  NOT_FOUND: no such entry (nothing changed). INVALID: ns or key as
     *  for entry_put. [any thread] */
    proteus_status (*entry_delete)(void *store, proteus_str ns,
                                   proteus_str key, proteus_error *err);

    /* --- audit log (since 2.5) -------------------------------------------- */
    /* An append-only log of administrative changes (proteus_audit_event):
     * every change an administrator (or a SCIM token, or the CLI) made to
     * someone, through any dialect or `proteus user`. Events are never
     * changed or deleted through the contract, never cached, not counted
     * by stats, and not tied to users by a foreign key: deleting a user
     * keeps the events about them. A table built against 2.4 or older ends
     * before these: callers check struct_size covers a function before
     * calling it (PluginKit's StoreClient does, and answers UNSUPPORTED:
     * there is no 2.4 fallback; the host's audit function then returns
     * UNSUPPORTED and the change itself stands). */

    /** (since 2.5) Appends `event` (its id is ignored; the store assigns the
     *  next one; time 0 = now). Durable like every write; one statement.
     *  Inputs are borrowed.
     *  INVALID: event NULL or struct_size below 2.5's; actor_name, source or
     *  action absent or empty; any text over its PROTEUS_AUDIT_*_MAX, not
     *  UTF-8, or (action, target_kind) of other characters; detail_json
     *  not shaped as an object; time < 0. UNAVAILABLE: backend down, busy
     *  or timed out (nothing was written). [any thread] */
    proteus_status (*audit_append)(void *store,
                                   const proteus_audit_event *event,
                                   proteus_error *err);

    /** (since 2.5) The events matching `query`, newest first (id
     *  descending), at most query->limit (capped at PROTEUS_AUDIT_LIST_MAX),
     *  in one page allocated in `arena` (*out written only on OK; count 0
     *  when none match). page->next is the cursor for the following page
     *  (0: no more). From one statement: events appended meanwhile never
     *  shift a later page (they have larger ids).
     *  Inputs are borrowed.
     *  INVALID: query NULL or struct_size below 2.5's; limit 0; action as
     *  audit_append refuses it (a trailing '.' allowed); since, until or
     *  before negative; no arena; out NULL. [any thread] */
    proteus_status (*audit_list)(void *store,
                                 const proteus_audit_query *query,
                                 proteus_arena *arena,
                                 proteus_audit_page **out,
                                 proteus_error *err);

    /* --- session count (since 2.6) ---------------------------------------- */
    /* A table built against 2.5 or older ends before this: callers check
     * struct_size covers it before calling it (PluginKit's StoreClient
     * does, and answers UNSUPPORTED: there is no 2.5 fallback, since
     * sessions cannot be listed). Its presence also says the store reads
     * proteus_user_query's 2.6 fields. */

    /** (since 2.6) How many live sessions `user_id` has at `now` (unix ms):
     *  those of every namespace with expires_at 0 (never) or after `now`,
     *  whether or not purge_expired has removed the expired ones yet. One
     *  statement over the sessions' user index; never cached. An unknown
     *  user is not an error: it has no sessions (*count 0).
     *  `count` is caller-owned, written only on OK.
     *  INVALID: count NULL. UNAVAILABLE: backend down, busy or timed out.
     *  [any thread] */
    proteus_status (*session_count_user)(void *store, proteus_id user_id,
                                         int64_t now, uint64_t *count,
                                         proteus_error *err);

    /* --- a user with its key presence (since 2.7) ------------------------- */
    /* A table built against 2.6 or older ends before this: callers check
     * struct_size covers it before calling it (PluginKit's StoreClient
     * does, and falls back to user_get, then apikey_presence). */

    /** (since 2.7) user_get and apikey_presence of the user found, in one
     *  call and one snapshot: *out as user_get returns it (documents
     *  selected by `doc_ns`), *holds_key 1 when that user holds at least
     *  one API key of namespace `key_ns` (absent = any namespace), else 0.
     *  What a dialect needs to show a user with "has an API key" (one
     *  statement where the backend can: a point read is one round trip).
     *  Never cached, like user_get (2.8's user_get_cached may be).
     *  Inputs are borrowed; the record is allocated in `arena`; `holds_key`
     *  is caller-owned, one byte. Both are written only on OK.
     *  NOT_FOUND: no user matches. INVALID: as user_get, holds_key NULL,
     *  key_ns present but empty or not UTF-8.
     *  2.6 fallback: user_get, then apikey_presence (two snapshots).
     *  [any thread] */
    proteus_status (*user_get_with_key_presence)(void *store,
                                                 const proteus_user_key *key,
                                                 proteus_str doc_ns,
                                                 proteus_str key_ns,
                                                 proteus_arena *arena,
                                                 proteus_user **out,
                                                 uint8_t *holds_key,
                                                 proteus_error *err);

    /* --- a user to show, from the cache (since 2.8) ----------------------- */
    /* A table built against 2.7 or older ends before this: callers check
     * struct_size covers it before calling it (PluginKit's StoreClient
     * does, and falls back to user_get_with_key_presence). */

    /** (since 2.8) user_get_with_key_presence for showing a user, which a
     *  caching store may answer from memory by the rules of "Cached reads"
     *  (docs/PLUGIN_ABI.md): a write through any worker of this host is
     *  seen at once (change_counter); one through another host, or another
     *  process on the same database, within the store's cache bound (the
     *  StoreCore stores' option authCacheMs, default 1000 ms; 0: never from
     *  memory). Only lookups by id may be answered from memory; a username
     *  or email lookup reads the database as user_get_with_key_presence.
     *  For rendering (a point read), never to decide a write: a
     *  read-modify-write reads with user_get, whose answer is current.
     *  `holds_key` NULL: no key presence is asked (`key_ns` is then not
     *  read); else as user_get_with_key_presence.
     *  Inputs are borrowed; the record is allocated in `arena`; `holds_key`
     *  is caller-owned, one byte. Both are written only on OK.
     *  NOT_FOUND: no user matches (never kept in memory). INVALID: as
     *  user_get; key_ns present but empty or not UTF-8.
     *  2.7 fallback: user_get_with_key_presence (or user_get when holds_key
     *  is NULL).
     *  [any thread] */
    proteus_status (*user_get_cached)(void *store,
                                      const proteus_user_key *key,
                                      proteus_str doc_ns,
                                      proteus_str key_ns,
                                      proteus_arena *arena,
                                      proteus_user **out,
                                      uint8_t *holds_key,
                                      proteus_error *err);
} proteus_store_api;

/** Most user ids one apikey_presence call takes (a page of users). */
#define PROTEUS_APIKEY_PRESENCE_MAX 1000

/** Longest username a store must accept (bytes); longer ones are INVALID
 *  (since 2.2: the stores count each username's 1-3 character substrings
 *  for search, up to this length). */
#define PROTEUS_USERNAME_MAX 1024

/** Limits of plugin entries (since 2.3), in bytes; a store accepts up to
 *  these and refuses longer ones as INVALID. */
#define PROTEUS_ENTRY_NS_MAX 128
#define PROTEUS_ENTRY_KEY_MAX 256
#define PROTEUS_ENTRY_VALUE_MAX 65536
/** Most entries entry_list returns (since 2.3): a longer namespace is
 *  TOO_LARGE. */
#define PROTEUS_ENTRY_LIST_MAX 10000

/** Longest counter key a store must accept (bytes). */
#define PROTEUS_COUNTER_KEY_MAX 256
/** Longest counter window (seconds): one day. */
#define PROTEUS_COUNTER_WINDOW_MAX 86400

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_STORE_H */
