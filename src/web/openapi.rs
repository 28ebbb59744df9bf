//! `/openapi.json`: an OpenAPI 3.1 description of the admin API, written from the same table
//! that registers its routes (`web/admin.rs`), with request bodies described by the types
//! the handlers parse.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};

use crate::flows::Ctx;

/// One operation of an API table.
pub struct Operation {
    pub id: &'static str,
    pub method: &'static str,
    /// Under `/admin/v1`, with `{name}` path parameters.
    pub path: &'static str,
    pub summary: &'static str,
    pub query: &'static [&'static str],
    pub body: Option<Value>,
}

/// The JSON Schema of a request body type.
pub fn schema_of<T: utoipa::PartialSchema>() -> Value {
    serde_json::to_value(T::schema()).unwrap_or_else(|_| json!({ "type": "object" }))
}

fn errors_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Errors" } } }
    })
}

fn operation(op: &Operation) -> Value {
    let mut parameters: Vec<Value> = op
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    parameters.extend(op.query.iter().map(|name| {
        let schema = match *name {
            "limit" | "since" | "until" => json!({ "type": "integer", "minimum": 0 }),
            _ => json!({ "type": "string" }),
        };
        json!({ "name": name, "in": "query", "required": false, "schema": schema })
    }));
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json!({
            "description": "The resource, or a list of them under `data`.",
            "content": { "application/json": { "schema": { "type": "object" } } }
        }),
    );
    responses.insert(
        "401".into(),
        errors_response("No valid admin key (`authentication_invalid`)."),
    );
    if op.path.contains('{') {
        responses.insert(
            "404".into(),
            errors_response("No such resource (`resource_not_found`)."),
        );
    }
    if op.body.is_some() || !op.query.is_empty() {
        responses.insert(
            "400".into(),
            errors_response("The body is not JSON of this shape (`request_body_invalid`)."),
        );
        responses.insert(
            "422".into(),
            errors_response("A field is missing, unknown or invalid (`form_param_*`)."),
        );
    }
    responses.insert(
        "503".into(),
        errors_response("The database or Redis is not answering."),
    );
    let mut out = json!({
        "operationId": op.id,
        "summary": op.summary,
        "tags": ["admin"],
        "security": [{ "admin_key": [] }],
        "parameters": parameters,
        "responses": responses,
    });
    if let Some(schema) = &op.body {
        out["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": schema } }
        });
    }
    out
}

/// The document for an issuer.
pub fn document(issuer: &str) -> Value {
    let mut paths = Map::new();
    for op in super::admin::operations() {
        let entry = paths
            .entry(format!("/admin/v1{}", op.path))
            .or_insert_with(|| json!({}));
        entry[op.method] = operation(&op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Portcullis admin API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Users, invitations, sign-up policy, OAuth clients, signing keys and audit events of a Portcullis instance.",
        },
        "servers": [{ "url": issuer }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "admin_key": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An admin key (`pcadm_…`) from `portcullis admin-keys create`."
                }
            },
            "schemas": {
                "Errors": {
                    "type": "object",
                    "required": ["errors"],
                    "properties": {
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["code", "message", "long_message", "meta"],
                                "properties": {
                                    "code": { "type": "string" },
                                    "message": { "type": "string" },
                                    "long_message": { "type": "string" },
                                    "meta": {
                                        "type": "object",
                                        "properties": { "param_name": { "type": "string" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

pub async fn serve(ctx: web::Data<Ctx>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(document(ctx.settings.issuer()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_admin_route_is_documented_once_with_its_body() {
        let doc = super::document("https://id.example.com");
        let ops = super::super::admin::operations();
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(
            documented,
            ops.len(),
            "no two operations share a method and path"
        );
        let create = &doc["paths"]["/admin/v1/users"]["post"];
        let props = &create["requestBody"]["content"]["application/json"]["schema"]["properties"];
        for field in [
            "email_address",
            "phone_number",
            "username",
            "password",
            "skip_password_checks",
        ] {
            assert!(props.get(field).is_some(), "{field} missing from {props}");
        }
        let get = &doc["paths"]["/admin/v1/users/{id}"]["get"];
        assert_eq!(get["parameters"][0]["name"], "id");
        assert_eq!(get["security"][0]["admin_key"], serde_json::json!([]));
    }
}
