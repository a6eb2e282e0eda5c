//! Which language to answer in: the `hgk_lang` cookie (set by the switch on
//! every page), else Japanese. API calls also honour `Accept-Language`, which
//! programs set on purpose; pages stay Japanese-first whatever the browser's
//! default, and the switch on every page changes them.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use hagukumi_domain::Lang;

use crate::auth::session::cookie;
use crate::error::REQUEST_LANG;

pub const LANG_COOKIE: &str = "hgk_lang";

#[derive(Clone, Copy, Debug)]
pub struct RequestLang(pub Lang);

pub async fn layer(mut req: Request, next: Next) -> Response {
    // `?lang=` first: an embedded widget may not get its cookies (third-party
    // cookie blocking), so the city page passes the language in the URL.
    let from_query = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("lang="))
            .map(Lang::from_tag)
    });
    let lang = from_query
        .or_else(|| cookie(req.headers(), LANG_COOKIE).map(Lang::from_tag))
        .or_else(|| {
            if !req.uri().path().starts_with("/api/") {
                return None;
            }
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(|v| Lang::from_tag(v.split(',').next().unwrap_or_default()))
        })
        .unwrap_or_default();
    req.extensions_mut().insert(RequestLang(lang));
    // The bare domain type too, for the front end's document shell (`<html lang>`).
    req.extensions_mut().insert(lang);
    REQUEST_LANG.scope(lang, next.run(req)).await
}
