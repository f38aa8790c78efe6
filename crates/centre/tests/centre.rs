//! The personal centre's rules, on SQLite and on PostgreSQL.

mod support;

use std::collections::BTreeMap;

use support::{Ctx, client, each_backend, register};
use yuesou_centre::{
    ApplicationGroup, ApplicationStatus, CentreError, ContactUpdate, FeedbackKind, ItemInfo, Level,
    LoginMethod, NewBroadcast, NewFeedback, Progress, Settings, Subject,
};

fn item(level: Level) -> ItemInfo {
    ItemInfo {
        id: "gjj-ydzy-440100".into(),
        title: "住房公积金异地转移接续".into(),
        region_code: "440100".into(),
        department: "广州住房公积金管理中心".into(),
        login_level: level,
        steps: vec!["确认身份".into(), "选择转出地".into(), "填写申请".into()],
    }
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
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
            .login_password("13912345678", "pass-word-1", &c)
            .await
            .unwrap();
        assert_eq!(ok.level, Level::L1);
        assert_ne!(ok.token, token);
        let wrong = ctx
            .centre
            .login_password("13912345678", "nope-nope-1", &c)
            .await
            .unwrap_err();
        let unknown = ctx
            .centre
            .login_password("13700000000", "pass-word-1", &c)
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
async fn failed_logins_are_rate_limited_per_account_and_expire() {
    each_backend(async |ctx: Ctx| {
        register(&ctx, "13912345678").await;
        let c = client("10.0.0.2");
        for _ in 0..5 {
            assert!(matches!(
                ctx.centre
                    .login_password("13912345678", "bad-guess-1", &c)
                    .await,
                Err(CentreError::BadCredentials)
            ));
        }
        // Now even the right password waits.
        match ctx
            .centre
            .login_password("13912345678", "pass-word-1", &c)
            .await
        {
            Err(CentreError::RateLimited { retry_after_secs }) => {
                assert!((1..=900).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("{}: expected a rate limit, got {other:?}", ctx.backend),
        }
        // Another account from another address is not affected.
        register(&ctx, "13912345679").await;
        ctx.centre
            .login_password("13912345679", "pass-word-1", &client("10.0.0.3"))
            .await
            .unwrap();
        ctx.clock.advance_secs(15 * 60 + 1);
        ctx.centre
            .login_password("13912345678", "pass-word-1", &c)
            .await
            .unwrap();
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
            .login_password("13912345678", "pass-word-1", &c)
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
            .login_password("13912345678", "pass-word-1", &c)
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
        assert!(matches!(
            ctx.centre.login_sms("13912345678", &code, &c).await,
            Err(CentreError::MethodNotAllowed)
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
        // The same identity cannot be bound by a second account.
        let other = register(&ctx, "13912345679").await;
        let so = subject(&ctx, &other).await;
        assert!(matches!(
            ctx.centre
                .verify_real_name(&so, "陈嘉明", "44010419880520123X")
                .await,
            Err(CentreError::Conflict(_))
        ));
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
            .login_password("13912345678", "pass-word-1", &c)
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
                    result: Some(answers(&[("结果", "准予办理"), ("文书编号", "No.1")])),
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
        assert!(
            inbox.items.iter().any(|m| m.title.contains("已办结")),
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
            app.timeline[0].actor,
            format!("经办人 {}", person.account_id)
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
