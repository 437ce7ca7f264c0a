//! OpenAPI schemas that cannot be derived: a photo id is a string of the shape
//! `PhotoId::parse` accepts, and a variant's name in a URL is its path segment
//! (`thumbnail-2x`), not its serde name.

use crate::{PhotoId, Variant};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

impl utoipa::PartialSchema for PhotoId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A photo's id, made by the server"))
            .pattern(Some("^[0-9a-z]{1,64}$"))
            .into()
    }
}

impl utoipa::ToSchema for PhotoId {}

impl utoipa::PartialSchema for Variant {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("Which of a photo's images"))
            .enum_values(Some(Variant::ALL.map(Variant::path_segment)))
            .into()
    }
}

impl utoipa::ToSchema for Variant {}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    #[test]
    fn the_photo_id_pattern_is_what_parse_accepts() {
        let schema = serde_json::to_value(PhotoId::schema()).unwrap();
        assert_eq!(schema["pattern"], "^[0-9a-z]{1,64}$");
        // The pattern's edges, checked against the parser itself.
        for id in ["0", "az09", &"a".repeat(64)] {
            assert!(PhotoId::parse(id).is_some(), "{id}");
        }
        for id in ["", "A", "a-b", &"a".repeat(65)] {
            assert!(PhotoId::parse(id).is_none(), "{id}");
        }
    }
}
