/*
 * proteus_command.h — the "command.v1" extension: a plugin's own command-line commands.
 * Part of the Proteus plugin ABI; the rules every declaration follows
 * (versions, strings, memory, errors, threads) are in proteus_plugin.h.
 */
#ifndef PROTEUS_COMMAND_H
#define PROTEUS_COMMAND_H

#include "proteus_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** get_extension id of proteus_command_api (offered by dialects). */
#define PROTEUS_EXT_COMMAND_V1 "command.v1"

/** Where a command's text goes. */
#define PROTEUS_OUTPUT_STDOUT 1
#define PROTEUS_OUTPUT_STDERR 2

/** Writes one line of text (without its newline) to the command's standard
 *  output or error. `text` is borrowed for the call. Called on the thread
 *  running the command; `ctx` is the caller's. */
typedef void (*proteus_output_fn)(void *ctx, int32_t stream, proteus_str text);

/**
 * "command.v1": `proteus <plugin name> ARGS...` runs the plugin's own
 * commands (e.g. `proteus scim token create --label okta`). The host loads
 * the config named by --config (the default config without it), creates
 * every plugin as `serve` would (nothing is served), removes --config and
 * its value from the arguments and hands the rest to the configured dialect
 * of that name.
 * [startup]: called on the main thread; no requests are being served. The
 * plugin reaches the directory through host->store as usual.
 * `args` (borrowed, valid for the call; `arg_count` may be 0, `args` then
 * may be NULL): the arguments after the plugin name, UTF-8.
 * Returns the process exit status: 0 success, 1 failure, 2 usage error.
 * The plugin writes results and messages through `output` only; secrets it
 * prints (a new token) go to PROTEUS_OUTPUT_STDOUT and nowhere else.
 */
typedef struct proteus_command_api {
    uint32_t struct_size;
    int32_t (*run)(void *instance, const proteus_str *args, uint32_t arg_count,
                   proteus_output_fn output, void *output_ctx);
} proteus_command_api;

#ifdef __cplusplus
}
#endif

#endif /* PROTEUS_COMMAND_H */
