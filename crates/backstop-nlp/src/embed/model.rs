//! The E5 encoder's forward pass: a 12-layer post-LayerNorm BERT over the token ids, mean pooling
//! over all tokens, L2 normalization. Weights are dequantized to f32 once, at load; the word
//! embedding table stays 4-bit and rows are unpacked as tokens need them.

use ndarray::{Array1, Array2, Axis, Slice};

use super::file::{dequantize_q4, ModelFile};
use super::EmbedError;

struct Linear {
    /// [out, in]
    w: Array2<f32>,
    b: Array1<f32>,
}

impl Linear {
    fn forward(&self, x: &Array2<f32>) -> Array2<f32> {
        x.dot(&self.w.t()) + &self.b
    }
}

struct Norm {
    w: Array1<f32>,
    b: Array1<f32>,
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    attn_norm: Norm,
    up: Linear,
    down: Linear,
    ffn_norm: Norm,
}

pub struct Encoder {
    hidden: usize,
    heads: usize,
    eps: f32,
    /// The Q4_0 bytes of the word embedding table, one row of `hidden` weights after another.
    word: Vec<u8>,
    word_rows: usize,
    positions: Array2<f32>,
    token_type: Array1<f32>,
    emb_norm: Norm,
    layers: Vec<Layer>,
    pub max_positions: usize,
}

fn f32s(buf: &[u8], file: &ModelFile, name: &str, n: usize) -> Result<Vec<f32>, EmbedError> {
    let t = file.tensor(name, false, n)?;
    Ok(buf[t.offset..t.offset + t.bytes]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect())
}

fn linear(buf: &[u8], file: &ModelFile, name: &str, out: usize, inp: usize) -> Result<Linear, EmbedError> {
    let t = file.tensor(&format!("{name}.w"), true, out * inp)?;
    let mut w = Vec::with_capacity(out * inp);
    dequantize_q4(&buf[t.offset..t.offset + t.bytes], &mut w);
    let w = Array2::from_shape_vec((out, inp), w).map_err(|e| EmbedError::Format(e.to_string()))?;
    let b = Array1::from(f32s(buf, file, &format!("{name}.b"), out)?);
    Ok(Linear { w, b })
}

fn norm(buf: &[u8], file: &ModelFile, name: &str, h: usize) -> Result<Norm, EmbedError> {
    Ok(Norm {
        w: Array1::from(f32s(buf, file, &format!("{name}.w"), h)?),
        b: Array1::from(f32s(buf, file, &format!("{name}.b"), h)?),
    })
}

impl Encoder {
    pub fn new(buf: &[u8], file: &ModelFile) -> Result<Self, EmbedError> {
        let hd = file.header;
        let (h, ff) = (hd.hidden, hd.ffn);
        let word_t = file.tensor("emb.word", true, hd.vocab_rows * h)?;
        let positions =
            Array2::from_shape_vec((hd.max_positions, h), f32s(buf, file, "emb.pos", hd.max_positions * h)?)
                .map_err(|e| EmbedError::Format(e.to_string()))?;
        let token_type = Array1::from(f32s(buf, file, "emb.type", 2 * h)?[..h].to_vec());
        let mut layers = Vec::with_capacity(hd.layers);
        for l in 0..hd.layers {
            layers.push(Layer {
                q: linear(buf, file, &format!("l{l}.q"), h, h)?,
                k: linear(buf, file, &format!("l{l}.k"), h, h)?,
                v: linear(buf, file, &format!("l{l}.v"), h, h)?,
                out: linear(buf, file, &format!("l{l}.ao"), h, h)?,
                attn_norm: norm(buf, file, &format!("l{l}.aln"), h)?,
                up: linear(buf, file, &format!("l{l}.fi"), ff, h)?,
                down: linear(buf, file, &format!("l{l}.fo"), h, ff)?,
                ffn_norm: norm(buf, file, &format!("l{l}.oln"), h)?,
            });
        }
        Ok(Encoder {
            hidden: h,
            heads: hd.heads,
            eps: hd.eps,
            word: buf[word_t.offset..word_t.offset + word_t.bytes].to_vec(),
            word_rows: hd.vocab_rows,
            positions,
            token_type,
            emb_norm: norm(buf, file, "emb.ln", h)?,
            layers,
            max_positions: hd.max_positions,
        })
    }

