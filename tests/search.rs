//! End-to-end searches through the Engine API on the bundled catalogue.

mod common;

use common::{engine, search, titles};
use yuesou::{Error, Filters, SearchRequest};

/// The first hit's title must contain `expected`.
fn assert_first(query: &str, expected: &str) {
    let r = search(query);
    let first = r
        .hits
        .first()
        .unwrap_or_else(|| panic!("{query:?} found nothing"));
    assert!(
        first.title.contains(expected),
        "{query:?}: expected {expected:?} first, got {:?}",
        titles(&r.hits, 5)
    );
}

#[test]
fn the_issue_queries_find_the_right_item_first() {
    assert_first("公积金贷款进度", "公积金贷款进度查询");
    assert_first("我想查一下社保参保证明", "参保证明");
    assert_first("戶籍遷移", "户籍迁移");
    assert_first("驾驶证 记分", "驾驶证记分");
    assert_first("社保卡补换", "社会保障卡补换");
}

#[test]
fn colloquial_words_reach_official_titles_through_the_thesaurus() {
    assert_first("车检预约", "机动车检验");
    assert_first("港澳证续签", "往来港澳通行证签注");
    assert_first("补办身份证", "居民身份证");
    assert_first("房产证查询", "不动产权证书");
    assert_first("低保申请", "最低生活保障");
}

#[test]
fn state_words_reach_the_action_that_answers_them() {
    // 丢了 / 弄丢了 / 遗失 → 补领, 补发, 挂失; 坏了 / 损坏 → 补换, 换领, 损毁;
    // 办到哪一步 / 批下来没 → 进度.
    assert_first("出生证明弄丢了", "出生医学证明补发换发");
    assert_first("不动产权证书遗失", "不动产权证书补发换发");
    assert_first("残疾人证坏了", "残疾人证换领补领");
    assert_first("驾驶证损坏了", "驾驶证损毁换证");
    assert_first("社保卡办到哪一步了", "社会保障卡办理进度查询");
    assert_first("居住证批下来没", "居住证办理进度查询");
    // A longer entry wins over the state word alone.
    assert_first("身份证丢了", "居民身份证补领");
}

#[test]
fn a_thesaurus_entry_splits_a_longer_word_it_ends_inside() {
    // jieba reads 房屋 / 抵押登记; the entry 房屋抵押 needs 房屋 / 抵押 / 登记.
    let r = search("房屋抵押登记");
    assert!(
        r.query.concepts.iter().any(|c| c.text == "房屋抵押"),
        "{:?}",
        r.query.concepts
    );
    assert_first("房屋抵押登记", "不动产抵押权登记");
}

#[test]
fn a_specific_word_outranks_generic_ones_even_below_the_coverage_line() {
    // 残疾人证 names one service; 过期 and 换 name many. The hit that finds
    // the specific word is kept and ranked first, although the generic words
    // together weigh a little more.
    assert_first("残疾人证过期了要换吗", "残疾人证");
    assert_first("家里老人住养老院", "养老机构查询");
}

#[test]
fn a_not_a_questions_search_for_the_thing_itself() {
    let r = search("明天停不停电");
    assert_eq!(r.query.normalized, "明天停电");
    assert_first("明天停不停电", "停电信息查询");
}

#[test]
fn latin_words_the_catalogue_uses_are_not_read_as_pinyin() {
    // "etc" could be read as the initials of 儿童 + c; the catalogue knows ETC.
    let r = search("etc shenqing");
    let c = r.correction.as_ref().expect("shenqing is read as pinyin");
    assert!(c.corrected.starts_with("etc"), "{c:?}");
    assert_first("etc shenqing", "ETC办理");
}

#[test]
fn full_width_and_traditional_forms_search_like_simplified() {
    let plain = search("社保卡补换");
    let wide = search("社保卡補換　");
    assert_eq!(
        plain.hits.first().map(|h| &h.id),
        wide.hits.first().map(|h| &h.id)
    );
    assert_eq!(wide.query.normalized, "社保卡补换");
}

#[test]
fn a_query_of_stop_words_gets_a_helpful_empty_answer() {
    let r = search("我想 请问 怎么");
    assert_eq!(r.total, 0);
    assert!(r.hits.is_empty());
    assert!(r.query.concepts.is_empty());
    assert!(
        r.message.as_deref().is_some_and(|m| m.contains("例如")),
        "{:?}",
        r.message
    );
}

#[test]
fn stop_words_are_removed_but_content_stays() {
    let r = search("请问怎么办理结婚登记");
    assert!(
        r.query.stopwords.iter().any(|s| s == "请问"),
        "{:?}",
        r.query.stopwords
    );
    assert!(!r.query.concepts.is_empty());
    assert!(
        r.hits[0].title.contains("结婚登记"),
        "{:?}",
        titles(&r.hits, 3)
    );
}

