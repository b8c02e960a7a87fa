/*
 * A careless C dialect: it calls host functions with a NULL ctx (and the
 * response functions with a NULL response). The host must answer INVALID
 * with a message, or ignore the call when it returns nothing, instead of
 * crashing the worker.
 *
 *   GET /probe -> {"<function>":"<status>: <message>", ...}
 *                 for every host function that reports through proteus_error
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proteus_plugin.h"

static const proteus_route routes[] = { { sizeof(proteus_route), "GET", "/probe" } };

static proteus_str str(const char *s) { proteus_str r = { s, strlen(s) }; return r; }
static proteus_bytes bytes(const char *s) { proteus_bytes b = { (const uint8_t *)s, strlen(s) }; return b; }

static proteus_status probe_create(const proteus_host_api *host, const char *options,
                                   size_t options_len, void **instance, proteus_error *err) {
    (void)options; (void)options_len;
    if (host == NULL || host->struct_size < sizeof(proteus_host_api) || host->store == NULL) {
        if (err) { err->code = PROTEUS_E_INVALID; snprintf(err->message, sizeof err->message, "needs a dialect host table"); }
        return PROTEUS_E_INVALID;
    }
    *instance = (void *)host;
    return PROTEUS_OK;
}

static void probe_destroy(void *instance) { (void)instance; }

static proteus_status probe_routes(void *instance, const proteus_route **out, uint32_t *count,
                                   proteus_error *err) {
    (void)instance; (void)err;
    *out = routes;
    *count = 1;
    return PROTEUS_OK;
}

/* Appends `"name":"<code>: <message>"` to the JSON body being built. */
static void record(char *body, size_t capacity, const char *name, proteus_status status, const proteus_error *err) {
    size_t used = strlen(body);
    snprintf(body + used, capacity - used, "%s\"%s\":\"%d: %s\"", used > 1 ? "," : "", name, (int)status,
             status == PROTEUS_OK ? "" : err->message);
}

/* Whether `text` holds `needle` (no memmem: plain C99). */
static int contains(proteus_bytes text, const char *needle) {
    size_t n = strlen(needle);
    if (text.ptr == NULL || text.len < n) return 0;
    for (size_t i = 0; i + n <= text.len; i++) {
        if (memcmp(text.ptr + i, needle, n) == 0) return 1;
    }
    return 0;
}

static proteus_status probe_handle(void *instance, const proteus_request *req, proteus_response *resp) {
    const proteus_host_api *host = instance;
    char body[4096] = "{";
    proteus_error err;
    proteus_status s;

    /* Functions without an error channel: must simply return. */
    host->log(NULL, PROTEUS_LOG_INFO, str("logged with a NULL ctx"));
    host->response_status(NULL, 500);
    host->response_header(NULL, str("X-Lost"), str("1"));
    host->response_body(NULL, bytes("lost"));

    memset(&err, 0, sizeof err);
    proteus_store_stats stats;
    memset(&stats, 0, sizeof stats);
    stats.struct_size = sizeof stats;
    s = host->store->stats(NULL, &stats, &err);
    record(body, sizeof body, "stats", s, &err);

    memset(&err, 0, sizeof err);
    uint64_t count = 0;
    int64_t ends = 0;
    s = host->store->counter_hit(NULL, bytes("key"), 1, 60, 0, &count, &ends, &err);
    record(body, sizeof body, "counter_hit", s, &err);

    memset(&err, 0, sizeof err);
    proteus_bytes sealed = { NULL, 0 };
    s = host->seal(NULL, bytes("secret"), bytes("aad"), req->arena, &sealed, &err);
    record(body, sizeof body, "seal", s, &err);

    memset(&err, 0, sizeof err);
    proteus_bytes opened = { NULL, 0 };
    s = host->open(NULL, bytes("sealed"), bytes("aad"), req->arena, &opened, &err);
    record(body, sizeof body, "open", s, &err);

    memset(&err, 0, sizeof err);
    uint8_t tag[32];
    s = host->mac(NULL, bytes("purpose"), bytes("message"), tag, &err);
    record(body, sizeof body, "mac", s, &err);

    memset(&err, 0, sizeof err);
    proteus_rate_limit limit;
    memset(&limit, 0, sizeof limit);
    limit.struct_size = sizeof limit;
    s = host->rate_limit(NULL, bytes("key"), 10, 60, &limit, &err);
    record(body, sizeof body, "rate_limit", s, &err);

    memset(&err, 0, sizeof err);
    proteus_str stored = { NULL, 0 };
    s = host->auth_enroll(NULL, "password", str("secret"), req->arena, &stored, &err);
    record(body, sizeof body, "auth_enroll", s, &err);

    memset(&err, 0, sizeof err);
    proteus_verify_result result;
    memset(&result, 0, sizeof result);
    result.struct_size = sizeof result;
    s = host->auth_verify(NULL, "password", str("secret"), str("stored"), req->arena, &result, &err);
    record(body, sizeof body, "auth_verify", s, &err);

    memset(&err, 0, sizeof err);
    proteus_http_request request;
    memset(&request, 0, sizeof request);
    request.struct_size = sizeof request;
    request.method = str("GET");
    request.url = str("http://127.0.0.1/");
    proteus_http_response response;
    memset(&response, 0, sizeof response);
    response.struct_size = sizeof response;
    s = host->http_request(NULL, &request, req->arena, &response, &err);
    record(body, sizeof body, "http_request", s, &err);

    memset(&err, 0, sizeof err);
    proteus_bytes text = { NULL, 0 };
    s = host->metrics_text(NULL, req->arena, &text, &err);
    record(body, sizeof body, "metrics_text", s, &err);

    /* With its own ctx (2.6): the /metrics text, without an admin listener. */
    memset(&err, 0, sizeof err);
    s = host->metrics_text(host->ctx, req->arena, &text, &err);
    if (s == PROTEUS_OK && !(contains(text, "# TYPE proteus_ready gauge\n") && contains(text, "proteus_workers{state=\"wanted\"}"))) {
        s = PROTEUS_E_INTERNAL;
        snprintf(err.message, sizeof err.message, "the text lacks proteus_ready or proteus_workers");
    }
    record(body, sizeof body, "metrics_text_own_ctx", s, &err);

    size_t used = strlen(body);
    snprintf(body + used, sizeof body - used, "}");
    host->response_status(resp, 200);
    host->response_header(resp, str("Content-Type"), str("application/json"));
    host->response_body(resp, bytes(body));
    return PROTEUS_OK;
}

static const proteus_dialect_api probe_api = { sizeof(proteus_dialect_api), probe_routes, probe_handle };

static const proteus_plugin_descriptor descriptor = {
    PROTEUS_PLUGIN_MAGIC, sizeof(proteus_plugin_descriptor), PROTEUS_ABI_MAJOR, PROTEUS_ABI_MINOR,
    PROTEUS_KIND_DIALECT, "null-ctx-c", "1.0.0", "A C dialect passing NULL ctx to host functions (test fixture)",
    probe_create, probe_destroy, &probe_api, NULL,
};

const proteus_plugin_descriptor *proteus_plugin_entry_v2(void) { return &descriptor; }
