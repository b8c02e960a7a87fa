// The LISTEN.moe dialect's OpenAPI 3.1 document ("openapi.v1"): the routes of
// ListenMoeDialect.Route with the {"message": ...} envelope and the statuses
// of Envelope.swift's table, which the test command checks against the
// running dialect. `__MOUNT__` becomes the mount (the servers URL).
//
// Failures share one response (only the message differs); each operation
// says in its description which messages a status carries. GET routes also
// answer HEAD (not listed), other methods 405; a malformed path is 400
// "Bad request." and a body over the host's limit 413 "Payload too large.".
import ProteusJSON

enum ListenMoeOpenAPI {
    static func document(mount: String) -> String {
        template.replacing("__MOUNT__", with: JSONValue.string(mount).serialized())
    }

    private static let template = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Proteus LISTEN.moe API v4 users",
    "version": "4",
    "description": "Every answer but 204 is a JSON object whose message is one sentence ending with a period, with the payload beside it. Bodies are JSON whatever the Content-Type; any Accept is served (clients send application/vnd.listen.v4+json). Signed-in calls carry Authorization: Bearer <the token of POST /login>; a token ends when its user's password or MFA changes, or the user is disabled. GET routes also answer HEAD; other methods 405 Method not allowed.; a malformed path 400 Bad request.; a body over the host's limit 413 Payload too large.; anything unexpected 500 Internal server error."
  },
  "servers": [{"url": __MOUNT__}],
  "security": [{"token": []}],
  "components": {
    "securitySchemes": {
      "token": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "the token of POST /login (or POST /login/mfa)"},
      "mfaPendingToken": {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "the short-lived token POST /login answers with mfa: true; accepted by POST /login/mfa only"
      }
    },
    "schemas": {
      "Sentence": {"type": "string", "pattern": "\\.$", "description": "one sentence ending with a period"},
      "Failure": {
        "type": "object",
        "required": ["message"],
        "additionalProperties": false,
        "properties": {"message": {"$ref": "#/components/schemas/Sentence"}}
      },
      "UUID": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"},
      "JWT": {"type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", "description": "a compact JWS (HS256)"},
      "Role": {
        "type": "object",
        "description": "a configured role row the user holds",
        "required": ["id", "name", "slug", "color", "songRequests"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "integer", "minimum": 0},
          "name": {"type": "string"},
          "slug": {"type": "string"},
          "color": {"type": ["string", "null"]},
          "songRequests": {"type": "integer", "minimum": 0}
        }
      },
      "RoleLink": {
        "type": "object",
        "required": ["id", "name", "slug", "color", "songRequests", "enabled", "userRole"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "integer", "minimum": 0},
          "name": {"type": "string"},
          "slug": {"type": "string"},
          "color": {"type": ["string", "null"]},
          "songRequests": {"type": "integer", "minimum": 0},
          "enabled": {"type": "boolean", "description": "false while the account is disabled"},
          "userRole": {
            "type": "object",
            "required": ["userId", "roleId"],
            "additionalProperties": false,
            "properties": {"userId": {"$ref": "#/components/schemas/UUID"}, "roleId": {"type": "integer", "minimum": 0}}
          }
        }
      },
      "User": {
        "type": "object",
        "required": ["uuid", "username", "displayName", "avatarImage", "bannerImage", "bio", "roles", "settings", "userSettings",
                     "requestsRemaining", "additionalRequests", "uploadLimit", "favorites", "uploads"],
        "additionalProperties": false,
        "properties": {
          "uuid": {"$ref": "#/components/schemas/UUID"},
          "email": {"type": ["string", "null"], "description": "only when the caller is the user themself"},
          "username": {"type": ["string", "null"]},
          "displayName": {"type": ["string", "null"], "description": "the display name, else the username"},
          "avatarImage": {"type": ["string", "null"]},
          "bannerImage": {"type": ["string", "null"]},
          "bio": {"type": ["string", "null"]},
          "roles": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}},
          "settings": {
            "type": "object",
            "required": ["mfa"],
            "additionalProperties": false,
            "properties": {"mfa": {"type": "boolean"}}
          },
          "userSettings": {"type": "object"},
          "requestsRemaining": {"type": "integer", "description": "the best songRequests of the user's roles plus additionalRequests"},
          "additionalRequests": {"type": "integer"},
          "uploadLimit": {"type": "integer", "minimum": 0},
          "favorites": {"type": "integer"},
          "uploads": {"type": "integer"}
        }
      },
      "Registration": {
        "type": "object",
        "required": ["email", "username", "password"],
        "properties": {
          "email": {
            "type": "string", "format": "email", "maxLength": 70,
            "description": "3 to 70 bytes, no spaces, one @ between a local part and a dotted domain; else 400 Invalid e-mail address provided."
          },
          "username": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,32}$", "description": "else 400 Invalid username provided."},
          "password": {"type": "string", "minLength": 1, "maxLength": 1024, "description": "1 to 1024 bytes of UTF-8; else 400 Invalid password provided."}
        }
      },
      "Credentials": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
          "username": {"type": "string", "minLength": 1, "description": "the username (exact) or the e-mail address (any case)"},
          "password": {"type": "string", "minLength": 1}
        }
      },
      "Bio": {
        "type": "object",
        "required": ["bio"],
        "additionalProperties": false,
        "properties": {"bio": {"type": ["string", "null"], "maxLength": 2000, "description": "at most 2000 characters; null clears it"}}
      },
      "Code": {
        "type": "object",
        "required": ["token"],
        "properties": {
          "token": {"type": "string", "minLength": 1, "maxLength": 64, "description": "a TOTP code of the authenticator, or a recovery code (at most 64 bytes)"}
        }
      },
      "SignedIn": {
        "type": "object",
        "required": ["message", "token"],
        "additionalProperties": false,
        "properties": {"message": {"const": "Successfully logged in."}, "token": {"$ref": "#/components/schemas/JWT"}}
      },
      "SecondStepNeeded": {
        "type": "object",
        "required": ["message", "mfa", "token"],
        "additionalProperties": false,
        "properties": {
          "message": {"const": "Please provide the 2FA code to log in."},
          "mfa": {"const": true},
          "token": {"$ref": "#/components/schemas/JWT", "description": "an MFA-pending token for POST /login/mfa (5 minutes)"}
        }
      }
    },
    "parameters": {
      "Username": {
        "name": "username", "in": "path", "required": true,
        "description": "a username; over 255 bytes or with control characters 400 Invalid params provided.",
        "schema": {"type": "string"}
      }
    },
    "requestBodies": {
      "Code": {
        "required": true,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Code"}}}
      }
    },
    "headers": {
      "RetryAfter": {"description": "seconds until the budget allows another attempt", "required": true, "schema": {"type": "integer", "minimum": 0}}
    },
    "responses": {
      "Failure": {
        "description": "the message says why (Envelope.swift)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "TooManyLogins": {
        "description": "Too many failed login attempts, please try again later. (per account name: the loginRateLimit option)",
        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "TooManyCodes": {
        "description": "Too many invalid OTP attempts, please try again later. (wrong codes per account at every route that takes one: the mfaRateLimit option); also for the right code while the budget is spent",
        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "Unavailable": {
        "description": "Service unavailable, please try again later. (the store or password hashing is down or overloaded)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      }
    }
  },
  "paths": {
    "/register": {
      "post": {
        "operationId": "register",
        "summary": "create an account with the default role",
        "security": [{}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Registration"}}}},
        "responses": {
          "200": {
            "description": "the account exists",
            "links": {"TheNewUser": {"operationId": "getUser", "parameters": {"username": "$request.body#/username"}}},
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["message"], "additionalProperties": false,
              "properties": {"message": {"const": "You have successfully created a new account."}}
            }}}
          },
          "400": {
            "$ref": "#/components/responses/Failure",
            "description": "No body provided. / Invalid body provided. / Invalid username provided. / Invalid e-mail address provided. / Invalid password provided. / An account with that email address and/or username already exists. (names are shared with every dialect)"
          },
          "413": {"$ref": "#/components/responses/Failure", "description": "Payload too large."},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/login": {
      "post": {
        "operationId": "login",
        "summary": "sign in with a username or e-mail and the password: a token, or for a user with MFA on an MFA-pending token",
        "security": [{}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Credentials"}}}},
        "responses": {
          "200": {
            "description": "Successfully logged in. with the token; with MFA on, Please provide the 2FA code to log in. with mfa: true and a token for POST /login/mfa",
            "content": {"application/json": {"schema": {
              "oneOf": [{"$ref": "#/components/schemas/SignedIn"}, {"$ref": "#/components/schemas/SecondStepNeeded"}]
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure", "description": "No body provided. / Invalid body provided. (username and password are non-empty strings)"},
          "401": {"$ref": "#/components/responses/Failure", "description": "Invalid username/email or password. (also for an unknown or disabled account)"},
          "413": {"$ref": "#/components/responses/Failure", "description": "Payload too large."},
          "429": {"$ref": "#/components/responses/TooManyLogins"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/login/mfa": {
      "post": {
        "operationId": "loginMFA",
        "summary": "the second step of a sign-in with MFA on: a TOTP or recovery code for the token",
        "security": [{"mfaPendingToken": []}],
        "requestBody": {"$ref": "#/components/requestBodies/Code"},
        "responses": {
          "200": {"description": "Successfully logged in.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignedIn"}}}},
          "400": {"$ref": "#/components/responses/Failure", "description": "No body provided. / Invalid body provided."},
          "401": {
            "$ref": "#/components/responses/Failure",
            "description": "Invalid authorization. (no MFA-pending token, or it no longer holds: MFA since turned off, password changed) / Invalid OTP provided. (a wrong or used code)"
          },
          "413": {"$ref": "#/components/responses/Failure", "description": "Payload too large."},
          "429": {"$ref": "#/components/responses/TooManyCodes"},
          "503": {
            "$ref": "#/components/responses/Failure",
            "description": "Service unavailable, please try again later. / Two-factor authentication is unavailable, please try again later. (no totp auth plugin)"
          }
        }
      }
    },
    "/users/{username}": {
      "parameters": [{"$ref": "#/components/parameters/Username"}],
      "get": {
        "operationId": "getUser",
        "summary": "a user's public profile (the e-mail too for the user themself); a token is optional",
        "security": [{}, {"token": []}],
        "responses": {
          "200": {
            "description": "Successfully retrieved user.",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["message", "user"], "additionalProperties": false,
              "properties": {"message": {"const": "Successfully retrieved user."}, "user": {"$ref": "#/components/schemas/User"}}
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure", "description": "Invalid params provided."},
          "401": {"$ref": "#/components/responses/Failure", "description": "Invalid authorization. (an Authorization that does not verify)"},
          "404": {"$ref": "#/components/responses/Failure", "description": "No user found."},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "patch": {
        "operationId": "updateBio",
        "summary": "set or clear the bio (the user themself or staff, the admin role)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bio"}}}},
        "responses": {
          "204": {"description": "done (no body)"},
          "400": {
            "$ref": "#/components/responses/Failure",
            "description": "Invalid params provided. / No body provided. / Invalid body provided. (anything but exactly {bio: string of at most 2000 characters, or null})"
          },
          "401": {"$ref": "#/components/responses/Failure", "description": "Invalid authorization."},
          "403": {"$ref": "#/components/responses/Failure", "description": "Not authorized. (neither the user nor staff)"},
          "404": {"$ref": "#/components/responses/Failure", "description": "No user found."},
          "413": {"$ref": "#/components/responses/Failure", "description": "Payload too large."},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/users/{username}/roles": {
      "parameters": [{"$ref": "#/components/parameters/Username"}],
      "get": {
        "operationId": "getRoles",
        "summary": "the roles a user holds, with the link rows (the user themself or staff)",
        "responses": {
          "200": {
            "description": "Successfully retrieved roles.",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["message", "roles"], "additionalProperties": false,
              "properties": {
                "message": {"const": "Successfully retrieved roles."},
                "roles": {"type": "array", "items": {"$ref": "#/components/schemas/RoleLink"}}
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure", "description": "Invalid params provided."},
          "401": {"$ref": "#/components/responses/Failure", "description": "Invalid authorization."},
          "403": {"$ref": "#/components/responses/Failure", "description": "Not authorized."},
          "404": {"$ref": "#/components/responses/Failure", "description": "No user found."},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/users/{username}/mfa": {
      "parameters": [{"$ref": "#/components/parameters/Username"}],
      "get": {
        "operationId": "startMFAEnrolment",
        "summary": "start enrolment (the user themself): a new TOTP secret as a QR code; the latest one shown is the one POST confirms",
        "responses": {
          "200": {
            "description": "Successfully generated MFA QR code.",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["message", "otpauthURL"], "additionalProperties": false,
              "properties": {
                "message": {"const": "Successfully generated MFA QR code."},
                "otpauthURL": {
                  "type": "string", "pattern": "^data:image/png;base64,[A-Za-z0-9+/]+={0,2}$",
                  "description": "a PNG of the QR code of otpauth://totp/<issuer>:<account>?secret=...&issuer=... as a data URL"
                }
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure", "description": "Invalid params provided. / MFA already activated."},
          "401": {"$ref": "#/components/responses/Failure", "description": "Invalid authorization."},
          "403": {"$ref": "#/components/responses/Failure", "description": "Not authorized. (anyone but the user, staff included)"},
          "404": {"$ref": "#/components/responses/Failure", "description": "No user found."},
          "503": {
            "$ref": "#/components/responses/Failure",
            "description": "Service unavailable, please try again later. / Two-factor authentication is unavailable, please try again later. (no totp auth plugin)"
          }
        }
      },
      "post": {
        "operationId": "enableMFA",
        "summary": "confirm enrolment with the first code: MFA on, ten recovery codes shown once, every token of the user ends",
        "requestBody": {"$ref": "#/components/requestBodies/Code"},
        "responses": {
          "200": {
            "description": "Successfully enabled mfa. You will now be logged out.",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["message", "recoveryCodes"], "additionalProperties": false,
              "properties": {
                "message": {"const": "Successfully enabled mfa. You will now be logged out."},
                "recoveryCodes": {
                  "type": "array", "minItems": 10, "maxItems": 10, "uniqueItems": true,
                  "items": {"type": "string", "pattern": "^[a-z2-7]{5}-[a-z2-7]{5}$"}
                }
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure", "description": "Invalid params provided. / No body provided. / Invalid body provided. / MFA already activated."},
          "401": {"$ref": "#/components/responses/Failure", "description": "Invalid authorization. / Invalid OTP provided. (a wrong code, or no enrolment shown yet)"},
          "403": {"$ref": "#/components/responses/Failure", "description": "Not authorized."},
          "404": {"$ref": "#/components/responses/Failure", "description": "No user found."},
          "413": {"$ref": "#/components/responses/Failure", "description": "Payload too large."},
          "429": {"$ref": "#/components/responses/TooManyCodes"},
          "503": {
            "$ref": "#/components/responses/Failure",
            "description": "Service unavailable, please try again later. / Two-factor authentication is unavailable, please try again later."
          }
        }
      },
      "delete": {
        "operationId": "disableMFA",
        "summary": "turn MFA off with a TOTP or recovery code, in the query or the body (the user themself); every token of the user ends",
        "parameters": [
          {"name": "token", "in": "query", "required": false, "description": "the code; when absent or empty, the body's token is read", "schema": {"type": "string"}}
        ],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Code"}}}},
        "responses": {
          "200": {
            "description": "Successfully disabled mfa. You will now be logged out.",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["message"], "additionalProperties": false,
              "properties": {"message": {"const": "Successfully disabled mfa. You will now be logged out."}}
            }}}
          },
          "400": {
            "$ref": "#/components/responses/Failure",
            "description": "Invalid params provided. / No MFA activated. / No body provided. / Invalid body provided. (no code in the query, none usable in the body)"
          },
          "401": {"$ref": "#/components/responses/Failure", "description": "Invalid authorization. / Invalid OTP provided."},
          "403": {"$ref": "#/components/responses/Failure", "description": "Not authorized."},
          "404": {"$ref": "#/components/responses/Failure", "description": "No user found."},
          "413": {"$ref": "#/components/responses/Failure", "description": "Payload too large."},
          "429": {"$ref": "#/components/responses/TooManyCodes"},
          "503": {
            "$ref": "#/components/responses/Failure",
            "description": "Service unavailable, please try again later. / Two-factor authentication is unavailable, please try again later."
          }
        }
      }
    }
  }
}
"""#
}
