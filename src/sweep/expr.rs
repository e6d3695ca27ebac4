//! Sweep constraints: comparisons of arithmetic over key values, e.g.
//! `array.rows * array.cols <= 16384`.
//!
//! Grammar: `expr (<= | < | >= | > | == | !=) expr`, where `expr` is `term ((+|-) term)*`,
//! `term` is `atom ((*|/) atom)*`, and an atom is a number, a dotted key, or `( expr )`.

/// A parsed constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// The text as written.
    pub text: String,
    left: Expr,
    op: Cmp,
    right: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Le,
    Lt,
    Ge,
    Gt,
    Eq,
    Ne,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Num(f64),
    Key(String),
    Bin(Box<Expr>, char, Box<Expr>),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    /// Open parentheses around the current position.
    depth: usize,
    /// Operators read so far.
    operators: usize,
}

/// Deepest parenthesis nesting a constraint may use.
const MAX_DEPTH: usize = 64;

/// Most arithmetic operators a constraint may use (which also bounds how deep its tree is).
const MAX_OPERATORS: usize = 256;

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    /// Counts one more operator.
    fn operator(&mut self) -> Result<(), String> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(format!(
                "more than {MAX_OPERATORS} arithmetic operators; split it into several constraints"
            ));
        }
        Ok(())
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut e = self.term()?;
        while let Some(c @ (b'+' | b'-')) = self.peek() {
            self.i += 1;
            self.operator()?;
            e = Expr::Bin(Box::new(e), c as char, Box::new(self.term()?));
        }
        Ok(e)
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut e = self.atom()?;
        while let Some(c @ (b'*' | b'/')) = self.peek() {
            self.i += 1;
            self.operator()?;
            e = Expr::Bin(Box::new(e), c as char, Box::new(self.atom()?));
        }
        Ok(e)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some(b'(') => {
                self.i += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!("parentheses nested deeper than {MAX_DEPTH}"));
                }
                let e = self.expr()?;
                if self.peek() != Some(b')') {
                    return Err("missing `)`".into());
                }
                self.i += 1;
                self.depth -= 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit()
                        || self.s[self.i] == b'.'
                        || self.s[self.i] == b'_')
                {
                    self.i += 1;
                }
                let t: String = String::from_utf8_lossy(&self.s[start..self.i]).replace('_', "");
                t.parse()
                    .map(Expr::Num)
                    .map_err(|_| format!("`{t}` is not a number"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric()
                        || matches!(self.s[self.i], b'_' | b'.'))
                {
                    self.i += 1;
                }
                Ok(Expr::Key(
                    String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
                ))
            }
            Some(c) => Err(format!("unexpected `{}`", c as char)),
            None => Err("unexpected end".into()),
        }
    }

    fn cmp(&mut self) -> Result<Cmp, String> {
        self.ws();
        let rest = &self.s[self.i..];
        let (op, n) = if rest.starts_with(b"<=") {
            (Cmp::Le, 2)
        } else if rest.starts_with(b">=") {
            (Cmp::Ge, 2)
        } else if rest.starts_with(b"==") {
            (Cmp::Eq, 2)
        } else if rest.starts_with(b"!=") {
            (Cmp::Ne, 2)
        } else if rest.starts_with(b"<") {
            (Cmp::Lt, 1)
        } else if rest.starts_with(b">") {
            (Cmp::Gt, 1)
        } else {
            return Err("expected a comparison: <=, <, >=, >, == or !=".into());
        };
        self.i += n;
        Ok(op)
    }
}

/// `s`, cut to its first `max` characters (and `…`) for a message.
pub fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

