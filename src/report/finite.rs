//! The guard between results and result files: no NaN or infinity ever reaches a CSV or JSON
//! file. Every ratio the library computes is defined (its denominator checked) or an
//! `Option` that is written as an empty cell or `null`; a non-finite float reaching a writer
//! is therefore a bug in the library, and the writers stop with a panic naming the field
//! instead of writing `NaN`, `inf` or (serde_json's silent substitute) `null`.
//!
//! [`fmt_f64`] formats one float for a hand-built row; [`assert_finite`] walks any
//! serializable value (rows, totals, summaries) and checks every float in it.

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::fmt::Display;

/// A float for a result file, formatted as Rust's `Display` does (the shortest text that
/// reads back to the same value).
///
/// # Panics
/// If `x` is NaN or infinite: the library never produces one (an internal contract
/// violation, not bad input).
pub fn fmt_f64(x: f64) -> String {
    assert!(
        x.is_finite(),
        "internal error: a result value is {x}; result files hold only finite numbers (please report this)"
    );
    x.to_string()
}

/// An optional float for a result file: empty when undefined, else [`fmt_f64`].
pub fn fmt_opt(x: Option<f64>) -> String {
    x.map(fmt_f64).unwrap_or_default()
}

/// The path (`totals[2].speedup_vs_dense`) and value of the first NaN or infinite float in
/// `value`, if any.
pub fn first_non_finite<T: Serialize + ?Sized>(value: &T) -> Option<(String, f64)> {
    match value.serialize(Walker {
        path: String::new(),
    }) {
        Ok(()) => None,
        Err(Found::NonFinite(path, x)) => Some((path, x)),
        // Serializing into nothing fails only on a non-finite float; a custom error from a
        // `Serialize` impl would fail the real writer too, which reports it there.
        Err(Found::Other(_)) => None,
    }
}

/// Checks every float of `value` before it is written to `file`.
///
/// # Panics
/// On a NaN or infinite float, naming the file, the field and the value (see the module
/// documentation: an internal contract violation).
pub fn assert_finite<T: Serialize + ?Sized>(file: &str, value: &T) {
    if let Some((path, x)) = first_non_finite(value) {
        panic!(
            "internal error: {file}: `{path}` is {x}; result files hold only finite numbers (please report this)"
        );
    }
}

/// Why the walk stopped.
#[derive(Debug)]
enum Found {
    NonFinite(String, f64),
    Other(String),
}

impl Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Found::NonFinite(p, x) => write!(f, "{p} = {x}"),
            Found::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<T: Display>(msg: T) -> Self {
        Found::Other(msg.to_string())
    }
}

/// A serializer that writes nothing and fails on the first non-finite float, keeping the
/// path of fields and indices that leads to it.
struct Walker {
    path: String,
}

impl Walker {
    fn child(&self, part: impl Display, index: bool) -> Walker {
        let path = if index {
            format!("{}[{part}]", self.path)
        } else if self.path.is_empty() {
            part.to_string()
        } else {
            format!("{}.{part}", self.path)
        };
        Walker { path }
    }

    fn float(self, x: f64) -> Result<(), Found> {
        if x.is_finite() {
            Ok(())
        } else {
            Err(Found::NonFinite(self.path, x))
        }
    }
}

/// A compound value: its walker and the index of the next element.
struct Compound {
    walker: Walker,
    next: usize,
    key: Option<String>,
}

