//! The fixed sentences the AI says, in both languages. Answers themselves come from the knowledge
//! base; these frame them, ask for clarification, or announce a handoff. The AI never makes up an
//! answer: if no article is confident, it says so and asks or hands over.

use backstop_core::message::Lang;

use crate::signals::SmallTalk;

/// The AI's reply when it sends an article.
/// A calming opening an agent can start with when the customer is upset.
pub fn de_escalation(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "I'm really sorry about this — I understand how frustrating it is. I'm on it personally and will stay with you until it's sorted.",
        Lang::Zh => "非常抱歉给您带来这么多麻烦，完全理解您的心情。我会亲自跟进，直到帮您把问题解决好。",
    }
}

pub fn answer(lang: Lang, body: &str) -> String {
    match lang {
        Lang::En => {
            format!("{body}\n\nDid that answer your question? If not, tell me more or ask for a person at any time.")
        }
        Lang::Zh => format!("{body}\n\n这样解答了您的问题吗？如果没有，可以再详细说说，或随时转人工。"),
    }
}

/// An answer from an article that exists only in another language, said so up front.
pub fn answer_in_other_language(lang: Lang, article_lang: Lang, body: &str) -> String {
    let note = match (lang, article_lang) {
        (Lang::En, Lang::Zh) => "This answer is only available in Chinese so far:",
        (Lang::En, Lang::En) => "",
        (Lang::Zh, Lang::En) => "这条解答目前只有英文版：",
        (Lang::Zh, Lang::Zh) => "",
    };
    let body = if note.is_empty() {
        body.to_owned()
    } else {
        format!("{note}\n\n{body}")
    };
    answer(lang, &body)
}

/// For a customer writing another language than Chinese or English (`code`, ISO 639-1) who gets
/// the knowledge base's own words because no model wrote the answer in theirs: a line in their
/// language saying the answer is only in the article's. English for a language not listed.
pub fn only_in(code: &str, article_lang: Lang) -> String {
    let zh = article_lang == Lang::Zh;
    let (template, english, chinese) = match code {
        "es" => (
            "Lo siento, esta respuesta solo está disponible en {}:",
            "inglés",
            "chino",
        ),
        "fr" => (
            "Désolé, cette réponse n'est disponible qu'en {} :",
            "anglais",
            "chinois",
        ),
        "de" => (
            "Leider gibt es diese Antwort bisher nur auf {}:",
            "Englisch",
            "Chinesisch",
        ),
        "pt" => ("Desculpe, esta resposta só está disponível em {}:", "inglês", "chinês"),
        "it" => (
            "Spiacenti, questa risposta è disponibile solo in {}:",
            "inglese",
            "cinese",
        ),
        "nl" => (
            "Sorry, dit antwoord is alleen beschikbaar in het {}:",
            "Engels",
            "Chinees",
        ),
        "pl" => (
            "Przepraszamy, ta odpowiedź jest dostępna tylko po {}:",
            "angielsku",
            "chińsku",
        ),
        "tr" => ("Üzgünüz, bu yanıt şimdilik yalnızca {} mevcut:", "İngilizce", "Çince"),
        "vi" => (
            "Xin lỗi, câu trả lời này hiện chỉ có bằng {}:",
            "tiếng Anh",
            "tiếng Trung",
        ),
        "id" | "ms" => (
            "Maaf, jawaban ini hanya tersedia dalam bahasa {}:",
            "Inggris",
            "Mandarin",
        ),
        "sv" => ("Tyvärr finns det här svaret bara på {}:", "engelska", "kinesiska"),
        "da" => ("Beklager, dette svar findes kun på {}:", "engelsk", "kinesisk"),
        "no" => ("Beklager, dette svaret finnes bare på {}:", "engelsk", "kinesisk"),
        "fi" => (
            "Valitettavasti tämä vastaus on saatavilla vain {}:",
            "englanniksi",
            "kiinaksi",
        ),
        "cs" => (
            "Omlouváme se, tato odpověď je zatím jen v {}:",
            "angličtině",
            "čínštině",
        ),
        "ro" => (
            "Ne pare rău, acest răspuns este disponibil doar în limba {}:",
            "engleză",
            "chineză",
        ),
        "hu" => (
            "Sajnáljuk, ez a válasz egyelőre csak {} érhető el:",
            "angolul",
            "kínaiul",
        ),
        "ru" => (
            "Извините, этот ответ пока есть только на {} языке:",
            "английском",
            "китайском",
        ),
        "uk" => (
            "Вибачте, ця відповідь поки є лише {} мовою:",
            "англійською",
            "китайською",
        ),
        "ar" => ("عذرًا، هذه الإجابة متوفرة حاليًا باللغة {} فقط:", "الإنجليزية", "الصينية"),
        "fa" => ("متأسفیم، این پاسخ فعلاً فقط به زبان {} موجود است:", "انگلیسی", "چینی"),
        "ur" => ("معذرت، یہ جواب فی الحال صرف {} میں دستیاب ہے:", "انگریزی", "چینی"),
        "ja" => ("申し訳ありませんが、この回答は現在{}のみです：", "英語", "中国語"),
        "ko" => ("죄송합니다. 이 답변은 현재 {}로만 제공됩니다:", "영어", "중국어"),
        "th" => ("ขออภัย คำตอบนี้มีเฉพาะภาษา{}เท่านั้น:", "อังกฤษ", "จีน"),
        "hi" => ("क्षमा करें, यह उत्तर अभी केवल {} में उपलब्ध है:", "अंग्रेज़ी", "चीनी"),
        "he" => ("מצטערים, התשובה הזו זמינה כרגע רק ב{}:", "אנגלית", "סינית"),
        "el" => (
            "Λυπούμαστε, αυτή η απάντηση είναι διαθέσιμη μόνο στα {}:",
            "αγγλικά",
            "κινεζικά",
        ),
        _ => (
            "Sorry, this answer is only available in {} so far:",
            "English",
            "Chinese",
        ),
    };
    template.replace("{}", if zh { chinese } else { english })
}

