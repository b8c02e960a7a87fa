// The Erizos dialect's OpenAPI 3.1 document ("openapi.v1"): the routes of
// ErizosDialect.Route with the user object of UserView, the {"error"}
// answers of ErizosFailure and the statuses the handlers really produce,
// which the test command checks against the running dialect. `__MOUNT__`
// becomes the mount (the servers URL).
//
// Each path is also served with a trailing slash and GET answers HEAD
// (Express); the document lists each route once. What several operations
// share (the {ID} parameter, the error answers) is under components.
import ProteusJSON

enum ErizosOpenAPI {
    static func document(mount: String) -> String {
        template.replacing("__MOUNT__", with: JSONValue.string(mount).serialized())
    }

    private static let template = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Proteus Erizos Studio users API",
    "version": "1.0.0",
    "description": "Erizos Studio's /api/login and /api/users. Failures are {\"error\": message} with the HTTP status saying what kind. Each path also answers with a trailing slash, and GET answers HEAD. A body larger than the host's limits.maxBodyBytes is answered 413 on any route."
  },
  "servers": [{"url": __MOUNT__}],
  "security": [{"bearer": []}, {"sessionQuery": []}, {"basic": []}],
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer", "description": "the session from POST /api/login"},
      "sessionQuery": {"type": "apiKey", "in": "query", "name": "erizos-login", "description": "the same session as a query parameter (without an Authorization header)"},
      "basic": {"type": "http", "scheme": "basic", "description": "username:password on every request; failures count against the sign-in limits"}
    },
    "schemas": {
      "ObjectID": {"type": "string", "pattern": "^[0-9a-f]{24}$", "description": "ObjectId-shaped: 24 lowercase hex digits"},
      "Timestamp": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$", "description": "ISO 8601, UTC, milliseconds"},
      "Role": {"type": "string", "enum": ["ADMIN", "DESIGNER", "EDITOR", "OPERATOR"]},
      "Username": {
        "type": "string",
        "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]{1,128}$",
        "description": "1-128 characters without control characters"
      },
      "Settings": {"type": "object", "description": "free-form; the default is {\"studio\": {}, \"browse\": {}}"},
      "User": {
        "type": "object",
        "required": ["_id", "username", "name", "type", "roles", "settings", "createdAt", "updatedAt"],
        "additionalProperties": false,
        "properties": {
          "_id": {"$ref": "#/components/schemas/ObjectID"},
          "username": {"type": "string", "description": "\"\" for a user without one (made by another dialect)"},
          "name": {"type": "string", "description": "the display name"},
          "type": {"type": "string", "description": "NORMAL for users made here"},
          "roles": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}, "description": "in the order ADMIN, DESIGNER, EDITOR, OPERATOR"},
          "settings": {"$ref": "#/components/schemas/Settings"},
          "createdAt": {"$ref": "#/components/schemas/Timestamp"},
          "updatedAt": {"$ref": "#/components/schemas/Timestamp"}
        }
      },
      "SignedInUser": {
        "type": "object",
        "required": ["_id", "username", "name", "type", "roles", "settings", "createdAt", "updatedAt", "session"],
        "additionalProperties": false,
        "properties": {
          "_id": {"$ref": "#/components/schemas/ObjectID"},
          "username": {"type": "string"},
          "name": {"type": "string"},
          "type": {"type": "string"},
          "roles": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}},
          "settings": {"$ref": "#/components/schemas/Settings"},
          "createdAt": {"$ref": "#/components/schemas/Timestamp"},
          "updatedAt": {"$ref": "#/components/schemas/Timestamp"},
          "session": {"type": "string", "minLength": 1, "description": "send as Authorization: Bearer, or as ?erizos-login="}
        }
      },
      "Login": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {"username": {"type": "string"}, "password": {"type": "string"}}
      },
      "NewUser": {
        "type": "object",
        "required": ["username", "password"],
        "description": "_id, type, createdAt, updatedAt and unknown members are ignored",
        "properties": {
          "username": {"$ref": "#/components/schemas/Username"},
          "password": {"type": "string", "minLength": 1},
          "name": {"type": "string", "maxLength": 256},
          "roles": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}, "description": "repeated roles count once"},
          "settings": {"$ref": "#/components/schemas/Settings"}
        }
      },
      "UserChange": {
        "type": "object",
        "description": "the user object as GET answers it, with an optional new password; members left out stay as they are; _id, type, createdAt and updatedAt are not writable (ignored). A new password ends the user's other sessions. Only an ADMIN changes roles; the last ADMIN keeps the role (409).",
        "properties": {
          "username": {"$ref": "#/components/schemas/Username"},
          "password": {"type": "string", "minLength": 1},
          "name": {"type": "string", "maxLength": 256},
          "roles": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}},
          "settings": {"$ref": "#/components/schemas/Settings"},
          "_id": {"type": "string"},
          "type": {"type": "string"},
          "createdAt": {"type": "string"},
          "updatedAt": {"type": "string"}
        }
      },
      "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": false,
        "properties": {"error": {"type": "string"}}
      }
    },
    "parameters": {
      "UserID": {
        "name": "id", "in": "path", "required": true,
        "description": "the user's _id or username (an _id is looked up first)",
        "schema": {"type": "string"}
      }
    },
    "headers": {
      "Challenge": {"description": "Bearer realm=\"erizos\", and Basic realm=\"erizos\" for requests that came with Basic or no credentials", "schema": {"type": "string"}},
      "RetryAfter": {"description": "seconds until the sign-in window ends", "schema": {"type": "integer", "minimum": 1}}
    },
    "responses": {
      "User": {
        "description": "the user object",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}
      },
      "BadRequest": {
        "description": "the body is not a JSON object, or a member has the wrong shape (the message names it); or the path is not valid percent-encoded UTF-8",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "MalformedPath": {
        "description": "the path (the {ID}) is not valid percent-encoded UTF-8",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unauthorized": {
        "description": "no credentials, an unknown or expired session, or a wrong username or password (one answer for all)",
        "headers": {"WWW-Authenticate": {"$ref": "#/components/headers/Challenge"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Forbidden": {
        "description": "the caller lacks ADMIN for this, or has a second factor on (Erizos sign-in offers none)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "NotFound": {
        "description": "no user has this _id or username (an ADMIN asking; anyone else gets 403)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Conflict": {
        "description": "the username is taken, the last ADMIN would go, or the user changed concurrently",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "TooLarge": {
        "description": "the body exceeds the host's limit, or a value the store's",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "TooManyAttempts": {
        "description": "too many failed sign-ins for this account name (or, for POST /api/login, this client address)",
        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unavailable": {
        "description": "the store or the hashing pool is overloaded or down; retry",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    }
  },
  "paths": {
    "/api/login": {
      "post": {
        "operationId": "login",
        "summary": "sign in: the user object and a new session",
        "security": [],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Login"}}}},
        "responses": {
          "200": {
            "description": "the user and its session",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignedInUser"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/TooManyAttempts"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/api/users": {
      "get": {
        "operationId": "listUsers",
        "summary": "every user, oldest first (ADMIN)",
        "responses": {
          "200": {
            "description": "the users",
            "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "429": {"$ref": "#/components/responses/TooManyAttempts"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "post": {
        "operationId": "createUser",
        "summary": "create a user (ADMIN); type NORMAL, settings {studio: {}, browse: {}} unless given",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewUser"}}}},
        "responses": {
          "200": {
            "description": "the new user",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}},
            "links": {
              "SignInAsCreatedUser": {"operationId": "login", "requestBody": {"username": "$request.body#/username", "password": "$request.body#/password"}},
              "GetCreatedUser": {"operationId": "getUser", "parameters": {"id": "$response.body#/_id"}},
              "UpdateCreatedUser": {"operationId": "updateUser", "parameters": {"id": "$response.body#/_id"}},
              "ResetCreatedUsersSettings": {"operationId": "resetSettings", "parameters": {"id": "$response.body#/_id"}},
              "DeleteCreatedUser": {"operationId": "deleteUser", "parameters": {"id": "$response.body#/_id"}}
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/TooManyAttempts"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/api/users/{id}": {
      "parameters": [{"$ref": "#/components/parameters/UserID"}],
      "get": {
        "operationId": "getUser",
        "summary": "one user (ADMIN, or the user themself)",
        "responses": {
          "200": {"$ref": "#/components/responses/User"},
          "400": {"$ref": "#/components/responses/MalformedPath"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "429": {"$ref": "#/components/responses/TooManyAttempts"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "put": {
        "operationId": "updateUser",
        "summary": "change a user (ADMIN, or the user themself without changing roles); the updated user",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserChange"}}}},
        "responses": {
          "200": {"$ref": "#/components/responses/User"},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/TooManyAttempts"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "delete": {
        "operationId": "deleteUser",
        "summary": "delete a user (ADMIN); the user as it was. The last ADMIN is kept (409)",
        "responses": {
          "200": {"$ref": "#/components/responses/User"},
          "400": {"$ref": "#/components/responses/MalformedPath"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "429": {"$ref": "#/components/responses/TooManyAttempts"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/api/users/{id}/settings": {
      "parameters": [{"$ref": "#/components/parameters/UserID"}],
      "delete": {
        "operationId": "resetSettings",
        "summary": "reset a user's settings to {studio: {}, browse: {}} (ADMIN, or the user themself); the updated user",
        "responses": {
          "200": {"$ref": "#/components/responses/User"},
          "400": {"$ref": "#/components/responses/MalformedPath"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "429": {"$ref": "#/components/responses/TooManyAttempts"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    }
  }
}
"""#
}
