/*
 * proteus_dialect.h — API dialects: routes, requests, and the handler that answers them.
 * Part of the Proteus plugin ABI; the rules every declaration follows
 * (versions, strings, memory, errors, threads) are in proteus_plugin.h.
 */
#ifndef PROTEUS_DIALECT_H
#define PROTEUS_DIALECT_H

#include "proteus_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* API dialects                                                              */
/* ======================================================================== */

/** A route a dialect serves, relative to its mount. */
typedef struct proteus_route {
    uint32_t struct_size;      /**< sizeof(proteus_route) of the plugin */
    /** Comma-separated methods, e.g. "GET,HEAD,POST". */
    const char *methods;
    /** Path pattern: literal segments and `{name}` segments matching one
     *  non-empty segment, e.g. "/api/users/{id}". Starts with '/'. */
    const char *path;
} proteus_route;

/** One request header as received (name case preserved; compare names
 *  ASCII-case-insensitively). Repeated headers appear repeatedly. */
typedef struct proteus_header {
    proteus_str name;
    proteus_str value;
} proteus_header;

/** Opaque response under construction; filled through host services. */
typedef struct proteus_response proteus_response;

/**
 * One request, as the host hands it to a dialect. Everything is borrowed
 * and valid until handle() returns.
 */
typedef struct proteus_request {
    uint32_t struct_size;
    /** Index into the dialect's routes, or -1 when no route matched. */
    int32_t route;
    /** 0: a normal request for `route`. Otherwise the host has already
     *  decided the outcome and the dialect only renders it in its own
     *  envelope: 404 (no route), 405 (path known, method not), 413 (body too
     *  large), 415, 503 (overloaded), 400 (request the host could not use). */
    uint16_t host_status;
    /** A short English reason when host_status != 0. */
    proteus_str host_reason;
    proteus_str method;        /**< e.g. "GET" */
    /** Percent-decoded path relative to the mount, starting with '/'. */
    proteus_str path;
    /** Raw query string (no '?', not decoded); absent when none. */
    proteus_str query;
    const proteus_header *headers;
    uint32_t header_count;
    proteus_bytes body;        /**< decoded (de-chunked) body */
    /** Client address (the socket's peer, or X-Forwarded-For when the peer
     *  is a trusted proxy), textual. */
    proteus_str client_ip;
    /** Values of the route's `{name}` segments, in pattern order. */
    const proteus_str *params;
    uint32_t param_count;
    /** Request-scoped arena for store/auth outputs; freed by the host after
     *  the response is written. */
    proteus_arena *arena;
    /** The mount prefix this dialect is served under ("/" or "/aio"). */
    proteus_str mount;
    /** (Since 2.5; read only when struct_size covers it.) The scheme the
     *  client used, lower case: "https" or "http". The host itself serves
     *  plain HTTP, so it is "https" only when the socket's peer is one of
     *  the config's `trustedProxies` and the proxy says so: the last value
     *  of the last X-Forwarded-Proto header is "https" (ASCII case
     *  ignored). Otherwise "http", whatever the client sent. Decide
     *  `Secure` cookies and absolute URLs with it, never with the header
     *  itself. Static text, always present. */
    proteus_str scheme;
} proteus_request;

/**
 * A dialect: the REST surface of one original system.
 */
typedef struct proteus_dialect_api {
    uint32_t struct_size;
    /** The routes of this instance. [startup]. *routes stays owned by the
     *  instance and valid until destroy. */
    proteus_status (*routes)(void *instance, const proteus_route **routes,
                             uint32_t *count, proteus_error *err);
    /** Answer one request by filling `response` through the host's
     *  response_* services. [any thread]; may block on store and auth calls.
     *  Return OK after filling the response. Any other status makes the host
     *  answer a plain 500 (use it only for bugs). */
    proteus_status (*handle)(void *instance, const proteus_request *request,
                             proteus_response *response);
} proteus_dialect_api;

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_DIALECT_H */