/// One clarifying question when nothing matched confidently. A topic is offered only when it is
/// plausible (the caller decides); otherwise the question is open, and the way to a person (the
/// widget's "Talk to a human" / "转人工客服" button) is offered with it.
pub fn clarify(lang: Lang, topic_hint: Option<&str>) -> String {
    match (lang, topic_hint) {
        (Lang::En, Some(t)) => format!(
            "I want to get this right. Is your question about {t}? Could you tell me a little more — for example your order number or what you'd like to happen?"
        ),
        (Lang::En, None) => "I'm not sure I understood. Could you tell me a little more — for example what you ordered, your order number, or what you'd like to happen? If you'd rather talk to a person, tap \"Talk to a human\".".into(),
        (Lang::Zh, Some(t)) => format!("我想确认一下：您问的是关于“{t}”的问题吗？能再具体说说吗？比如订单号，或者您希望怎么处理。"),
        (Lang::Zh, None) => "抱歉，我还没完全理解您的问题。能再具体说说吗？比如购买的商品、订单号，或者您希望怎么处理。如果想直接找人工，可以点“转人工客服”。".into(),
    }
}

/// Told to the customer as the conversation is handed to a person.
pub fn handoff(lang: Lang, team: &str, position: Option<u32>) -> String {
    match (lang, position) {
        (Lang::En, Some(p)) => format!("I'm connecting you with a person from {team}. You're number {p} in the queue — they'll see everything we've talked about, so you won't need to repeat yourself."),
        (Lang::En, None) => format!("I'm connecting you with a person from {team}. They'll see everything we've talked about."),
        (Lang::Zh, Some(p)) => format!("正在为您转接人工服务（{team}），您前面还有 {} 位。客服会看到我们之前的全部对话，您不需要重复说明。", p.saturating_sub(1)),
        (Lang::Zh, None) => format!("正在为您转接人工服务（{team}），客服会看到我们之前的全部对话，您不需要重复说明。"),
    }
}