impl Compound {
    fn new(walker: Walker) -> Compound {
        Compound {
            walker,
            next: 0,
            key: None,
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        let w = self.walker.child(self.next, true);
        self.next += 1;
        value.serialize(w)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Found> {
        value.serialize(self.walker.child(key, false))
    }
}

macro_rules! ignore {
    ($($name:ident: $t:ty),* $(,)?) => {
        $(fn $name(self, _: $t) -> Result<(), Found> { Ok(()) })*
    };
}

impl ser::Serializer for Walker {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Compound;
    type SerializeTuple = Compound;
    type SerializeTupleStruct = Compound;
    type SerializeTupleVariant = Compound;
    type SerializeMap = Compound;
    type SerializeStruct = Compound;
    type SerializeStructVariant = Compound;

    ignore!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
        serialize_char: char,
        serialize_str: &str,
        serialize_bytes: &[u8],
        serialize_unit_struct: &'static str,
    );

    fn serialize_f32(self, v: f32) -> Result<(), Found> {
        self.float(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Found> {
        self.float(v)
    }

    fn serialize_none(self) -> Result<(), Found> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Found> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Found> {
        Ok(())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Found> {
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        value.serialize(self.child(variant, false))
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound, Found> {
        Ok(Compound::new(self))
    }

    fn serialize_tuple(self, _: usize) -> Result<Compound, Found> {
        Ok(Compound::new(self))
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound, Found> {
        Ok(Compound::new(self))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound, Found> {
        Ok(Compound::new(self.child(variant, false)))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound, Found> {
        Ok(Compound::new(self))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound, Found> {
        Ok(Compound::new(self))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound, Found> {
        Ok(Compound::new(self.child(variant, false)))
    }
}

/// The compound traits whose elements are walked by position (`[i]`).
macro_rules! by_position {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$trait for Compound {
            type Ok = ();
            type Error = Found;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
                self.element(value)
            }
            fn end(self) -> Result<(), Found> {
                Ok(())
            }
        }
    )*};
}

by_position!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

/// The compound traits whose fields are walked by name (`.field`).
macro_rules! by_name {
    ($($trait:ident),* $(,)?) => {$(
        impl ser::$trait for Compound {
            type Ok = ();
            type Error = Found;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Found> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Found> {
                Ok(())
            }
        }
    )*};
}

by_name!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound {
    type Ok = ();
    type Error = Found;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Found> {
        self.key = Some(key.serialize(KeyName)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        let key = self.key.take().unwrap_or_else(|| "?".to_string());
        self.field(&key, value)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

/// A map key as text, for the path (keys of result maps are strings or numbers).
struct KeyName;

macro_rules! key_text {
    ($($name:ident: $t:ty),* $(,)?) => {
        $(fn $name(self, v: $t) -> Result<String, Found> { Ok(v.to_string()) })*
    };
}

impl ser::Serializer for KeyName {
    type Ok = String;
    type Error = Found;
    type SerializeSeq = Impossible<String, Found>;
    type SerializeTuple = Impossible<String, Found>;
    type SerializeTupleStruct = Impossible<String, Found>;
    type SerializeTupleVariant = Impossible<String, Found>;
    type SerializeMap = Impossible<String, Found>;
    type SerializeStruct = Impossible<String, Found>;
    type SerializeStructVariant = Impossible<String, Found>;

    key_text!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
        serialize_f32: f32,
        serialize_f64: f64,
        serialize_char: char,
        serialize_str: &str,
    );

    fn serialize_bytes(self, _: &[u8]) -> Result<String, Found> {
        Ok("?".into())
    }
    fn serialize_none(self) -> Result<String, Found> {
        Ok("?".into())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<String, Found> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<String, Found> {
        Ok("?".into())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<String, Found> {
        Ok(name.into())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Found> {
        Ok(variant.into())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<String, Found> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: &T,
    ) -> Result<String, Found> {
        Ok(variant.into())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Found> {
        Err(Found::Other("a sequence as a map key".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Found> {
        Err(Found::Other("a tuple as a map key".into()))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Found> {
        Err(Found::Other("a tuple as a map key".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Found> {
        Err(Found::Other("a tuple as a map key".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Found> {
        Err(Found::Other("a map as a map key".into()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Found> {
        Err(Found::Other("a struct as a map key".into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Found> {
        Err(Found::Other("a struct as a map key".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct Inner {
        name: &'static str,
        ratio: Option<f64>,
        pair: (f64, f64),
    }

    #[derive(Serialize)]
    struct Outer {
        count: u64,
        rows: Vec<Inner>,
        by_name: BTreeMap<String, f32>,
    }

    fn outer(bad_ratio: f64, bad_pair: f64, bad_map: f32) -> Outer {
        Outer {
            count: 3,
            rows: vec![
                Inner {
                    name: "a",
                    ratio: None,
                    pair: (0.0, 1.0),
                },
                Inner {
                    name: "b",
                    ratio: Some(bad_ratio),
                    pair: (2.0, bad_pair),
                },
            ],
            by_name: [("x".to_string(), bad_map)].into_iter().collect(),
        }
    }

    #[test]
    fn the_first_non_finite_float_is_found_with_its_path() {
        assert_eq!(first_non_finite(&outer(1.0, 2.0, 3.0)), None);
        let (path, x) = first_non_finite(&outer(f64::INFINITY, 2.0, 3.0)).unwrap();
        assert_eq!((path.as_str(), x), ("rows[1].ratio", f64::INFINITY));
        let (path, x) = first_non_finite(&outer(1.0, f64::NEG_INFINITY, 3.0)).unwrap();
        assert_eq!((path.as_str(), x), ("rows[1].pair[1]", f64::NEG_INFINITY));
        let (path, x) = first_non_finite(&outer(1.0, 2.0, f32::NAN)).unwrap();
        assert_eq!(path, "by_name.x");
        assert!(x.is_nan());
        assert_eq!(first_non_finite(&[1.0, f64::NAN]).unwrap().0, "[1]");
    }

    #[test]
    #[should_panic(
        expected = "internal error: compare_totals.csv: `rows[1].ratio` is NaN; result files hold only finite numbers"
    )]
    fn a_non_finite_value_stops_the_writer() {
        assert_finite("compare_totals.csv", &outer(f64::NAN, 2.0, 3.0));
    }

    #[test]
    fn floats_format_as_display_and_refuse_nan_and_infinity() {
        assert_eq!(fmt_f64(0.1), "0.1");
        assert_eq!(fmt_f64(2.0), "2");
        assert_eq!(fmt_opt(None), "");
        assert_eq!(fmt_opt(Some(1.5)), "1.5");
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(std::panic::catch_unwind(|| fmt_f64(bad)).is_err(), "{bad}");
        }
    }
}
