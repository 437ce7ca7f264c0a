//! Reads PyTorch checkpoints in the legacy (before PyTorch 1.6, not zip) format, which candle's
//! own reader does not take, so they can be saved as safetensors once.
//!
//! The legacy format is five pickles one after another (a magic number, the protocol version,
//! system information, the state dict, the list of storage keys), then each storage's raw data
//! preceded by its element count. Tensors in the state dict are `_rebuild_tensor_v2(storage,
//! offset, size, stride)` calls whose storage is a persistent id `("storage", type, key, ...)`;
//! many are strided views of a shared storage, so each is materialised with its own strides.

use candle_core::pickle::{Object, Stack};
use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The first pickle of every legacy checkpoint: protocol 2, LONG1 of 10 bytes, the magic
/// number 0x1950a86a20f9469cfc6c (candle's LONG1 reader cannot hold 10 bytes), STOP.
const MAGIC_PICKLE: [u8; 15] = [
    0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e,
];

/// A tensor as the state dict describes it, before its storage has been read.
struct TensorRef {
    name: String,
    storage_key: String,
    dtype: DType,
    offset: usize,
    shape: Vec<usize>,
    stride: Vec<usize>,
}

/// Reads every tensor of a legacy checkpoint, in state-dict order, as contiguous tensors.
pub fn read_legacy(path: &Path) -> Result<Vec<(String, Tensor)>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(file);

    let mut magic = [0u8; MAGIC_PICKLE.len()];
    reader.read_exact(&mut magic).map_err(|e| e.to_string())?;
    if magic != MAGIC_PICKLE {
        return Err("not a legacy PyTorch checkpoint (no magic number)".into());
    }
    let _protocol = read_pickle(&mut reader)?;
    let _system_info = read_pickle(&mut reader)?;
    let state_dict = read_pickle(&mut reader)?;
    let keys = match read_pickle(&mut reader)? {
        Object::List(keys) => keys
            .into_iter()
            .map(|key| {
                key.unicode()
                    .map_err(|o| format!("storage key {}", brief(&o)))
            })
            .collect::<Result<Vec<_>, _>>()?,
        other => {
            return Err(format!(
                "expected the storage key list, found {}",
                brief(&other)
            ))
        }
    };

    let refs = tensor_refs(state_dict)?;
    let dtypes: HashMap<&str, DType> = refs
        .iter()
        .map(|r| (r.storage_key.as_str(), r.dtype))
        .collect();

    // Storages follow in key order: an 8-byte little-endian element count, then the data.
    let mut storages: HashMap<String, Tensor> = HashMap::new();
    for key in keys {
        let mut count = [0u8; 8];
        reader.read_exact(&mut count).map_err(|e| e.to_string())?;
        let count = usize::try_from(u64::from_le_bytes(count)).map_err(|e| e.to_string())?;
        let dtype = dtypes.get(key.as_str()).copied().unwrap_or(DType::F32);
        let mut bytes = vec![0u8; count * dtype.size_in_bytes()];
        reader
            .read_exact(&mut bytes)
            .map_err(|e| format!("storage {key}: {e}"))?;
        let storage = Tensor::from_raw_buffer(&bytes, dtype, &[count], &Device::Cpu)
            .map_err(|e| e.to_string())?;
        storages.insert(key, storage);
    }

    refs.into_iter()
        .map(|r| {
            let storage = storages
                .get(&r.storage_key)
                .ok_or_else(|| format!("{}: missing storage {}", r.name, r.storage_key))?;
            let tensor = strided_view(storage, &r).map_err(|e| format!("{}: {e}", r.name))?;
            Ok((r.name, tensor))
        })
        .collect()
}

fn read_pickle<R: BufRead>(reader: &mut R) -> Result<Object, String> {
    let mut stack = Stack::empty();
    stack.read_loop(reader).map_err(|e| e.to_string())?;
    stack.finalize().map_err(|e| e.to_string())
}

