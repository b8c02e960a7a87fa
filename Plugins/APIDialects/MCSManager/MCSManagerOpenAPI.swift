// The MCSManager dialect's OpenAPI 3.1 document ("openapi.v1"): the routes of
// MCSManagerDialect.Route with the panel's {status, data, time} envelope and
// the statuses of Envelope.swift's table, which the test command checks
// against the running dialect. `__MOUNT__` becomes the mount (the servers URL).
//
// Each path is also served with a trailing slash and every GET answers HEAD
// (Koa's router); /install and /status answer any method (router.all). The
// document lists each route once, under the method the panel's UI calls.
import ProteusJSON

enum MCSManagerOpenAPI {
    static func document(mount: String) -> String {
        template.replacing("__MOUNT__", with: JSONValue.string(mount).serialized())
    }

    private static let template = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Proteus MCSManager panel users API",
    "version": "10",
    "description": "Every answer is {status, data, time} with the HTTP status equal to status; failures carry the panel's message in data. Bodies may be JSON or application/x-www-form-urlencoded (nested keys as config[userName]=...). Each path also answers with a trailing slash, and GET answers HEAD."
  },
  "servers": [{"url": __MOUNT__}],
  "security": [{"apiKeyHeader": []}, {"apiKeyQuery": []}, {"sessionCookie": [], "sessionToken": [], "ajax": []}],
  "components": {
    "securitySchemes": {
      "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Request-API-Key", "description": "a key from PUT /api/auth/api"},
      "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "apikey", "description": "the same key as a query parameter"},
      "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "MCSM_SESSION", "description": "set by login and install (option sessionCookie names it)"},
      "sessionToken": {"type": "apiKey", "in": "query", "name": "token", "description": "the token login answers; with the cookie"},
      "ajax": {"type": "apiKey", "in": "header", "name": "X-Requested-With", "description": "XMLHttpRequest, with the cookie"}
    },
    "schemas": {
      "Time": {"type": "integer", "description": "epoch milliseconds"},
      "Failure": {
        "type": "object",
        "required": ["status", "data", "time"],
        "additionalProperties": false,
        "properties": {
          "status": {"type": "integer", "minimum": 400, "maximum": 599},
          "data": {"type": "string", "description": "the panel's message, e.g. Validator failed: \"page\" is required!"},
          "time": {"$ref": "#/components/schemas/Time"}
        }
      },
      "Permission": {"type": "integer", "enum": [10, 1, 0, -1], "description": "10 admin, 1 user, 0 guest, -1 banned"},
      "UUID": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
      "Password": {
        "type": "string",
        "pattern": "^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9]).{9,36}$",
        "description": "9-36 characters (UTF-16 units) with a lowercase and an uppercase letter and a digit; else 400"
      },
      "Username": {"type": "string", "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]{1,128}$", "description": "else 400 Invalid Username Format"},
      "Instance": {
        "type": "object",
        "required": ["instanceUuid", "daemonId"],
        "properties": {"instanceUuid": {"type": "string"}, "daemonId": {"type": "string"}}
      },
      "APIKeyShown": {"type": "string", "enum": ["", "__MCSM_SECRET_DATA__"], "description": "masked: whether the user has a key"},
      "ListedUser": {
        "type": "object",
        "required": ["uuid", "userName", "passWord", "passWordType", "salt", "permission", "registerTime", "loginTime",
                     "instances", "apiKey", "isInit", "secret", "open2FA"],
        "additionalProperties": false,
        "properties": {
          "uuid": {"$ref": "#/components/schemas/UUID"},
          "userName": {"type": "string"},
          "passWord": {"const": ""},
          "passWordType": {"type": "integer", "enum": [0, 1], "description": "0 a legacy MD5 hash, 1 any other"},
          "salt": {"const": ""},
          "permission": {"$ref": "#/components/schemas/Permission"},
          "registerTime": {"type": "string", "description": "as 10/28/2023, 5:38:44 PM"},
          "loginTime": {"type": "string"},
          "instances": {"type": "array", "items": {"$ref": "#/components/schemas/Instance"}},
          "apiKey": {"$ref": "#/components/schemas/APIKeyShown"},
          "isInit": {"type": "boolean"},
          "secret": {"const": "", "description": "the TOTP secret is never returned"},
          "open2FA": {"type": "boolean"}
        }
      },
      "OwnUser": {
        "type": "object",
        "required": ["uuid", "userName", "loginTime", "registerTime", "instances", "permission", "apiKey", "isInit", "open2FA", "token"],
        "additionalProperties": false,
        "properties": {
          "uuid": {"$ref": "#/components/schemas/UUID"},
          "userName": {"type": "string"},
          "loginTime": {"type": "string"},
          "registerTime": {"type": "string"},
          "instances": {"type": "array", "items": {"$ref": "#/components/schemas/Instance"}},
          "permission": {"$ref": "#/components/schemas/Permission"},
          "apiKey": {"$ref": "#/components/schemas/APIKeyShown"},
          "isInit": {"type": "boolean"},
          "open2FA": {"type": "boolean"},
          "token": {"type": "string", "description": "the session's token; empty for an API-key caller"}
        }
      },
      "Credentials": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {"username": {"type": "string"}, "password": {"type": "string"}}
      },
      "Login": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
          "username": {"type": "string"},
          "password": {"type": "string"},
          "code": {"type": "string", "description": "the TOTP code, for a user with 2FA on"}
        }
      },
      "NewUser": {
        "type": "object",
        "required": ["username", "password", "permission"],
        "properties": {
          "username": {"$ref": "#/components/schemas/Username"},
          "password": {"$ref": "#/components/schemas/Password"},
          "permission": {"$ref": "#/components/schemas/Permission"}
        }
      },
      "UserEdit": {
        "type": "object",
        "required": ["uuid", "config"],
        "properties": {
          "uuid": {"type": "string", "description": "an unknown uuid changes nothing and answers true"},
          "config": {
            "type": "object",
            "description": "falsy values leave a field as it is; a new passWord turns 2FA off",
            "properties": {
              "userName": {"$ref": "#/components/schemas/Username"},
              "permission": {"$ref": "#/components/schemas/Permission"},
              "passWord": {"$ref": "#/components/schemas/Password"},
              "instances": {"type": "array", "items": {"$ref": "#/components/schemas/Instance"}},
              "apiKey": {"type": "string", "description": "\"\" removes the key, __MCSM_SECRET_DATA__ keeps it, else [A-Za-z0-9_-]+"},
              "secret": {"type": "string", "description": "a base32 TOTP secret; \"\" keeps the enrolled one"},
              "open2FA": {"type": "boolean"},
              "isInit": {"type": "boolean"},
              "registerTime": {"type": "string"},
              "loginTime": {"type": "string"}
            }
          }
        }
      },
      "APIKeySwitch": {
        "type": "object",
        "properties": {"enable": {"type": "boolean", "description": "true creates (or replaces) the key, false removes it"}}
      },
      "PasswordChange": {
        "type": "object",
        "required": ["passWord"],
        "properties": {"passWord": {"$ref": "#/components/schemas/Password"}, "isInit": {"type": "boolean"}}
      },
      "SearchPage": {
        "type": "object",
        "required": ["page", "pageSize", "maxPage", "total", "data"],
        "additionalProperties": false,
        "properties": {
          "page": {"type": "integer", "minimum": 1},
          "pageSize": {"type": "integer", "minimum": 1, "maximum": 50},
          "maxPage": {"type": "integer", "minimum": 0},
          "total": {"type": "integer", "minimum": 0},
          "data": {"type": "array", "items": {"$ref": "#/components/schemas/ListedUser"}}
        }
      },
      "PanelStatus": {
        "type": "object",
        "required": ["isInstall", "language", "settings"],
        "additionalProperties": false,
        "properties": {
          "isInstall": {"type": "boolean"},
          "language": {"type": "string"},
          "settings": {
            "type": "object",
            "required": ["businessMode", "businessId"],
            "properties": {
              "businessMode": {"type": "boolean"},
              "businessId": {"type": "string"},
              "canFileManager": {"type": "boolean"},
              "allowUsePreset": {"type": "boolean"},
              "allowChangeCmd": {"type": "boolean"},
              "panelId": {"type": "string"},
              "ssoEnabled": {"type": "boolean"}
            }
          }
        }
      }
    },
    "requestBodies": {
      "Credentials": {
        "required": true,
        "content": {
          "application/json": {"schema": {"$ref": "#/components/schemas/Credentials"}},
          "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Credentials"}}
        }
      }
    },
    "headers": {
      "SessionCookie": {"description": "the session cookie", "schema": {"type": "string"}}
    },
    "responses": {
      "Failure": {
        "description": "the panel's message (the status table in Envelope.swift)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}}
      },
      "True": {
        "description": "done",
        "content": {"application/json": {"schema": {
          "type": "object", "required": ["status", "data", "time"], "additionalProperties": false,
          "properties": {"status": {"const": 200}, "data": {"const": true}, "time": {"$ref": "#/components/schemas/Time"}}
        }}}
      }
    }
  },
  "paths": {
    "/api/auth": {
      "get": {
        "summary": "the caller's own record (an administrator: anyone's, by uuid)",
        "parameters": [{"name": "uuid", "in": "query", "required": false, "schema": {"type": "string"}}],
        "responses": {
          "200": {
            "description": "the record",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["status", "data", "time"], "additionalProperties": false,
              "properties": {"status": {"const": 200}, "data": {"$ref": "#/components/schemas/OwnUser"}, "time": {"$ref": "#/components/schemas/Time"}}
            }}}
          },
          "403": {"$ref": "#/components/responses/Failure"},
          "404": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      },
      "post": {
        "summary": "create a user (administrators)",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/NewUser"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/NewUser"}}
          }
        },
        "responses": {
          "200": {
            "description": "the new user",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["status", "data", "time"], "additionalProperties": false,
              "properties": {
                "status": {"const": 200},
                "data": {
                  "type": "object", "required": ["uuid", "userName", "permission"], "additionalProperties": false,
                  "properties": {
                    "uuid": {"$ref": "#/components/schemas/UUID"},
                    "userName": {"type": "string"},
                    "permission": {"$ref": "#/components/schemas/Permission"}
                  }
                },
                "time": {"$ref": "#/components/schemas/Time"}
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure"},
          "403": {"$ref": "#/components/responses/Failure"},
          "409": {"$ref": "#/components/responses/Failure"},
          "415": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      },
      "put": {
        "summary": "change a user (administrators)",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/UserEdit"}},
            "application/x-www-form-urlencoded": {
              "schema": {"$ref": "#/components/schemas/UserEdit"},
              "encoding": {"config": {"style": "deepObject", "explode": true}}
            }
          }
        },
        "responses": {
          "200": {"$ref": "#/components/responses/True"},
          "400": {"$ref": "#/components/responses/Failure"},
          "403": {"$ref": "#/components/responses/Failure"},
          "409": {"$ref": "#/components/responses/Failure"},
          "415": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      },
      "delete": {
        "summary": "delete users (administrators); unknown uuids are skipped, the last administrator is kept (409)",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}
        },
        "responses": {
          "200": {"$ref": "#/components/responses/True"},
          "400": {"$ref": "#/components/responses/Failure"},
          "403": {"$ref": "#/components/responses/Failure"},
          "409": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    },
    "/api/auth/search": {
      "get": {
        "summary": "search users (administrators)",
        "parameters": [
          {"name": "page", "in": "query", "required": true, "description": "1-based; below 1 is 1", "schema": {"type": "integer"}},
          {"name": "page_size", "in": "query", "required": true, "description": "clamped to 1..50 (0: 10); pageSize is read when absent", "schema": {"type": "integer"}},
          {"name": "userName", "in": "query", "required": false, "description": "a case-sensitive substring; empty: everyone", "schema": {"type": "string"}},
          {"name": "role", "in": "query", "required": false, "description": "exact permission; other numbers match nobody", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {
            "description": "a page of users",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["status", "data", "time"], "additionalProperties": false,
              "properties": {"status": {"const": 200}, "data": {"$ref": "#/components/schemas/SearchPage"}, "time": {"$ref": "#/components/schemas/Time"}}
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure"},
          "403": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    },
    "/api/auth/login": {
      "post": {
        "summary": "sign in: the session token (and cookie), NEED_2FA without a code, Logined when already signed in",
        "security": [{}, {"apiKeyHeader": []}, {"apiKeyQuery": []}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Login"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Login"}}
          }
        },
        "responses": {
          "200": {
            "description": "the token, NEED_2FA or Logined",
            "headers": {"Set-Cookie": {"$ref": "#/components/headers/SessionCookie"}},
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["status", "data", "time"], "additionalProperties": false,
              "properties": {"status": {"const": 200}, "data": {"type": "string"}, "time": {"$ref": "#/components/schemas/Time"}}
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure"},
          "401": {"$ref": "#/components/responses/Failure"},
          "403": {"$ref": "#/components/responses/Failure"},
          "415": {"$ref": "#/components/responses/Failure"},
          "429": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    },
    "/api/auth/logout": {
      "get": {
        "summary": "end the session and clear its cookie",
        "security": [{}, {"apiKeyHeader": []}, {"apiKeyQuery": []}, {"sessionCookie": []}],
        "responses": {
          "200": {"$ref": "#/components/responses/True"},
          "403": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    },
    "/api/auth/api": {
      "put": {
        "summary": "create (answered once) or remove the caller's API key",
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/APIKeySwitch"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/APIKeySwitch"}}
          }
        },
        "responses": {
          "200": {
            "description": "the new key (32 hex), or \"\" when removed",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["status", "data", "time"], "additionalProperties": false,
              "properties": {
                "status": {"const": 200},
                "data": {"type": "string", "pattern": "^([0-9a-f]{32})?$"},
                "time": {"$ref": "#/components/schemas/Time"}
              }
            }}}
          },
          "400": {"$ref": "#/components/responses/Failure"},
          "403": {"$ref": "#/components/responses/Failure"},
          "415": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    },
    "/api/auth/update": {
      "put": {
        "summary": "change one's own password (ends the caller's sessions)",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PasswordChange"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/PasswordChange"}}
          }
        },
        "responses": {
          "200": {"$ref": "#/components/responses/True"},
          "400": {"$ref": "#/components/responses/Failure"},
          "403": {"$ref": "#/components/responses/Failure"},
          "409": {"$ref": "#/components/responses/Failure"},
          "415": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    },
    "/api/auth/install": {
      "post": {
        "summary": "create the first administrator and sign in (only while the directory has no users)",
        "security": [{}],
        "requestBody": {"$ref": "#/components/requestBodies/Credentials"},
        "responses": {
          "200": {"$ref": "#/components/responses/True"},
          "400": {"$ref": "#/components/responses/Failure"},
          "403": {"$ref": "#/components/responses/Failure"},
          "415": {"$ref": "#/components/responses/Failure"},
          "429": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    },
    "/api/auth/token": {
      "get": {
        "summary": "the session's token (Ajax requests only; \"\" for an API-key caller)",
        "responses": {
          "200": {
            "description": "the token",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["status", "data", "time"], "additionalProperties": false,
              "properties": {"status": {"const": 200}, "data": {"type": "string"}, "time": {"$ref": "#/components/schemas/Time"}}
            }}}
          },
          "403": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    },
    "/api/auth/status": {
      "get": {
        "summary": "whether the panel is installed, and settings for a signed-in user",
        "security": [{}, {"apiKeyHeader": []}, {"apiKeyQuery": []}, {"sessionCookie": []}],
        "responses": {
          "200": {
            "description": "the status",
            "content": {"application/json": {"schema": {
              "type": "object", "required": ["status", "data", "time"], "additionalProperties": false,
              "properties": {"status": {"const": 200}, "data": {"$ref": "#/components/schemas/PanelStatus"}, "time": {"$ref": "#/components/schemas/Time"}}
            }}}
          },
          "403": {"$ref": "#/components/responses/Failure"},
          "503": {"$ref": "#/components/responses/Failure"}
        }
      }
    }
  }
}
"""#
}
