//! Hybrid retrieval on a small fixed knowledge base with hand-made vectors: each topic owns one
//! axis of a 4-d space, so "meaning" is known exactly.

use super::*;
use uuid::Uuid;

fn art(n: u128, slug: &str, lang: Lang, title: &str, body: &str, questions: &[&str]) -> KbArticle {
    KbArticle {
        id: ArticleId(Uuid::from_u128(n)),
        slug: slug.into(),
        lang,
        topic: slug.into(),
        title: title.into(),
        body: body.into(),
        questions: questions.iter().map(|s| s.to_string()).collect(),
    }
}

fn articles() -> Vec<KbArticle> {
    vec![
        art(
            1,
            "shipping",
            Lang::En,
            "Delivery times",
            "Parcels arrive in 2-4 days.",
            &["when will my order arrive", "how long is shipping"],
        ),
        art(2, "shipping", Lang::Zh, "配送时效", "包裹2到4天送达。", &["快递多久到"]),
        art(
            3,
            "password",
            Lang::En,
            "Resetting your password",
            "Use the forgot-password link.",
            &["I forgot my password"],
        ),
        art(
            4,
            "refunds",
            Lang::Zh,
            "退款时效",
            "退款3到5个工作日原路退回。",
            &["退款多久到账"],
        ),
    ]
}

fn axis(slug: &str) -> usize {
    match slug {
        "shipping" => 0,
        "password" => 1,
        "refunds" => 2,
        _ => 3,
    }
}

