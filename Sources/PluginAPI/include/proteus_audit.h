/*
 * proteus_audit.h — the audit log's records (since 2.5): an administrative
 * change as stores keep it (proteus_store_api's audit_append and
 * audit_list) and dialects report it (proteus_host_api's audit).
 * Part of the Proteus plugin ABI; the rules every declaration follows
 * (versions, strings, memory, errors, threads) are in proteus_plugin.h.
 */
#ifndef PROTEUS_AUDIT_H
#define PROTEUS_AUDIT_H

#include "proteus_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** (since 2.5) One administrative change, as the audit log keeps it: who
 *  (actor), what (action, target, detail), when (time) and from where
 *  (source, address). Written by audit_append, read back by audit_list
 *  (output records are allocated in the caller's arena, strings included).
 *  Every text is UTF-8; the bounds are PROTEUS_AUDIT_*_MAX (bytes); a text
 *  longer than its bound, or not UTF-8, is INVALID (never cut). */
typedef struct proteus_audit_event {
    uint32_t struct_size;      /**< sizeof(proteus_audit_event) of the writer */
    int64_t id;                /**< output only: store-assigned, > 0, increasing
                                    in the order events were appended (ignored
                                    by audit_append) */
    int64_t time;              /**< unix ms, >= 0; 0 on append = now (the
                                    store's clock) */
    proteus_id actor_id;       /**< the user who acted; all zero = none (the
                                    CLI, a SCIM token) */
    proteus_str actor_name;    /**< required, 1..PROTEUS_AUDIT_NAME_MAX: the
                                    actor's username at the time, "cli:<OS
                                    login name>", "scim:<token label>" */
    proteus_str source;        /**< required, 1..PROTEUS_AUDIT_SOURCE_MAX: the
                                    dialect plugin's name, or "cli" */
    proteus_str address;       /**< absent or 0..PROTEUS_AUDIT_ADDRESS_MAX: the
                                    client address as the host saw it (after
                                    trustedProxies); empty for the CLI */
    proteus_str action;        /**< required, 1..PROTEUS_AUDIT_ACTION_MAX of
                                    [a-z0-9_.-], neither starting nor ending
                                    with '.': a short dotted verb,
                                    "user.create", "user.disable",
                                    "user.delete", "user.password",
                                    "user.roles", "user.mfa_off",
                                    "user.sessions_revoke", "group.create"... */
    proteus_str target_kind;   /**< absent or 1..PROTEUS_AUDIT_KIND_MAX of
                                    [a-z0-9_-]: "user", "group", "role",
                                    "apikey", "token" */
    proteus_id target_id;      /**< the user or group changed; all zero = none */
    proteus_str target_name;   /**< absent or 0..PROTEUS_AUDIT_NAME_MAX: its
                                    name at the time (username, group name,
                                    role slug) */
    proteus_str detail_json;   /**< absent or 1..PROTEUS_AUDIT_DETAIL_MAX: one
                                    small JSON object as text, stored byte for
                                    byte (the store checks only that it starts
                                    with '{' and ends with '}'; the host's
                                    audit function parses it) */
} proteus_audit_event;

/** (since 2.5) Which events audit_list returns: every filter set must hold
 *  (AND); newest first (by id, descending). */
typedef struct proteus_audit_query {
    uint32_t struct_size;      /**< sizeof(proteus_audit_query) of the caller */
    proteus_id actor_id;       /**< all zero = any actor */
    proteus_str action;        /**< absent or empty = any; ending in '.' = every
                                    action starting with it ("user."); else
                                    exactly this action. Same characters and
                                    bound as an event's action */
    proteus_id target_id;      /**< all zero = any target */
    int64_t since;             /**< unix ms, time >= since; 0 = no bound */
    int64_t until;             /**< unix ms, time < until; 0 = no bound */
    int64_t before;            /**< the cursor: only events with id < before;
                                    0 = from the newest. Pass the previous
                                    page's `next` for the following page */
    uint32_t limit;            /**< 1..: at most this many events; more than
                                    PROTEUS_AUDIT_LIST_MAX is capped to it */
} proteus_audit_query;

/** (since 2.5) A page of events, newest first. */
typedef struct proteus_audit_page {
    uint32_t struct_size;      /**< sizeof(proteus_audit_page) of the writer */
    uint32_t count;
    const proteus_audit_event *items;
    int64_t next;              /**< the cursor of the next page (the id of the
                                    last item) when more events match; 0 when
                                    this page is the last */
} proteus_audit_page;

/** Bounds of an audit event's texts (since 2.5), in bytes; a store accepts
 *  up to these and refuses longer ones as INVALID. */
#define PROTEUS_AUDIT_NAME_MAX 1024    /**< actor_name, target_name */
#define PROTEUS_AUDIT_SOURCE_MAX 64    /**< source (a plugin name, "cli") */
#define PROTEUS_AUDIT_ADDRESS_MAX 128  /**< address */
#define PROTEUS_AUDIT_ACTION_MAX 64    /**< action, and a query's action */
#define PROTEUS_AUDIT_KIND_MAX 32      /**< target_kind */
#define PROTEUS_AUDIT_DETAIL_MAX 4096  /**< detail_json */
/** Most events one audit_list page returns (since 2.5): a larger limit is
 *  capped to it. */
#define PROTEUS_AUDIT_LIST_MAX 1000

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_AUDIT_H */
