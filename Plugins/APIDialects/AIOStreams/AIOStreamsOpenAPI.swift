// The AIOStreams dialect's OpenAPI 3.1 document ("openapi.v1"): the routes
// of AIOStreamsDialect with the {success, detail, error, data} envelope of
// Envelope.swift and the statuses UserService really answers, which the test
// command checks against the running dialect. `__MOUNT__` becomes the mount
// (the servers URL). What several operations share (the envelope, the
// error answers, the credentials) is under components.
import ProteusJSON

enum AIOStreamsOpenAPI {
    static func document(mount: String) -> String {
        template.replacing("__MOUNT__", with: JSONValue.string(mount).serialized())
    }

    private static let template = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Proteus AIOStreams user configuration API",
    "version": "1.0.0",
    "description": "AIOStreams' /api/v1/user. Every answer is {success, detail, error, data}. There is no 'user not found': an unknown UUID and a wrong password are both 400 USER_INVALID_DETAILS. Credentials are the uuid (or an alias) and the password (or an encryptedPassword token), as Authorization: Basic base64(uuid:password) or, where the operation says so, in the query or body; Basic wins when both are sent. With rate limiting on (the default, 5 requests per 5 s per client address) every answer carries RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset. Unknown paths and methods are 404 {success: false, detail: \"Not Found\", error: null, data: null}; a body larger than the host's limits.maxBodyBytes is 413 on any route."
  },
  "servers": [{"url": __MOUNT__}],
  "components": {
    "securitySchemes": {
      "basic": {"type": "http", "scheme": "basic", "description": "uuid (or alias) : password (or encryptedPassword)"}
    },
    "schemas": {
      "UUID": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"},
      "EncryptedPassword": {
        "type": "string",
        "pattern": "^eyJ[A-Za-z0-9_-]+$",
        "description": "the password sealed for this user (base64url JSON {i, e, t}); accepted wherever the password is; fresh each time"
      },
      "Config": {"type": "object", "description": "the user's configuration, opaque to the server"},
      "UserData": {
        "type": "object",
        "required": ["uuid"],
        "description": "the stored config with uuid set",
        "properties": {"uuid": {"$ref": "#/components/schemas/UUID"}}
      },
      "Failure": {
        "type": "object",
        "required": ["success", "detail", "error", "data"],
        "additionalProperties": false,
        "properties": {
          "success": {"const": false},
          "detail": {"type": "null"},
          "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": false,
            "properties": {
              "code": {"type": "string", "enum": ["MISSING_REQUIRED_FIELDS", "USER_INVALID_DETAILS", "USER_INVALID_CONFIG",
                                                  "USER_NEW_PASSWORD_TOO_SHORT", "USER_NEW_PASSWORD_TOO_SIMPLE", "BAD_REQUEST",
                                                  "UNAUTHORIZED", "RATE_LIMIT_EXCEEDED", "DATABASE_ERROR", "ENCRYPTION_ERROR",
                                                  "INTERNAL_SERVER_ERROR"]},
              "message": {"type": "string"}
            }
          },
          "data": {"type": "null"}
        }
      },
      "NewUser": {
        "type": "object",
        "required": ["config", "password"],
        "properties": {
          "config": {"$ref": "#/components/schemas/Config"},
          "password": {"type": "string", "minLength": 6, "description": "at least 6 UTF-16 code units, as JavaScript counts a string's length"}
        }
      },
      "ConfigReplacement": {
        "type": "object",
        "required": ["config"],
        "description": "uuid and password are required without Basic credentials, and ignored with them",
        "properties": {
          "uuid": {"type": "string", "description": "a UUID or an alias"},
          "password": {"type": "string"},
          "config": {"$ref": "#/components/schemas/Config"}
        }
      },
      "BodyCredentials": {
        "type": "object",
        "description": "required without Basic credentials, ignored with them",
        "properties": {
          "uuid": {"type": "string", "description": "a UUID or an alias"},
          "password": {"type": "string"}
        }
      },
      "PasswordChange": {
        "type": "object",
        "required": ["newPassword"],
        "properties": {"newPassword": {"type": "string", "minLength": 6, "description": "at least 6 UTF-16 code units (JavaScript's length), not the current password"}}
      }
    },
    "parameters": {
      "QueryUUID": {"name": "uuid", "in": "query", "required": false, "description": "a UUID or an alias; required without Basic credentials", "schema": {"type": "string"}},
      "QueryPassword": {"name": "password", "in": "query", "required": false, "description": "the password or an encryptedPassword; required without Basic credentials", "schema": {"type": "string"}}
    },
    "headers": {
      "RateLimitPolicy": {"description": "requests;w=window seconds", "schema": {"type": "string"}},
      "RateLimitLimit": {"schema": {"type": "integer"}},
      "RateLimitRemaining": {"schema": {"type": "integer"}},
      "RateLimitReset": {"description": "seconds until the window ends", "schema": {"type": "integer"}},
      "RetryAfter": {"description": "seconds", "schema": {"type": "integer"}}
    },
    "responses": {
      "BadRequest": {
        "description": "MISSING_REQUIRED_FIELDS, USER_INVALID_DETAILS (unknown uuid or wrong password alike), USER_INVALID_CONFIG, USER_NEW_PASSWORD_TOO_SHORT, USER_NEW_PASSWORD_TOO_SIMPLE, or BAD_REQUEST (malformed JSON or Authorization header)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "Unauthorized": {
        "description": "UNAUTHORIZED: the password is right but the account has a second factor on, which AIOStreams sign-in does not offer",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "TooLarge": {
        "description": "BAD_REQUEST: the body exceeds the host's limit",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "RateLimited": {
        "description": "RATE_LIMIT_EXCEEDED: too many requests from this client address",
        "headers": {
          "Retry-After": {"$ref": "#/components/headers/RetryAfter"},
          "RateLimit-Policy": {"$ref": "#/components/headers/RateLimitPolicy"},
          "RateLimit-Limit": {"$ref": "#/components/headers/RateLimitLimit"},
          "RateLimit-Remaining": {"$ref": "#/components/headers/RateLimitRemaining"},
          "RateLimit-Reset": {"$ref": "#/components/headers/RateLimitReset"}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "ServerError": {
        "description": "DATABASE_ERROR, ENCRYPTION_ERROR or INTERNAL_SERVER_ERROR: an unexpected store or sealing failure",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "Unavailable": {
        "description": "DATABASE_ERROR or INTERNAL_SERVER_ERROR: the store or the server is overloaded; retry",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      }
    }
  },
  "paths": {
    "/api/v1/user": {
      "head": {
        "operationId": "userExists",
        "summary": "whether a user exists (no password needed); the uuid from the query, else from Basic credentials",
        "security": [{}, {"basic": []}],
        "parameters": [{"name": "uuid", "in": "query", "required": false, "description": "a UUID or an alias", "schema": {"type": "string"}}],
        "responses": {
          "200": {"description": "the user exists (GET's answer would be data {uuid}; HEAD has no body)"},
          "400": {"description": "MISSING_REQUIRED_FIELDS without a uuid, USER_INVALID_DETAILS for an unknown one, BAD_REQUEST for a malformed Authorization header (no body)"},
          "429": {"description": "RATE_LIMIT_EXCEEDED (no body)", "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}},
          "500": {"description": "DATABASE_ERROR (no body)"},
          "503": {"description": "the store or the server is overloaded (no body)"}
        }
      },
      "get": {
        "operationId": "getUser",
        "summary": "the user's config and a fresh encryptedPassword",
        "security": [{}, {"basic": []}],
        "parameters": [{"$ref": "#/components/parameters/QueryUUID"}, {"$ref": "#/components/parameters/QueryPassword"}],
        "responses": {
          "200": {
            "description": "the config",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["success", "detail", "error", "data"],
              "additionalProperties": false,
              "properties": {
                "success": {"const": true},
                "detail": {"const": "User details retrieved successfully"},
                "error": {"type": "null"},
                "data": {
                  "type": "object",
                  "required": ["userData", "encryptedPassword"],
                  "additionalProperties": false,
                  "properties": {
                    "userData": {"$ref": "#/components/schemas/UserData"},
                    "encryptedPassword": {"$ref": "#/components/schemas/EncryptedPassword"}
                  }
                }
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "500": {"$ref": "#/components/responses/ServerError"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "post": {
        "operationId": "createUser",
        "summary": "create a user with a server-made version-4 UUID",
        "security": [{}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewUser"}}}},
        "responses": {
          "201": {
            "description": "created",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["success", "detail", "error", "data"],
              "additionalProperties": false,
              "properties": {
                "success": {"const": true},
                "detail": {"const": "User was successfully created"},
                "error": {"type": "null"},
                "data": {
                  "type": "object",
                  "required": ["uuid", "encryptedPassword"],
                  "additionalProperties": false,
                  "properties": {
                    "uuid": {"$ref": "#/components/schemas/UUID"},
                    "encryptedPassword": {"$ref": "#/components/schemas/EncryptedPassword"}
                  }
                }
              }
            }}},
            "links": {
              "CreatedUserExists": {"operationId": "userExists", "parameters": {"uuid": "$response.body#/data/uuid"}},
              "GetCreatedUser": {"operationId": "getUser", "parameters": {"uuid": "$response.body#/data/uuid", "password": "$response.body#/data/encryptedPassword"}},
              "VerifyCreatedUser": {"operationId": "verifyCredentials", "parameters": {"uuid": "$response.body#/data/uuid", "password": "$request.body#/password"}},
              "ReplaceCreatedUsersConfig": {"operationId": "replaceConfig", "requestBody": {"uuid": "$response.body#/data/uuid", "password": "$response.body#/data/encryptedPassword"}},
              "DeleteCreatedUser": {"operationId": "deleteUser", "requestBody": {"uuid": "$response.body#/data/uuid", "password": "$response.body#/data/encryptedPassword"}}
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "500": {"$ref": "#/components/responses/ServerError"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "put": {
        "operationId": "replaceConfig",
        "summary": "replace the user's whole config",
        "security": [{}, {"basic": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConfigReplacement"}}}},
        "responses": {
          "200": {
            "description": "replaced",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["success", "detail", "error", "data"],
              "additionalProperties": false,
              "properties": {
                "success": {"const": true},
                "detail": {"const": "User updated successfully"},
                "error": {"type": "null"},
                "data": {
                  "type": "object",
                  "required": ["uuid", "userData"],
                  "additionalProperties": false,
                  "properties": {
                    "uuid": {"$ref": "#/components/schemas/UUID"},
                    "userData": {"$ref": "#/components/schemas/UserData"}
                  }
                }
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "500": {"$ref": "#/components/responses/ServerError"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "delete": {
        "operationId": "deleteUser",
        "summary": "delete the user",
        "security": [{}, {"basic": []}],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BodyCredentials"}}}},
        "responses": {
          "200": {
            "description": "deleted",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["success", "detail", "error", "data"],
              "additionalProperties": false,
              "properties": {
                "success": {"const": true},
                "detail": {"const": "User deleted successfully"},
                "error": {"type": "null"},
                "data": {"type": "null"}
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "500": {"$ref": "#/components/responses/ServerError"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/api/v1/user/password": {
      "post": {
        "operationId": "changePassword",
        "summary": "change the password (Basic credentials with the current one); earlier encryptedPasswords stop working",
        "security": [{"basic": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PasswordChange"}}}},
        "responses": {
          "200": {
            "description": "changed",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["success", "detail", "error", "data"],
              "additionalProperties": false,
              "properties": {
                "success": {"const": true},
                "detail": {"const": "Password changed successfully"},
                "error": {"type": "null"},
                "data": {
                  "type": "object",
                  "required": ["encryptedPassword"],
                  "additionalProperties": false,
                  "properties": {"encryptedPassword": {"$ref": "#/components/schemas/EncryptedPassword"}}
                }
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "500": {"$ref": "#/components/responses/ServerError"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/api/v1/user/verify": {
      "post": {
        "operationId": "verifyCredentials",
        "summary": "check credentials without reading the config",
        "security": [{}, {"basic": []}],
        "parameters": [{"$ref": "#/components/parameters/QueryUUID"}, {"$ref": "#/components/parameters/QueryPassword"}],
        "responses": {
          "200": {
            "description": "the credentials are right",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["success", "detail", "error", "data"],
              "additionalProperties": false,
              "properties": {
                "success": {"const": true},
                "detail": {"const": "Credentials verified successfully"},
                "error": {"type": "null"},
                "data": {
                  "type": "object",
                  "required": ["uuid", "createdAt"],
                  "additionalProperties": false,
                  "properties": {
                    "uuid": {"$ref": "#/components/schemas/UUID"},
                    "createdAt": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"}
                  }
                }
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/RateLimited"},
          "500": {"$ref": "#/components/responses/ServerError"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    }
  }
}
"""#
}