/// A unit vector mostly along `main`, a little along `side`.
fn vec_of(main: usize, side: usize, lean: f32) -> Vec<f32> {
    let mut v = [0.0f32; 4];
    v[main] = 1.0;
    v[side] += lean;
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

/// Each unit points along its article's axis, leaning a different amount towards the spare axis.
fn vectors(kb: &[KbArticle]) -> Vec<Vec<f32>> {
    units(kb)
        .iter()
        .enumerate()
        .map(|(i, u)| vec_of(axis(&kb[u.article].slug), 3, 0.05 * (i % 4) as f32))
        .collect()
}

fn index() -> HybridIndex {
    let kb = articles();
    let v = vectors(&kb);
    HybridIndex::build(kb, Some(v)).unwrap()
}

fn n(id: u128) -> ArticleId {
    ArticleId(Uuid::from_u128(id))
}

#[test]
fn units_are_title_questions_and_body_start() {
    let kb = articles();
    let u = units(&kb);
    assert_eq!(u.len(), 4 + 3 + 3 + 3);
    assert_eq!((u[0].text.as_str(), u[0].role), ("Delivery times", Role::Query));
    assert_eq!(
        (u[3].text.as_str(), u[3].role),
        ("Parcels arrive in 2-4 days.", Role::Passage)
    );
    let long = art(9, "x", Lang::En, "t", &"word ".repeat(200), &[]);
    assert_eq!(
        units(&[long])[1].text.chars().count(),
        BODY_CHARS - 1,
        "trimmed after the cut"
    );
}

#[test]
fn meaning_finds_an_article_with_no_shared_words() {
    let idx = index();
    let q = vec_of(1, 3, 0.02); // "my login secret slipped my mind": the password axis
    let hits = idx.search(
        Query {
            text: "my login secret slipped my mind",
            vector: Some(&q),
        },
        None,
        3,
    );
    assert_eq!(hits[0].article, n(3));
    assert!(hits[0].lexical < 0.2, "{:?}", hits[0]);
    assert!(hits[0].semantic.unwrap() > 0.5, "{:?}", hits[0]);
    // Without the vector, the same words find nothing useful.
    let lexical = idx.search(Query::text("my login secret slipped my mind"), None, 3);
    assert!(lexical.iter().all(|h| h.confidence < 0.5), "{lexical:?}");
}

#[test]
fn an_english_question_finds_a_chinese_only_article() {
    let idx = index();
    let q = vec_of(2, 3, 0.0); // "when is my money back?": refunds, only written in Chinese
    let text = "when is my money back?";
    let hits = idx.search(Query { text, vector: Some(&q) }, None, 2);
    assert_eq!(hits[0].article, n(4));
    // Restricted to English, the Chinese article is not a candidate.
    let en = idx.search(Query { text, vector: Some(&q) }, Some(Lang::En), 4);
    assert!(en.iter().all(|h| h.article != n(4)), "{en:?}");
}

#[test]
fn fusion_keeps_both_rankings_candidates() {
    let idx = index();
    // Words point at shipping, meaning at password: both are candidates, each with its own reason.
    let q = vec_of(1, 3, 0.0);
    let hits = idx.search(
        Query {
            text: "how long is shipping",
            vector: Some(&q),
        },
        None,
        4,
    );
    let ship = hits.iter().find(|h| h.article == n(1)).expect("lexical candidate");
    let pass = hits.iter().find(|h| h.article == n(3)).expect("semantic candidate");
    assert!(ship.lexical > 0.9 && ship.semantic.unwrap() < 0.2, "{ship:?}");
    assert!(pass.lexical == 0.0 && pass.semantic.unwrap() > 0.5, "{pass:?}");
    // An article in both rankings has the larger fused rank score.
    assert!(ship.score > hits.iter().find(|h| h.article == n(4)).map_or(0.0, |h| h.score));
    for h in &hits {
        assert_eq!(h.confidence, h.lexical.max(h.semantic.unwrap()));
    }
}

#[test]
fn calibration_is_fitted_on_the_knowledge_base() {
    let c = index().calibration().unwrap();
    assert!(c.samples > 0, "{c:?}");
    assert!(c.slope > 0.0);
    // Same-topic units (cosine ≥ 0.97 here) are likely right; another topic's (≤ 0.2) are not.
    assert!(c.probability(0.97) > 0.9, "{c:?}");
    assert!(c.probability(0.2) < 0.1, "{c:?}");
}

#[test]
fn calibration_fit_by_hand() {
    assert_eq!(Calibration::fit(&[(0.9, true), (0.1, false)]), None, "too few examples");
    let mut samples = Vec::new();
    for i in 0..20 {
        samples.push((0.80 + i as f32 * 0.005, true));
        samples.push((0.60 + i as f32 * 0.005, false));
    }
    let c = Calibration::fit(&samples).unwrap();
    assert!((c.midpoint() - 0.7475).abs() < 0.01, "midway between the groups: {c:?}");
    assert!(c.probability(0.85) > 0.9 && c.probability(0.65) < 0.1, "{c:?}");
    assert_eq!(c.samples, 40);
}

#[test]
fn vectors_must_match_the_units() {
    let kb = articles();
    let mut v = vectors(&kb);
    v.pop();
    assert!(matches!(
        HybridIndex::build(kb.clone(), Some(v)),
        Err(RetrievalError::Vectors(_))
    ));
    let mut v = vectors(&kb);
    v[2] = vec![1.0];
    assert!(matches!(
        HybridIndex::build(kb.clone(), Some(v)),
        Err(RetrievalError::Vectors(_))
    ));
    // A query vector of the wrong size is ignored rather than mis-scored.
    let idx = index();
    let hits = idx.search(
        Query {
            text: "how long is shipping",
            vector: Some(&[1.0, 0.0]),
        },
        None,
        1,
    );
    assert_eq!(hits[0].semantic, None);
}

#[test]
fn without_vectors_it_is_the_lexical_index() {
    let kb = articles();
    let hybrid = HybridIndex::build(kb.clone(), None).unwrap();
    let bm25 = Bm25Index::build(kb).unwrap();
    assert!(!hybrid.has_vectors());
    for q in ["how long is shipping", "快递多久到", "forgot password"] {
        let a: Vec<ArticleId> = hybrid.search(q.into(), None, 3).iter().map(|h| h.article).collect();
        let b: Vec<ArticleId> = bm25.search(q.into(), None, 3).iter().map(|h| h.article).collect();
        assert_eq!(a, b, "{q}");
    }
    assert!(hybrid.search("".into(), None, 3).is_empty());
}

#[test]
fn dot_matches_the_plain_sum() {
    let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.1).collect();
    let b: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 * 0.05).collect();
    let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
    assert!((dot(&a, &b) - plain).abs() < 1e-4);
}

#[test]
fn a_knowledge_base_that_cannot_calibrate_itself_gets_the_fallback() {
    // Titles without sample questions: each title's only sibling is its own body, here less alike
    // than the other titles are. A fitted curve would fall with the cosine; the fallback is used.
    let kb: Vec<KbArticle> = (0..6)
        .map(|i| {
            art(
                i + 1,
                &format!("topic-{i}"),
                Lang::En,
                &format!("title {i}"),
                "body",
                &[],
            )
        })
        .collect();
    let v: Vec<Vec<f32>> = units(&kb)
        .iter()
        .map(|u| match u.role {
            Role::Query => vec_of(0, 1, 0.1 * (u.article % 3) as f32),
            Role::Passage => vec_of(2, 3, 0.1 * u.article as f32),
        })
        .collect();
    let idx = HybridIndex::build(kb, Some(v)).unwrap();
    assert_eq!(idx.calibration(), Some(Calibration::FALLBACK));
}