fn tensor_refs(state_dict: Object) -> Result<Vec<TensorRef>, String> {
    let entries = match state_dict {
        Object::Dict(entries) => entries,
        // An OrderedDict with attributes (`_metadata`) is a BUILD of the dict.
        Object::Build { callable, .. } => match *callable {
            Object::Dict(entries) => entries,
            other => return Err(format!("expected a state dict, found {}", brief(&other))),
        },
        other => return Err(format!("expected a state dict, found {}", brief(&other))),
    };
    entries
        .into_iter()
        // The module versions that `torch.save` keeps beside the tensors (merged into the
        // dict by the BUILD that sets the attribute).
        .filter(|(name, _)| name != &Object::Unicode("_metadata".into()))
        .map(|(name, value)| {
            let name = name
                .unicode()
                .map_err(|o| format!("tensor name {}", brief(&o)))?;
            tensor_ref(name.clone(), value).map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

/// `_rebuild_tensor_v2((storage), offset, size, stride, requires_grad, hooks)`.
fn tensor_ref(name: String, value: Object) -> Result<TensorRef, String> {
    let (callable, args) = value
        .reduce()
        .map_err(|o| format!("not a tensor: {}", brief(&o)))?;
    match callable {
        Object::Class {
            module_name,
            class_name,
        } if module_name == "torch._utils" && class_name == "_rebuild_tensor_v2" => {}
        other => return Err(format!("unexpected constructor {}", brief(&other))),
    }
    let mut args = args
        .tuple()
        .map_err(|o| format!("arguments {}", brief(&o)))?
        .into_iter();
    let mut next = || args.next().ok_or("too few arguments");
    let storage = next()?
        .persistent_load()
        .map_err(|o| format!("storage {}", brief(&o)))?
        .tuple()
        .map_err(|o| format!("storage id {}", brief(&o)))?;
    let offset = usize_of(next()?)?;
    let shape = usizes(next()?)?;
    let stride = usizes(next()?)?;
    // ("storage", type, key, location, size)
    let mut storage = storage.into_iter().skip(1);
    let (_, storage_type) = storage
        .next()
        .ok_or("storage type")?
        .class()
        .map_err(|o| format!("storage type {}", brief(&o)))?;
    let storage_key = storage
        .next()
        .ok_or("storage key")?
        .unicode()
        .map_err(|o| format!("storage key {}", brief(&o)))?;
    let dtype = match storage_type.as_str() {
        "FloatStorage" => DType::F32,
        "DoubleStorage" => DType::F64,
        "HalfStorage" => DType::F16,
        "LongStorage" => DType::I64,
        "ByteStorage" => DType::U8,
        other => return Err(format!("unsupported storage type {other}")),
    };
    Ok(TensorRef {
        name,
        storage_key,
        dtype,
        offset,
        shape,
        stride,
    })
}

fn usize_of(object: Object) -> Result<usize, String> {
    let value = object
        .int_or_long()
        .map_err(|o| format!("expected an integer, found {}", brief(&o)))?;
    usize::try_from(value).map_err(|e| e.to_string())
}

fn usizes(object: Object) -> Result<Vec<usize>, String> {
    object
        .tuple()
        .map_err(|o| format!("expected a tuple, found {}", brief(&o)))?
        .into_iter()
        .map(usize_of)
        .collect()
}

/// The tensor `r` describes, made contiguous.
fn strided_view(storage: &Tensor, r: &TensorRef) -> candle_core::Result<Tensor> {
    let total = storage.elem_count();
    let count: usize = r.shape.iter().product();
    // Gather element by element, walking the multi-index in row-major order; checkpoints are
    // small enough that this one-off cost does not matter.
    let mut indices = Vec::with_capacity(count);
    let mut position = vec![0usize; r.shape.len()];
    for _ in 0..count {
        let index = r.offset
            + position
                .iter()
                .zip(&r.stride)
                .map(|(p, s)| p * s)
                .sum::<usize>();
        if index >= total {
            candle_core::bail!("view runs past its storage ({total} elements)");
        }
        indices.push(u32::try_from(index).map_err(|e| candle_core::Error::Msg(e.to_string()))?);
        for axis in (0..position.len()).rev() {
            position[axis] += 1;
            if position[axis] < r.shape[axis] {
                break;
            }
            position[axis] = 0;
        }
    }
    let indices = Tensor::from_vec(indices, (count,), storage.device())?;
    storage.index_select(&indices, 0)?.reshape(r.shape.clone())
}

/// A pickled object for an error message: its start, not all of it.
fn brief(object: &Object) -> String {
    let mut text = format!("{object:?}");
    if text.len() > 120 {
        let end = (0..=120)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(end);
        text.push_str("...");
    }
    text
}
