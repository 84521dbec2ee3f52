//! Tests of the amount reader: currencies, separators, multipliers, Chinese numerals, words.

use super::*;

fn one(text: &str) -> Option<f64> {
    largest(text)
}

#[test]
fn digits_with_currencies_and_separators() {
    assert_eq!(one("refund ¥1,299.00 not ¥30"), Some(1299.0));
    assert_eq!(one("退我 120 元"), Some(120.0));
    assert_eq!(one("I paid ¥46,000 for it"), Some(46_000.0));
    assert_eq!(one("it was $2,300"), Some(2_300.0));
    assert_eq!(one("USD 900 please"), Some(900.0));
    assert_eq!(one("花了１２００元"), Some(1_200.0), "full-width digits");
    assert_eq!(one("cost me 500$"), Some(500.0));
    assert_eq!(one("RMB3,500"), Some(3_500.0));
    assert_eq!(one("US$1,999.99"), Some(1_999.99));
    assert_eq!(one("80块钱"), Some(80.0));
    assert_eq!(one("200多块"), Some(200.0));
    assert_eq!(one("no money here"), None);
}

#[test]
fn multipliers() {
    assert_eq!(one("refund of 15k"), Some(15_000.0));
    assert_eq!(one("a $1.2k laptop"), Some(1_200.0));
    assert_eq!(one("8万元的订单"), Some(80_000.0));
    assert_eq!(one("退款1.5w"), Some(15_000.0));
    assert_eq!(one("花了3千块"), Some(3_000.0));
    assert_eq!(one("货款1万2"), Some(12_000.0));
    assert_eq!(one("3 grand for a sofa"), Some(3_000.0));
    assert_eq!(one("I paid 2 thousand dollars"), Some(2_000.0));
    assert_eq!(one("1.5 million yuan"), Some(1_500_000.0));
}

#[test]
fn chinese_numerals() {
    assert_eq!(one("三千五百元"), Some(3_500.0));
    assert_eq!(one("退一万五"), Some(15_000.0), "elliptical: 一万五 is 15,000");
    assert_eq!(one("两千三块"), Some(2_300.0));
    assert_eq!(one("三百五十块"), Some(350.0));
    assert_eq!(one("价格三百五"), Some(350.0));
    assert_eq!(one("五千多块钱"), Some(5_000.0));
    assert_eq!(one("一千零五元"), Some(1_005.0));
    assert_eq!(one("十五万的货款"), Some(150_000.0));
    assert_eq!(one("壹万贰仟元整"), Some(12_000.0));
    assert_eq!(one("两万块"), Some(20_000.0));
    assert_eq!(one("一共十二万三千"), Some(123_000.0));
    assert_eq!(one("退款两千"), Some(2_000.0));
    assert_eq!(one("三四百块"), Some(400.0), "a range: the larger end");
}

#[test]
fn english_number_words() {
    assert_eq!(one("two thousand dollars"), Some(2_000.0));
    assert_eq!(one("refund of three hundred and fifty dollars"), Some(350.0));
    assert_eq!(one("fifteen hundred bucks"), Some(1_500.0));
    assert_eq!(one("it cost a thousand pounds"), Some(1_000.0));
    assert_eq!(one("paid twenty-five dollars"), Some(25.0));
}

#[test]
fn unmarked_numbers_count_only_when_the_message_is_about_money() {
    assert_eq!(one("I paid 2300 for this"), Some(2_300.0));
    assert_eq!(one("退款一万五还没到"), Some(15_000.0));
    assert_eq!(one("总价8万"), Some(80_000.0));
    // Not money: no money talk, ids, phones, dates, other units.
    assert_eq!(one("I ordered 600 units"), None);
    assert_eq!(one("order 20261101 refund"), None);
    assert_eq!(one("退款 订单号 MM-20261101-0256"), None);
    assert_eq!(one("退款 我的手机 13812345678"), None);
    assert_eq!(one("refund for 300 pcs"), None);
    assert_eq!(one("一共三件，退款"), None);
    assert_eq!(one("退款要等七天吗"), None);
    assert_eq!(one("打了50%的折扣 退款"), None);
    assert_eq!(one("my refund is 2 weeks late"), None);
    assert_eq!(one("walked 15k steps"), None);
    assert_eq!(one("It was a bit over 8k"), Some(8_000.0));
    assert_eq!(one("a refund for an order from 2025"), None);
    assert_eq!(one("call 138 1234 5678, I paid"), None);
    assert_eq!(one("千万别退款"), None, "千万 is an idiom");
    assert_eq!(one("万一退款失败怎么办"), None);
    assert_eq!(one("I have one question about a refund"), None);
    assert_eq!(one("一块儿退吧"), None);
}

#[test]
fn spans_cover_number_and_currency() {
    let t = "我付了 ¥46,000 和 两千块";
    let a = find(t);
    assert_eq!(a.len(), 2);
    assert_eq!(&t[a[0].start..a[0].end], "¥46,000");
    assert_eq!(a[0].currency, Some("CNY"));
    assert_eq!(&t[a[1].start..a[1].end], "两千块");
}
