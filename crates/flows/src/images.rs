//! Images uploaded to Portcullis (organization logos). Only raster formats are taken, known
//! by their first bytes whatever the upload claims: never SVG or HTML, which a browser would
//! run script from. They are served from `/images/{id}` under Portcullis's own origin.

use crate::Context as _;
use sea_orm::ConnectionTrait;

use super::{ApiError, Ctx, FlowResult};
use crate::domain::new_id;
use crate::store::images::{self as repo, ImageRow};

/// The largest image taken (2 MiB).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// The image type of `bytes`, read from their signature: PNG, JPEG, GIF or WebP.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Where an image is served.
pub fn url(ctx: &Ctx, id: &str) -> String {
    format!("{}/images/{id}", ctx.settings().issuer())
}

/// The id of an image Portcullis serves, from its URL (`None` for any other URL).
fn id_of<'a>(ctx: &Ctx, url: &'a str) -> Option<&'a str> {
    let prefix = format!("{}/images/", ctx.settings().issuer());
    url.strip_prefix(prefix.as_str())
        .filter(|id| id.starts_with("img_"))
}

/// Checks and stores an upload (`param`: the field it came in), in the caller's transaction;
/// its URL.
pub async fn store_in(
    ctx: &Ctx,
    txn: &impl ConnectionTrait,
    param: &str,
    bytes: Vec<u8>,
) -> FlowResult<String> {
    if bytes.is_empty() {
        return Err(ApiError::invalid_value(param, "The file is empty.").into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(ApiError::invalid_value(param, "The image is larger than 2 MiB.").into());
    }
    let content_type = sniff(&bytes).ok_or_else(|| {
        ApiError::invalid_value(param, "The image must be a PNG, JPEG, GIF or WebP file.")
    })?;
    let id = new_id("img");
    repo::insert(
        txn,
        ImageRow {
            id: id.clone(),
            content_type: content_type.into(),
            data: bytes,
            created_at: ctx.now(),
        },
    )
    .await
    .context("images::insert")?;
    Ok(url(ctx, &id))
}

/// Removes the image behind `url` when Portcullis serves it, in the caller's transaction.
pub async fn remove_in(ctx: &Ctx, txn: &impl ConnectionTrait, url: &str) -> FlowResult<()> {
    if let Some(id) = id_of(ctx, url) {
        repo::delete(txn, id).await.context("images::delete")?;
    }
    Ok(())
}

/// An image to serve.
pub async fn get(ctx: &Ctx, id: &str) -> FlowResult<Option<ImageRow>> {
    if !id.starts_with("img_") || id.len() > 64 {
        return Ok(None);
    }
    repo::get(&ctx.db, id).await.context("images::get")
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn only_raster_images_are_recognised() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some("image/gif"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt "), None, "another RIFF file");
        assert_eq!(
            sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/>"),
            None
        );
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"\x89PN"), None, "cut short");
        assert_eq!(sniff(b""), None);
    }
}