    fn layer_norm(&self, x: &mut Array2<f32>, n: &Norm) {
        let h = self.hidden as f32;
        for mut row in x.rows_mut() {
            let mean = row.sum() / h;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h;
            let inv = 1.0 / (var + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&n.w).zip(&n.b) {
                *v = (*v - mean) * inv * w + b;
            }
        }
    }

    /// The mean-pooled (not yet normalized) output for one sequence of at most `max_positions` ids.
    pub fn pooled(&self, ids: &[u32]) -> Result<Array1<f32>, EmbedError> {
        let (l, h) = (ids.len(), self.hidden);
        if l == 0 || l > self.max_positions {
            return Err(EmbedError::Input(format!(
                "{l} tokens; 1 to {} fit",
                self.max_positions
            )));
        }
        let row_bytes = h / 32 * 18;
        let mut x = Array2::<f32>::zeros((l, h));
        let mut buf = Vec::with_capacity(h);
        for (t, &id) in ids.iter().enumerate() {
            let id = id as usize;
            if id >= self.word_rows {
                return Err(EmbedError::Input(format!("token id {id} out of range")));
            }
            buf.clear();
            dequantize_q4(&self.word[id * row_bytes..(id + 1) * row_bytes], &mut buf);
            let mut row = x.row_mut(t);
            for (j, v) in row.iter_mut().enumerate() {
                *v = buf[j] + self.positions[[t, j]] + self.token_type[j];
            }
        }
        self.layer_norm(&mut x, &self.emb_norm);
        let dh = h / self.heads;
        let scale = 1.0 / (dh as f32).sqrt();
        for layer in &self.layers {
            let q = layer.q.forward(&x);
            let k = layer.k.forward(&x);
            let v = layer.v.forward(&x);
            let mut ctx = Array2::<f32>::zeros((l, h));
            for head in 0..self.heads {
                let cols = Slice::from(head * dh..(head + 1) * dh);
                let mut scores = q.slice_axis(Axis(1), cols).dot(&k.slice_axis(Axis(1), cols).t()) * scale;
                for mut row in scores.rows_mut() {
                    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    row.mapv_inplace(|s| (s - max).exp());
                    let sum = row.sum();
                    row /= sum;
                }
                ctx.slice_axis_mut(Axis(1), cols)
                    .assign(&scores.dot(&v.slice_axis(Axis(1), cols)));
            }
            let mut y = layer.out.forward(&ctx) + &x;
            self.layer_norm(&mut y, &layer.attn_norm);
            let mut m = layer.up.forward(&y);
            m.mapv_inplace(gelu);
            let mut z = layer.down.forward(&m) + &y;
            self.layer_norm(&mut z, &layer.ffn_norm);
            x = z;
        }
        Ok(x.mean_axis(Axis(0)).expect("at least one token"))
    }
}

/// GELU with the error function (not the tanh approximation the model was not trained with).
fn gelu(z: f32) -> f32 {
    0.5 * z * (1.0 + erf(z / std::f32::consts::SQRT_2))
}

/// The error function (Abramowitz & Stegun 7.1.26: 1.5e-7 in exact arithmetic, under 5e-7 in f32),
/// ample for f32 activations
/// and a fraction of the cost of a series: GELU runs for every FFN unit of every token and layer.
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let r = 1.0 - poly * (-x * x).exp();
    if x < 0.0 {
        -r
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [
            (0.0, 0.0),
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (2.0, 0.995_322_265_018_952_7),
            (3.0, 0.999_977_909_503_001_4),
            (-1.0, -0.842_700_792_949_714_9),
        ] {
            assert!(
                (erf(x as f32) as f64 - want).abs() < 5e-7,
                "erf({x}) = {} want {want}",
                erf(x as f32)
            );
        }
    }
}
