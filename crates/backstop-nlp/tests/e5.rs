//! Our E5 implementation against golden values from the reference engine (tests/data): exact
//! token ids, embeddings within the tolerances of a 4-bit model run with f32 activations.
//!
//! Needs the model file: `backstop models fetch` puts it in ~/.cache/backstop/models (scripts/test.sh
//! does this first), or set BACKSTOP_E5_MODEL to its path.

use std::path::PathBuf;
use std::sync::OnceLock;

use backstop_nlp::embed::{dot, Role, E5};
use serde_json::Value;

fn model() -> &'static E5 {
    static MODEL: OnceLock<E5> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = std::env::var_os("BACKSTOP_E5_MODEL").map(PathBuf::from).unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
            home.join(".cache/backstop/models/e5-small-q4.bin")
        });
        assert!(
            path.exists(),
            "the E5 model is not at {}: run `cargo run -p backstop -- models fetch` (scripts/test.sh does) or set BACKSTOP_E5_MODEL",
            path.display()
        );
        E5::load(&path).expect("load the model")
    })
}

fn reference() -> Value {
    serde_json::from_str(include_str!("data/e5-reference.json")).expect("reference json")
}

#[test]
fn token_ids_match_the_reference_exactly() {
    let r = reference();
    let cases = r["tokenization"].as_array().unwrap();
    assert_eq!(cases.len(), 66);
    for c in cases {
        let text = format!("{}{}", c["prefix"].as_str().unwrap(), c["text"].as_str().unwrap());
        let want: Vec<u32> = c["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let mut got = vec![0];
        got.extend(model().tokenize(&text));
        got.push(2);
        assert_eq!(got, want, "{text:?}");
    }
}

#[test]
fn embeddings_match_the_reference() {
    let r = reference();
    let sentences: Vec<&str> = r["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let mut ours = Vec::new();
    for (role, key) in [(Role::Query, "query_vectors"), (Role::Passage, "passage_vectors")] {
        for (i, s) in sentences.iter().enumerate() {
            let want: Vec<f32> = r[key][i]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect();
            let got = model().embed(s, role).unwrap();
            assert_eq!(got.len(), 384);
            assert!((dot(&got, &got) - 1.0).abs() < 1e-4, "unit length");
            let cos = dot(&got, &want);
            assert!(cos >= 0.999, "{s:?} ({role:?}): cosine {cos}");
            let worst = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(worst <= 0.01, "{s:?} ({role:?}): max |diff| {worst}");
            if role == Role::Query {
                ours.push(got);
            }
        }
    }
    let cos = r["query_cosines"].as_array().unwrap();
    for i in 0..ours.len() {
        for j in 0..ours.len() {
            let want = cos[i][j].as_f64().unwrap() as f32;
            assert!((dot(&ours[i], &ours[j]) - want).abs() <= 0.005, "cosine {i},{j}");
        }
    }
}

#[test]
fn meaning_beats_wording_across_languages() {
    let m = model();
    let e = |t: &str| m.embed(t, Role::Query).unwrap();
    let forgot_en = e("I forgot my password");
    let forgot_zh = e("我忘记密码了");
    let weather = e("What is the weather today");
    assert!(dot(&forgot_en, &forgot_zh) > dot(&forgot_en, &weather) + 0.05);
}

#[test]
fn long_texts_are_embedded_window_by_window() {
    // 1,023 content tokens: three 510-token windows, averaged by their token counts.
    let r = reference();
    let text = r["long_input"]["text"].as_str().unwrap();
    let want: Vec<f32> = r["long_input"]["query_vector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    let got = model().embed(text, Role::Query).unwrap();
    assert!(dot(&got, &want) >= 0.999, "cosine {}", dot(&got, &want));
}
