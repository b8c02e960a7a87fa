// The SCIM dialect's OpenAPI 3.1 document ("openapi.v1"): its routes,
// parameters, bodies and answers, which the test command checks against the
// running dialect. `__MOUNT__` becomes the mount (the servers URL). What
// several operations share (parameters, bodies, the 401/409/412/503
// answers) is written once under components and referred to.
import ProteusJSON

enum SCIMOpenAPI {
    static func document(mount: String) -> String {
        template.replacing("__MOUNT__", with: JSONValue.string(mount).serialized())
    }

    private static let template = #"""
{
  "openapi": "3.1.0",
  "info": {"title": "Proteus SCIM 2.0 (RFC 7643, RFC 7644)", "version": "2.0"},
  "servers": [{"url": __MOUNT__}],
  "security": [{"bearer": []}],
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer", "description": "a token from `proteus scim token create`"}
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": ["schemas", "status"],
        "properties": {
          "schemas": {"type": "array", "items": {"type": "string"}},
          "status": {"type": "string"},
          "scimType": {"type": "string"},
          "detail": {"type": "string"}
        }
      },
      "ListResponse": {
        "type": "object",
        "required": ["schemas", "totalResults"],
        "properties": {
          "schemas": {"type": "array", "items": {"type": "string"}},
          "totalResults": {"type": "integer"},
          "startIndex": {"type": "integer"},
          "itemsPerPage": {"type": "integer"},
          "Resources": {"type": "array", "items": {"type": "object"}}
        }
      },
      "SearchRequest": {
        "type": "object",
        "properties": {
          "schemas": {"type": "array", "items": {"type": "string"}},
          "filter": {"type": "string"},
          "startIndex": {"type": "integer"},
          "count": {"type": "integer"},
          "attributes": {"type": "array", "items": {"type": "string"}},
          "excludedAttributes": {"type": "array", "items": {"type": "string"}}
        }
      },
      "PatchOp": {
        "type": "object",
        "required": ["Operations"],
        "properties": {
          "schemas": {"type": "array", "items": {"type": "string"}},
          "Operations": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["op"],
              "properties": {"op": {"type": "string"}, "path": {"type": "string"}, "value": {}}
            }
          }
        }
      },
      "User": {
        "type": "object",
        "properties": {
          "schemas": {"type": "array", "items": {"type": "string"}},
          "id": {"type": "string"},
          "externalId": {"type": "string"},
          "userName": {"type": "string"},
          "displayName": {"type": "string"},
          "active": {"type": "boolean"},
          "password": {"type": "string", "writeOnly": true},
          "name": {"type": "object"},
          "emails": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {"value": {"type": "string"}, "type": {"type": "string"}, "primary": {"type": "boolean"}}
            }
          },
          "groups": {"type": "array", "items": {"type": "object"}},
          "meta": {
            "type": "object",
            "properties": {
              "resourceType": {"type": "string"},
              "created": {"type": "string"},
              "lastModified": {"type": "string"},
              "location": {"type": "string"},
              "version": {"type": "string"}
            }
          }
        }
      },
      "Group": {
        "type": "object",
        "properties": {
          "schemas": {"type": "array", "items": {"type": "string"}},
          "id": {"type": "string"},
          "externalId": {"type": "string"},
          "displayName": {"type": "string"},
          "members": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {"value": {"type": "string"}, "$ref": {"type": "string"}, "type": {"type": "string"}}
            }
          },
          "meta": {
            "type": "object",
            "properties": {
              "resourceType": {"type": "string"},
              "created": {"type": "string"},
              "lastModified": {"type": "string"},
              "location": {"type": "string"},
              "version": {"type": "string"}
            }
          }
        }
      }
    },
    "parameters": {
      "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
      "filter": {
        "name": "filter",
        "in": "query",
        "schema": {"type": "string"},
        "description": "RFC 7644 §3.4.2.2 filter"
      },
      "startIndex": {
        "name": "startIndex",
        "in": "query",
        "schema": {"type": "integer"},
        "description": "1-based; less than 1 is 1"
      },
      "count": {
        "name": "count",
        "in": "query",
        "schema": {"type": "integer"},
        "description": "capped at maxResults; 0 answers the total only"
      },
      "attributes": {"name": "attributes", "in": "query", "schema": {"type": "string"}},
      "excludedAttributes": {"name": "excludedAttributes", "in": "query", "schema": {"type": "string"}},
      "sortBy": {
        "name": "sortBy",
        "in": "query",
        "schema": {"type": "string"},
        "description": "ignored (sort is not supported)"
      },
      "sortOrder": {"name": "sortOrder", "in": "query", "schema": {"type": "string"}},
      "ifMatch": {
        "name": "If-Match",
        "in": "header",
        "schema": {"type": "string"},
        "description": "a weak ETag (meta.version); 412 when it is not the resource's"
      }
    },
    "responses": {
      "Unauthorized": {
        "description": "no or an unknown bearer token (WWW-Authenticate: Bearer)",
        "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unavailable": {
        "description": "busy or the store is unavailable (Retry-After)",
        "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Conflict": {
        "description": "uniqueness",
        "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "PreconditionFailed": {
        "description": "If-Match does not match",
        "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    },
    "requestBodies": {
      "User": {
        "required": true,
        "content": {
          "application/scim+json": {"schema": {"$ref": "#/components/schemas/User"}},
          "application/json": {"schema": {"$ref": "#/components/schemas/User"}}
        }
      },
      "SearchRequest": {
        "required": true,
        "content": {
          "application/scim+json": {"schema": {"$ref": "#/components/schemas/SearchRequest"}},
          "application/json": {"schema": {"$ref": "#/components/schemas/SearchRequest"}}
        }
      },
      "PatchOp": {
        "required": true,
        "content": {
          "application/scim+json": {"schema": {"$ref": "#/components/schemas/PatchOp"}},
          "application/json": {"schema": {"$ref": "#/components/schemas/PatchOp"}}
        }
      },
      "Group": {
        "required": true,
        "content": {
          "application/scim+json": {"schema": {"$ref": "#/components/schemas/Group"}},
          "application/json": {"schema": {"$ref": "#/components/schemas/Group"}}
        }
      }
    }
  },
  "paths": {
    "/ServiceProviderConfig": {
      "get": {
        "summary": "what this service supports",
        "security": [],
        "responses": {
          "200": {
            "description": "the configuration",
            "content": {"application/scim+json": {"schema": {"type": "object", "required": ["schemas"]}}}
          }
        }
      }
    },
    "/ResourceTypes": {
      "get": {
        "summary": "the resource types",
        "security": [],
        "responses": {
          "200": {
            "description": "a list",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ListResponse"}}}
          }
        }
      }
    },
    "/ResourceTypes/{id}": {
      "get": {
        "summary": "one resource type",
        "security": [],
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {
          "200": {
            "description": "a resource type",
            "content": {
              "application/scim+json": {"schema": {"type": "object", "required": ["schemas", "id", "name", "endpoint", "schema"]}}
            }
          },
          "404": {
            "description": "no such resource type",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          }
        }
      }
    },
    "/Schemas": {
      "get": {
        "summary": "the schemas",
        "security": [],
        "responses": {
          "200": {
            "description": "a list",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ListResponse"}}}
          }
        }
      }
    },
    "/Schemas/{id}": {
      "get": {
        "summary": "one schema",
        "security": [],
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {
          "200": {
            "description": "a schema",
            "content": {"application/scim+json": {"schema": {"type": "object", "required": ["id", "attributes"]}}}
          },
          "404": {
            "description": "no such schema",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          }
        }
      }
    },
    "/Users": {
      "get": {
        "summary": "list Users",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/filter"},
          {"$ref": "#/components/parameters/startIndex"},
          {"$ref": "#/components/parameters/count"},
          {"$ref": "#/components/parameters/attributes"},
          {"$ref": "#/components/parameters/excludedAttributes"},
          {"$ref": "#/components/parameters/sortBy"},
          {"$ref": "#/components/parameters/sortOrder"}
        ],
        "responses": {
          "200": {
            "description": "a page",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ListResponse"}}}
          },
          "400": {
            "description": "invalidFilter or invalidValue",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "post": {
        "summary": "create a User",
        "security": [{"bearer": []}],
        "requestBody": {"$ref": "#/components/requestBodies/User"},
        "responses": {
          "201": {
            "description": "User",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/User"}}},
            "headers": {"Location": {"schema": {"type": "string"}}}
          },
          "400": {
            "description": "invalid value or syntax",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "409": {"$ref": "#/components/responses/Conflict"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/Users/.search": {
      "post": {
        "summary": "search Users",
        "security": [{"bearer": []}],
        "requestBody": {"$ref": "#/components/requestBodies/SearchRequest"},
        "responses": {
          "200": {
            "description": "a page",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ListResponse"}}}
          },
          "400": {
            "description": "invalidFilter or invalidValue",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/Users/{id}": {
      "get": {
        "summary": "one User",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/id"},
          {"$ref": "#/components/parameters/attributes"},
          {"$ref": "#/components/parameters/excludedAttributes"}
        ],
        "responses": {
          "200": {
            "description": "User",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/User"}}}
          },
          "404": {
            "description": "no such User",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "put": {
        "summary": "replace a User",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/ifMatch"}],
        "requestBody": {"$ref": "#/components/requestBodies/User"},
        "responses": {
          "200": {
            "description": "User",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/User"}}}
          },
          "400": {
            "description": "invalid value or syntax",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "404": {
            "description": "no such User",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "409": {"$ref": "#/components/responses/Conflict"},
          "412": {"$ref": "#/components/responses/PreconditionFailed"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "patch": {
        "summary": "modify a User",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/ifMatch"}],
        "requestBody": {"$ref": "#/components/requestBodies/PatchOp"},
        "responses": {
          "200": {
            "description": "User",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/User"}}}
          },
          "204": {"description": "modified"},
          "400": {
            "description": "invalid value, path or syntax",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "404": {
            "description": "no such User",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "409": {"$ref": "#/components/responses/Conflict"},
          "412": {"$ref": "#/components/responses/PreconditionFailed"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "delete": {
        "summary": "delete a User",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/ifMatch"}],
        "responses": {
          "204": {"description": "deleted"},
          "404": {
            "description": "no such User",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "412": {"$ref": "#/components/responses/PreconditionFailed"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/Groups": {
      "get": {
        "summary": "list Groups",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/filter"},
          {"$ref": "#/components/parameters/startIndex"},
          {"$ref": "#/components/parameters/count"},
          {"$ref": "#/components/parameters/attributes"},
          {"$ref": "#/components/parameters/excludedAttributes"},
          {"$ref": "#/components/parameters/sortBy"},
          {"$ref": "#/components/parameters/sortOrder"}
        ],
        "responses": {
          "200": {
            "description": "a page",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ListResponse"}}}
          },
          "400": {
            "description": "invalidFilter or invalidValue",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "post": {
        "summary": "create a Group",
        "security": [{"bearer": []}],
        "requestBody": {"$ref": "#/components/requestBodies/Group"},
        "responses": {
          "201": {
            "description": "Group",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Group"}}},
            "headers": {"Location": {"schema": {"type": "string"}}}
          },
          "400": {
            "description": "invalid value or syntax",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "409": {"$ref": "#/components/responses/Conflict"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/Groups/.search": {
      "post": {
        "summary": "search Groups",
        "security": [{"bearer": []}],
        "requestBody": {"$ref": "#/components/requestBodies/SearchRequest"},
        "responses": {
          "200": {
            "description": "a page",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ListResponse"}}}
          },
          "400": {
            "description": "invalidFilter or invalidValue",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/Groups/{id}": {
      "get": {
        "summary": "one Group",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/id"},
          {"$ref": "#/components/parameters/attributes"},
          {"$ref": "#/components/parameters/excludedAttributes"}
        ],
        "responses": {
          "200": {
            "description": "Group",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Group"}}}
          },
          "404": {
            "description": "no such Group",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "put": {
        "summary": "replace a Group",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/ifMatch"}],
        "requestBody": {"$ref": "#/components/requestBodies/Group"},
        "responses": {
          "200": {
            "description": "Group",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Group"}}}
          },
          "400": {
            "description": "invalid value or syntax",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "404": {
            "description": "no such Group",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "409": {"$ref": "#/components/responses/Conflict"},
          "412": {"$ref": "#/components/responses/PreconditionFailed"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "patch": {
        "summary": "modify a Group",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/ifMatch"}],
        "requestBody": {"$ref": "#/components/requestBodies/PatchOp"},
        "responses": {
          "200": {
            "description": "Group",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Group"}}}
          },
          "204": {"description": "modified"},
          "400": {
            "description": "invalid value, path or syntax",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "404": {
            "description": "no such Group",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "409": {"$ref": "#/components/responses/Conflict"},
          "412": {"$ref": "#/components/responses/PreconditionFailed"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "delete": {
        "summary": "delete a Group",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/id"}, {"$ref": "#/components/parameters/ifMatch"}],
        "responses": {
          "204": {"description": "deleted"},
          "404": {
            "description": "no such Group",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "412": {"$ref": "#/components/responses/PreconditionFailed"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/.search": {
      "post": {
        "summary": "search users, then groups",
        "security": [{"bearer": []}],
        "requestBody": {"$ref": "#/components/requestBodies/SearchRequest"},
        "responses": {
          "200": {
            "description": "a page",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ListResponse"}}}
          },
          "400": {
            "description": "invalidFilter or invalidValue",
            "content": {"application/scim+json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    }
  }
}
"""#
}
