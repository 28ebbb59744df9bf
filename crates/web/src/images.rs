//! `GET /images/{id}`: images uploaded to Portcullis (organization logos), public as the
//! apps that show them need. Each id names one image for good, so it may be cached forever.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::flows::Ctx;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/images/{id}", web::get().to(serve));
}

async fn serve(ctx: web::Data<Ctx>, id: web::Path<String>) -> HttpResponse {
    match crate::flows::images::get(&ctx, &id).await {
        Ok(Some(image)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, image.content_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            // Never a document: opened directly, it runs nothing and embeds nothing.
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            ))
            // Apps on other origins show the logo in their pages.
            .insert_header(("cross-origin-resource-policy", "cross-origin"))
            .body(image.data),
        Ok(None) => crate::message_page(actix_web::http::StatusCode::NOT_FOUND, "No such image."),
        Err(e) => {
            tracing::error!(error = %e, "reading an image failed");
            crate::message_page(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "The image cannot be read right now.",
            )
        }
    }
}
