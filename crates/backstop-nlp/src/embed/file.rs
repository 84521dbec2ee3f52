//! Reading the "E5S1" model file: header, unigram vocabulary, per-character normalization map
//! and a directory of named tensors (f32 or 4-bit Q4_0 blocks), all little-endian.

use std::collections::HashMap;

use super::EmbedError;

/// Hyper-parameters from the header.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    pub vocab_rows: usize,
    pub max_positions: usize,
    pub eps: f32,
    pub block: usize,
}

/// A tensor's place in the file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TensorInfo {
    pub q4: bool,
    pub elements: usize,
    pub offset: usize,
    pub bytes: usize,
}

/// Everything but the tensor data, which stays in the byte buffer.
#[derive(Debug)]
pub struct ModelFile {
    pub header: Header,
    pub pieces: Vec<String>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    /// Codepoint → replacement codepoints (possibly none).
    pub normalize: HashMap<u32, Vec<u32>>,
    pub tensors: HashMap<String, TensorInfo>,
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], EmbedError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(EmbedError::Truncated(self.pos))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u16(&mut self) -> Result<u16, EmbedError> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }
    fn u32(&mut self) -> Result<u32, EmbedError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
    fn i32(&mut self) -> Result<usize, EmbedError> {
        let v = i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
        usize::try_from(v).map_err(|_| EmbedError::Format(format!("negative count {v} at byte {}", self.pos - 4)))
    }
    fn u64(&mut self) -> Result<u64, EmbedError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn f32(&mut self) -> Result<f32, EmbedError> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
}

impl ModelFile {
    pub fn parse(buf: &[u8]) -> Result<Self, EmbedError> {
        let mut r = Reader { buf, pos: 0 };
        if r.take(4)? != b"E5S1" {
            return Err(EmbedError::Format("not an E5S1 model file (bad magic)".into()));
        }
        let _version = r.u32()?;
        let header = Header {
            hidden: r.i32()?,
            layers: r.i32()?,
            heads: r.i32()?,
            ffn: r.i32()?,
            vocab_rows: r.i32()?,
            max_positions: r.i32()?,
            eps: {
                let _type_vocab = r.i32()?;
                r.f32()?
            },
            block: r.i32()?,
        };
        if header.block != 32
            || header.heads == 0
            || !header.hidden.is_multiple_of(header.heads)
            || !header.hidden.is_multiple_of(32)
        {
            return Err(EmbedError::Format(format!("unsupported shape {header:?}")));
        }
        let n = r.i32()?;
        let (bos, eos, _pad, unk) = (r.u32()?, r.u32()?, r.u32()?, r.u32()?);
        let blob_len = r.u64()? as usize;
        let mut offs = Vec::with_capacity(n + 1);
        for _ in 0..=n {
            offs.push(r.u32()? as usize);
        }
        let mut scores = Vec::with_capacity(n);
        for _ in 0..n {
            scores.push(r.f32()?);
        }
        let blob = r.take(blob_len)?;
        let mut pieces = Vec::with_capacity(n);
        for w in offs.windows(2) {
            let bytes = blob
                .get(w[0]..w[1])
                .ok_or_else(|| EmbedError::Format("piece offset out of range".into()))?;
            pieces.push(
                String::from_utf8(bytes.to_vec()).map_err(|_| EmbedError::Format("a piece is not UTF-8".into()))?,
            );
        }
        let n_norm = r.i32()?;
        let _norm_bytes = r.u32()?;
        let mut normalize = HashMap::with_capacity(n_norm);
        for _ in 0..n_norm {
            let cp = r.u32()?;
            let k = r.take(1)?[0] as usize;
            let mut rep = Vec::with_capacity(k);
            for _ in 0..k {
                rep.push(r.u32()?);
            }
            normalize.insert(cp, rep);
        }
        let n_tensors = r.i32()?;
        let mut tensors = HashMap::with_capacity(n_tensors);
        for _ in 0..n_tensors {
            let len = r.u16()? as usize;
            let name =
                String::from_utf8(r.take(len)?.to_vec()).map_err(|_| EmbedError::Format("tensor name".into()))?;
            let dtype = r.take(1)?[0];
            let elements = r.u32()? as usize;
            let offset = r.u64()? as usize;
            let bytes = r.u64()? as usize;
            let q4 = match dtype {
                0 => false,
                1 => true,
                d => return Err(EmbedError::Format(format!("tensor {name}: unknown dtype {d}"))),
            };
            let expected = if q4 { elements / 32 * 18 } else { elements * 4 };
            if bytes != expected || offset.checked_add(bytes).is_none_or(|e| e > buf.len()) {
                return Err(EmbedError::Format(format!("tensor {name}: bad size or offset")));
            }
            tensors.insert(
                name,
                TensorInfo {
                    q4,
                    elements,
                    offset,
                    bytes,
                },
            );
        }
        Ok(ModelFile {
            header,
            pieces,
            scores,
            bos,
            eos,
            unk,
            normalize,
            tensors,
        })
    }

    pub fn tensor(&self, name: &str, q4: bool, elements: usize) -> Result<TensorInfo, EmbedError> {
        let t = *self
            .tensors
            .get(name)
            .ok_or_else(|| EmbedError::Format(format!("missing tensor {name}")))?;
        if t.q4 != q4 || t.elements != elements {
            return Err(EmbedError::Format(format!("tensor {name}: unexpected type or size")));
        }
        Ok(t)
    }
}

/// IEEE-754 half to single precision, subnormals included.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = (h >> 10) & 0x1F;
    let frac = (h & 0x3FF) as f32;
    match exp {
        0 => sign * frac * 2f32.powi(-24),
        0x1F => {
            if frac == 0.0 {
                sign * f32::INFINITY
            } else {
                f32::NAN
            }
        }
        e => sign * (1.0 + frac / 1024.0) * 2f32.powi(e as i32 - 15),
    }
}

/// Dequantizes Q4_0 blocks (18 bytes → 32 weights) into `out`.
pub fn dequantize_q4(bytes: &[u8], out: &mut Vec<f32>) {
    for block in bytes.chunks_exact(18) {
        let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        let qs = &block[2..];
        let start = out.len();
        out.resize(start + 32, 0.0);
        for (j, q) in qs.iter().enumerate() {
            out[start + j] = ((q & 0x0F) as f32 - 8.0) * d;
            out[start + j + 16] = ((q >> 4) as f32 - 8.0) * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_convert() {
        assert_eq!(f16_to_f32(0x3C00), 1.0);
        assert_eq!(f16_to_f32(0xC000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7BFF), 65504.0);
    }

    #[test]
    fn q4_blocks_unpack_low_then_high_nibbles() {
        let mut block = vec![0x00, 0x3C]; // scale 1.0
        block.extend((0..16u8).map(|j| (j & 0x0F) | (15 - j) << 4));
        let mut out = Vec::new();
        dequantize_q4(&block, &mut out);
        assert_eq!(out.len(), 32);
        assert_eq!(out[0], -8.0); // low nibble 0
        assert_eq!(out[15], 7.0); // low nibble 15
        assert_eq!(out[16], 7.0); // high nibble 15
        assert_eq!(out[31], -8.0); // high nibble 0
    }

    #[test]
    fn garbage_is_refused() {
        assert!(matches!(ModelFile::parse(b"GGUF...."), Err(EmbedError::Format(_))));
        assert!(matches!(ModelFile::parse(b"E5S1"), Err(EmbedError::Truncated(_))));
    }
}
