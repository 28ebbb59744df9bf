//! Organization domains (an address at a verified domain brings an invitation or a
//! suggestion to join), the suggestions made to users, and their requests to join.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn cascade(table: &str, column: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("organization_domains")
                    .col(string("id").primary_key())
                    .col(string("organization_id"))
                    // Lower-cased; one organization per domain.
                    .col(string("name").unique_key())
                    // manual_invitation, automatic_invitation or automatic_suggestion.
                    .col(string("enrollment_mode"))
                    .col(string_null("affiliation_email_address"))
                    // Set once an address at the domain proved it with a code.
                    .col(big_integer_null("verified_at"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(&mut cascade(
                        "organization_domains",
                        "organization_id",
                        "organizations",
                    ))
                    .to_owned(),
            )
            .await?;
        for (table, status_index) in [
            ("organization_suggestions", "idx_org_suggestions_user"),
            ("organization_membership_requests", "idx_org_requests_org"),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(string("id").primary_key())
                        .col(string("organization_id"))
                        .col(string("user_id"))
                        // pending, accepted (or, for requests, rejected).
                        .col(string("status"))
                        .col(big_integer("created_at"))
                        .col(big_integer("updated_at"))
                        .foreign_key(&mut cascade(table, "organization_id", "organizations"))
                        .foreign_key(&mut cascade(table, "user_id", "users"))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(
                    Index::create()
                        .name(format!("idx_{table}_org_user"))
                        .table(table)
                        .col("organization_id")
                        .col("user_id")
                        .unique()
                        .to_owned(),
                )
                .await?;
            let col = if table == "organization_suggestions" {
                "user_id"
            } else {
                "organization_id"
            };
            manager
                .create_index(
                    Index::create()
                        .name(status_index)
                        .table(table)
                        .col(col)
                        .col("status")
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "organization_membership_requests",
            "organization_suggestions",
            "organization_domains",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