impl Constraint {
    /// Parses a constraint.
    pub fn parse(text: &str) -> Result<Constraint, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
            depth: 0,
            operators: 0,
        };
        let left = p.expr()?;
        let op = p.cmp()?;
        let right = p.expr()?;
        if p.peek().is_some() {
            return Err(format!(
                "unexpected text after the comparison: `{}`",
                shorten(&text[p.i..], 40)
            ));
        }
        Ok(Constraint {
            text: text.to_string(),
            left,
            op,
            right,
        })
    }

    /// Renames key `from` to `to` wherever the constraint reads it (aliases).
    pub fn rename_key(&mut self, from: &str, to: &str) {
        fn walk(e: &mut Expr, from: &str, to: &str) {
            match e {
                Expr::Key(k) if k == from => *k = to.to_string(),
                Expr::Bin(a, _, b) => {
                    walk(a, from, to);
                    walk(b, from, to);
                }
                _ => {}
            }
        }
        walk(&mut self.left, from, to);
        walk(&mut self.right, from, to);
    }

    /// The dotted keys the constraint reads.
    pub fn keys(&self) -> Vec<String> {
        fn walk(e: &Expr, out: &mut Vec<String>) {
            match e {
                Expr::Key(k) => out.push(k.clone()),
                Expr::Bin(a, _, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Expr::Num(_) => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.left, &mut out);
        walk(&self.right, &mut out);
        out
    }

    /// Whether the constraint holds, with `value(key)` giving each key's number.
    pub fn holds(&self, value: &dyn Fn(&str) -> Option<f64>) -> Result<bool, String> {
        fn eval(e: &Expr, value: &dyn Fn(&str) -> Option<f64>) -> Result<f64, String> {
            Ok(match e {
                Expr::Num(n) => *n,
                Expr::Key(k) => value(k).ok_or_else(|| format!("`{k}` has no numeric value"))?,
                Expr::Bin(a, op, b) => {
                    let (x, y) = (eval(a, value)?, eval(b, value)?);
                    let r = match op {
                        '+' => x + y,
                        '-' => x - y,
                        '*' => x * y,
                        _ if y == 0.0 => return Err("division by zero".into()),
                        _ => x / y,
                    };
                    if !r.is_finite() {
                        return Err(format!("{x} {op} {y} is not a finite number"));
                    }
                    r
                }
            })
        }
        let (l, r) = (eval(&self.left, value)?, eval(&self.right, value)?);
        Ok(match self.op {
            Cmp::Le => l <= r,
            Cmp::Lt => l < r,
            Cmp::Ge => l >= r,
            Cmp::Gt => l > r,
            Cmp::Eq => l == r,
            Cmp::Ne => l != r,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_products_and_comparisons() {
        let c = Constraint::parse("array.rows * array.cols <= 16384").unwrap();
        assert_eq!(c.keys(), vec!["array.rows", "array.cols"]);
        let v = |r: f64, cc: f64| {
            move |k: &str| {
                if k == "array.rows" {
                    Some(r)
                } else if k == "array.cols" {
                    Some(cc)
                } else {
                    None
                }
            }
        };
        assert!(c.holds(&v(128.0, 128.0)).unwrap());
        assert!(!c.holds(&v(256.0, 128.0)).unwrap());
        let c = Constraint::parse("(sram.ifmap_kb + sram.filter_kb) / 2 > 16").unwrap();
        assert!(
            c.holds(&|k| if k.starts_with("sram") {
                Some(20.0)
            } else {
                None
            })
            .unwrap()
        );
    }

    #[test]
    fn bad_constraints_say_why() {
        assert_eq!(
            Constraint::parse("array.rows * ").unwrap_err(),
            "unexpected end"
        );
        assert_eq!(
            Constraint::parse("array.rows 16").unwrap_err(),
            "expected a comparison: <=, <, >=, >, == or !="
        );
        let deep = format!("{}1{} < 2", "(".repeat(200_000), ")".repeat(200_000));
        assert_eq!(
            Constraint::parse(&deep).unwrap_err(),
            "parentheses nested deeper than 64"
        );
        // A long chain of operators is refused before its tree can get deep (400,000 terms
        // overflowed the stack once).
        let chain = format!("{} > 0", vec!["1"; 400_000].join("+"));
        assert_eq!(
            Constraint::parse(&chain).unwrap_err(),
            "more than 256 arithmetic operators; split it into several constraints"
        );
        assert!(Constraint::parse(&format!("{} > 0", vec!["a"; 257].join("*"))).is_ok());
        let c = Constraint::parse("a / (b - 32) >= 0").unwrap();
        let v = |k: &str| Some(if k == "a" { 8.0 } else { 32.0 });
        assert_eq!(c.holds(&v).unwrap_err(), "division by zero");
        assert_eq!(
            Constraint::parse("a < b c").unwrap_err(),
            "unexpected text after the comparison: `c`"
        );
    }
}
