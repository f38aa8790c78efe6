//! End-to-end searches through the Engine API on the bundled catalogue.

use crate::support::{engine, search, titles};
use yuesou_core::{Error, Filters, SearchRequest};

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
    assert_eq!(
        r.message_text.as_ref().map(|m| m.id()),
        Some("search-empty"),
        "{:?}",
        r.message_text
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
    assert_eq!(
        r.message_text.as_ref().map(|m| m.id()),
        Some("search-blocked")
    );
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
    // Services of the theme, each offered in many cities.
    assert!(
        r.total >= 3 && r.total_items >= 21,
        "{} / {}",
        r.total,
        r.total_items
    );
    assert!(r.hits.iter().all(|h| h.theme == "婚姻"));
    assert!(r.hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn unknown_filter_values_are_clear_errors() {
    // A value naming nothing in the catalogue matches nothing, and says so.
    for (filters, named) in [
        (
            Filters {
                category: Some("不存在".into()),
                ..Filters::default()
            },
            "search-unknown-category",
        ),
        (
            Filters {
                department: Some("不存在".into()),
                ..Filters::default()
            },
            "search-unknown-department",
        ),
        (
            Filters {
                region: Some("火星".into()),
                ..Filters::default()
            },
            "search-unknown-region",
        ),
    ] {
        let r = engine()
            .search(&SearchRequest::new("社保").filters(filters))
            .expect("an answer");
        assert_eq!((r.total, r.hits.len()), (0, 0));
        let message = r.message_text.expect("a message");
        assert_eq!(message.id(), named, "{message}");
        assert!(message.to_string().contains("不存在") || message.to_string().contains("火星"));
    }
    // A value outside a fixed set is an error.
    let err = engine()
        .search(&SearchRequest::new("社保").filters(Filters {
            service_type: Some("玩".into()),
            ..Filters::default()
        }))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
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
    assert!(r.total > 10 && r.total_items > r.total);
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
    let r = engine()
        .search(&SearchRequest::new("户籍迁移").collapse(false))
        .unwrap();
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

// ---- One hit per service (field collapsing) ----

/// Every hit of a request, page by page.
fn all_hits(request: SearchRequest) -> Vec<yuesou_core::Hit> {
    let mut hits = Vec::new();
    for page in 1.. {
        let r = engine()
            .search(&request.clone().page(page, 100))
            .unwrap_or_else(|e| panic!("search failed: {e}"));
        if r.hits.is_empty() {
            break;
        }
        hits.extend(r.hits);
    }
    hits
}

#[test]
fn a_hit_is_a_service_with_its_city_variants_riding_along() {
    let r = search("公积金提取");
    let mut seen = std::collections::HashSet::new();
    for hit in &r.hits {
        assert!(seen.insert(hit.title.clone()), "{} twice", hit.title);
        assert_eq!(hit.variant_count, hit.variants.len());
        assert!(hit.variants.iter().any(|v| v.id == hit.id));
        assert!(
            hit.variants
                .windows(2)
                .all(|w| w[0].region_code <= w[1].region_code)
        );
        for v in &hit.variants {
            let item = engine().item(&v.id).expect("a variant is an item");
            assert_eq!(item.title, hit.title);
            assert_eq!(item.region_code, v.region_code);
            assert!(!v.region_name.is_empty());
        }
        // Without a location: the province-wide variant, else the most
        // popular one.
        let pop = |id: &str| engine().item(id).map_or(0.0, |i| i.popularity());
        match hit.variants.iter().find(|v| v.region_code == "440000") {
            Some(province) => assert_eq!(hit.id, province.id),
            None => assert!(hit.variants.iter().all(|v| pop(&v.id) <= pop(&hit.id))),
        }
    }
    // The city-run service the issue names is one hit offered in many cities.
    let rent = r
        .hits
        .iter()
        .find(|h| h.title.contains("租房提取"))
        .expect("租房提取 is on the first page");
    assert!(rent.variant_count >= 10, "{}", rent.variant_count);
    // And 离职提取, 退休提取 … are no longer pushed off the page.
    let withdrawals = r.hits.iter().filter(|h| h.title.contains("提取")).count();
    assert!(withdrawals >= 5, "{:?}", titles(&r.hits, 10));
}

#[test]
fn the_variant_shown_is_the_one_offered_where_the_person_is() {
    for (request, city) in [
        (SearchRequest::new("公积金提取").in_region("深圳"), "440300"),
        (
            SearchRequest::new("公积金提取").at_position(22.5410, 114.0550),
            "440300",
        ),
        (SearchRequest::new("汕头公积金提取"), "440500"),
        (
            SearchRequest::new("公积金提取").filters(Filters {
                region: Some("韶关".into()),
                ..Filters::default()
            }),
            "440200",
        ),
    ] {
        let r = engine().search(&request).expect("search");
        let mut checked = 0;
        for hit in &r.hits {
            // A service the city offers is shown in the city's variant.
            if hit.variants.iter().any(|v| v.region_code == city) {
                assert_eq!(hit.region_code, city, "{:?}: {}", request.query, hit.title);
                checked += 1;
            }
        }
        assert!(
            checked >= 3,
            "{:?}: {:?}",
            request.query,
            titles(&r.hits, 10)
        );
    }
    // Other cities' variants still ride along.
    let r = engine()
        .search(&SearchRequest::new("住房公积金租房提取").in_region("深圳"))
        .expect("search");
    assert_eq!(r.hits[0].region_code, "440300");
    assert!(r.hits[0].variants.iter().any(|v| v.region_code == "440100"));
}

#[test]
fn totals_paging_groups_and_facets_count_services() {
    let raw = all_hits(SearchRequest::new("证明").collapse(false));
    let collapsed = all_hits(SearchRequest::new("证明"));
    let r = engine()
        .search(&SearchRequest::new("证明"))
        .expect("search");
    let services: std::collections::BTreeSet<&str> = raw.iter().map(|h| h.title.as_str()).collect();
    assert!(services.len() < raw.len(), "the query has city variants");
    assert_eq!(r.total, services.len());
    assert_eq!(collapsed.len(), r.total);
    assert_eq!(r.total_items, raw.len());
    let variants: usize = collapsed.iter().map(|h| h.variant_count).sum();
    assert_eq!(variants, r.total_items);
    // Paging walks services: no service twice over every page.
    let titles: std::collections::BTreeSet<&str> =
        collapsed.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles.len(), collapsed.len());
    // Groups and facets count services.
    assert_eq!(r.groups.iter().map(|g| g.count).sum::<usize>(), r.total);
    assert_eq!(
        r.facets.category.iter().map(|f| f.count).sum::<usize>(),
        r.total
    );
    assert_eq!(
        r.facets.online.iter().map(|f| f.count).sum::<usize>(),
        r.total
    );
    // The region facet counts a service once under each city offering it.
    let shenzhen = r
        .facets
        .region
        .iter()
        .find(|f| f.value == "440300")
        .map_or(0, |f| f.count);
    let offered = collapsed
        .iter()
        .filter(|h| h.variants.iter().any(|v| v.region_code.starts_with("4403")))
        .count();
    assert_eq!(shenzhen, offered);
    assert!(shenzhen > 0 && shenzhen < r.total);
}

#[test]
fn collapse_false_returns_every_item() {
    let r = engine()
        .search(&SearchRequest::new("公积金提取").collapse(false))
        .expect("search");
    assert_eq!(r.total, r.total_items);
    assert!(
        r.hits
            .iter()
            .all(|h| h.variants.is_empty() && h.variant_count == 1)
    );
    let titles: std::collections::BTreeSet<&str> =
        r.hits.iter().map(|h| h.title.as_str()).collect();
    assert!(
        titles.len() < r.hits.len(),
        "city variants are separate hits"
    );
}

/// Broad queries without a location: the first ten hits show as many
/// different services as the catalogue has for the query.
#[test]
fn broad_queries_show_different_services_on_the_first_page() {
    let queries = [
        "公积金",
        "社保",
        "医保",
        "公积金提取",
        "户籍",
        "驾驶证",
        "证明",
        "查询",
        "居住证",
        "养老",
        "生育",
        "不动产",
        "港澳通行证",
        "结婚",
        "残疾人",
        "税",
        "教育",
        "车辆",
        "出生",
        "住房",
        "营业执照",
        "退休",
        "失业",
        "护照",
    ];
    let (mut shown, mut offered, mut before) = (0, 0, 0);
    for query in queries {
        let distinct = |hits: &[yuesou_core::Hit]| {
            hits.iter()
                .take(10)
                .map(|h| h.title.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        let r = search(query);
        // What the catalogue has to offer: the distinct services among
        // every matching item, up to ten.
        let raw = all_hits(SearchRequest::new(query).collapse(false));
        let available = raw
            .iter()
            .map(|h| h.title.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            .min(10);
        let first = distinct(&r.hits);
        assert!(
            first >= available.min(r.total),
            "{query}: {first} of {available}"
        );
        shown += first;
        offered += available;
        before += distinct(&raw);
    }
    let n = queries.len() as f32;
    let (shown, offered, before) = (shown as f32 / n, offered as f32 / n, before as f32 / n);
    println!(
        "distinct services in the first ten: {shown:.1} (catalogue offers {offered:.1}; uncollapsed {before:.1})"
    );
    assert!(shown >= 6.0, "{shown}");
    assert!(shown >= offered - 0.5, "{shown} vs {offered}");
}

/// A catalogue whose query matches more items than are ranked
/// (`MAX_CANDIDATES`): retrieval keeps the services that match best, and
/// says the total is a lower bound.
#[test]
fn a_query_matching_more_items_than_are_ranked_keeps_the_best_services() {
    use yuesou_core::{Engine, EngineOptions, Gazetteer, MAX_CANDIDATES, Resources, TotalRelation};
    let resources = Resources::bundled(&crate::support::root());
    let gazetteer =
        Gazetteer::load_with_towns(&resources.divisions, &resources.towns).expect("gazetteer");
    let regions: Vec<&str> = gazetteer
        .divisions()
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    // Services offered in every region with 公证 in a long title, then
    // (last in the catalogue, so last in index order) one service named
    // by it alone: it matches best, but is the last document found.
    let services = MAX_CANDIDATES / regions.len() + 8;
    let line = |id: String, title: &str, description: &str, region: &str| {
        serde_json::json!({
            "id": id, "title": title, "category": "专项服务", "theme": "法律服务",
            "department": "司法局", "region_code": region, "popularity": 50,
            "description": description,
        })
        .to_string()
    };
    let mut lines = Vec::new();
    for s in 0..services {
        for (r, region) in regions.iter().enumerate() {
            let title = format!("第{s}号窗口预约公证咨询服务");
            let description = format!("第{s}号窗口的咨询服务。");
            lines.push(line(format!("f{s}-{r}"), &title, &description, region));
        }
    }
    lines.push(line("gz-1".into(), "公证", "申请办理公证。", "440100"));
    assert!(lines.len() > MAX_CANDIDATES);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("catalogue.jsonl");
    std::fs::write(&path, lines.join("\n")).expect("write the catalogue");
    let engine = Engine::open(&EngineOptions::new(resources.with_catalogue(&path)))
        .expect("the catalogue loads");
    let r = engine
        .search(&SearchRequest::new("公证").as_typed())
        .expect("search");
    assert_eq!(r.total_relation, TotalRelation::Gte);
    assert!(
        r.total < services + 1,
        "{} services of {}",
        r.total,
        services + 1
    );
    assert_eq!(r.hits.first().map(|h| h.id.as_str()), Some("gz-1"));
}

/// Who a request is for (issue 28): whose 户口 moves decides between two
/// services with the same words; an age finds the allowance whose text
/// names no age; `explain` shows the facets the frame matched; and a
/// literal match is never hidden by a frame.
#[test]
fn a_query_frame_decides_who_moves_and_explains_itself() {
    let first_explained = |query: &str| {
        let r = engine()
            .search(&SearchRequest::new(query).explain(true))
            .expect("search");
        let hit = r
            .hits
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("{query:?} found nothing"));
        (r, hit)
    };
    let (r, hit) = first_explained("把我爸妈的户口迁过来");
    assert!(
        hit.title.contains("父母投靠子女入户"),
        "{:?}",
        titles(&r.hits, 3)
    );
    let frame = r.query.frame.as_ref().expect("a frame");
    assert_eq!(frame.mover, Some(yuesou_core::Relation::Parent));
    assert_eq!(hit.explain.as_ref().unwrap().frame, vec!["mover=parent"]);

    let (r, hit) = first_explained("想把儿子的户口迁到我这里");
    assert!(
        hit.title.contains("子女投靠父母入户"),
        "{:?}",
        titles(&r.hits, 3)
    );

    let (r, hit) = first_explained("奶奶满八十五周岁了");
    assert!(
        hit.title.contains("高龄老人津贴"),
        "{:?}",
        titles(&r.hits, 3)
    );
    let facets = &hit.explain.as_ref().unwrap().frame;
    assert!(facets.iter().any(|f| f.starts_with("age=85")), "{facets:?}");

    // The frame only adds: every hit of the words alone is still there.
    let literal = engine()
        .search(&SearchRequest::new("户口迁移").page(1, 50))
        .expect("search");
    let framed = engine()
        .search(&SearchRequest::new("爸妈户口迁移").page(1, 50))
        .expect("search");
    for hit in &literal.hits {
        assert!(
            framed.hits.iter().any(|h| h.id == hit.id),
            "{} lost to the frame",
            hit.title
        );
    }
}
