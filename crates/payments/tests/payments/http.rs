//! The development provider's page and notification over real TCP: the
//! person opens the page, confirms, and the provider's signed notification
//! reaches the platform's callback over HTTP.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use yuesou_gateway::{DevGateway, ManualClock};
use yuesou_payments::provider::page;
use yuesou_payments::{
    Chaos, Delivery, DevProvider, DevProviderConfig, PaymentStatus, PaymentTarget, Payments,
};
use yuesou_store::testing::{TestDb, each_backend};

use crate::support::{Flaky, NOW, data_dir, items, payer};

async fn callback(State(payments): State<Payments>, headers: HeaderMap, body: Bytes) -> Response {
    let result = payments.on_notification(&body, &headers).await;
    let ack = payments.provider().acknowledgement(result.is_ok());
    match result {
        Ok(_) => (
            StatusCode::from_u16(ack.status).unwrap_or(StatusCode::OK),
            ack.body,
        )
            .into_response(),
        Err(e) => (
            StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
            e.code(),
        )
            .into_response(),
    }
}

#[tokio::test]
async fn pay_on_the_page_and_get_the_notification_over_http() {
    each_backend(async |t: TestDb| {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let base = format!("http://{addr}");
        let clock = Arc::new(ManualClock::new(NOW));
        let dev = DevGateway::from_data_dir(&data_dir())
            .unwrap_or_else(|e| panic!("{e}"))
            .with_clock(clock.clone());
        let gateway = Arc::new(Flaky::new(Arc::new(dev)));
        let mut config = DevProviderConfig::new(&base);
        // Late and doubled, over the wire.
        config.chaos = Chaos {
            delay_ms: (20, 80),
            duplicate: 1.0,
            ..Chaos::default()
        };
        let provider = Arc::new(
            DevProvider::new(config, clock.clone(), Delivery::Http)
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let mut settings = crate::support::settings();
        settings.callback_url = format!("{base}/api/v1/payments/notify/dev");
        settings.public_base_url = base.clone();
        let payments = Payments::new(
            t.db.clone(),
            gateway.clone(),
            provider.clone(),
            items(),
            settings,
            clock.clone(),
        );
        let app = Router::new()
            .route("/api/v1/payments/notify/dev", post(callback))
            .with_state(payments.clone())
            .merge(page::router(provider.clone()));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });

        // A payer with a bill (the world's helper needs a World; search here).
        let mut found = None;
        for n in 0..200 {
            let p = payer(n);
            let view = payments
                .bills(&p, &Default::default())
                .await
                .unwrap_or_default();
            if let Some(bill) = view
                .bills
                .iter()
                .find(|b| b.status == yuesou_payments::BillState::Unpaid)
            {
                found = Some((p, bill.id.clone(), bill.amount_fen));
                break;
            }
        }
        let (p, bill, amount) = found.unwrap_or_else(|| panic!("a bill"));
        let created = payments
            .create(&p, &PaymentTarget::bill(&bill), "http-1")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let pay_url = created.payment.pay_url.clone().unwrap_or_default();
        assert!(
            pay_url.starts_with(&format!("{base}/dev-pay/")),
            "{pay_url}"
        );

        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let page = client
            .get(&pay_url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.status().as_u16(), 200);
        assert_eq!(
            page.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/html; charset=utf-8")
        );
        let html = page.text().await.unwrap_or_default();
        assert!(html.contains("确认支付") && html.contains("取消"), "{html}");
        assert!(html.contains(&yuesou_payments::money::yuan(amount)));
        assert!(!html.contains("<script") && !html.contains("style="));
        let missing = client
            .get(format!("{base}/dev-pay/NOPE"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .ok();
        assert_eq!(missing, Some(404));

        let confirmed = client
            .post(format!("{pay_url}/confirm"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(confirmed.status().as_u16(), 303);
        let location = confirmed
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert_eq!(
            location,
            format!("{base}/me/payments/{}", created.payment.id)
        );

        let mut status = PaymentStatus::Paying;
        for _ in 0..100 {
            status = payments
                .get(&p, &created.payment.id)
                .await
                .map(|x| x.status)
                .unwrap_or(status);
            if status == PaymentStatus::Settled {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(status, PaymentStatus::Settled, "{}", t.backend);
        // Both copies arrived; the second was a duplicate.
        for _ in 0..100 {
            if payments.stats().notifications.get("duplicate") == Some(&1) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(payments.stats().notifications.get("applied"), Some(&1));
        assert_eq!(payments.stats().notifications.get("duplicate"), Some(&1));

        // An unsigned callback over HTTP is refused with 401.
        let forged = client
            .post(format!("{base}/api/v1/payments/notify/dev"))
            .header("content-type", "application/json")
            .body(r#"{"id":"N","event":"payment.succeeded"}"#)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .ok();
        assert_eq!(forged, Some(401));
        server.abort();
    })
    .await;
}
