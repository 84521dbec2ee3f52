//! Retrieval on a small fixed knowledge base: the right article, in the right language, and a low
//! confidence for questions the knowledge base does not answer.

use super::*;
use uuid::Uuid;

fn art(n: u128, slug: &str, lang: Lang, title: &str, body: &str, questions: &[&str]) -> KbArticle {
    KbArticle {
        id: ArticleId(Uuid::from_u128(n)),
        slug: slug.into(),
        lang,
        topic: slug.split('-').next().unwrap_or(slug).into(),
        title: title.into(),
        body: body.into(),
        questions: questions.iter().map(|s| s.to_string()).collect(),
    }
}

fn kb() -> Bm25Index {
    Bm25Index::build(vec![
        art(
            1,
            "returns-policy",
            Lang::En,
            "Our return policy",
            "You can return any item within 30 days of delivery for a full refund.",
            &["can I return an item", "how do returns work"],
        ),
        art(
            2,
            "returns-policy",
            Lang::Zh,
            "退货政策",
            "签收后30天内可以无理由退货，退款原路返回。",
            &["怎么退货", "可以退货吗"],
        ),
        art(
            3,
            "shipping-times",
            Lang::En,
            "How long delivery takes",
            "Standard delivery takes 2 to 4 days in mainland China.",
            &["when will my order arrive", "how long is shipping"],
        ),
        art(
            4,
            "shipping-times",
            Lang::Zh,
            "配送时效",
            "标准快递在中国大陆2到4天送达。",
            &["快递多久到", "什么时候发货"],
        ),
        art(
            5,
            "reset-password",
            Lang::En,
            "Resetting your password",
            "Click 'Forgot password' on the sign-in page and follow the e-mail link.",
            &["I forgot my password", "can't log in"],
        ),
        art(
            6,
            "reset-password",
            Lang::Zh,
            "重置密码",
            "在登录页点击“忘记密码”，按邮件中的链接设置新密码。",
            &["忘记密码了", "登录不上"],
        ),
    ])
    .unwrap()
}

fn top(kb: &Bm25Index, q: &str, lang: Option<Lang>) -> Option<Hit> {
    kb.search(q.into(), lang, 3).into_iter().next()
}

#[test]
fn english_question_finds_its_article() {
    let kb = kb();
    let h = top(&kb, "How long does shipping take to Beijing?", Some(Lang::En)).unwrap();
    assert_eq!(kb.article(h.article).unwrap().slug, "shipping-times");
    let h = top(&kb, "I forgot my password", Some(Lang::En)).unwrap();
    assert_eq!(kb.article(h.article).unwrap().slug, "reset-password");
    assert!(h.confidence >= CONFIDENT, "{h:?}");
}

#[test]
fn chinese_question_finds_its_article() {
    let kb = kb();
    let h = top(&kb, "我想退货怎么办", Some(Lang::Zh)).unwrap();
    let a = kb.article(h.article).unwrap();
    assert_eq!((a.slug.as_str(), a.lang), ("returns-policy", Lang::Zh));
    assert!(h.confidence >= CONFIDENT, "{h:?}");
}

#[test]
fn language_filter_and_translation() {
    let kb = kb();
    let h = top(&kb, "password", Some(Lang::Zh));
    assert!(h.is_none(), "an English word matches no Chinese article: {h:?}");
    let h = top(&kb, "password", None).unwrap();
    let zh = kb.translation(h.article, Lang::Zh).unwrap();
    assert_eq!(zh.slug, "reset-password");
    assert_eq!(zh.lang, Lang::Zh);
}

#[test]
fn unrelated_questions_are_not_confident() {
    let kb = kb();
    for q in [
        "What's the weather like in Paris tomorrow?",
        "你们老板是谁",
        "my kettle exploded and set the curtains on fire",
    ] {
        let conf = top(&kb, q, None).map_or(0.0, |h| h.confidence);
        assert!(conf < CONFIDENT, "{q}: {conf}");
    }
    assert!(kb.search("".into(), None, 3).is_empty());
    assert!(kb.search("?!".into(), None, 3).is_empty());
}

#[test]
fn an_empty_knowledge_base_finds_nothing() {
    let empty = Bm25Index::build(Vec::new()).unwrap();
    assert!(empty.is_empty());
    assert!(empty.search("refund".into(), None, 3).is_empty());
}
