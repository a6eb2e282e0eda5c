//! Embedding the parent widget in a city's website: one `<script>` tag that
//! inserts an iframe resizing to its content, a frame policy that lets only
//! configured origins frame the widget, and a mock city page for the demo.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// `frame-ancestors` for every response: widget pages may be framed by the
/// configured city sites; every other page only by this server itself.
pub async fn frame_policy(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let widget = req
        .uri()
        .path()
        .starts_with(hagukumi_frontend::app::WIDGET_PREFIX);
    let mut res = next.run(req).await;
    let mut policy = String::from("frame-ancestors 'self'");
    if widget {
        for origin in &state.settings.embed.frame_ancestors {
            policy.push(' ');
            policy.push_str(origin);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&policy) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

/// The loader cities paste into their pages. It finds its own tag, reads
/// `data-service`, and puts the widget in an iframe whose height follows the
/// height the widget reports (postMessage, origin-checked).
const EMBED_JS: &str = r#"(function () {
  var me = document.currentScript;
  if (!me) return;
  var origin = new URL(me.src).origin;
  var service = me.getAttribute('data-service') || '';
  var lang = me.getAttribute('data-lang') || '';
  var frame = document.createElement('iframe');
  frame.src = origin + '/widget/' + encodeURIComponent(service) + (lang ? '?lang=' + encodeURIComponent(lang) : '');
  frame.title = me.getAttribute('data-title') || '子育て支援サービスの予約 / Childcare support booking';
  frame.loading = 'lazy';
  frame.style.cssText = 'width:100%;border:0;min-height:320px;display:block';
  frame.setAttribute('data-hagukumi', service);
  me.parentNode.insertBefore(frame, me.nextSibling);
  window.addEventListener('message', function (ev) {
    if (ev.origin !== origin || ev.source !== frame.contentWindow) return;
    var d = ev.data;
    if (d && d.type === 'hagukumi:height' && typeof d.height === 'number') {
      frame.style.height = Math.ceil(d.height) + 'px';
    }
  });
})();
"#;

/// Runs in every page: a form is sent once and says it is on its way (a double
/// click on "book" sends nothing more; the server's one-time form key is the real
/// guarantee); when framed, reports the content height to the parent.
const FRAME_JS: &str = r#"(function () {
  document.addEventListener('submit', function (ev) {
    var f = ev.target;
    if (!(f instanceof HTMLFormElement) || ev.defaultPrevented) return;
    if (f.getAttribute('data-sent') === '1') { ev.preventDefault(); return; }
    f.setAttribute('data-sent', '1');
    f.setAttribute('aria-busy', 'true');
    var b = f.querySelector('button[type=submit], button:not([type])');
    if (!b) return;
    b.setAttribute('aria-disabled', 'true');
    var s = document.createElement('span');
    s.className = 'sending';
    s.setAttribute('role', 'status');
    s.textContent = document.documentElement.lang === 'en' ? ' Sending…' : ' 送信中…';
    b.appendChild(s);
  });
  // Back to a page from the history: its forms can be sent again.
  window.addEventListener('pageshow', function (e) {
    if (!e.persisted) return;
    document.querySelectorAll('form[data-sent]').forEach(function (f) {
      f.removeAttribute('data-sent'); f.removeAttribute('aria-busy');
      f.querySelectorAll('.sending').forEach(function (s) { s.remove(); });
      f.querySelectorAll('[aria-disabled]').forEach(function (b) { b.removeAttribute('aria-disabled'); });
    });
  });
})();
(function () {
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var h = document.documentElement.scrollHeight;
    if (h !== last) { last = h; window.parent.postMessage({ type: 'hagukumi:height', height: h }, '*'); }
  }
  new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener('load', report);
  report();
})();
"#;

fn javascript(body: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn embed_js() -> Response {
    javascript(EMBED_JS)
}

async fn frame_js() -> Response {
    javascript(FRAME_JS)
}

/// A mock page of the city's website with the widget embedded, as a city would.
async fn demo_city() -> Html<&'static str> {
    Html(
        r#"<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>一時預かり｜清瀬市（デモ）</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f4;color:#222}
header{background:#2a5d9f;color:#fff;padding:1rem}main{max-width:48rem;margin:0 auto;padding:1rem;background:#fff}
pre{background:#eee;padding:.5rem;overflow:auto;font-size:.8rem}</style></head>
<body><header><strong>清瀬市</strong> 子ども家庭支援センター（デモのページです）</header>
<main><h1>一時預かり事業</h1>
<p>理由を問わず、就学前のお子さんを時間単位でお預かりします。下の画面から空き状況の確認と申し込みができます。</p>
<script src="/embed.js" data-service="temporary-care" async></script>
<h2>ホームページへの埋め込み方</h2>
<p>次の1行をページに貼り付けます。</p>
<pre>&lt;script src="https://予約サーバー/embed.js" data-service="temporary-care" async&gt;&lt;/script&gt;</pre>
</main></body></html>"#,
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/embed.js", get(embed_js))
        .route("/assets/frame.js", get(frame_js))
        .route("/demo/city", get(demo_city))
}