/// Outside the team's hours: the conversation is kept as a ticket, answered by `by`.
pub fn ticket_closed(lang: Lang, team: &str, by: &str) -> String {
    match lang {
        Lang::En => format!("Our {team} team is offline right now, so I've passed your conversation on as a ticket with everything we've talked about. A person will reply by {by}. You can close this window: the answer will be waiting here."),
        Lang::Zh => format!("{team}现在不在服务时间，我已把您的问题连同之前的对话转成工单。人工客服会在 {by} 之前回复您，您可以先关闭窗口，回复会保留在这里。"),
    }
}

/// Nobody of the team is online: the conversation is kept as a ticket, answered by `by`.
pub fn ticket_busy(lang: Lang, team: &str, by: &str) -> String {
    match lang {
        Lang::En => format!("Nobody from {team} is available this minute, so I've passed your conversation on as a ticket with everything we've talked about. A person will reply by {by} at the latest. You can close this window: the answer will be waiting here."),
        Lang::Zh => format!("{team}的同事暂时都不在线，我已把您的问题连同之前的对话转成工单。人工客服最晚会在 {by} 之前回复您，您可以先关闭窗口，回复会保留在这里。"),
    }
}

pub fn agent_joined(lang: Lang, agent: &str) -> String {
    match lang {
        Lang::En => format!("{agent} joined the conversation"),
        Lang::Zh => format!("{agent} 已加入对话"),
    }
}

pub fn handed_back(lang: Lang) -> String {
    match lang {
        Lang::En => "You're chatting with the AI assistant again.".into(),
        Lang::Zh => "现在由 AI 助手继续为您服务。".into(),
    }
}

pub fn resolved(lang: Lang) -> String {
    match lang {
        Lang::En => "This conversation was marked as resolved. Write again any time.".into(),
        Lang::Zh => "本次对话已解决。如有其他问题，随时给我们留言。".into(),
    }
}

pub fn reopened(lang: Lang) -> String {
    match lang {
        Lang::En => "The conversation was reopened.".into(),
        Lang::Zh => "对话已重新打开。".into(),
    }
}

pub fn small_talk(lang: Lang, kind: SmallTalk, store: &str) -> String {
    match (lang, kind) {
        (Lang::En, SmallTalk::Greeting) => format!("Hi! I'm {store}'s AI assistant. Ask me about orders, shipping, returns, refunds, payment, invoices or your account."),
        (Lang::Zh, SmallTalk::Greeting) => format!("您好！我是{store}的 AI 助手，订单、物流、退换货、退款、支付、发票、账户相关的问题都可以问我。"),
        (Lang::En, SmallTalk::Thanks) => "You're welcome! Is there anything else I can help with?".into(),
        (Lang::Zh, SmallTalk::Thanks) => "不客气！还有其他可以帮您的吗？".into(),
        (Lang::En, SmallTalk::Goodbye) => "Thanks for contacting us. Have a great day!".into(),
        (Lang::Zh, SmallTalk::Goodbye) => "感谢您的咨询，祝您生活愉快！".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_is_in_the_customers_language_and_names_the_articles() {
        assert_eq!(
            only_in("fr", Lang::En),
            "Désolé, cette réponse n'est disponible qu'en anglais :"
        );
        assert_eq!(
            only_in("de", Lang::Zh),
            "Leider gibt es diese Antwort bisher nur auf Chinesisch:"
        );
        assert_eq!(
            only_in("xx", Lang::En),
            "Sorry, this answer is only available in English so far:"
        );
        for code in [
            "es", "pt", "it", "nl", "pl", "tr", "vi", "id", "sv", "ru", "ar", "ja", "ko", "th", "hi",
        ] {
            let note = only_in(code, Lang::En);
            assert!(!note.contains("{}") && !note.contains("English"), "{code}: {note}");
        }
    }
}
