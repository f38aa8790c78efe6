//! The personal centre's rules, on SQLite and on PostgreSQL.

use crate::support;

use std::collections::BTreeMap;

use yuesou_messages::Arg;

use support::{Ctx, client, each_backend, register};
use yuesou_centre::{
    ApplicationGroup, ApplicationStatus, CentreError, ContactUpdate, FeedbackKind, ItemInfo, Level,
    LoginMethod, NewBroadcast, NewFeedback, PresentOptions, Progress, Refusal, Said, Settings,
    StepAnswers, Subject, Text,
};

fn item(level: Level) -> ItemInfo {
    ItemInfo {
        id: "gjj-ydzy-440100".into(),
        title: "住房公积金异地转移接续".into(),
        region_code: "440100".into(),
        department: "广州住房公积金管理中心".into(),
        login_level: level,
        steps: vec!["确认身份".into(), "选择转出地".into(), "填写申请".into()],
        flow: None,
    }
}

fn answers(pairs: &[(&str, &str)]) -> StepAnswers {
    StepAnswers::Text(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

async fn subject(ctx: &Ctx, token: &str) -> Subject {
    ctx.centre.authenticate(token).await.unwrap()
}

/// A registered person raised to L2 with the demo identity 陈嘉明.
async fn verified(ctx: &Ctx, phone: &str) -> (String, Subject) {
    let token = register(ctx, phone).await;
    let s = subject(ctx, &token).await;
    ctx.centre
        .verify_real_name(&s, "陈嘉明", "44010419880520123X")
        .await
        .unwrap();
    let s = subject(ctx, &token).await;
    (token, s)
}

#[tokio::test]
async fn register_and_log_in_by_password_and_by_code() {
    each_backend(async |ctx: Ctx| {
        let c = client("10.0.0.1");
        let token = register(&ctx, "13912345678").await;
        let s = subject(&ctx, &token).await;
        assert_eq!(s.level, Level::L1, "{}", ctx.backend);

        // Password login; a wrong password and an unknown phone say the same.
        let ok = ctx
            .centre
            .login_password("13912345678", "pass-word-1", None, &c)
            .await
            .unwrap();
        assert_eq!(ok.level, Level::L1);
        assert_ne!(ok.token, token);
        let wrong = ctx
            .centre
            .login_password("13912345678", "nope-nope-1", None, &c)
            .await
            .unwrap_err();
        let unknown = ctx
            .centre
            .login_password("13700000000", "pass-word-1", None, &c)
            .await
            .unwrap_err();
        assert_eq!(wrong.to_string(), unknown.to_string());

        // SMS login: the code works once.
        ctx.clock.advance_secs(61);
        ctx.centre
            .send_code("13912345678", "login", &c)
            .await
            .unwrap();
        let code = ctx.outbox.last_code("13912345678").unwrap();
        ctx.centre
            .login_sms("13912345678", &code, &c)
            .await
            .unwrap();
        assert!(matches!(
            ctx.centre.login_sms("13912345678", &code, &c).await,
            Err(CentreError::BadCredentials)
        ));

        // Registering the same phone again is refused.
        ctx.clock.advance_secs(61);
        ctx.centre
            .send_code("13912345678", "register", &c)
            .await
            .unwrap();
        assert_eq!(
            ctx.outbox.last_code("13912345678"),
            Some(code),
            "no register code is sent to a registered phone"
        );
        // Weak passwords are refused before anything is stored.
        assert!(matches!(
            ctx.centre
                .register("13600000000", "000000", "short", &c)
                .await,
            Err(CentreError::Invalid {
                field: "password",
                ..
            })
        ));
    })
    .await;
}

#[tokio::test]
async fn failed_logins_throttle_the_address_not_the_account_and_expire() {
    each_backend(async |ctx: Ctx| {
        register(&ctx, "13912345678").await;
        let attacker = client("10.0.0.2");
        for _ in 0..5 {
            assert!(matches!(
                ctx.centre
                    .login_password("13912345678", "bad-guess-1", None, &attacker)
                    .await,
                Err(CentreError::BadCredentials)
            ));
        }
        // From the attacker's address, even the right password waits.
        match ctx
            .centre
            .login_password("13912345678", "pass-word-1", None, &attacker)
            .await
        {
            Err(CentreError::RateLimited { retry_after_secs }) => {
                assert!((1..=900).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("{}: expected a rate limit, got {other:?}", ctx.backend),
        }
        // The holder on a clean device is not locked out: password and SMS
        // code both work from another address.
        let holder = client("10.9.9.9");
        ctx.centre
            .login_password("13912345678", "pass-word-1", None, &holder)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", ctx.backend));
        ctx.clock.advance_secs(61);
        ctx.centre
            .send_code("13912345678", "login", &holder)
            .await
            .unwrap();
        let code = ctx.outbox.last_code("13912345678").unwrap();
        ctx.centre
            .login_sms("13912345678", &code, &holder)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", ctx.backend));
        // After the window the attacker's address may try again.
        ctx.clock.advance_secs(15 * 60 + 1);
        ctx.centre
            .login_password("13912345678", "pass-word-1", None, &attacker)
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_account_under_attack_also_needs_an_sms_code_for_a_password_login() {
    each_backend(async |ctx: Ctx| {
        register(&ctx, "13912345678").await;
        // Failures from many addresses (4 each, under the per-address limit).
        for n in 0..5 {
            let from = client(&format!("10.1.0.{n}"));
            for _ in 0..4 {
                assert!(matches!(
                    ctx.centre
                        .login_password("13912345678", "bad-guess-1", None, &from)
                        .await,
                    Err(CentreError::BadCredentials)
                ));
            }
        }
        // The right password alone is not enough now, from anywhere; an
        // unknown phone under the same attack answers the same.
        let holder = client("10.9.9.9");
        assert!(matches!(
            ctx.centre
                .login_password("13912345678", "pass-word-1", None, &holder)
                .await,
            Err(CentreError::SecondFactorRequired)
        ));
        for n in 0..5 {
            let from = client(&format!("10.2.0.{n}"));
            for _ in 0..4 {
                let _ = ctx
                    .centre
                    .login_password("13700000000", "bad-guess-1", None, &from)
                    .await;
            }
        }
        assert!(matches!(
            ctx.centre
                .login_password("13700000000", "pass-word-1", None, &holder)
                .await,
            Err(CentreError::BadCredentials | CentreError::SecondFactorRequired)
        ));
        // A wrong password with a code is still a failure.
        assert!(matches!(
            ctx.centre
                .login_password("13912345678", "bad-guess-1", Some("000000"), &holder)
                .await,
            Err(CentreError::BadCredentials)
        ));
        // Password and code together log the holder in.
        ctx.clock.advance_secs(61);
        ctx.centre
            .send_code("13912345678", "login", &holder)
            .await
            .unwrap();
        let code = ctx.outbox.last_code("13912345678").unwrap();
        ctx.centre
            .login_password("13912345678", "pass-word-1", Some(&code), &holder)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", ctx.backend));
    })
    .await;
}

/// Fires `n` copies of `attempt` at once and counts the answers.
async fn burst<F, Fut, T>(n: usize, attempt: F) -> Vec<Result<T, CentreError>>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, CentreError>> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(attempt(i))).collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.expect("task"));
    }
    out
}

fn limited<T>(results: &[Result<T, CentreError>]) -> usize {
    results
        .iter()
        .filter(|r| matches!(r, Err(CentreError::RateLimited { .. })))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bursts_get_exactly_the_limit_through() {
    each_backend(async |ctx: Ctx| {
        register(&ctx, "13912345678").await;
        // 120 wrong passwords at once from one address: 5 are tried.
        let centre = ctx.centre.clone();
        let results = burst(120, |_| {
            let centre = centre.clone();
            async move {
                centre
                    .login_password("13912345678", "bad-guess-1", None, &client("10.3.0.1"))
                    .await
            }
        })
        .await;
        let tried = results
            .iter()
            .filter(|r| matches!(r, Err(CentreError::BadCredentials)))
            .count();
        assert_eq!((tried, limited(&results)), (5, 115), "{}", ctx.backend);

        // 120 code requests at once for one phone: one code is sent.
        let before = ctx.outbox.codes_sent("13912345679");
        let results = burst(120, |i| {
            let centre = centre.clone();
            async move {
                centre
                    .send_code(
                        "13912345679",
                        "register",
                        &client(&format!("10.4.0.{}", i % 50)),
                    )
                    .await
            }
        })
        .await;
        assert_eq!(limited(&results), 119, "{}", ctx.backend);
        assert_eq!(ctx.outbox.codes_sent("13912345679"), before + 1);

        // 100 questions at once from one account: the hourly allowance.
        let token = register(&ctx, "13912345670").await;
        let s = subject(&ctx, &token).await;
        let allowance = ctx.centre.policy().feedback_per_hour;
        let results = burst(100, |i| {
            let centre = centre.clone();
            let s = s.clone();
            async move {
                let question = NewFeedback {
                    kind: FeedbackKind::Consultation,
                    title: format!("问题 {i}"),
                    content: "请问怎么办理".into(),
                    item_id: None,
                };
                centre.create_feedback(&s, &question, &|_| None).await
            }
        })
        .await;
        let stored = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(
            (stored, limited(&results)),
            (allowance, 100 - allowance),
            "{}",
            ctx.backend
        );
        let listed = ctx.centre.feedback(&s).await.unwrap();
        assert_eq!(listed.len(), allowance);
    })
    .await;
}

#[tokio::test]
async fn codes_are_limited_and_expire() {
    each_backend(async |ctx: Ctx| {
        let c = client("10.0.0.4");
        ctx.centre
            .send_code("13912345678", "register", &c)
            .await
            .unwrap();
        assert!(matches!(
            ctx.centre.send_code("13912345678", "register", &c).await,
            Err(CentreError::RateLimited { .. })
        ));
        let code = ctx.outbox.last_code("13912345678").unwrap();
        ctx.clock.advance_secs(5 * 60 + 1);
        assert!(matches!(
            ctx.centre
                .register("13912345678", &code, "pass-word-1", &c)
                .await,
            Err(CentreError::BadCredentials)
        ));
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_are_listed_and_revoked() {
    each_backend(async |ctx: Ctx| {
        let first = register(&ctx, "13912345678").await;
        let c = client("10.0.0.5");
        let second = ctx
            .centre
            .login_password("13912345678", "pass-word-1", None, &c)
            .await
            .unwrap();
        let s = subject(&ctx, &second.token).await;
        let sessions = ctx.centre.sessions(&s).await.unwrap();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions.iter().filter(|x| x.current).count(), 1);
        let other = sessions.iter().find(|x| !x.current).unwrap();
        ctx.centre.revoke_session(&s, &other.id).await.unwrap();
        assert!(matches!(
            ctx.centre.authenticate(&first).await,
            Err(CentreError::Unauthenticated)
        ));
        // Someone else's session id is not found.
        let b = register(&ctx, "13912345679").await;
        let sb = subject(&ctx, &b).await;
        assert!(matches!(
            ctx.centre.revoke_session(&sb, &s.session_id).await,
            Err(CentreError::NotFound(_))
        ));
        ctx.centre.authenticate(&second.token).await.unwrap();
        // The login validity setting bounds new sessions.
        ctx.centre
            .update_settings(
                &s,
                &Settings {
                    login_validity_hours: 1,
                    login_methods: vec![LoginMethod::Password],
                    history_paused: false,
                },
            )
            .await
            .unwrap();
        let short = ctx
            .centre
            .login_password("13912345678", "pass-word-1", None, &c)
            .await
            .unwrap();
        ctx.clock.advance_secs(3601);
        assert!(ctx.centre.authenticate(&short.token).await.is_err());
        // SMS login is now turned off for the account.
        ctx.centre
            .send_code("13912345678", "login", &c)
            .await
            .unwrap();
        let code = ctx.outbox.last_code("13912345678").unwrap();
        // One answer for every failure: nobody learns the account exists.
        assert!(matches!(
            ctx.centre.login_sms("13912345678", &code, &c).await,
            Err(CentreError::BadCredentials)
        ));
        assert!(ctx.centre.authenticate("ys_garbage").await.is_err());
    })
    .await;
}

#[tokio::test]
async fn real_name_and_face_step_up() {
    each_backend(async |ctx: Ctx| {
        let token = register(&ctx, "13912345678").await;
        let s = subject(&ctx, &token).await;
        // Face before real name: L2 first.
        assert!(matches!(
            ctx.centre.verify_face(&s, "live").await,
            Err(CentreError::StepUpRequired {
                required: Level::L2,
                ..
            })
        ));
        assert!(
            ctx.centre
                .verify_real_name(&s, "陈嘉民", "44010419880520123X")
                .await
                .is_err()
        );
        assert!(
            ctx.centre
                .verify_real_name(&s, "陈嘉明", "44010419880520124X")
                .await
                .is_err()
        );
        ctx.centre
            .verify_real_name(&s, "陈嘉明", "44010419880520123X")
            .await
            .unwrap();
        let s = subject(&ctx, &token).await;
        assert_eq!(s.level, Level::L2);
        // The same identity cannot be bound by a second account — and the
        // answer is the one a wrong pair gets, so nobody learns that this
        // person has an account here.
        let other = register(&ctx, "13912345679").await;
        let so = subject(&ctx, &other).await;
        let bound = ctx
            .centre
            .verify_real_name(&so, "陈嘉明", "44010419880520123X")
            .await
            .unwrap_err();
        let wrong = ctx
            .centre
            .verify_real_name(&so, "陈嘉民", "44010419880520123X")
            .await
            .unwrap_err();
        assert!(matches!(
            bound,
            CentreError::Invalid {
                field: "id_number",
                ..
            }
        ));
        assert_eq!(bound.to_string(), wrong.to_string());
        assert_eq!(subject(&ctx, &other).await.level, Level::L1);
        assert!(ctx.centre.verify_face(&s, "spoof").await.is_err());
        let up = ctx.centre.verify_face(&s, "live-sample").await.unwrap();
        assert_eq!(up.level, Level::L3);
        assert_eq!(subject(&ctx, &token).await.level, Level::L3);
        // L3 is short-lived; the session falls back to L2.
        ctx.clock.advance_secs(15 * 60 + 1);
        assert_eq!(subject(&ctx, &token).await.level, Level::L2);
        // Profile: basic information from real-name data, masked numbers.
        let p = ctx.centre.profile(&s).await.unwrap();
        assert_eq!(p.id_number.as_deref(), Some("4401**********123X"));
        assert_eq!(p.phone.as_deref(), Some("139****5678"));
        assert_eq!(p.birth_date.as_deref(), Some("1988-05-20"));
        assert_eq!(p.name.as_deref(), Some("陈嘉明"));
    })
    .await;
}

/// A draft with a stored flow keeps it, takes only answers its caller
/// checked (typed values, stored as given) and refuses text; a draft
/// without one refuses checked answers.
#[tokio::test]
async fn typed_drafts_keep_their_flow_and_take_checked_answers_only() {
    each_backend(async |ctx: Ctx| {
        let (_, s) = verified(&ctx, "13912345670").await;
        let flow = serde_json::json!({"service": "gjj-ydzy", "steps": []});
        let typed = ItemInfo {
            flow: Some(flow.to_string()),
            ..item(Level::L2)
        };
        let (draft, _) = ctx.centre.start_application(&s, &typed).await.unwrap();
        let id = draft.summary.id.clone();
        assert_eq!(draft.flow.as_ref(), Some(&flow), "{}", ctx.backend);
        let text = ctx
            .centre
            .save_step(&s, &id, 0, &answers(&[("a", "b")]))
            .await;
        assert!(matches!(text, Err(CentreError::Conflict(_))), "{text:?}");
        let mut checked = serde_json::Map::new();
        checked.insert("monthly_rent".into(), serde_json::json!(2500.5));
        checked.insert("own_house".into(), serde_json::json!(false));
        let saved = ctx
            .centre
            .save_step(&s, &id, 0, &StepAnswers::Checked(checked.clone()))
            .await
            .unwrap();
        assert_eq!(saved.answers["0"], checked, "{}", ctx.backend);
        assert_eq!(saved.summary.current_step, 1);
        let again = ctx.centre.application(&s, &id).await.unwrap();
        assert_eq!(again.answers["0"]["monthly_rent"], 2500.5);

        // A draft without a flow: text only.
        let plain = ItemInfo {
            id: "gjj-other-440100".into(),
            ..item(Level::L2)
        };
        let (old, _) = ctx.centre.start_application(&s, &plain).await.unwrap();
        assert!(old.flow.is_none());
        let refused = ctx
            .centre
            .save_step(&s, &old.summary.id, 0, &StepAnswers::Checked(checked))
            .await;
        assert!(
            matches!(refused, Err(CentreError::Conflict(_))),
            "{refused:?}"
        );
        let ok = ctx
            .centre
            .save_step(&s, &old.summary.id, 0, &answers(&[("姓名", " 陈嘉明 ")]))
            .await
            .unwrap();
        assert_eq!(ok.answers["0"]["姓名"], "陈嘉明");
    })
    .await;
}

#[tokio::test]
async fn applications_pause_resume_submit_and_progress() {
    each_backend(async |ctx: Ctx| {
        let (token, s) = verified(&ctx, "13912345678").await;
        // An L3 item needs a face check first.
        match ctx.centre.start_application(&s, &item(Level::L3)).await {
            Err(CentreError::StepUpRequired { required, current }) => {
                assert_eq!((required, current), (Level::L3, Level::L2))
            }
            other => panic!("{}: {other:?}", ctx.backend),
        }
        let (draft, resumed) = ctx
            .centre
            .start_application(&s, &item(Level::L2))
            .await
            .unwrap();
        assert!(!resumed);
        assert_eq!(draft.summary.status, ApplicationStatus::Draft);
        let id = draft.summary.id.clone();
        // Cannot skip ahead.
        assert!(matches!(
            ctx.centre
                .save_step(&s, &id, 2, &answers(&[("a", "b")]))
                .await,
            Err(CentreError::Conflict(_))
        ));
        ctx.centre
            .save_step(&s, &id, 0, &answers(&[("姓名", "陈嘉明")]))
            .await
            .unwrap();
        let after = ctx
            .centre
            .save_step(&s, &id, 1, &answers(&[("转出地", "深圳")]))
            .await
            .unwrap();
        assert_eq!(after.summary.current_step, 2);
        // Submitting early is refused.
        assert!(ctx.centre.submit_application(&s, &id).await.is_err());

        // Another device: log in again and resume where it was left.
        let c = client("10.0.0.9");
        let login = ctx
            .centre
            .login_password("13912345678", "pass-word-1", None, &c)
            .await
            .unwrap();
        let s2 = subject(&ctx, &login.token).await;
        let (again, resumed) = ctx
            .centre
            .start_application(&s2, &item(Level::L2))
            .await
            .unwrap();
        assert!(resumed);
        assert_eq!(again.summary.id, id);
        assert_eq!(again.summary.current_step, 2);
        assert_eq!(again.answers["1"]["转出地"], "深圳");
        // Going back to change a done step keeps the progress.
        let back = ctx
            .centre
            .save_step(&s2, &id, 0, &answers(&[("姓名", "陈嘉明 ")]))
            .await
            .unwrap();
        assert_eq!(back.summary.current_step, 2);
        ctx.centre
            .save_step(&s2, &id, 2, &answers(&[("确认", "是")]))
            .await
            .unwrap();
        let submitted = ctx.centre.submit_application(&s2, &id).await.unwrap();
        assert_eq!(submitted.summary.status, ApplicationStatus::Submitted);
        assert!(
            ctx.centre
                .save_step(&s2, &id, 0, &answers(&[]))
                .await
                .is_err()
        );

        // The department: waiting, resubmitted, processing, completed.
        let progress = |status, note: &str| Progress {
            status,
            note: note.into(),
            department: None,
            result: None,
        };
        assert!(
            ctx.centre
                .push_progress(&id, &progress(ApplicationStatus::Draft, "x"))
                .await
                .is_err()
        );
        ctx.centre
            .push_progress(&id, &progress(ApplicationStatus::Waiting, "请补充材料"))
            .await
            .unwrap();
        let (pending, _) = ctx
            .centre
            .applications(&s, Some(ApplicationGroup::Pending), 1, 10)
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        ctx.centre.submit_application(&s, &id).await.unwrap();
        ctx.centre
            .push_progress(&id, &progress(ApplicationStatus::Processing, "已受理"))
            .await
            .unwrap();
        let done = ctx
            .centre
            .push_progress(
                &id,
                &Progress {
                    result: Some(BTreeMap::from([
                        ("结果".to_string(), "准予办理".to_string()),
                        ("文书编号".to_string(), "No.1".to_string()),
                    ])),
                    ..progress(ApplicationStatus::Completed, "办结")
                },
            )
            .await
            .unwrap();
        assert_eq!(done.summary.group, ApplicationGroup::Done);
        assert_eq!(done.result.as_ref().unwrap()["结果"], "准予办理");
        let statuses: Vec<_> = done.timeline.iter().map(|e| e.status).collect();
        use ApplicationStatus::*;
        assert_eq!(
            statuses,
            [Draft, Submitted, Waiting, Submitted, Processing, Completed]
        );
        assert!(
            ctx.centre
                .push_progress(&id, &progress(Processing, "again"))
                .await
                .is_err()
        );

        // Each change reached the inbox.
        let inbox = ctx.centre.messages(&s, false, 1, 50).await.unwrap();
        let completed = Arg::Text(Box::new(ApplicationStatus::Completed.text()));
        assert!(
            inbox.items.iter().any(|m| m
                .title_said
                .text()
                .is_some_and(|t| t.get("status") == Some(&completed))),
            "{:?}",
            inbox.items
        );
        assert_eq!(inbox.unread, inbox.total);
        assert!(!ctx.outbox.entries("push").is_empty());
        let (done_list, total) = ctx
            .centre
            .applications(&s, Some(ApplicationGroup::Done), 1, 10)
            .await
            .unwrap();
        assert_eq!((done_list.len(), total), (1, 1));
        let _ = token;
    })
    .await;
}

#[tokio::test]
async fn nobody_reaches_another_persons_data_by_id() {
    each_backend(async |ctx: Ctx| {
        let (_, a) = verified(&ctx, "13912345678").await;
        let b_token = register(&ctx, "13912345679").await;
        let b = subject(&ctx, &b_token).await;
        let (app, _) = ctx
            .centre
            .start_application(&a, &item(Level::L2))
            .await
            .unwrap();
        let id = &app.summary.id;
        let fb = ctx
            .centre
            .create_feedback(
                &a,
                &NewFeedback {
                    kind: FeedbackKind::Consultation,
                    title: "问题".into(),
                    content: "内容".into(),
                    item_id: None,
                },
                &|_| None,
            )
            .await
            .unwrap();
        ctx.centre.submit_application(&a, id).await.ok();
        let inbox = ctx.centre.messages(&a, false, 1, 10).await.unwrap();
        let not_found = |r: Result<_, CentreError>| matches!(r, Err(CentreError::NotFound(_)));
        assert!(not_found(ctx.centre.application(&b, id).await.map(|_| ())));
        assert!(not_found(
            ctx.centre
                .save_step(&b, id, 0, &answers(&[]))
                .await
                .map(|_| ())
        ));
        assert!(not_found(
            ctx.centre.submit_application(&b, id).await.map(|_| ())
        ));
        assert!(not_found(ctx.centre.withdraw_application(&b, id).await));
        assert!(not_found(
            ctx.centre.feedback_item(&b, &fb.id).await.map(|_| ())
        ));
        assert!(not_found(
            ctx.centre.revoke_session(&b, &a.session_id).await
        ));
        for m in &inbox.items {
            assert!(not_found(ctx.centre.mark_read(&b, &m.id).await));
        }
        assert!(
            ctx.centre
                .applications(&b, None, 1, 10)
                .await
                .unwrap()
                .0
                .is_empty()
        );
        assert!(ctx.centre.feedback(&b).await.unwrap().is_empty());
        assert_eq!(
            ctx.centre.messages(&b, false, 1, 10).await.unwrap().total,
            0
        );
        // A's data is intact.
        ctx.centre.application(&a, id).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn feedback_refuses_banned_words_and_gets_replies() {
    each_backend(async |ctx: Ctx| {
        let token = register(&ctx, "13912345678").await;
        let s = subject(&ctx, &token).await;
        let banned = |t: &str| t.contains("赌博").then(|| "赌博".to_string());
        let new = |content: &str| NewFeedback {
            kind: FeedbackKind::Complaint,
            title: "建议".into(),
            content: content.into(),
            item_id: Some("gjj-ydzy-440100".into()),
        };
        match ctx
            .centre
            .create_feedback(&s, &new("网上赌博广告"), &banned)
            .await
        {
            Err(CentreError::BannedWord { word }) => assert_eq!(word, "赌博"),
            other => panic!("{other:?}"),
        }
        assert!(
            ctx.centre.feedback(&s).await.unwrap().is_empty(),
            "not stored"
        );
        assert!(
            ctx.centre
                .create_feedback(&s, &new(&"长".repeat(2001)), &banned)
                .await
                .is_err()
        );
        let fb = ctx
            .centre
            .create_feedback(&s, &new("希望延长办公时间"), &banned)
            .await
            .unwrap();
        ctx.centre
            .reply_feedback(&fb.id, "12345 热线", "已转相关部门。")
            .await
            .unwrap();
        let listed = ctx.centre.feedback(&s).await.unwrap();
        assert_eq!(listed[0].status, "answered");
        assert_eq!(listed[0].replies[0].content, "已转相关部门。");
        let inbox = ctx.centre.messages(&s, true, 1, 10).await.unwrap();
        assert_eq!(inbox.unread, 1);
        assert!(
            ctx.centre
                .reply_feedback("fb_nope", "x", "y")
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn inbox_unread_counts_read_all_and_the_pinned_notice() {
    each_backend(async |ctx: Ctx| {
        let a = subject(&ctx, &register(&ctx, "13912345678").await).await;
        let b = subject(&ctx, &register(&ctx, "13912345679").await).await;
        let notice = ctx
            .centre
            .broadcast(&NewBroadcast {
                title: "维护公告".into(),
                body: "周六维护".into(),
                pinned: true,
                link: None,
            })
            .await
            .unwrap();
        ctx.clock.advance_secs(1);
        let news = ctx
            .centre
            .broadcast(&NewBroadcast {
                title: "新服务".into(),
                body: "上线".into(),
                pinned: false,
                link: None,
            })
            .await
            .unwrap();
        let inbox = ctx.centre.messages(&a, false, 1, 10).await.unwrap();
        assert_eq!((inbox.unread, inbox.total), (2, 2));
        assert_eq!(inbox.items[0].id, news.id, "newest first");
        ctx.centre.mark_read(&a, &news.id).await.unwrap();
        assert_eq!(
            ctx.centre.messages(&a, false, 1, 10).await.unwrap().unread,
            1
        );
        assert_eq!(
            ctx.centre.messages(&b, false, 1, 10).await.unwrap().unread,
            2,
            "per person"
        );
        assert_eq!(
            ctx.centre.notice(Some(&a)).await.unwrap().unwrap().id,
            notice.id
        );
        ctx.centre.dismiss_notice(&a, &notice.id).await.unwrap();
        assert!(ctx.centre.notice(Some(&a)).await.unwrap().is_none());
        assert!(
            ctx.centre.notice(Some(&b)).await.unwrap().is_some(),
            "only for a"
        );
        assert!(ctx.centre.notice(None).await.unwrap().is_some());
        assert_eq!(ctx.centre.mark_all_read(&b).await.unwrap(), 2);
        assert_eq!(
            ctx.centre.messages(&b, false, 1, 10).await.unwrap().unread,
            0
        );
    })
    .await;
}

#[tokio::test]
async fn contact_details_are_validated_and_masked() {
    each_backend(async |ctx: Ctx| {
        let s = subject(&ctx, &register(&ctx, "13912345678").await).await;
        let bad = ContactUpdate {
            email: Some("not-an-email".into()),
            ..Default::default()
        };
        assert!(matches!(
            ctx.centre.update_contact(&s, &bad).await,
            Err(CentreError::Invalid { field: "email", .. })
        ));
        let p = ctx
            .centre
            .update_contact(
                &s,
                &ContactUpdate {
                    postal_address: Some("广州市天河区 1 号".into()),
                    contact_phone: Some("13600001111".into()),
                    email: Some("a@example.cn".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(p.contact_phone.as_deref(), Some("136****1111"));
        let p = ctx
            .centre
            .update_contact(
                &s,
                &ContactUpdate {
                    email: Some(String::new()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(p.email, None, "cleared");
        assert_eq!(
            p.postal_address.as_deref(),
            Some("广州市天河区 1 号"),
            "kept"
        );
    })
    .await;
}

#[tokio::test]
async fn agents_act_for_organisations_and_are_recorded() {
    each_backend(async |ctx: Ctx| {
        let (_, person) = verified(&ctx, "13912345678").await;
        let l1 = subject(&ctx, &register(&ctx, "13912345679").await).await;
        assert!(matches!(
            ctx.centre
                .register_organisation(&l1, "91440101MA5D8Y2K35", "示范公司")
                .await,
            Err(CentreError::StepUpRequired { .. })
        ));
        assert!(
            ctx.centre
                .register_organisation(&person, "91440101MA5D8Y2K36", "x")
                .await
                .is_err()
        );
        let org = ctx
            .centre
            .register_organisation(&person, "91440101MA5D8Y2K35", "广州粤搜示范科技有限公司")
            .await
            .unwrap();
        assert_eq!(ctx.centre.organisations(&person).await.unwrap().len(), 1);
        // Someone who is not an agent cannot act for it.
        assert!(matches!(
            ctx.centre.act_for(&l1, &org.id, &client("10.0.0.1")).await,
            Err(CentreError::NotFound(_))
        ));
        let login = ctx
            .centre
            .act_for(&person, &org.id, &client("10.0.0.1"))
            .await
            .unwrap();
        let as_org = subject(&ctx, &login.token).await;
        assert_eq!(as_org.account_id, org.id);
        assert_eq!(as_org.actor_id, person.account_id);
        let (app, _) = ctx
            .centre
            .start_application(&as_org, &item(Level::L2))
            .await
            .unwrap();
        assert_eq!(
            app.timeline[0].by,
            Said::Text(Text::new("actor-agent").arg("id", person.account_id.as_str()))
        );
        // The organisation's applications are not the person's.
        assert!(
            ctx.centre
                .applications(&person, None, 1, 10)
                .await
                .unwrap()
                .0
                .is_empty()
        );
        assert_eq!(
            ctx.centre
                .applications(&as_org, None, 1, 10)
                .await
                .unwrap()
                .1,
            1
        );
        let profile = ctx.centre.profile(&as_org).await.unwrap();
        assert_eq!(profile.uscc.as_deref(), Some("91440101MA5D8Y2K35"));
        let audit: Vec<(String, String)> = sqlx::query_as(
            "SELECT actor_id, action FROM audit_log WHERE account_id = $1 ORDER BY at, action",
        )
        .bind(&org.id)
        .fetch_all(ctx.centre.db().pool())
        .await
        .unwrap();
        assert!(audit.iter().any(|(actor, action)| actor == &person.account_id
            && action == "application.start"));
    })
    .await;
}

#[tokio::test]
async fn organisation_sessions_are_children_of_the_persons_session() {
    each_backend(async |ctx: Ctx| {
        let (token, person) = verified(&ctx, "13912345678").await;
        let org = ctx
            .centre
            .register_organisation(&person, "91440101MA5D8Y2K35", "广州粤搜示范科技有限公司")
            .await
            .unwrap();
        let c = client("10.0.0.1");
        // Listed under the person's session, with the organisation's name.
        let child = ctx.centre.act_for(&person, &org.id, &c).await.unwrap();
        let as_org = subject(&ctx, &child.token).await;
        let listed = ctx.centre.sessions(&person).await.unwrap();
        let entry = listed
            .iter()
            .find(|x| x.id == as_org.session_id)
            .expect("the organisation session is listed to the person");
        assert_eq!(entry.parent.as_deref(), Some(person.session_id.as_str()));
        assert_eq!(
            entry.acting_for.as_deref(),
            Some("广州粤搜示范科技有限公司")
        );
        // Its expiry never passes the parent's.
        let parent = listed.iter().find(|x| x.current).unwrap();
        assert!(entry.expires_at <= parent.expires_at);
        // Revocable from the person's session.
        ctx.centre
            .revoke_session(&person, &as_org.session_id)
            .await
            .unwrap();
        assert!(ctx.centre.authenticate(&child.token).await.is_err());
        // Logging the person out ends a child too, at once.
        let child = ctx.centre.act_for(&person, &org.id, &c).await.unwrap();
        ctx.centre.authenticate(&child.token).await.unwrap();
        ctx.centre.logout(&person).await.unwrap();
        assert!(matches!(
            ctx.centre.authenticate(&child.token).await,
            Err(CentreError::Unauthenticated)
        ));
        assert!(ctx.centre.authenticate(&token).await.is_err());
        // Revoking every other session from a new login ends their children.
        let second = ctx
            .centre
            .login_password("13912345678", "pass-word-1", None, &c)
            .await
            .unwrap();
        let second = subject(&ctx, &second.token).await;
        let child = ctx.centre.act_for(&second, &org.id, &c).await.unwrap();
        let third = ctx
            .centre
            .login_password("13912345678", "pass-word-1", None, &c)
            .await
            .unwrap();
        let third = subject(&ctx, &third.token).await;
        ctx.centre
            .revoke_session(&third, &second.session_id)
            .await
            .unwrap();
        assert!(ctx.centre.authenticate(&child.token).await.is_err());
        // An organisation session cannot revoke the person's own session.
        let child = ctx.centre.act_for(&third, &org.id, &c).await.unwrap();
        let as_org = subject(&ctx, &child.token).await;
        assert!(matches!(
            ctx.centre.revoke_session(&as_org, &third.session_id).await,
            Err(CentreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn withdrawing_needs_the_items_level_and_text_refuses_bidi_controls() {
    each_backend(async |ctx: Ctx| {
        let (token, s) = verified(&ctx, "13912345678").await;
        ctx.centre.verify_face(&s, "live-sample").await.unwrap();
        let l3 = subject(&ctx, &token).await;
        let (app, _) = ctx
            .centre
            .start_application(&l3, &item(Level::L3))
            .await
            .unwrap();
        // The face check lapses: an L2 session may not withdraw it.
        ctx.clock.advance_secs(16 * 60);
        let l2 = subject(&ctx, &token).await;
        assert_eq!(l2.level, Level::L2);
        assert!(matches!(
            ctx.centre.withdraw_application(&l2, &app.summary.id).await,
            Err(CentreError::StepUpRequired {
                required: Level::L3,
                ..
            })
        ));
        ctx.centre.application(&l2, &app.summary.id).await.unwrap();
        // A right-to-left override would show a reversed word as another.
        for bidi in ["\u{202E}", "\u{2066}", "\u{200F}"] {
            let question = NewFeedback {
                kind: FeedbackKind::Complaint,
                title: "窗口服务".into(),
                content: format!("态度{bidi}很差"),
                item_id: None,
            };
            assert!(matches!(
                ctx.centre.create_feedback(&l2, &question, &|_| None).await,
                Err(CentreError::Invalid {
                    field: "content",
                    ..
                })
            ));
        }
    })
    .await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_files_and_data_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = yuesou_centre::Db::open_sqlite(&data).await.unwrap();
    sqlx::query("CREATE TABLE probe (x BIGINT)")
        .execute(db.pool())
        .await
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    for name in ["centre.db", "centre.db-wal", "centre.db-shm"] {
        let path = data.join(name);
        assert!(path.exists(), "{name}");
        assert_eq!(mode(&path), 0o600, "{name}");
    }
    db.close().await;
    // A database left world-readable by an older version is tightened.
    std::fs::set_permissions(
        data.join("centre.db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let db = yuesou_centre::Db::open_sqlite(&data).await.unwrap();
    assert_eq!(mode(&data.join("centre.db")), 0o600);
    assert_eq!(mode(&data), 0o700);
    db.close().await;
}

fn record(person: &str, key: &str, query: &str, at_ms: i64) -> yuesou_centre::SearchRecord {
    yuesou_centre::SearchRecord {
        person_id: person.into(),
        key: key.into(),
        query: query.into(),
        at_ms,
    }
}

#[tokio::test]
async fn history_is_deduplicated_capped_pausable_and_never_holds_numbers() {
    each_backend(async |ctx: Ctx| {
        let b = ctx.backend;
        let token = register(&ctx, "13912340001").await;
        let s = subject(&ctx, &token).await;
        let other = subject(&ctx, &register(&ctx, "13912340002").await).await;
        let me = s.actor_id.clone();
        let written = ctx
            .centre
            .record_searches(&[
                record(&me, "公积金提取", "公积金提取", 1_000),
                record(&me, "护照", "护照", 2_000),
                // The same key again moves it up with the newest wording.
                record(&me, "公积金提取", "gjj tq", 3_000),
                // Never kept: personal numbers, control characters.
                record(&me, "13800000001", "13800000001", 4_000),
                record(&me, "x", "a\u{7}b", 5_000),
                record(&other.actor_id, "驾驶证", "驾驶证", 6_000),
            ])
            .await
            .unwrap();
        assert_eq!(written, 3, "{b}");
        let mine = ctx.centre.history(&s, 50).await.unwrap();
        let queries: Vec<&str> = mine.entries.iter().map(|e| e.query.as_str()).collect();
        assert_eq!(queries, ["gjj tq", "护照"], "{b}");
        // Another person's entry is not found by id.
        let theirs = ctx.centre.history(&other, 50).await.unwrap();
        let err = ctx
            .centre
            .delete_history_entry(&s, &theirs.entries[0].id)
            .await
            .unwrap_err();
        assert!(matches!(err, CentreError::NotFound(_)), "{b}");

        // Capped: the oldest go.
        let many: Vec<_> = (0..60)
            .map(|n| record(&me, &format!("k{n}"), &format!("查询{n}"), 10_000 + n))
            .collect();
        ctx.centre.record_searches(&many).await.unwrap();
        let capped = ctx.centre.history(&s, 100).await.unwrap();
        assert_eq!(capped.entries.len(), yuesou_centre::HISTORY_CAP, "{b}");
        assert_eq!(capped.entries[0].query, "查询59");

        // Paused: nothing is written.
        let mut settings = ctx.centre.settings(&s).await.unwrap();
        settings.history_paused = true;
        ctx.centre.update_settings(&s, &settings).await.unwrap();
        let written = ctx
            .centre
            .record_searches(&[record(&me, "新", "新查询", 99_000)])
            .await
            .unwrap();
        assert_eq!(written, 0, "{b}");
        assert!(ctx.centre.history(&s, 5).await.unwrap().paused);
        assert_eq!(ctx.centre.clear_history(&s).await.unwrap(), 50, "{b}");
        assert_eq!(
            ctx.centre.history(&other, 5).await.unwrap().entries.len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn hot_counts_each_client_once_a_day_and_keep_rules() {
    each_backend(async |ctx: Ctx| {
        let b = ctx.backend;
        let day = yuesou_centre::DAY_MS;
        let hour = yuesou_centre::HOUR_MS;
        let seen = |client: &str, key: &str, at_ms: i64| yuesou_centre::HotSighting {
            client: client.into(),
            key: key.into(),
            display: key.into(),
            at_ms,
        };
        let t0 = 100 * day;
        let mut batch: Vec<_> = (0..1000).map(|_| seen("10.0.0.1", "居住证", t0)).collect();
        batch.push(seen("10.0.0.2", "居住证", t0 + hour));
        batch.push(seen("10.0.0.3", "社保", t0));
        assert_eq!(ctx.centre.record_hot(&batch).await.unwrap(), 3, "{b}");
        // Again the same day: nothing new; the next day: counted again.
        assert_eq!(
            ctx.centre
                .record_hot(&[seen("10.0.0.1", "居住证", t0 + 2 * hour)])
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            ctx.centre
                .record_hot(&[seen("10.0.0.1", "居住证", t0 + day)])
                .await
                .unwrap(),
            1
        );
        let since = t0 / hour;
        let buckets = ctx.centre.hot_buckets(since, 2).await.unwrap();
        let people: i64 = buckets
            .iter()
            .filter(|b| b.key == "居住证")
            .map(|b| b.people)
            .sum();
        assert_eq!(people, 3, "{b}: {buckets:?}");
        assert!(buckets.iter().all(|b| b.key != "社保"), "below the minimum");

        // Pruning drops old hours.
        ctx.centre.prune_hot(t0 + day + hour, 1).await.unwrap();
        let left = ctx.centre.hot_buckets(0, 1).await.unwrap();
        assert!(
            left.iter().all(|b| b.hour >= (t0 + day) / hour),
            "{b}: {left:?}"
        );

        // Rules replace each other and go.
        use yuesou_centre::HotAction;
        ctx.centre
            .set_hot_rule("社保", "社保", HotAction::Pin)
            .await
            .unwrap();
        ctx.centre
            .set_hot_rule("社保", "社保", HotAction::Block)
            .await
            .unwrap();
        let rules = ctx.centre.hot_rules().await.unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].action, HotAction::Block);
        ctx.centre.delete_hot_rule("社保").await.unwrap();
        assert!(ctx.centre.hot_rules().await.unwrap().is_empty());
        assert!(matches!(
            ctx.centre.delete_hot_rule("社保").await.unwrap_err(),
            CentreError::NotFound(_)
        ));
    })
    .await;
}

/// 陈嘉明 at L3 with the wallet, and the id of his driving licence entry.
async fn wallet_holder(ctx: &Ctx) -> (String, Subject, String) {
    let (token, s) = verified(ctx, "13912345678").await;
    ctx.centre.verify_face(&s, "live-sample").await.unwrap();
    let s = subject(ctx, &token).await;
    let added = ctx.centre.wallet_add(&s, None).await.unwrap();
    assert!(added.added > 0);
    let entry = added
        .items
        .iter()
        .find(|i| i.type_code == "driving_licence")
        .expect("a driving licence")
        .id
        .clone();
    (token, s, entry)
}

fn qr() -> PresentOptions {
    PresentOptions {
        disclose: vec!["vehicle_class".into()],
        request: None,
    }
}

#[tokio::test]
async fn revocation_sticks_to_the_licence_whatever_the_holder_does() {
    each_backend(async |ctx: Ctx| {
        let ctx = support::with_wallet(ctx);
        let (_, s, entry) = wallet_holder(&ctx).await;
        let c = client("10.0.0.1");
        let shown = ctx.centre.wallet_present(&s, &entry, &qr()).await.unwrap();
        let item = ctx.centre.wallet_item(&s, &entry, true).await.unwrap();
        let done = ctx
            .centre
            .wallet_revoke("driving_licence", &item.number, "发证机关注销")
            .await
            .unwrap();
        assert!(done.new && done.entries == 1 && done.presentations == 1);
        // The presentation made before fails, listed as revoked.
        let code = shown.code.clone().unwrap();
        assert_eq!(
            ctx.centre
                .wallet_redeem(&code, &c)
                .await
                .unwrap()
                .unwrap_err(),
            Refusal::Revoked
        );
        assert!(
            ctx.centre
                .wallet_list(&s)
                .await
                .unwrap()
                .iter()
                .any(|i| i.revoked)
        );
        assert!(matches!(
            ctx.centre.wallet_present(&s, &entry, &qr()).await,
            Err(CentreError::LicenceRevoked)
        ));
        // Deleting it and adding it again does not bring it back.
        ctx.centre.wallet_delete(&s, &entry).await.unwrap();
        let again = ctx.centre.wallet_add(&s, None).await.unwrap();
        assert_eq!(again.added, 0);
        assert_eq!(again.refused.len(), 1);
        assert_eq!(again.refused[0].type_code, "driving_licence");
        assert!(!again.items.iter().any(|i| i.type_code == "driving_licence"));
        let only = ctx
            .centre
            .wallet_add(&s, Some(&["driving_licence".to_string()]))
            .await
            .unwrap();
        assert_eq!((only.added, only.refused.len()), (0, 1));
        let available = ctx.centre.wallet_available(&s).await.unwrap();
        assert!(
            available
                .iter()
                .any(|i| i.type_code == "driving_licence" && i.revoked)
        );
        // Revoking again changes nothing.
        assert!(
            !ctx.centre
                .wallet_revoke("driving_licence", &item.number, "发证机关注销")
                .await
                .unwrap()
                .new
        );
    })
    .await;
}

#[tokio::test]
async fn presentations_answer_one_challenge_once() {
    each_backend(async |ctx: Ctx| {
        let ctx = support::with_wallet(ctx);
        let (_, s, entry) = wallet_holder(&ctx).await;
        let c = client("10.0.0.1");
        // (a) A verifier's request: the holder answers, the verifier fetches
        // the answer once with its secret.
        let request = ctx
            .centre
            .wallet_request(
                "某酒店前台",
                "https://hotel.example",
                &["holder_name".into()],
                &c,
            )
            .await
            .unwrap();
        let info = ctx
            .centre
            .wallet_request_info(&request.code.to_lowercase())
            .await
            .unwrap();
        assert_eq!(
            (info.verifier.as_str(), info.answered),
            ("某酒店前台", false)
        );
        assert!(
            ctx.centre
                .wallet_request_result(&request.code, &request.secret, &c)
                .await
                .unwrap()
                .is_none()
        );
        let answer = PresentOptions {
            disclose: vec!["vehicle_class".into()],
            request: Some(request.code.clone()),
        };
        let shown = ctx
            .centre
            .wallet_present(&s, &entry, &answer)
            .await
            .unwrap();
        assert_eq!(shown.mode, "request");
        assert_eq!(shown.disclosed, ["holder_name", "vehicle_class"]);
        assert!(shown.qr_svg.is_none());
        // A wrong secret finds nothing; the right one gets the fields once.
        assert!(matches!(
            ctx.centre
                .wallet_request_result(&request.code, "ys_wrong", &c)
                .await,
            Err(CentreError::NotFound(_))
        ));
        let got = ctx
            .centre
            .wallet_request_result(&request.code, &request.secret, &c)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(got.fields["holder_name"], "陈嘉明");
        assert_eq!(got.shown[0].label, "姓名");
        assert_eq!(
            ctx.centre
                .wallet_request_result(&request.code, &request.secret, &c)
                .await
                .unwrap()
                .unwrap()
                .unwrap_err(),
            Refusal::Replayed
        );
        // The same token pasted elsewhere: another audience, or a replay.
        let token = got.token.unwrap();
        assert_eq!(
            ctx.centre
                .wallet_verify(&token, "https://car-rental.example", None, &[], &c)
                .await
                .unwrap()
                .unwrap_err(),
            Refusal::NotForThisVerifier
        );
        assert_eq!(
            ctx.centre
                .wallet_verify(
                    &token,
                    "https://hotel.example",
                    Some(&request.nonce),
                    &[],
                    &c
                )
                .await
                .unwrap()
                .unwrap_err(),
            Refusal::Replayed
        );
        // A request is answered once.
        assert!(
            ctx.centre
                .wallet_present(&s, &entry, &answer)
                .await
                .is_err()
        );

        // (b) A one-time QR code: short, redeemed once.
        let shown = ctx.centre.wallet_present(&s, &entry, &qr()).await.unwrap();
        let link = shown.link.clone().unwrap();
        assert!(
            link.starts_with("https://gd.example/verify?code=") && link.len() < 80,
            "{link}"
        );
        let code = shown.code.clone().unwrap();
        let redeemed = ctx.centre.wallet_redeem(&code, &c).await.unwrap().unwrap();
        assert_eq!(redeemed.fields["vehicle_class"], "C1");
        assert_eq!(
            ctx.centre
                .wallet_redeem(&code, &c)
                .await
                .unwrap()
                .unwrap_err(),
            Refusal::Replayed
        );
        assert!(matches!(
            ctx.centre.wallet_redeem("ZZZZZZZZZZZZ", &c).await.unwrap(),
            Err(Refusal::Invalid(_))
        ));
        // The full token of a QR code verifies once online, for its audience.
        let shown = ctx.centre.wallet_present(&s, &entry, &qr()).await.unwrap();
        let audience = "https://gd.example/api/v1/wallet/redeem";
        let ok = ctx
            .centre
            .wallet_verify(&shown.token, audience, None, &["vehicle_class".into()], &c)
            .await
            .unwrap();
        assert!(ok.is_ok(), "{ok:?}");
        assert_eq!(
            ctx.centre
                .wallet_verify(&shown.token, audience, None, &[], &c)
                .await
                .unwrap()
                .unwrap_err(),
            Refusal::Replayed
        );
        // ...and its QR code no longer redeems.
        assert_eq!(
            ctx.centre
                .wallet_redeem(shown.code.as_deref().unwrap(), &c)
                .await
                .unwrap()
                .unwrap_err(),
            Refusal::Replayed
        );
    })
    .await;
}

#[tokio::test]
async fn the_status_list_marks_voided_presentations_and_nothing_links_them() {
    each_backend(async |ctx: Ctx| {
        let ctx = support::with_wallet(ctx);
        let (_, s, entry) = wallet_holder(&ctx).await;
        let a = ctx.centre.wallet_present(&s, &entry, &qr()).await.unwrap();
        let b = ctx.centre.wallet_present(&s, &entry, &qr()).await.unwrap();
        let claims = |token: &str| -> serde_json::Value {
            use base64::Engine;
            let payload = token.split('.').nth(1).unwrap();
            serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(payload)
                    .unwrap(),
            )
            .unwrap()
        };
        let (ca, cb) = (claims(&a.token), claims(&b.token));
        let idx = |c: &serde_json::Value| c["status"]["status_list"]["idx"].as_u64().unwrap();
        assert_ne!(idx(&ca), idx(&cb));
        assert!(ca.get("licence_ref").is_none());
        assert_eq!(
            ca["status"]["status_list"]["uri"],
            "https://gd.example/api/v1/wallet/status-list"
        );
        let keys = ctx.centre.wallet().unwrap().jwks();
        let list = |jwt: &str| {
            yuesou_wallet::verify_status_list(
                jwt,
                &keys,
                "https://gd.example/api/v1/wallet/status-list",
                yuesou_wallet::time::OffsetDateTime::from_unix_timestamp(
                    ctx.centre.now_ms() / 1000,
                )
                .unwrap(),
            )
            .unwrap()
        };
        let before = list(&ctx.centre.wallet_status_list().await.unwrap());
        assert_eq!(before.is_revoked(idx(&ca)), Some(false));
        // Deleting the licence voids its live presentations.
        ctx.centre.wallet_delete(&s, &entry).await.unwrap();
        let after = list(&ctx.centre.wallet_status_list().await.unwrap());
        assert_eq!(after.is_revoked(idx(&ca)), Some(true));
        assert_eq!(after.is_revoked(idx(&cb)), Some(true));
    })
    .await;
}

#[tokio::test]
async fn sensitive_fields_are_presented_only_at_l3() {
    each_backend(async |ctx: Ctx| {
        let ctx = support::with_wallet(ctx);
        let (token, _, entry) = wallet_holder(&ctx).await;
        ctx.clock.advance_secs(16 * 60);
        let l2 = subject(&ctx, &token).await;
        assert_eq!(l2.level, Level::L2);
        // Not sensitive: fine at L2.
        let shown = ctx.centre.wallet_present(&l2, &entry, &qr()).await.unwrap();
        assert!(shown.sensitive.is_empty());
        for field in ["holder", "number", "holder_name"] {
            let options = PresentOptions {
                disclose: vec![field.into()],
                request: None,
            };
            assert!(
                matches!(
                    ctx.centre.wallet_present(&l2, &entry, &options).await,
                    Err(CentreError::StepUpRequired {
                        required: Level::L3,
                        ..
                    })
                ),
                "{field}"
            );
        }
        let s = ctx.centre.authenticate(&token).await.unwrap();
        ctx.centre.verify_face(&s, "live-sample").await.unwrap();
        let l3 = subject(&ctx, &token).await;
        let options = PresentOptions {
            disclose: vec!["holder".into(), "vehicle_class".into()],
            request: None,
        };
        let shown = ctx
            .centre
            .wallet_present(&l3, &entry, &options)
            .await
            .unwrap();
        assert_eq!(shown.sensitive, ["holder"]);
    })
    .await;
}
