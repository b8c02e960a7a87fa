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

/** Outcome counts of an import. Caller-owned: the caller sets struct_size
 *  to the size it allocated and zeroes the rest; the dialect writes only the
 *  fields that lie inside that struct_size (a caller built against 2.4 or
 *  older passes a summary that ends after `skipped`). */
typedef struct proteus_import_summary {
    uint32_t struct_size;
    uint64_t imported;   /**< items written as new users */
    uint64_t skipped;    /**< items left out (malformed, taken by another user...) */
    /* (since 2.5) written by import_run only, when struct_size covers them */
    uint64_t updated;    /**< (since 2.5) items already in the directory whose
                              data differed from the source, rewritten (with
                              dry_run: would be) */
    uint64_t unchanged;  /**< (since 2.5) items already in the directory as the
                              source has them: nothing written */
    proteus_str details; /**< (since 2.5) absent, or one JSON object in the
                              arena given to import_run, every key optional:
                              {"hashFormats": {"bcrypt": 120, "unknown": 2},
                               "skippedReasons": {"not valid JSON": 1},
                               "notes": ["..."]} — counts of the password hash
                              formats seen, of the reasons items were skipped
                              for, and short lines for the operator. Never a
                              secret or a hash. */
} proteus_import_summary;

/** The import_run options key that asks for a dry run (since 2.5). */
#define PROTEUS_IMPORT_OPTION_DRY_RUN "dryRun"

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
 *
 * A caller reads import_run only when the table's struct_size covers it (a
 * dialect built against 2.4 or older ends after import_from); without it a
 * dry run is refused by the caller, never run as a real import.
 */
typedef struct proteus_import_api {
    uint32_t struct_size;
    proteus_status (*import_from)(void *instance, proteus_str source,
                                  proteus_progress_fn progress,
                                  void *progress_ctx,
                                  proteus_import_summary *summary,
                                  proteus_error *err);

    /** (since 2.5) import_from with options and the extended summary.
     *  `options` is one JSON object (UTF-8, borrowed; absent or "{}" = the
     *  defaults, the same run as import_from):
     *    "dryRun": true  — read, check and map every item exactly as a real
     *                      run does and fill the summary with what it would
     *                      do (imported/updated/unchanged/skipped), writing
     *                      nothing at all through host->store;
     *  other keys are the dialect's own (documented by it). A key the dialect
     *  does not know, or a value of the wrong type, is INVALID before
     *  anything is read, so an option is never silently ignored.
     *  Re-running is idempotent: an item already present (same id, else the
     *  same natural key) is rewritten only where the source differs
     *  (`updated`), else counted `unchanged`.
     *  `arena` (caller-owned, may be NULL: then `details` stays absent)
     *  receives summary->details. Ownership, threads ([startup]) and the
     *  other errors as import_from; `summary` fields beyond its struct_size
     *  are never written. */
    proteus_status (*import_run)(void *instance, proteus_str source,
                                 proteus_str options,
                                 proteus_progress_fn progress,
                                 void *progress_ctx,
                                 proteus_arena *arena,
                                 proteus_import_summary *summary,
                                 proteus_error *err);
} proteus_import_api;

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_IMPORT_H */
