/*
 * proteus_plugin.h — the Proteus plugin ABI, version 2.
 *
 * These headers are the whole contract between the `proteus` host and its
 * plugins; include this one, which includes the rest:
 *   proteus_types.h    versions, status codes, errors, basic value types
 *   proteus_store.h    the directory model and the store contract
 *   proteus_auth.h     auth methods
 *   proteus_dialect.h  API dialects (routes, requests)
 *   proteus_host.h     the services the host offers every plugin
 *   proteus_import.h   the "import.v1" extension
 *   proteus_command.h  the "command.v1" extension
 *   proteus_openapi.h  the "openapi.v1" extension (since 2.4)
 *   proteus_plugin.h   (this file) the rules below, the descriptor and the
 *                      entry point
 * A plugin is a shared library that exports one C symbol,
 * `proteus_plugin_entry_v2`, returning a static descriptor. The host checks
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
 *   - A minor version never changes what an existing function does; a new
 *     behaviour is a new function (or a flag the caller opts into).
 *   - "since 2.N" marks what a minor version appended; everything without a
 *     marker is part of 2.0. A caller checks `struct_size` before it uses
 *     anything marked. (ABI 1.x plugins are refused by name: their entry
 *     symbol is proteus_plugin_entry_v1.)
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
 *   - Arrays of records (a page's users, a list's items, a dialect's routes)
 *     hold elements that all start with the same `struct_size`; a reader
 *     steps through the array by that size (C's sizeof of the writer), so
 *     a record can grow in a minor version without breaking older readers.
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
 *   - Nothing from the other side is trusted: a NULL where a pointer is
 *     required, a struct_size too small for the fields it must hold, or an
 *     unknown enum value gets PROTEUS_E_INVALID with a message (functions
 *     returning no status do nothing), never a crash.
 *
 * Threads (each function says which of these applies)
 *   - "[startup]": called once, on the host's main thread, before serving and
 *     never concurrently with anything else of the same instance.
 *   - "[any thread]": may be called from any host thread, concurrently with
 *     itself and with every other "[any thread]" function of the instance.
 *     Such functions may block (disk, network, CPU-heavy hashing); the host
 *     calls them from serving or worker threads, never from a thread that
 *     would stall unrelated connections.
 *   - "[shutdown]": called once, on the main thread, after every other call
 *     to the instance has returned.
 *   - "[request thread]": only on the thread running the dialect's handle()
 *     for that request, while it runs.
 *   - "[any thread, blocks]": as [any thread], and the call may wait a long
 *     time (a KDF job, an outbound request); on a serving thread the host
 *     lets another thread serve meanwhile (the waiting lane).
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
 *     (counter_hit).
 */
#ifndef PROTEUS_PLUGIN_H
#define PROTEUS_PLUGIN_H

#include "proteus_types.h"
#include "proteus_audit.h"
#include "proteus_store.h"
#include "proteus_auth.h"
#include "proteus_dialect.h"
#include "proteus_host.h"
#include "proteus_import.h"
#include "proteus_command.h"
#include "proteus_openapi.h"

#ifdef __cplusplus
extern "C" {
#endif

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
    /** Optional capabilities by id (CLAP-style): PROTEUS_EXT_IMPORT_V1
     *  ("import.v1", proteus_import.h) and PROTEUS_EXT_COMMAND_V1
     *  ("command.v1", proteus_command.h) and PROTEUS_EXT_OPENAPI_V1
     *  ("openapi.v1", proteus_openapi.h, since 2.4) for dialects; the stores' read-only
     *  diagnostics ("sqlite.diagnostics.v1", "postgres.diagnostics.v1": one
     *  function, see docs/PLUGIN_ABI.md, Extensions). NULL when the plugin
     *  has none or not this one. [any thread]. */
    const void *(*get_extension)(void *instance, const char *id);
} proteus_plugin_descriptor;

/** The type of the exported entry symbol PROTEUS_ENTRY_SYMBOL. [any thread],
 *  idempotent, returns the same static descriptor every time. */
typedef const proteus_plugin_descriptor *(*proteus_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_PLUGIN_H */
