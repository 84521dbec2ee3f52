//! The text analyzer shared by indexing and querying.
//!
//! Chinese is segmented with jieba (search mode, so 退货政策 also yields 退货 and 政策); Latin words
//! are lower-cased and stemmed with the English Snowball stemmer; punctuation and stop words in
//! both languages are dropped. Indexing and querying must use the very same analyzer, so both go
//! through [`Analyzer`].

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The name the analyzer is registered under in tantivy indexes.
pub const ANALYZER_NAME: &str = "backstop";

/// Words that carry no topic in customer questions.
const STOP_WORDS: &[&str] = &[
    // English
    "a",
    "an",
    "the",
    "i",
    "me",
    "my",
    "mine",
    "we",
    "our",
    "you",
    "your",
    "it",
    "its",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "am",
    "do",
    "does",
    "did",
    "to",
    "of",
    "in",
    "on",
    "at",
    "for",
    "with",
    "and",
    "or",
    "but",
    "if",
    "so",
    "that",
    "this",
    "these",
    "those",
    "there",
    "here",
    "what",
    "which",
    "who",
    "how",
    "when",
    "where",
    "why",
    "can",
    "could",
    "would",
    "should",
    "will",
    "shall",
    "may",
    "might",
    "must",
    "have",
    "has",
    "had",
    "please",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "just",
    "about",
    "any",
    "some",
    "get",
    "got",
    "want",
    "need",
    "know",
    "tell",
    "by",
    "from",
    "as",
    "not",
    "no",
    "yes",
    "up",
    "out",
    "into",
    "than",
    "then",
    "too",
    "very",
    "also",
    "again",
    "still",
    "like",
    "d",
    "ll",
    "s",
    "t",
    "ve",
    "re",
    "m",
    "im",
    "i'm",
    "dont",
    "don't",
    "cant",
    "can't",
    "help",
    "question",
    "ask",
    "much",
    "many",
    "long",
    // Chinese
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "哦",
    "嗯",
    "么",
    "我",
    "我们",
    "你",
    "你们",
    "您",
    "他",
    "她",
    "它",
    "是",
    "在",
    "有",
    "和",
    "与",
    "或",
    "就",
    "都",
    "也",
    "还",
    "又",
    "要",
    "想",
    "请",
    "请问",
    "一下",
    "怎么",
    "怎样",
    "如何",
    "什么",
    "哪",
    "哪里",
    "哪儿",
    "为什么",
    "可以",
    "能",
    "能否",
    "会",
    "吗?",
    "个",
    "这",
    "那",
    "这个",
    "那个",
    "一个",
    "自己",
    "一般",
    "通常",
    "大概",
    "下",
    "以后",
    "之后",
    "的话",
    "怎么办",
    "怎么样",
    "办",
    "能不能",
    "可不可以",
    "是不是",
    "有没有",
    "一些",
    "现在",
    "已经",
    "多少",
    "多久",
    "几",
    "到",
    "给",
    "把",
    "被",
    "让",
    "对",
    "从",
    "你好",
    "您好",
    "谢谢",
    "麻烦",
];

/// The shared jieba instance (its dictionary takes a moment to load; load it once).
pub fn jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA
        .get_or_init(|| {
            let mut j = Jieba::new();
            for w in [
                "转人工",
                "人工客服",
                "退款",
                "退货",
                "换货",
                "发票",
                "专票",
                "优惠券",
                "积分",
                "快递",
                "物流",
                "保修",
            ] {
                j.add_word(w, Some(20_000), None);
            }
            Arc::new(j)
        })
        .clone()
}

/// Splits text into word tokens with jieba; drops whitespace and punctuation.
#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
}

impl JiebaTokenizer {
    pub fn new() -> Self {
        JiebaTokenizer { jieba: jieba() }
    }
}

impl Default for JiebaTokenizer {
    fn default() -> Self {
        Self::new()
    }
}

pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let base = text.as_ptr() as usize;
        let mut tokens = Vec::new();
        for word in self.jieba.cut_for_search(text, true) {
            if !word.chars().any(char::is_alphanumeric) {
                continue;
            }
            let from = word.as_ptr() as usize - base;
            tokens.push(Token {
                offset_from: from,
                offset_to: from + word.len(),
                position: tokens.len(),
                text: word.to_owned(),
                position_length: 1,
            });
        }
        VecTokenStream { tokens, next: 0 }
    }
}

/// The full analysis chain.
#[derive(Clone)]
pub struct Analyzer {
    inner: TextAnalyzer,
}

impl Analyzer {
    pub fn new() -> Self {
        let inner = TextAnalyzer::builder(JiebaTokenizer::new())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(StopWordFilter::remove(STOP_WORDS.iter().map(|s| s.to_string())))
            .filter(Stemmer::new(Language::English))
            .build();
        Analyzer { inner }
    }

    /// The tantivy analyzer, for registering with an index.
    pub fn tantivy(&self) -> TextAnalyzer {
        self.inner.clone()
    }

    /// The analyzed terms of `text`, in order, with repeats.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut analyzer = self.inner.clone();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_lowercased_stemmed_and_stripped() {
        let a = Analyzer::new();
        assert_eq!(a.terms("Where is my ORDER? Refunds!"), vec!["order", "refund"]);
    }

    #[test]
    fn chinese_is_segmented() {
        let a = Analyzer::new();
        let t = a.terms("我想申请退货，快递怎么寄回？");
        assert!(t.contains(&"退货".to_string()), "{t:?}");
        assert!(t.contains(&"快递".to_string()), "{t:?}");
        assert!(!t.contains(&"我".to_string()), "{t:?}");
    }

    #[test]
    fn mixed_text_keeps_both() {
        let a = Analyzer::new();
        let t = a.terms("iPhone 保修多久");
        assert!(
            t.contains(&"iphon".to_string()) || t.contains(&"iphone".to_string()),
            "{t:?}"
        );
        assert!(t.contains(&"保修".to_string()), "{t:?}");
    }
}
