//! Users and their identifications, browser clients, sessions, signing keys and the instance
//! secret. Times are unix milliseconds (BIGINT) so SQLite and PostgreSQL store them alike.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("instance_secrets")
                    .col(string("name").primary_key())
                    .col(text("value"))
                    .col(big_integer("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(string("id").primary_key())
                    .col(string_null("username").unique_key())
                    .col(string_null("first_name"))
                    .col(string_null("last_name"))
                    .col(text_null("password_hash"))
                    .col(string_null("primary_email_address_id"))
                    .col(string_null("primary_phone_number_id"))
                    .col(text("unsafe_metadata"))
                    .col(text("public_metadata"))
                    .col(big_integer_null("legal_accepted_at"))
                    .col(big_integer_null("last_sign_in_at"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("email_addresses")
                    .col(string("id").primary_key())
                    .col(string("user_id"))
                    .col(string("email_address").unique_key())
                    .col(boolean("verified"))
                    .col(string_null("verification_strategy"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("email_addresses", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_email_addresses_user_id")
                    .table("email_addresses")
                    .col("user_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("phone_numbers")
                    .col(string("id").primary_key())
                    .col(string("user_id"))
                    .col(string("phone_number").unique_key())
                    .col(boolean("verified"))
                    .col(string_null("verification_strategy"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("phone_numbers", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_phone_numbers_user_id")
                    .table("phone_numbers")
                    .col("user_id")
                    .to_owned(),
            )
            .await?;

        // A browser (cookie) or native app (Bearer token). The token itself is never stored:
        // only its keyed hash, so a database leak does not hand out live clients.
        manager
            .create_table(
                Table::create()
                    .table("browser_clients")
                    .col(string("id").primary_key())
                    .col(string("token_hash").unique_key())
                    .col(string_null("sign_in_id"))
                    .col(string_null("sign_up_id"))
                    .col(string_null("last_active_session_id"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(string("id").primary_key())
                    .col(string("client_id"))
                    .col(string("user_id"))
                    .col(string("status"))
                    .col(text("factors"))
                    .col(big_integer("first_factor_at"))
                    .col(big_integer_null("second_factor_at"))
                    .col(big_integer("last_active_at"))
                    .col(big_integer("expire_at"))
                    .col(big_integer("abandon_at"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sessions", "client_id")
                            .to("browser_clients", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("sessions", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_client_id")
                    .table("sessions")
                    .col("client_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_user_id")
                    .table("sessions")
                    .col("user_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("signing_keys")
                    .col(string("kid").primary_key())
                    .col(string("alg"))
                    .col(text("private_pem"))
                    .col(text("public_jwk"))
                    .col(big_integer("created_at"))
                    .col(big_integer_null("retired_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "signing_keys",
            "sessions",
            "browser_clients",
            "phone_numbers",
            "email_addresses",
            "users",
            "instance_secrets",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
