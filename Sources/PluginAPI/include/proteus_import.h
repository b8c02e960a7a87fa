/*
 * proteus_import.h — the "import.v1" extension: a dialect brings another system's data into the directory.
 * Part of the Proteus plugin ABI; the rules every declaration follows
 * (versions, strings, memory, errors, threads) are in proteus_plugin.h.
 */
#ifndef PROTEUS_IMPORT_H
#define PROTEUS_IMPORT_H

#include "proteus_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Extensions: optional capabilities found with get_extension               */
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

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_IMPORT_H */
