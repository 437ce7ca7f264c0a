//! The OpenAPI 3.1 description of the JSON API, served at `GET /api/openapi.json`.

use serde_json::{json, Value};

pub fn document() -> Value {
    let error = json!({ "$ref": "#/components/schemas/Error" });
    let error_response = |description: &str| json!({ "description": description, "content": { "application/json": { "schema": error } } });
    let photo_id = json!({
        "name": "id", "in": "path", "required": true,
        "schema": { "type": "string", "pattern": "^[0-9a-z]{1,64}$" }
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "GAiLLERY API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Upload, list, view and delete photos. Errors are JSON objects with an `error` message. Any request that needs storage may answer 503 with `Retry-After` while S3 or DynamoDB is unreachable or throttling."
        },
        "paths": {
            "/healthz": { "get": {
                "summary": "Liveness check",
                "responses": { "200": { "description": "The server is up" } }
            }},
            "/api/photos": {
                "get": {
                    "summary": "List photos, newest first",
                    "parameters": [
                        { "name": "cursor", "in": "query", "schema": { "type": "string" },
                          "description": "`next_cursor` of the previous page" },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 60 } },
                        { "name": "tag", "in": "query", "schema": { "type": "array", "items": { "type": "string" } }, "style": "form", "explode": true,
                          "description": "Search words, all of which must match a label, through the WordNet hierarchy (`dog` finds every breed); case and plurals do not matter" }
                    ],
                    "responses": {
                        "200": { "description": "One page", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PhotoPage" } } } },
                        "400": error_response("The cursor is malformed")
                    }
                },
                "post": {
                    "summary": "Upload photos",
                    "description": "Multipart form data; every part named `file` is one photo. Each file is stored or refused on its own. Uploading bytes already in the gallery returns the existing photo.",
                    "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                        "type": "object",
                        "properties": { "file": { "type": "array", "items": { "type": "string", "format": "binary" } } }
                    }}}},
                    "responses": {
                        "201": { "description": "At least one new photo was stored", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UploadResponse" } } } },
                        "200": { "description": "Only photos already in the gallery", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UploadResponse" } } } },
                        "400": error_response("No file part, or an unreadable body"),
                        "413": { "description": "Every file was too large (bytes or count)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UploadResponse" } } } },
                        "415": { "description": "Every file was of an unsupported format", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UploadResponse" } } } },
                        "422": { "description": "Every file was broken, empty or had too many pixels", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/UploadResponse" } } } }
                    }
                }
            },
            "/api/photos/{id}": {
                "get": {
                    "summary": "One photo",
                    "parameters": [photo_id.clone()],
                    "responses": {
                        "200": { "description": "The photo", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Photo" } } } },
                        "404": error_response("No such photo")
                    }
                },
                "delete": {
                    "summary": "Delete a photo and its images",
                    "parameters": [photo_id.clone()],
                    "responses": { "204": { "description": "Deleted" }, "404": error_response("No such photo") }
                }
            },
            "/api/photos/{id}/classify": {
                "post": {
                    "summary": "Classify a photo again (after a failure, or with another loaded model)",
                    "parameters": [photo_id.clone(),
                        { "name": "model", "in": "query", "schema": { "type": "string" }, "description": "Default: the server's first model" }],
                    "responses": {
                        "202": { "description": "Queued", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Photo" } } } },
                        "400": error_response("A model this server has not loaded"),
                        "404": error_response("No such photo"),
                        "409": error_response("Classification is off on this server")
                    }
                }
            },
            "/api/tags": {
                "get": {
                    "summary": "The labels photos carry, with counts, most common first",
                    "responses": { "200": { "description": "Tags", "content": { "application/json": { "schema": {
                        "type": "array", "items": { "type": "object", "required": ["tag", "count"],
                          "properties": { "tag": { "type": "string" }, "count": { "type": "integer" } } } } } } } }
                }
            },
            "/api/intent": {
                "get": {
                    "summary": "What a spoken command means",
                    "parameters": [
                        { "name": "text", "in": "query", "required": true, "schema": { "type": "string" } },
                        { "name": "language", "in": "query", "schema": { "type": "string", "default": "en" } }
                    ],
                    "responses": {
                        "200": { "description": "The intent, e.g. {\"intent\": \"show_tag\", \"tag\": \"dog\"}; `none` when nothing matched", "content": { "application/json": { "schema": {
                            "type": "object", "required": ["intent"],
                            "properties": { "intent": { "type": "string", "enum": ["show_tag", "show_all", "open_gallery", "next", "previous", "first", "last", "close", "zoom_in", "zoom_out", "slideshow_start", "slideshow_stop", "delete_current", "confirm", "cancel", "help", "describe", "none"] }, "tag": { "type": "string" } } } } } },
                        "400": { "description": "A language commands cannot be spoken in yet" }
                    }
                }
            },
            "/api/events": {
                "get": {
                    "summary": "Processing stages as server-sent events",
                    "description": "Event `photo`: `{id, status, status_reason, labels}` at each stage change. Event `resync`: some events were missed; reload.",
                    "responses": { "200": { "description": "An event stream", "content": { "text/event-stream": {} } } }
                }
            },
            "/api/photos/{id}/{variant}": {
                "get": {
                    "summary": "The original or a derived image",
                    "description": "Immutable for a given id: cached for a year, with an ETag.",
                    "parameters": [
                        photo_id,
                        { "name": "variant", "in": "path", "required": true,
                          "schema": { "type": "string", "enum": ["original", "thumbnail", "thumbnail-2x", "preview"] } }
                    ],
                    "responses": {
                        "200": { "description": "The image bytes", "content": { "image/*": {} } },
                        "302": { "description": "With `--image-delivery redirect` on S3 storage: a presigned S3 URL in `Location`; the redirect may be cached for a quarter of the URL's validity" },
                        "304": { "description": "Not modified" },
                        "404": error_response("No such photo or variant")
                    }
                }
            }
        },
        "components": { "schemas": {
            "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" } } },
            "Label": { "type": "object", "required": ["label", "probability"], "properties": {
                "label": { "type": "string" }, "probability": { "type": "number", "minimum": 0, "maximum": 1 } } },
            "Photo": { "type": "object",
                "required": ["id", "filename", "width", "height", "taken_at", "created_at", "status", "labels", "placeholder", "format", "size_bytes", "sha256"],
                "properties": {
                    "id": { "type": "string" },
                    "filename": { "type": "string", "description": "For display only" },
                    "width": { "type": "integer", "description": "As displayed, after EXIF orientation" },
                    "height": { "type": "integer", "description": "As displayed, after EXIF orientation" },
                    "taken_at": { "type": ["string", "null"], "description": "EXIF DateTimeOriginal, camera local time" },
                    "created_at": { "type": "string", "format": "date-time" },
                    "status": { "type": "string", "enum": ["queued", "fetching", "preprocessing", "predicting", "storing", "done", "failed"] },
                    "status_reason": { "type": "string" },
                    "labels": { "type": "array", "items": { "$ref": "#/components/schemas/Label" } },
                    "placeholder": { "type": "string", "description": "ThumbHash, base64" },
                    "format": { "type": "string" },
                    "size_bytes": { "type": "integer" },
                    "sha256": { "type": "string" }
                } },
            "PhotoPage": { "type": "object", "required": ["photos", "next_cursor"], "properties": {
                "photos": { "type": "array", "items": { "$ref": "#/components/schemas/Photo" } },
                "next_cursor": { "type": ["string", "null"] } } },
            "UploadResponse": { "type": "object", "required": ["photos", "errors"], "properties": {
                "photos": { "type": "array", "items": { "$ref": "#/components/schemas/Photo" } },
                "errors": { "type": "array", "items": { "type": "object", "required": ["filename", "error"], "properties": {
                    "filename": { "type": "string" }, "error": { "type": "string" } } } } } }
        }}
    })
}
