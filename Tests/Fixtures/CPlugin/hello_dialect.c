/*
 * A dialect written in plain C: proof that the Proteus ABI is language-neutral.
 * Built by the tests with `cc -shared -fPIC` and loaded by the real host.
 *
 *   GET  /hello  -> {"plugin":"hello-c","users":<count from the store>,"greeting":"..."}
 *   POST /echo   -> the request body, as received
 *   anything else under the mount -> 404 {"error":"not found"}
 *
 * Compile-time switches make broken variants for the loader's refusal tests:
 *   -DHELLO_BAD_MAGIC, -DHELLO_ABI_MAJOR=N, -DHELLO_NO_ENTRY, -DHELLO_ENTRY_V1
 * and -DHELLO_EXTRA_ROUTE='"/path"' adds a GET route (route conflicts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proteus_plugin.h"

typedef struct {
    const proteus_host_api *host;
    char greeting[64];
} hello_instance;

static const proteus_route routes[] = {
    { sizeof(proteus_route), "GET,HEAD", "/hello" },
    { sizeof(proteus_route), "POST", "/echo" },
#ifdef HELLO_EXTRA_ROUTE
    /* One more GET route, only for route-conflict tests (never served). */
    { sizeof(proteus_route), "GET", HELLO_EXTRA_ROUTE },
#endif
};

static proteus_str str(const char *s) { proteus_str r = { s, strlen(s) }; return r; }

static void set_error(proteus_error *err, proteus_status code, const char *message) {
    if (!err) return;
    err->code = code;
    snprintf(err->message, sizeof err->message, "%s", message);
}

static proteus_status hello_create(const proteus_host_api *host, const char *options,
                                   size_t options_len, void **instance, proteus_error *err) {
    if (host == NULL || host->struct_size < sizeof(proteus_host_api) || host->store == NULL) {
        set_error(err, PROTEUS_E_INVALID, "hello-c needs a dialect host table");
        return PROTEUS_E_INVALID;
    }
    /* One option, {"fail": true}, lets the tests see a refused init. */
    if (options_len > 0 && strstr(options, "\"fail\":true") != NULL) {
        set_error(err, PROTEUS_E_INVALID, "asked to fail by option \"fail\"");
        return PROTEUS_E_INVALID;
    }
    hello_instance *self = calloc(1, sizeof *self);
    if (!self) { set_error(err, PROTEUS_E_INTERNAL, "out of memory"); return PROTEUS_E_INTERNAL; }
    self->host = host;
    snprintf(self->greeting, sizeof self->greeting, "hello from C");
    host->log(host->ctx, PROTEUS_LOG_INFO, str("hello-c created"));
    *instance = self;
    return PROTEUS_OK;
}

static void hello_destroy(void *instance) { free(instance); }

static proteus_status hello_routes(void *instance, const proteus_route **out, uint32_t *count,
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

static proteus_status hello_handle(void *instance, const proteus_request *req, proteus_response *resp) {
    hello_instance *self = instance;
    const proteus_host_api *host = self->host;
    if (req->host_status != 0 || req->route < 0) {
        json(host, resp, req->host_status ? req->host_status : 404, "{\"error\":\"not found\"}");
        return PROTEUS_OK;
    }
    if (req->route == 0) {
        proteus_store_stats stats;
        memset(&stats, 0, sizeof stats);
        stats.struct_size = sizeof stats;
        proteus_error err;
        proteus_status s = host->store->stats(host->store_ctx, &stats, &err);
        if (s != PROTEUS_OK) {
            json(host, resp, 503, "{\"error\":\"store unavailable\"}");
            return PROTEUS_OK;
        }
        char body[256];
        snprintf(body, sizeof body, "{\"plugin\":\"hello-c\",\"users\":%llu,\"greeting\":\"%s\"}",
                 (unsigned long long)stats.users, self->greeting);
        json(host, resp, 200, body);
        return PROTEUS_OK;
    }
    /* POST /echo */
    host->response_status(resp, 200);
    host->response_header(resp, str("Content-Type"), str("application/octet-stream"));
    host->response_body(resp, req->body);
    return PROTEUS_OK;
}

static const proteus_dialect_api hello_api = {
    sizeof(proteus_dialect_api),
    hello_routes,
    hello_handle,
};

#ifndef HELLO_ABI_MAJOR
#define HELLO_ABI_MAJOR PROTEUS_ABI_MAJOR
#endif

static const proteus_plugin_descriptor descriptor = {
#ifdef HELLO_BAD_MAGIC
    0xDEADBEEFu,
#else
    PROTEUS_PLUGIN_MAGIC,
#endif
    sizeof(proteus_plugin_descriptor),
    HELLO_ABI_MAJOR,
    PROTEUS_ABI_MINOR,
    PROTEUS_KIND_DIALECT,
    "hello-c",
    "1.0.0",
    "A dialect in plain C (test fixture)",
    hello_create,
    hello_destroy,
    &hello_api,
    NULL,
};

#if defined(HELLO_ENTRY_V1)
/* What a plugin built for ABI 1.x exports: refused by name. */
const proteus_plugin_descriptor *proteus_plugin_entry_v1(void) { return &descriptor; }
#elif !defined(HELLO_NO_ENTRY)
const proteus_plugin_descriptor *proteus_plugin_entry_v2(void) { return &descriptor; }
#else
const proteus_plugin_descriptor *some_other_symbol(void) { return &descriptor; }
#endif
