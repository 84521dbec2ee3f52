//! What the AI says around an action, in both languages: asking for the details on the order,
//! the yes-or-no question, a refusal, a failure told honestly, and the one "not found" sentence
//! that is said alike whether an order does not exist or is someone else's (so the difference is
//! never disclosed). Whether a message asks the AI to do something is read here too.

use backstop_core::message::Lang;

/// Asks an unverified customer for the e-mail or phone the order holds.
pub fn ask_contact(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "To keep your order private, please tell me the e-mail address or phone number you used when you ordered."
        }
        Lang::Zh => "为保护您的订单信息，请告诉我下单时使用的邮箱或手机号。",
    }
}

/// Said alike for an order that does not exist and one the details do not match.
pub fn not_found(lang: Lang, verified: bool) -> &'static str {
    match (lang, verified) {
        (Lang::En, true) => "I couldn't find that order on your account. Please check the order number — it's in your confirmation e-mail.",
        (Lang::En, false) => "I couldn't find an order with that number and those details. Please check the order number and the e-mail or phone you ordered with.",
        (Lang::Zh, true) => "您的账户下没有找到这个订单。请核对订单号（可在下单确认邮件中找到）。",
        (Lang::Zh, false) => "没有找到与该订单号和联系方式相符的订单。请核对订单号以及下单时使用的邮箱或手机号。",
    }
}

/// The action is for signed-in customers only.
pub fn sign_in(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "For your security I can only do this for a signed-in customer. Please sign in on our site and ask me again — or ask for a colleague.",
        Lang::Zh => "为了您的账户安全，这项操作需要您先登录。请在网站登录后再问我一次，或者转人工客服。",
    }
}

/// The yes-or-no question after a summary.
pub fn confirm(lang: Lang, summary: &str) -> String {
    match lang {
        Lang::En => format!("{summary}\n\nPlease reply \"yes\" to go ahead or \"no\" to leave it as it is."),
        Lang::Zh => format!("{summary}\n\n确认请回复“是”，不需要请回复“否”。"),
    }
}

/// The question again, when the reply was neither yes nor no.
pub fn confirm_again(lang: Lang, summary: &str) -> String {
    match lang {
        Lang::En => format!("Sorry, I need a clear yes or no before I change anything. {summary}"),
        Lang::Zh => format!("抱歉，在做任何更改之前我需要您明确回复“是”或“否”。{summary}"),
    }
}

/// Nothing was changed: the customer said no (or never yes).
pub fn declined(lang: Lang, unclear: bool) -> &'static str {
    match (lang, unclear) {
        (Lang::En, false) => "All right — I haven't changed anything. Is there anything else I can help with?",
        (Lang::En, true) => {
            "I haven't changed anything, since I didn't get a clear yes. Just ask again whenever you're ready."
        }
        (Lang::Zh, false) => "好的，我没有做任何更改。还有什么可以帮您？",
        (Lang::Zh, true) => "由于没有收到明确的确认，我没有做任何更改。需要时请随时再告诉我。",
    }
}

/// A rule refused the change and gave no words of its own.
pub fn refused(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "I'm sorry, I can't do that for this order under our policy.",
        Lang::Zh => "抱歉，根据我们的规定，这个订单无法办理此项操作。",
    }
}

/// A rule wants a person to decide.
pub fn for_a_person(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "This one needs a colleague's approval. I'm passing it on with all the details, so you won't have to repeat anything.",
        Lang::Zh => "这项操作需要同事审核。我会把所有信息一并转交，您无需重复说明。",
    }
}

/// The shop's system said no to a change.
pub fn change_refused(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "The shop's system didn't accept this, so nothing was changed. A colleague will look into it with you."
        }
        Lang::Zh => "店铺系统没有接受这项操作，因此没有做任何更改。同事会接着帮您处理。",
    }
}

/// The merchant's system failed (timeout, error, unexpected answer).
pub fn failed(lang: Lang, change: bool) -> &'static str {
    match (lang, change) {
        (Lang::En, false) => "I couldn't reach the shop's order system just now, so I can't see your order. A colleague will check it for you.",
        (Lang::En, true) => "I couldn't get a confirmation from the shop's order system, and I won't try again on my own. A colleague will check and make sure it's done exactly once.",
        (Lang::Zh, false) => "暂时无法连接店铺的订单系统，所以查不到您的订单。同事会帮您查看。",
        (Lang::Zh, true) => "没有收到店铺订单系统的确认，我不会自行重试。同事会核实并确保只办理一次。",
    }
}

/// Does `text` ask for something to be done for the customer ("my order", "I want", 帮我, 我的)
/// rather than how something works in general?
pub fn asks_to_act(text: &str) -> bool {
    let t = text.to_lowercase();
    let words: Vec<&str> = t
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    const EN: &[&str] = &[
        "my", "mine", "i'd", "i've", "i'm", "me", "please", "pls", "wanna", "want", "need",
    ];
    const ZH: &[&str] = &[
        "我的",
        "帮我",
        "给我",
        "我要",
        "我想",
        "请帮",
        "麻烦",
        "我买的",
        "我下的",
        "我订的",
        "我那",
    ];
    words.iter().any(|w| EN.contains(w)) || ZH.iter().any(|p| t.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_told_from_a_general_question() {
        for ask in [
            "where is my order",
            "Cancel it please",
            "I want a refund",
            "我的快递到哪了",
            "帮我取消订单",
            "我想退款",
        ] {
            assert!(asks_to_act(ask), "{ask}");
        }
        for general in [
            "how long does delivery take",
            "can orders be cancelled?",
            "退款多久到账",
            "如何取消订单",
        ] {
            assert!(!asks_to_act(general), "{general}");
        }
    }
}
