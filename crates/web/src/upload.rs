//! An uploaded file in a request body: one part of a `multipart/form-data` body (RFC 7578),
//! or the whole body (`application/octet-stream`), which may be a `data:` URL as Clerk's
//! browser SDK sends a logo given as a string. What the bytes are is the flows' to judge.

use actix_web::{HttpRequest, web};
use base64::Engine as _;

use crate::flows::ApiError;
use crate::flows::images::MAX_BYTES;

/// Room for the multipart framing around the largest image.
const FRAMING: usize = 16 * 1024;

fn invalid(why: &str) -> ApiError {
    ApiError::invalid_value("file", why)
}

/// Reads the file named `field` from the request: a multipart part, or the raw body.
pub(crate) async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    field: &str,
) -> Result<Vec<u8>, ApiError> {
    let body = crate::read_body_up_to(payload, MAX_BYTES * 4 / 3 + FRAMING)
        .await
        .map_err(|e| match e {
            crate::BodyError::TooLarge => invalid("The image is larger than 2 MiB."),
            other => other.api_error(),
        })?;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    file_from(content_type, &body, field)
}

/// The file in `body`, as `content_type` frames it.
pub fn file_from(content_type: &str, body: &[u8], field: &str) -> Result<Vec<u8>, ApiError> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match mime.as_str() {
        "multipart/form-data" => {
            let boundary = boundary(content_type)
                .ok_or_else(|| invalid("The multipart body names no boundary."))?;
            let file = part(body, boundary.as_bytes(), field)
                .ok_or_else(|| invalid(&format!("The body has no {field:?} part.")))?;
            Ok(file.to_vec())
        }
        "application/octet-stream" | "" => Ok(data_url(body).unwrap_or_else(|| body.to_vec())),
        _ => Err(invalid(
            "Send the image as multipart/form-data or application/octet-stream.",
        )),
    }
}

/// The `boundary` parameter of a multipart content type (quoted or not; RFC 2046 §5.1.1
/// allows 1 to 70 characters).
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        (!v.is_empty() && v.len() <= 70).then(|| v.to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The content of the part whose `Content-Disposition` names `field`.
fn part<'a>(body: &'a [u8], boundary: &[u8], field: &str) -> Option<&'a [u8]> {
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary);
    let mut next_delimiter = b"\r\n".to_vec();
    next_delimiter.extend_from_slice(&delimiter);
    let mut at = find(body, &delimiter, 0)? + delimiter.len();
    loop {
        // After a delimiter: `--` closes the body; otherwise a line break opens a part.
        let rest = body.get(at..)?;
        if rest.starts_with(b"--") {
            return None;
        }
        let line_end = find(body, b"\r\n", at)?;
        let headers_start = line_end + 2;
        let headers_end = find(body, b"\r\n\r\n", headers_start)?;
        let content_start = headers_end + 4;
        let content_end = find(body, &next_delimiter, content_start)?;
        let headers = std::str::from_utf8(&body[headers_start..headers_end]).ok()?;
        if names(headers, field) {
            return Some(&body[content_start..content_end]);
        }
        at = content_end + next_delimiter.len();
    }
}

/// Whether a part's headers say it is the form field `field`.
fn names(headers: &str, field: &str) -> bool {
    headers.split("\r\n").any(|line| {
        let Some((name, value)) = line.split_once(':') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("content-disposition")
            && value.split(';').skip(1).any(|p| {
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("name") && v.trim().trim_matches('"') == field
                })
            })
    })
}

/// The bytes of a base64 `data:` URL (`data:image/png;base64,…`).
fn data_url(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?.trim();
    let rest = text.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    if !meta.ends_with(";base64") {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(data).ok()
}

#[cfg(test)]
mod tests {
    use super::file_from;

    const CT: &str = "multipart/form-data; boundary=----b0undary";

    fn body(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        for (name, content) in parts {
            b.extend_from_slice(b"------b0undary\r\n");
            b.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
            );
            b.extend_from_slice(content);
            b.extend_from_slice(b"\r\n");
        }
        b.extend_from_slice(b"------b0undary--\r\n");
        b
    }

    #[test]
    fn the_named_part_is_read_whole() {
        let png = b"\x89PNG\r\n\x1a\n\r\n--not-the-boundary";
        let b = body(&[("other", b"x"), ("file", png)]);
        assert_eq!(file_from(CT, &b, "file").unwrap(), png);
        let quoted = "multipart/form-data; boundary=\"----b0undary\"";
        assert_eq!(file_from(quoted, &b, "file").unwrap(), png);
    }

    #[test]
    fn a_missing_part_or_broken_framing_is_a_clear_error() {
        let b = body(&[("other", b"x")]);
        assert_eq!(
            file_from(CT, &b, "file").unwrap_err().param.as_deref(),
            Some("file")
        );
        assert!(
            file_from("multipart/form-data", &b, "file").is_err(),
            "no boundary"
        );
        assert!(
            file_from(
                CT,
                b"------b0undary\r\nContent-Disposition: form-data; name=\"file\"",
                "file"
            )
            .is_err()
        );
        assert!(file_from(CT, b"", "file").is_err());
        assert!(file_from("text/plain", b"abc", "file").is_err());
    }

    #[test]
    fn a_raw_body_or_a_data_url_is_the_file() {
        assert_eq!(
            file_from("application/octet-stream", b"GIF89a", "file").unwrap(),
            b"GIF89a"
        );
        assert_eq!(
            file_from(
                "application/octet-stream",
                b"data:image/gif;base64,R0lGODlh",
                "file"
            )
            .unwrap(),
            b"GIF89a"
        );
    }
}
