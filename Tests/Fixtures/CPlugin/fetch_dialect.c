/*
 * A dialect in plain C that calls host->http_request (ABI 1.3): the tests
 * drive outbound HTTP through a real plugin with it.
 *
 *   GET|POST /fetch?url=URL[&ca=1][&timeout=MS][&probe=TEXT]
 *     sends METHOD URL (percent-decoded) with the request's body (POST),
 *     header "X-Probe: TEXT" when given, PROTEUS_HTTP_TRUST_EXTRA_CA when
 *     ca=1, and answers 200
 *     {"proteus":STATUS,"status":HTTP,"bytes":N,"probe":"X-Echo-Probe","message":"..."}
 *     where STATUS is the proteus_status of the call, HTTP the remote status
 *     (0 on failure) and N the remote body's length.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "proteus_plugin.h"

typedef struct {
    const proteus_host_api *host;
} fetch_instance;

static const proteus_route routes[] = {
    { sizeof(proteus_route), "GET,POST", "/fetch" },
};

static proteus_str str(const char *s) { proteus_str r = { s, strlen(s) }; return r; }

static void set_error(proteus_error *err, proteus_status code, const char *message) {
    if (!err) return;
    err->code = code;
    snprintf(err->message, sizeof err->message, "%s", message);
}

static proteus_status fetch_create(const proteus_host_api *host, const char *options,
                                   size_t options_len, void **instance, proteus_error *err) {
    (void)options; (void)options_len;
    /* A host older than 1.3 has no http_request: check before relying on it. */
    if (host == NULL || host->struct_size < offsetof(proteus_host_api, http_request) + sizeof host->http_request
        || host->http_request == NULL || host->response_body == NULL) {
        set_error(err, PROTEUS_E_UNSUPPORTED, "fetch-c needs a dialect host table with http_request (ABI 1.3)");
        return PROTEUS_E_UNSUPPORTED;
    }
    fetch_instance *self = calloc(1, sizeof *self);
    if (!self) { set_error(err, PROTEUS_E_INTERNAL, "out of memory"); return PROTEUS_E_INTERNAL; }
    self->host = host;
    *instance = self;
    return PROTEUS_OK;
}

static void fetch_destroy(void *instance) { free(instance); }

static proteus_status fetch_routes(void *instance, const proteus_route **out, uint32_t *count,
                                   proteus_error *err) {
    (void)instance; (void)err;
    *out = routes;
    *count = sizeof routes / sizeof routes[0];
    return PROTEUS_OK;
}

static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The percent-decoded value of `name` in the raw query, into out[cap]
 * (NUL-terminated); 0 when absent. */
static int query_param(proteus_str query, const char *name, char *out, size_t cap) {
    size_t name_len = strlen(name), i = 0;
    while (query.ptr && i < query.len) {
        size_t end = i;
        while (end < query.len && query.ptr[end] != '&') end++;
        if (end - i > name_len && query.ptr[i + name_len] == '=' && memcmp(query.ptr + i, name, name_len) == 0) {
            size_t n = 0;
            for (size_t j = i + name_len + 1; j < end && n + 1 < cap; j++) {
                char c = query.ptr[j];
                if (c == '%' && j + 2 < end + 1 && hex(query.ptr[j + 1]) >= 0 && hex(query.ptr[j + 2]) >= 0) {
                    c = (char)(hex(query.ptr[j + 1]) * 16 + hex(query.ptr[j + 2]));
                    j += 2;
                } else if (c == '+') {
                    c = ' ';
                }
                out[n++] = c;
            }
            out[n] = 0;
            return 1;
        }
        i = end + 1;
    }
    return 0;
}

/* Copies text into a JSON string body, replacing what would need escaping. */
static void json_safe(char *out, size_t cap, const char *text, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        char c = text[i];
        out[n++] = (c == '"' || c == '\\' || (unsigned char)c < 0x20) ? '?' : c;
    }
    out[n] = 0;
}

static proteus_status fetch_handle(void *instance, const proteus_request *req, proteus_response *resp) {
    fetch_instance *self = instance;
    const proteus_host_api *host = self->host;
    char url[2048], value[256], body[1536], message[600], probe[256] = "";
    if (req->host_status != 0 || req->route < 0 || !query_param(req->query, "url", url, sizeof url)) {
        host->response_status(resp, req->host_status ? req->host_status : 400);
        return PROTEUS_OK;
    }
    proteus_header headers[1];
    uint32_t header_count = 0;
    if (query_param(req->query, "probe", probe, sizeof probe)) {
        headers[0].name = str("X-Probe");
        headers[0].value = str(probe);
        header_count = 1;
    }
    proteus_http_request request;
    memset(&request, 0, sizeof request);
    request.struct_size = sizeof request;
    request.flags = query_param(req->query, "ca", value, sizeof value) && strcmp(value, "1") == 0
        ? PROTEUS_HTTP_TRUST_EXTRA_CA : 0;
    request.method = req->method;
    request.url = str(url);
    request.headers = headers;
    request.header_count = header_count;
    if (req->method.len == 4 && memcmp(req->method.ptr, "POST", 4) == 0) request.body = req->body;
    request.timeout_ms = query_param(req->query, "timeout", value, sizeof value) ? (uint32_t)strtoul(value, NULL, 10) : 0;

    proteus_http_response response;
    memset(&response, 0, sizeof response);
    response.struct_size = sizeof response;
    proteus_error err;
    memset(&err, 0, sizeof err);
    proteus_status s = host->http_request(host->ctx, &request, req->arena, &response, &err);

    char echoed[256] = "";
    message[0] = 0;
    if (s == PROTEUS_OK) {
        for (uint32_t i = 0; i < response.header_count; i++) {
            proteus_header h = response.headers[i];
            if (h.name.len == 12 && strncasecmp(h.name.ptr, "X-Echo-Probe", 12) == 0)
                json_safe(echoed, sizeof echoed, h.value.ptr, h.value.len);
        }
    } else {
        json_safe(message, sizeof message, err.message, strlen(err.message));
    }
    snprintf(body, sizeof body, "{\"proteus\":%d,\"status\":%u,\"bytes\":%zu,\"probe\":\"%s\",\"message\":\"%s\"}",
             (int)s, s == PROTEUS_OK ? response.status : 0u, s == PROTEUS_OK ? response.body.len : (size_t)0,
             echoed, message);
    host->response_status(resp, 200);
    host->response_header(resp, str("Content-Type"), str("application/json"));
    proteus_bytes b = { (const uint8_t *)body, strlen(body) };
    host->response_body(resp, b);
    return PROTEUS_OK;
}

static const proteus_dialect_api fetch_api = {
    sizeof(proteus_dialect_api),
    fetch_routes,
    fetch_handle,
};

static const proteus_plugin_descriptor descriptor = {
    PROTEUS_PLUGIN_MAGIC,
    sizeof(proteus_plugin_descriptor),
    PROTEUS_ABI_MAJOR,
    PROTEUS_ABI_MINOR,
    PROTEUS_KIND_DIALECT,
    "fetch-c",
    "1.0.0",
    "A dialect in plain C calling host->http_request (test fixture)",
    fetch_create,
    fetch_destroy,
    &fetch_api,
    NULL,
};

const proteus_plugin_descriptor *proteus_plugin_entry_v2(void) { return &descriptor; }