#[test]
fn banned_words_block_the_query() {
    let banned = engine()
        .dictionaries()
        .banned
        .first()
        .expect("fixture has banned words")
        .clone();
    let r = search(&format!("社保 {banned}"));
    assert!(r.query.blocked_by.is_some());
    assert_eq!(r.total, 0);
    assert!(r.hits.is_empty());
    assert!(r.message.is_some());
}

#[test]
fn filters_narrow_the_results() {
    let all = search("社保");
    let request = SearchRequest::new("社保").filters(Filters {
        region: Some("深圳".into()),
        service_type: Some("查询".into()),
        ..Filters::default()
    });
    let narrowed = engine().search(&request).unwrap();
    assert!(narrowed.total > 0 && narrowed.total < all.total);
    for hit in &narrowed.hits {
        assert!(
            hit.region_code == "440300" || hit.region_code == "440000",
            "{} is in {}",
            hit.title,
            hit.region_name
        );
        assert_eq!(hit.service_type.as_deref(), Some("查询"));
    }
}

#[test]
fn browsing_by_filter_alone_lists_a_theme_by_popularity() {
    let request = SearchRequest::new("").filters(Filters {
        theme: Some("婚姻".into()),
        ..Filters::default()
    });
    let r = engine().search(&request).unwrap();
    assert!(r.total >= 21);
    assert!(r.hits.iter().all(|h| h.theme == "婚姻"));
    assert!(r.hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn unknown_filter_values_are_clear_errors() {
    for filters in [
        Filters {
            category: Some("不存在".into()),
            ..Filters::default()
        },
        Filters {
            region: Some("火星".into()),
            ..Filters::default()
        },
        Filters {
            service_type: Some("玩".into()),
            ..Filters::default()
        },
    ] {
        let err = engine()
            .search(&SearchRequest::new("社保").filters(filters))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    }
    assert!(
        engine()
            .search(&SearchRequest::new("社保").page(0, 10))
            .is_err()
    );
    assert!(
        engine()
            .search(&SearchRequest::new("社保").page(1, 1000))
            .is_err()
    );
    assert!(
        engine()
            .search(&SearchRequest::new("社".repeat(500)))
            .is_err()
    );
}

#[test]
fn results_are_grouped_faceted_paged_and_highlighted() {
    let r = search("证明");
    assert!(r.total > 20);
    let grouped: usize = r.groups.iter().map(|g| g.count).sum();
    assert_eq!(grouped, r.total);
    let faceted: usize = r.facets.category.iter().map(|f| f.count).sum();
    assert_eq!(faceted, r.total);
    assert!(r.facets.region.iter().all(|f| f.label.is_some()));
    assert!(
        r.hits[0].title_highlight.contains("<em>证明</em>"),
        "{}",
        r.hits[0].title_highlight
    );

    let page2 = engine()
        .search(&SearchRequest::new("证明").page(2, 10))
        .unwrap();
    assert_eq!(page2.total, r.total);
    assert!(
        page2
            .hits
            .iter()
            .all(|h| r.hits.iter().all(|f| f.id != h.id))
    );
}

#[test]
fn explain_shows_every_factor_and_they_multiply_to_the_score() {
    let r = search("公积金提取");
    let hit = &r.hits[0];
    let e = hit.explain.as_ref().expect("explain was asked for");
    let product = e.relevance * e.match_kind_weight * e.popularity_factor * e.region_factor;
    assert!(
        (product - hit.score).abs() < 1e-4,
        "{product} vs {}",
        hit.score
    );
    assert!(e.coverage > 0.9 && !e.matched.is_empty());
    // Without explain, no factors are sent.
    let plain = engine().search(&SearchRequest::new("公积金提取")).unwrap();
    assert!(plain.hits[0].explain.is_none());
}

#[test]
fn popularity_breaks_ties_between_city_variants() {
    let r = search("户籍迁移");
    let first = &r.hits[0];
    let last_variant = r
        .hits
        .iter()
        .rev()
        .find(|h| h.title == first.title)
        .unwrap();
    let pop = |id: &str| engine().item(id).unwrap().popularity();
    assert!(pop(&first.id) >= pop(&last_variant.id));
}

#[test]
fn items_are_found_by_id() {
    let r = search("结婚登记预约");
    let id = &r.hits[0].id;
    assert_eq!(&engine().item(id).unwrap().id, id);
    assert!(engine().item("no-such-item").is_none());
}
