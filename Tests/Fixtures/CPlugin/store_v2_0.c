/*
 * A store built against an older minor, in C: it serves another store
 * plugin's functions (the library at INNER_STORE, given with
 * -DINNER_STORE="path"), but declares that minor and a table that ends
 * where the minor's did. By default ABI 2.0: before apikey_presence and
 * apikey_owner. With -DOLDER_MINOR=2 -DFIRST_MISSING=entry_put
 * -DSTORE_NAME='"store-v2-2"': ABI 2.2, before the plugin entries; with
 * -DOLDER_MINOR=4 -DFIRST_MISSING=audit_append: ABI 2.4, before the audit
 * log; with -DOLDER_MINOR=5 -DFIRST_MISSING=session_count_user: ABI 2.5,
 * before the session count (and the query fields 2.6 appended); with
 * -DOLDER_MINOR=6 -DFIRST_MISSING=user_get_with_key_presence: ABI 2.6; with
 * -DOLDER_MINOR=7 -DFIRST_MISSING=user_get_cached: ABI 2.7. The
 * table is placed at the very end of a readable page followed by an
 * unreadable one, so a host or PluginKit that reads past the table's
 * struct_size crashes instead of passing. The host must load it, and
 * callers must fall back to older functions or answer UNSUPPORTED.
 */
#define _DEFAULT_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proteus_plugin.h"

#ifndef INNER_STORE
#error "build with -DINNER_STORE=\"/path/to/libproteus-sqlite.so\""
#endif

#ifndef OLDER_MINOR
#define OLDER_MINOR 0
#define FIRST_MISSING apikey_presence
#endif
#ifndef STORE_NAME
#define STORE_NAME "store-v2-0"
#endif

/* The size of the older minor's store table: everything before the first
 * function a later minor appended. */
#define STORE_TABLE_OLD_SIZE offsetof(proteus_store_api, FIRST_MISSING)

static const proteus_plugin_descriptor *inner;
static proteus_plugin_descriptor descriptor;

static proteus_status create(const proteus_host_api *host, const char *options, size_t options_len,
                             void **instance, proteus_error *err) {
    return inner->create(host, options, options_len, instance, err);
}

static void destroy(void *instance) { inner->destroy(instance); }

/* The inner table's first bytes (the older minor's), ending at a guard page. */
static const void *short_table(void) {
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || (size_t)page < STORE_TABLE_OLD_SIZE) return NULL;
    char *memory = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return NULL;
    if (mprotect(memory + page, (size_t)page, PROT_NONE) != 0) return NULL;
    char *table = memory + page - STORE_TABLE_OLD_SIZE;
    memcpy(table, inner->vtable, STORE_TABLE_OLD_SIZE);
    uint32_t size = (uint32_t)STORE_TABLE_OLD_SIZE;
    memcpy(table, &size, sizeof size);
    return table;
}

const proteus_plugin_descriptor *proteus_plugin_entry_v2(void) {
    if (inner) return &descriptor;
    void *library = dlopen(INNER_STORE, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!library) return NULL;
    proteus_plugin_entry_fn entry = (proteus_plugin_entry_fn)dlsym(library, PROTEUS_ENTRY_SYMBOL);
    if (!entry || !(inner = entry())) return NULL;
    const void *table = short_table();
    if (!table) return NULL;
    proteus_plugin_descriptor d = {
        PROTEUS_PLUGIN_MAGIC, sizeof(proteus_plugin_descriptor), PROTEUS_ABI_MAJOR, OLDER_MINOR, PROTEUS_KIND_STORE,
        STORE_NAME, "1.0.0", "A store built against an older ABI minor (test fixture)",
        create, destroy, table, NULL,
    };
    descriptor = d;
    return &descriptor;
}
