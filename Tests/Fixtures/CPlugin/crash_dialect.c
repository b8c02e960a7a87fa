/*
 * A dialect in plain C that crashes on demand: the supervision tests use it
 * to kill worker processes the way a buggy native plugin would.
 *
 *   GET /ok          -> 200 {"pid":<worker pid>,"tag":"<option tag>"}
 *   GET /crash       -> abort()  (the worker dies with SIGABRT)
 *   GET /slow?ms=N   -> sleeps N milliseconds, then 200 like /ok
 *   anything else under the mount -> 404 {"error":"not found"}
 *
 * Options (a JSON object):
 *   "tag": "text"               echoed by /ok (tells configurations apart)
 *   "abortOnCreate": true       abort() in create: the worker dies starting
 *   "abortIfExists": "/path"    abort() in create while that file exists
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "proteus_plugin.h"

typedef struct {
    const proteus_host_api *host;
    char tag[64];
} crash_instance;

static const proteus_route routes[] = {
    { sizeof(proteus_route), "GET,HEAD", "/ok" },
    { sizeof(proteus_route), "GET", "/crash" },
    { sizeof(proteus_route), "GET", "/slow" },
};

static proteus_str str(const char *s) { proteus_str r = { s, strlen(s) }; return r; }

/* The string value of "key":"..." in a small JSON object (no escapes), or 0. */
static int string_option(const char *json, const char *key, char *out, size_t out_size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *p = strstr(json, pattern);
    if (!p) return 0;
    p += strlen(pattern);
    const char *end = strchr(p, '"');
    if (!end || (size_t)(end - p) >= out_size) return 0;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = 0;
    return 1;
}

static proteus_status crash_create(const proteus_host_api *host, const char *options,
                                   size_t options_len, void **instance, proteus_error *err) {
    (void)err;
    char json[1024];
    size_t n = options_len < sizeof json - 1 ? options_len : sizeof json - 1;
    memcpy(json, options ? options : "", options ? n : 0);
    json[options ? n : 0] = 0;

    if (strstr(json, "\"abortOnCreate\":true") != NULL) abort();
    char path[512];
    if (string_option(json, "abortIfExists", path, sizeof path) && access(path, F_OK) == 0) abort();

    crash_instance *self = calloc(1, sizeof *self);
    if (!self) return PROTEUS_E_INTERNAL;
    self->host = host;
    if (!string_option(json, "tag", self->tag, sizeof self->tag)) snprintf(self->tag, sizeof self->tag, "none");
    *instance = self;
    return PROTEUS_OK;
}

static void crash_destroy(void *instance) { free(instance); }

static proteus_status crash_routes(void *instance, const proteus_route **out, uint32_t *count,
                                   proteus_error *err) {
    (void)instance; (void)err;
    *out = routes;
    *count = sizeof routes / sizeof routes[0];
    return PROTEUS_OK;
}

static void json(const proteus_host_api *host, proteus_response *resp, uint16_t status, const char *body) {
    host->response_status(resp, status);
    host->response_header(resp, str("Content-Type"), str("application/json"));
    proteus_bytes b = { (const uint8_t *)body, strlen(body) };
    host->response_body(resp, b);
}

static void ok(crash_instance *self, proteus_response *resp) {
    char body[160];
    snprintf(body, sizeof body, "{\"pid\":%ld,\"tag\":\"%s\"}", (long)getpid(), self->tag);
    json(self->host, resp, 200, body);
}

static proteus_status crash_handle(void *instance, const proteus_request *req, proteus_response *resp) {
    crash_instance *self = instance;
    if (req->host_status != 0 || req->route < 0) {
        json(self->host, resp, req->host_status ? req->host_status : 404, "{\"error\":\"not found\"}");
        return PROTEUS_OK;
    }
    switch (req->route) {
    case 1:
        abort();
    case 2: {
        long ms = 0;
        if (req->query.ptr && req->query.len > 3 && req->query.len < 32 && memcmp(req->query.ptr, "ms=", 3) == 0) {
            char digits[32];
            memcpy(digits, req->query.ptr + 3, req->query.len - 3);
            digits[req->query.len - 3] = 0;
            ms = strtol(digits, NULL, 10);
        }
        if (ms > 0 && ms <= 60000) usleep((useconds_t)ms * 1000);
        ok(self, resp);
        return PROTEUS_OK;
    }
    default:
        ok(self, resp);
        return PROTEUS_OK;
    }
}

static const proteus_dialect_api crash_api = {
    sizeof(proteus_dialect_api),
    crash_routes,
    crash_handle,
};

static const proteus_plugin_descriptor descriptor = {
    PROTEUS_PLUGIN_MAGIC,
    sizeof(proteus_plugin_descriptor),
    PROTEUS_ABI_MAJOR,
    PROTEUS_ABI_MINOR,
    PROTEUS_KIND_DIALECT,
    "crash-c",
    "1.0.0",
    "A dialect that aborts on demand (supervision test fixture)",
    crash_create,
    crash_destroy,
    &crash_api,
    NULL,
};

const proteus_plugin_descriptor *proteus_plugin_entry_v2(void) { return &descriptor; }
