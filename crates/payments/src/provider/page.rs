//! The development provider's confirmation page (feature `dev-provider`),
//! an axum [`Router`] the daemon mounts in development:
//!
//! - `GET /dev-pay/{order}`: the order (收款方, 商品, 金额) with two
//!   buttons, 确认支付 and 取消 — plain HTML forms that `POST`, no script
//!   and no inline style (the app's Content-Security-Policy forbids both);
//! - `POST /dev-pay/{order}/confirm` and `…/cancel`: act, then `303` back
//!   to the platform's page of the payment (`return_url`).
//!
//! A real provider's page lives at the provider; this one exists so that a
//! developer (and the browser tests) can pay on one machine.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::{DevOrderView, DevProvider, OrderStatus};
use crate::money::yuan;

/// The page's routes over a development provider.
pub fn router(provider: Arc<DevProvider>) -> Router {
    Router::new()
        .route("/dev-pay/{order}", get(show))
        .route("/dev-pay/{order}/confirm", post(confirm))
        .route("/dev-pay/{order}/cancel", post(cancel))
        .with_state(provider)
}

fn is_order_id(text: &str) -> bool {
    (1..=64).contains(&text.len()) && text.bytes().all(|c| c.is_ascii_alphanumeric())
}

async fn show(State(provider): State<Arc<DevProvider>>, Path(order): Path<String>) -> Response {
    match is_order_id(&order)
        .then(|| provider.order(&order))
        .flatten()
    {
        Some(view) => html(StatusCode::OK, &page(&view, None)),
        None => not_found(),
    }
}

async fn confirm(State(provider): State<Arc<DevProvider>>, Path(order): Path<String>) -> Response {
    act(&provider, &order, true)
}

async fn cancel(State(provider): State<Arc<DevProvider>>, Path(order): Path<String>) -> Response {
    act(&provider, &order, false)
}

fn act(provider: &DevProvider, order: &str, pay: bool) -> Response {
    if !is_order_id(order) {
        return not_found();
    }
    let result = if pay {
        provider.confirm(order)
    } else {
        provider.cancel(order)
    };
    match result {
        Ok(view) => see_other(&view.return_url),
        Err(super::ProviderError::NotFound) => not_found(),
        Err(_) => match provider.order(order) {
            Some(view) => html(
                StatusCode::CONFLICT,
                &page(&view, Some("订单已关闭，无法支付。")),
            ),
            None => not_found(),
        },
    }
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        &shell("订单不存在", "<p>订单不存在或已失效。</p>"),
    )
}

fn html(status: StatusCode, body: &str) -> Response {
    let mut response = (status, body.to_owned()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn shell(title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · 模拟支付</title>\n</head>\n<body>\n<header><p>模拟支付（开发环境，不会扣款）</p></header>\n\
         <main>\n<h1>{}</h1>\n{main}\n</main>\n</body>\n</html>\n",
        escape(title),
        escape(title)
    )
}

/// The page of an order.
fn page(view: &DevOrderView, notice: Option<&str>) -> String {
    let state = match view.status {
        OrderStatus::Pending => "待支付",
        OrderStatus::Paid { .. } => "已支付",
        OrderStatus::Closed => "已关闭",
        OrderStatus::Refunded { .. } => "已退款",
    };
    let mut main = String::new();
    if let Some(notice) = notice {
        main.push_str(&format!("<p role=\"alert\">{}</p>\n", escape(notice)));
    }
    main.push_str(&format!(
        "<dl>\n<dt>收款方</dt><dd>{}</dd>\n<dt>商品</dt><dd>{}</dd>\n\
         <dt>金额</dt><dd>¥{}</dd>\n<dt>订单号</dt><dd>{}</dd>\n<dt>状态</dt><dd>{}</dd>\n</dl>\n",
        escape(&view.payee),
        escape(&view.description),
        yuan(view.amount_fen),
        escape(&view.order_id),
        state
    ));
    let id = escape(&view.order_id);
    if view.status == OrderStatus::Pending {
        main.push_str(&format!(
            "<form method=\"post\" action=\"/dev-pay/{id}/confirm\"><button type=\"submit\">确认支付</button></form>\n\
             <form method=\"post\" action=\"/dev-pay/{id}/cancel\"><button type=\"submit\">取消</button></form>\n"
        ));
    } else {
        main.push_str(&format!(
            "<p><a href=\"{}\">返回粤搜查看缴费结果</a></p>\n",
            escape(&view.return_url)
        ));
    }
    shell("确认支付", &main)
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_page_escapes_and_has_no_script_or_style() {
        let view = DevOrderView {
            order_id: "DEVABC".into(),
            out_trade_no: "PAY-1".into(),
            amount_fen: 19695,
            description: "电费 <script>".into(),
            payee: "广州供电局".into(),
            return_url: "http://x/me/payments/PAY-1".into(),
            expires_at: datetime!(2026-10-15 02:00 UTC),
            status: OrderStatus::Pending,
        };
        let html = page(&view, None);
        assert!(html.contains("¥196.95"));
        assert!(html.contains("确认支付") && html.contains("取消"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script") && !html.contains("style"));
        assert!(html.contains("action=\"/dev-pay/DEVABC/confirm\""));
    }
}
