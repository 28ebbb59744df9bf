//! Clerk's dashboard user export (CSV) read as import lines, so users keep their ids,
//! addresses, names, passwords (bcrypt and the other digests Clerk exports) and authenticator
//! apps. The columns, by name and in any order: `id, first_name, last_name, username,
//! primary_email_address, primary_phone_number, verified_email_addresses,
//! unverified_email_addresses, verified_phone_numbers, unverified_phone_numbers, totp_secret,
//! password_digest, password_hasher`, and, when present, `public_metadata`,
//! `private_metadata`, `unsafe_metadata` (JSON objects) and `external_id`. A cell holding
//! several addresses separates them with `|`, `,` or `;`.
//!
//! Unverified addresses and numbers are left out: an import counts every identification as
//! verified, and an address nobody proved to own must not become a way into the account.

use serde_json::Value;

use super::UserLine;

/// One row of the export: its line number (the header is line 1) and the user it holds, or
/// why it cannot be imported; plus how many unverified identifications were left out.
pub struct Row {
    pub line: u64,
    pub user: Result<UserLine, String>,
    pub unverified_left_out: usize,
}

fn list(cell: Option<&str>) -> Vec<String> {
    cell.unwrap_or_default()
        .split(['|', ',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn text(cell: Option<&str>) -> Option<String> {
    cell.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn object(cell: Option<&str>, name: &str) -> Result<Option<Value>, String> {
    match text(cell) {
        None => Ok(None),
        Some(raw) => match serde_json::from_str::<Value>(&raw) {
            Ok(v @ Value::Object(_)) => Ok(Some(v)),
            _ => Err(format!("{name} is not a JSON object")),
        },
    }
}

/// The primary one first, then the other verified ones, each once (compared
/// case-insensitively).
fn verified_first(primary: Option<String>, verified: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let primary_is_verified = primary
        .as_ref()
        .is_some_and(|p| verified.iter().any(|v| v.eq_ignore_ascii_case(p)));
    let first = primary.filter(|_| primary_is_verified);
    for v in first.into_iter().chain(verified) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&v)) {
            out.push(v);
        }
    }
    out
}

/// Reads an export. Fails only when the file is not CSV with the columns Clerk writes; a
/// row that cannot be read is reported in its `Row`.
pub fn read(data: &[u8]) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(data);
    let headers = reader
        .headers()
        .map_err(|e| format!("not a CSV file: {e}"))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    for required in ["id", "primary_email_address", "password_digest"] {
        if column(required).is_none() {
            return Err(format!(
                "not a Clerk user export: there is no `{required}` column"
            ));
        }
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(Row {
                    line,
                    user: Err(format!("unreadable row: {e}")),
                    unverified_left_out: 0,
                });
                continue;
            }
        };
        let cell = |name: &str| column(name).and_then(|i| record.get(i));
        let unverified_left_out = list(cell("unverified_email_addresses")).len()
            + list(cell("unverified_phone_numbers")).len();
        let user = (|| -> Result<UserLine, String> {
            let mut verified_emails = list(cell("verified_email_addresses"));
            let mut verified_phones = list(cell("verified_phone_numbers"));
            // An export without the verified columns lists only the primary ones.
            if column("verified_email_addresses").is_none() {
                verified_emails.extend(text(cell("primary_email_address")));
            }
            if column("verified_phone_numbers").is_none() {
                verified_phones.extend(text(cell("primary_phone_number")));
            }
            let password_digest = text(cell("password_digest"));
            let password_hasher = text(cell("password_hasher"))
                .or_else(|| password_digest.as_ref().map(|_| "bcrypt".to_owned()));
            Ok(UserLine {
                id: text(cell("id")),
                email_addresses: verified_first(
                    text(cell("primary_email_address")),
                    verified_emails,
                ),
                phone_numbers: verified_first(text(cell("primary_phone_number")), verified_phones),
                username: text(cell("username")),
                first_name: text(cell("first_name")),
                last_name: text(cell("last_name")),
                password_digest,
                password_hasher,
                totp_secret: text(cell("totp_secret")),
                public_metadata: object(cell("public_metadata"), "public_metadata")?,
                private_metadata: object(cell("private_metadata"), "private_metadata")?,
                unsafe_metadata: object(cell("unsafe_metadata"), "unsafe_metadata")?,
                external_id: text(cell("external_id")),
                ..UserLine::default()
            })
        })();
        rows.push(Row {
            line,
            user,
            unverified_left_out,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher";

    #[test]
    fn a_dashboard_export_row_becomes_an_import_line() {
        let csv = format!(
            "{HEADER}\nuser_2abc,Ada,Lovelace,ada,ada@example.com,+14155550101,\"ada@example.com|ada@work.example\",stranger@example.com,+14155550101,,JBSWY3DPEHPK3PXP,$2a$10$abcdefghijklmnopqrstuv0123456789012345678901234567890,bcrypt\n"
        );
        let rows = read(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        let u = rows[0].user.as_ref().unwrap();
        assert_eq!(u.id.as_deref(), Some("user_2abc"));
        assert_eq!(u.email_addresses, ["ada@example.com", "ada@work.example"]);
        assert_eq!(u.phone_numbers, ["+14155550101"]);
        assert_eq!(u.username.as_deref(), Some("ada"));
        assert_eq!(u.password_hasher.as_deref(), Some("bcrypt"));
        assert_eq!(u.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            rows[0].unverified_left_out, 1,
            "the unverified address is left out"
        );
        assert!(!u.email_addresses.iter().any(|e| e.contains("stranger")));
    }

    #[test]
    fn an_unverified_primary_address_is_left_out_and_empty_cells_are_absent() {
        let csv = format!("{HEADER}\nuser_x,,,,p@example.com,,v@example.com,p@example.com,,,,,\n");
        let rows = read(csv.as_bytes()).unwrap();
        let u = rows[0].user.as_ref().unwrap();
        assert_eq!(u.email_addresses, ["v@example.com"]);
        assert_eq!(u.first_name, None);
        assert_eq!(u.password_digest, None);
        assert_eq!(u.password_hasher, None);
    }

    #[test]
    fn metadata_columns_must_hold_objects_and_other_files_are_refused() {
        let csv = "id,primary_email_address,verified_email_addresses,password_digest,public_metadata\nuser_a,a@example.com,a@example.com,,\"{\"\"plan\"\":\"\"pro\"\"}\"\nuser_b,b@example.com,b@example.com,,[1]\n";
        let rows = read(csv.as_bytes()).unwrap();
        assert_eq!(
            rows[0].user.as_ref().unwrap().public_metadata,
            Some(serde_json::json!({"plan": "pro"}))
        );
        assert!(rows[1].user.is_err());
        assert_eq!(rows[1].line, 3);
        assert!(read(b"name,email\nx,y\n").is_err());
        assert!(read(b"").is_err());
    }
}
