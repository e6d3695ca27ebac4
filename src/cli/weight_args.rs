//! `--weights`, `--seed` and `--weight-spread`: where `run` and `compare` get dense weights.

use crate::inputs::{self, InputRecord};
use crate::weights::synthetic::check_spread;
use crate::weights::{WeightSource, WeightSpread};
use crate::workload::Network;
use anyhow::{Result, bail};
use std::path::Path;

/// What `--weight-spread` takes, for its errors.
const SPREAD_FORM: &str =
    "filter=X and/or channel=Y, comma-separated (e.g. filter=0.5,channel=0.3)";

/// The spreads `--weight-spread` sets over `base`: `filter=X`, `channel=Y`, comma-separated,
/// either omitted (it keeps `base`'s value). The error says what is wrong without the flag's
/// name.
pub fn parse_weight_spread(s: &str, base: WeightSpread) -> Result<WeightSpread, String> {
    let (mut filter, mut channel) = (None, None);
    if s.trim().is_empty() {
        return Err(format!("nothing given: expected {SPREAD_FORM}"));
    }
    for item in s.split(',') {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!(
                "`{}` is not KEY=VALUE: expected {SPREAD_FORM}",
                item.trim()
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        let slot = match key {
            "filter" => &mut filter,
            "channel" => &mut channel,
            _ => return Err(format!("unknown key `{key}`: expected filter or channel")),
        };
        if slot.is_some() {
            return Err(format!("`{key}` is given twice"));
        }
        let x = value
            .parse::<f64>()
            .map_err(|_| "not a number".to_string())
            .and_then(check_spread)
            .map_err(|_| {
                format!(
                    "{key} = {value}: expected a number from 0 to {}",
                    WeightSpread::MAX
                )
            })?;
        *slot = Some(x);
    }
    WeightSpread::new(
        filter.unwrap_or(base.filter()),
        channel.unwrap_or(base.channel()),
    )
}

/// The weights of a run: the file `weights` (with its input record; an `.onnx` model gives its
/// layers' weights), synthetic ones when `weights` is `synthetic` or absent — except that an
/// ONNX workload brings its own weights when `weights` is absent. Synthetic weights come from
/// `seed` with the workload's spreads overridden by `--weight-spread`.
pub fn weight_source(
    weights: Option<&Path>,
    seed: u64,
    spread: Option<&str>,
    loaded: &super::Loaded,
    onnx: &super::OnnxArgs,
) -> Result<(WeightSource, Option<InputRecord>)> {
    let network: &Network = &loaded.network;
    let forced_synthetic = weights.is_some_and(|p| p.as_os_str() == "synthetic");
    let file = weights.filter(|_| !forced_synthetic);
    let from_file = |what: String, fix: &str| -> Result<()> {
        if spread.is_some() {
            bail!(
                "--weight-spread: only synthetic weights have spreads, and this run reads {what}: {fix}"
            );
        }
        Ok(())
    };
    if let Some(p) = file {
        from_file(
            p.display().to_string(),
            "drop one of --weight-spread and --weights",
        )?;
        if inputs::is_onnx(p) {
            let (import, record) = inputs::load_onnx(p, &onnx.options()?)?;
            return Ok((
                WeightSource::Tensors {
                    origin: p.display().to_string(),
                    tensors: import.tensors,
                },
                Some(record),
            ));
        }
        let tensors = crate::weights::files::read_tensors(p)?;
        let record = inputs::record_file(p)?;
        return Ok((
            WeightSource::Tensors {
                origin: p.display().to_string(),
                tensors,
            },
            Some(record),
        ));
    }
    if !forced_synthetic && let Some(import) = &loaded.onnx {
        from_file(
            format!("the weights of {}", loaded.workload_record.path),
            "drop --weight-spread, or add --weights synthetic",
        )?;
        return Ok((
            WeightSource::Tensors {
                origin: loaded.workload_record.path.clone(),
                tensors: import.tensors.clone(),
            },
            None,
        ));
    }
    let spread = match spread {
        Some(s) => parse_weight_spread(s, network.weight_spread)
            .map_err(|e| anyhow::anyhow!("--weight-spread: {e}"))?,
        None => network.weight_spread,
    };
    Ok((WeightSource::Synthetic { seed, spread }, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_key_may_be_omitted_and_keeps_the_base() {
        let base = WeightSpread::new(1.0, 2.0).unwrap();
        let got = |s: &str| parse_weight_spread(s, base);
        assert_eq!(got("filter=0.25"), WeightSpread::new(0.25, 2.0));
        assert_eq!(got("channel=0"), WeightSpread::new(1.0, 0.0));
        assert_eq!(got(" channel = 3 , filter=0 "), WeightSpread::new(0.0, 3.0));
    }

    #[test]
    fn bad_spreads_say_what_is_allowed() {
        let base = WeightSpread::default();
        for (s, msg) in [
            ("size=1", "unknown key `size`: expected filter or channel"),
            (
                "filter=wide",
                "filter = wide: expected a number from 0 to 3",
            ),
            ("channel=4", "channel = 4: expected a number from 0 to 3"),
            (
                "filter=-0.5",
                "filter = -0.5: expected a number from 0 to 3",
            ),
            ("filter=inf", "filter = inf: expected a number from 0 to 3"),
            ("filter=NaN", "filter = NaN: expected a number from 0 to 3"),
            ("filter=1,filter=2", "`filter` is given twice"),
            (
                "0.5",
                "`0.5` is not KEY=VALUE: expected filter=X and/or channel=Y, comma-separated (e.g. filter=0.5,channel=0.3)",
            ),
            (
                "",
                "nothing given: expected filter=X and/or channel=Y, comma-separated (e.g. filter=0.5,channel=0.3)",
            ),
        ] {
            assert_eq!(parse_weight_spread(s, base), Err(msg.to_string()), "{s}");
        }
    }
}
